/**
 * Files in the sandbox: what people send from the page (kept here, by the file id the emulator gave
 * their message) and what the bot sent (asked of the emulator over its own Bot API: getFile, then the
 * file's path). Only real images are shown in the page; everything else is a download, so a file that
 * someone uploads can never run as a page of the sandbox's origin.
 */
import type { BotApiEmulator } from './emulator.js';

export interface StoredUpload {
  bytes: Buffer;
  name: string;
}

export interface FileBody {
  bytes: Buffer;
  /** An image type when the bytes are one of the image formats browsers show; else undefined. */
  imageType: string | undefined;
}

export const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;

export class SandboxFiles {
  private readonly uploads = new Map<string, StoredUpload>();

  constructor(private readonly emulator: BotApiEmulator) {}

  remember(fileId: string, upload: StoredUpload): void {
    this.uploads.set(fileId, upload);
  }

  /** The file's bytes, or undefined when neither the page nor the bot has such a file. */
  async read(fileId: string): Promise<FileBody | undefined> {
    const bytes = this.uploads.get(fileId)?.bytes ?? (await this.fromEmulator(fileId));
    return bytes ? { bytes, imageType: imageTypeOf(bytes) } : undefined;
  }

  private async fromEmulator(fileId: string): Promise<Buffer | undefined> {
    const { apiRoot, token } = this.emulator;
    const info = await fetch(`${apiRoot}/bot${token}/getFile?file_id=${encodeURIComponent(fileId)}`);
    const body = (await info.json()) as { ok: boolean; result?: { file_path?: string } };
    const filePath = body.ok ? body.result?.file_path : undefined;
    if (!filePath) return undefined;
    const file = await fetch(`${apiRoot}/file/bot${token}/${filePath.split('/').map(encodeURIComponent).join('/')}`);
    return file.ok ? Buffer.from(await file.arrayBuffer()) : undefined;
  }
}

/** Decided from the bytes, never from a name or a type someone gave. */
export function imageTypeOf(bytes: Buffer): string | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return undefined;
}

/** A download name that is safe in a header: the file's own name, RFC 5987-encoded, with an ASCII fallback. */
export function contentDisposition(name: string): string {
  const clean = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').slice(0, 200) || 'file';
  const ascii = clean.replace(/[^\x20-\x7e]/g, '_').replace(/["%;]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(clean)}`;
}
