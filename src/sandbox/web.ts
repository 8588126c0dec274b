/**
 * The sandbox's page and its small JSON API, with live updates as server-sent events. The page is plain
 * ES modules and CSS from src/sandbox/public and the Vazirmatn font from its npm package: nothing is
 * built and nothing comes from another host.
 *
 * Even on loopback a web page is reachable by other sites the browser has open, so: the Host header must
 * name this server (no DNS rebinding), writes must come from this page (Origin) with a JSON or binary
 * body (never a plain form post), and a Content-Security-Policy lets the page run only its own scripts.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../platform/logger.js';
import { isClockJump } from './clock.js';
import { contentDisposition, MAX_UPLOAD_BYTES } from './files.js';
import { PersonaError } from './personas.js';
import { isLoopbackHost } from './safety.js';
import { BadInput, type SandboxActions } from './sandbox.js';

export interface WebServer {
  url: string;
  close(): Promise<void>;
}

const PUBLIC_DIR = fileURLToPath(new URL('./public/', import.meta.url));
const STATIC: Record<string, string> = {
  '/': 'index.html',
  '/app.js': 'app.js',
  '/render.js': 'render.js',
  '/api.js': 'api.js',
  '/style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const FONT = path.join(path.dirname(createRequire(import.meta.url).resolve('vazirmatn/package.json')), 'fonts/webfonts/Vazirmatn[wght].woff2');

const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; font-src 'self'; img-src 'self' blob:; connect-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};
const JSON_BODY_MAX = 64 * 1024;

export async function startWebServer(options: { actions: SandboxActions; host: string; port: number; logger: Logger }): Promise<WebServer> {
  const { actions, logger } = options;
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (error instanceof BadInput || error instanceof PersonaError) return send(res, 400, { error: error.message || 'bad input' });
      if (error instanceof HttpError) return send(res, error.status, { error: error.message });
      logger.error({ err: error }, 'sandbox request failed');
      send(res, 500, { error: 'internal' });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = options.host.includes(':') ? `[${options.host}]` : options.host;
  const url = `http://${shownHost === '0.0.0.0' || shownHost === '[::]' ? '127.0.0.1' : shownHost}:${port}/`;
  const exposed = !isLoopbackHost(options.host);
  const unsubscribe = actions.chats.subscribe((event) => {
    for (const res of streams) res.write(`data: ${JSON.stringify(event)}\n\n`);
  });
  const heartbeat = setInterval(() => {
    for (const res of streams) res.write(': keep-alive\n\n');
  }, 20_000);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!exposed && !hostIsOurs(req.headers.host, port)) throw new HttpError(421, 'wrong host');
    const url = new URL(req.url ?? '/', 'http://sandbox.local');
    const route = url.pathname;
    if (req.method === 'GET') return get(route, url, res, req);
    if (req.method !== 'POST') throw new HttpError(405, 'method');
    if (req.headers.origin !== undefined && req.headers.origin !== `http://${req.headers.host}`) throw new HttpError(403, 'origin');
    return post(route, url, req, res);
  }

  async function get(route: string, url: URL, res: ServerResponse, req: IncomingMessage): Promise<void> {
    const file = STATIC[route];
    if (file) {
      const body = await readFile(path.join(PUBLIC_DIR, file));
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': TYPES[file.split('.').pop()!]! });
      res.end(body);
      return;
    }
    if (route === '/vazirmatn.woff2') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'font/woff2', 'cache-control': 'max-age=86400' });
      res.end(await readFile(FONT));
      return;
    }
    if (route === '/api/state') return send(res, 200, actions.publicState());
    if (route === '/api/events') return openStream(req, res);
    const chat = /^\/api\/chats\/(\d{1,15})$/.exec(route);
    if (chat) return send(res, 200, actions.chat(Number(chat[1])));
    const file2 = /^\/api\/files\/([A-Za-z0-9_-]{1,128})$/.exec(route);
    if (file2) {
      const body = await actions.files.read(file2[1]!);
      if (!body) throw new HttpError(404, 'no such file');
      const asImage = body.imageType !== undefined && url.searchParams.get('view') === 'image';
      res.writeHead(200, {
        ...SECURITY_HEADERS,
        'content-type': asImage ? body.imageType! : 'application/octet-stream',
        ...(asImage ? {} : { 'content-disposition': contentDisposition(url.searchParams.get('name') ?? 'file') }),
      });
      res.end(body.bytes);
      return;
    }
    throw new HttpError(404, 'not found');
  }

  async function post(route: string, url: URL, req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (route === '/api/seed') return send(res, 200, await actions.seed());
    if (route === '/api/clock') {
      const { jump } = await jsonBody(req);
      if (!isClockJump(jump)) throw new BadInput('jump');
      return send(res, 200, await actions.advanceClock(jump));
    }
    if (route === '/api/personas') return send(res, 200, await actions.addPersona(await jsonBody(req)));
    const action = /^\/api\/personas\/(\d{1,15})\/(text|contact|press|start|photo|document)$/.exec(route);
    if (!action) throw new HttpError(404, 'not found');
    const personaId = Number(action[1]);
    switch (action[2]) {
      case 'text':
        actions.sendText(personaId, (await jsonBody(req)).text);
        break;
      case 'contact':
        await jsonBody(req);
        actions.shareContact(personaId);
        break;
      case 'press': {
        const body = await jsonBody(req);
        actions.press(personaId, body.messageId, body.data);
        break;
      }
      case 'start':
        actions.openStartLink(personaId, (await jsonBody(req)).payload);
        break;
      default: {
        if (!(req.headers['content-type'] ?? '').startsWith('application/octet-stream')) throw new HttpError(415, 'binary body expected');
        const bytes = await readBody(req, MAX_UPLOAD_BYTES);
        const caption = url.searchParams.get('caption') || undefined;
        actions.sendFile(personaId, action[2] as 'photo' | 'document', { bytes, name: url.searchParams.get('name') ?? '', caption });
      }
    }
    send(res, 200, { ok: true });
  }

  function openStream(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', connection: 'keep-alive' });
    // The first event tells the page it is (again) connected, so it redraws what it may have missed.
    res.write('data: {"type":"hello"}\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  }

  return {
    url,
    async close() {
      unsubscribe();
      clearInterval(heartbeat);
      for (const res of streams) res.end();
      streams.clear();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

function hostIsOurs(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const match = /^(.*):(\d+)$/.exec(host);
  return match !== null && Number(match[2]) === port && isLoopbackHost(match[1]!);
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) {
        reject(new HttpError(413, 'too large'));
        req.destroy();
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** A JSON object body; a form post or text cannot pass (they would not need the browser's preflight). */
async function jsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  if (!(req.headers['content-type'] ?? '').startsWith('application/json')) throw new HttpError(415, 'JSON body expected');
  const text = (await readBody(req, JSON_BODY_MAX)).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text || '{}');
  } catch {
    throw new BadInput('json');
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new BadInput('json');
  return value as Record<string, unknown>;
}
