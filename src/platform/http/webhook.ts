/**
 * The Bot API webhook endpoint. Telegram sends each update as a small JSON POST and sends it again
 * whenever the answer is not 2xx, so the status is how the bot says "handled" or "try later":
 * - the secret header is checked first (403), before a byte of the body is read;
 * - a body over the cap gets 413 without the rest being read, and the connection is closed;
 * - a body that is not JSON, or not an update (null, an array, no update_id), gets 400: the bot never sees it;
 * - 200 only once the update is handled; 503 when it was given back because storage is down, or the bot
 *   is shutting down (Telegram sends it again, to this process later or to another one);
 * - every request is answered, whatever happens inside.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { Update } from 'telegraf/types';
import { isDeferred } from '../bot/storage-outage.js';
import type { Logger } from '../logger.js';

/** Telegram's updates are a few KiB; a message's text is at most 4,096 characters. */
export const MAX_UPDATE_BYTES = 1024 * 1024;
/** How long Telegram is told to wait before sending again (it decides, but may honour it). */
const RETRY_AFTER_S = 5;

export interface WebhookOptions {
  secret: string;
  handleUpdate: (update: Update) => Promise<void>;
  logger: Logger;
  maxBodyBytes?: number;
}

export interface WebhookHandler {
  (req: http.IncomingMessage, res: http.ServerResponse): void;
  /** Updates being handled now. */
  readonly inFlight: number;
  /**
   * Stops taking updates (503 from now on) and waits for those in flight, at most `timeoutMs`;
   * resolves true when none is left.
   */
  close(timeoutMs: number): Promise<boolean>;
}

export function createWebhookHandler(options: WebhookOptions): WebhookHandler {
  const maxBytes = options.maxBodyBytes ?? MAX_UPDATE_BYTES;
  const secret = Buffer.from(options.secret);
  const running = new Set<Promise<void>>();
  let closing = false;

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    if (!secretMatches(req.headers['x-telegram-bot-api-secret-token'])) return refuse(req, res, 403);
    if (closing) return answer(res, 503, { 'retry-after': String(RETRY_AFTER_S) });
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxBytes) return refuse(req, res, 413);
    const work = readUpdate(req, res).then(async (update) => {
      if (update === undefined) return;
      try {
        await options.handleUpdate(update);
        answer(res, 200);
      } catch (err) {
        if (isDeferred(err)) {
          answer(res, 503, { 'retry-after': String(RETRY_AFTER_S) });
        } else {
          // The bot logs its own failures; one that escaped it is answered 200 all the same, since
          // Telegram sending it again would only fail again.
          options.logger.error({ err, updateId: update.update_id }, 'webhook: update failed');
          answer(res, 200);
        }
      }
    });
    running.add(work);
    void work.finally(() => running.delete(work));
  };

  function secretMatches(header: string | string[] | undefined): boolean {
    if (typeof header !== 'string') return false;
    const given = Buffer.from(header);
    return given.length === secret.length && timingSafeEqual(given, secret);
  }

  /** Reads and checks the body; answers 413 or 400 itself and resolves undefined then. */
  async function readUpdate(req: http.IncomingMessage, res: http.ServerResponse): Promise<Update | undefined> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > maxBytes) {
          refuse(req, res, 413);
          return undefined;
        }
        chunks.push(chunk);
      }
    } catch {
      // The client went away mid-body: nobody is left to answer.
      if (!res.headersSent) res.destroy();
      return undefined;
    }
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      answer(res, 400);
      return undefined;
    }
    if (!isUpdate(body)) {
      answer(res, 400);
      return undefined;
    }
    return body;
  }

  return Object.assign(handler, {
    get inFlight() {
      return running.size;
    },
    async close(timeoutMs: number) {
      closing = true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      const drained = (async () => {
        while (running.size > 0) await Promise.allSettled([...running]);
        return true as const;
      })();
      const result = await Promise.race([drained, timedOut]);
      clearTimeout(timer);
      return result;
    },
  });
}

function isUpdate(body: unknown): body is Update {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const id = (body as { update_id?: unknown }).update_id;
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

function answer(res: http.ServerResponse, status: number, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-length': '0', ...headers }).end();
}

/** Answers and drops the connection, so that a body nobody will read is not sent on. */
function refuse(req: http.IncomingMessage, res: http.ServerResponse, status: number): void {
  const socket = req.socket;
  if (!res.headersSent) res.writeHead(status, { connection: 'close', 'content-length': '0' });
  res.end(() => socket?.destroy());
}
