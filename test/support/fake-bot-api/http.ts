import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { ApiError } from './errors.js';
import { UploadedFile, type ApiResponse, type Params } from './types.js';

/** Event-based on purpose: `for await` over a request destroys it at the end, which kills keep-alive sockets. */
export function readBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) reject(new ApiError(413, 'Request Entity Too Large'));
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', reject);
  });
}

const MIME_BY_EXT: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  txt: 'text/plain',
  csv: 'text/csv',
  json: 'application/json',
  zip: 'application/zip',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function guessMime(fileName: string): string {
  const ext = fileName.split('.').pop()?.toLowerCase() ?? '';
  return MIME_BY_EXT[ext] ?? 'application/octet-stream';
}

/**
 * Telegram accepts query strings, urlencoded, JSON and multipart bodies. Values are kept as
 * sent (multipart/query values are strings) so tests see exactly what the client put on the wire.
 */
export async function parseParams(
  req: IncomingMessage,
  url: URL,
  method: string,
  maxBytes: number,
  keepBytes: boolean,
): Promise<Record<string, unknown>> {
  const params: Record<string, unknown> = {};
  for (const [k, v] of url.searchParams) params[k] = v;
  const body = await readBody(req, maxBytes);
  if (body.length === 0) return params;
  const contentType = (req.headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new ApiError(400, "Bad Request: can't parse JSON object");
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, 'Bad Request: JSON object expected');
    return Object.keys(params).length === 0 ? (parsed as Record<string, unknown>) : Object.assign(params, parsed);
  }
  if (contentType.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Request('http://fake.local/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
    } catch (error) {
      throw new ApiError(400, `Bad Request: can't parse multipart/form-data: ${(error as Error).message}`);
    }
    for (const [key, value] of form) {
      if (typeof value === 'string') {
        params[key] = value;
      } else {
        const bytes = Buffer.from(await value.arrayBuffer());
        // telegraf sends file parts without a content-type (so they parse as text/plain);
        // Telegram derives the MIME type from the file name, so do the same when it is known.
        const guessed = guessMime(value.name);
        const mime = guessed !== 'application/octet-stream' ? guessed : value.type || guessed;
        params[key] = new UploadedFile(key, value.name, mime, bytes.length, keepBytes ? bytes : undefined);
      }
    }
    // telegraf puts the method name into multipart bodies as an extra field.
    if (params.method === method) delete params.method;
    return params;
  }
  if (contentType.startsWith('application/x-www-form-urlencoded')) {
    for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
    return params;
  }
  throw new ApiError(400, `Bad Request: unsupported content-type "${contentType}"`);
}

export function writeJson(res: ServerResponse, status: number, payload: ApiResponse | Params): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(payload);
  // Keep the standard reason phrase: telegraf reports statusText, not the body, for 5xx.
  res.writeHead(status, STATUS_CODES[status] ?? 'Unknown', {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}
