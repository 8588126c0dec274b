/**
 * A lean way to the Bot API for what almost every call is: a JSON payload in, a JSON answer out.
 *
 * telegraf sends each call through node-fetch (a Request, Headers, a body stream and a Response per call):
 * a tenth of the bot's CPU per update went there (issue 12's profile). This sends the same JSON with
 * node:http on a keep-alive connection and reads the same envelope. What it does not know goes on to
 * telegraf as before: uploads (an InputFile: multipart), and a client not on the plain `bot` API.
 *
 * Errors keep telegraf's shapes, so the code that reads them (telegram-errors.ts, storage-outage.ts)
 * sees no difference: a refusal is a TelegramError with the envelope in `response`; a 5xx without an
 * envelope is a TelegramError with the status; a failed connection is an Error named FetchError with the
 * system `code` (node-fetch's shape), whose message never holds the URL (the URL holds the token).
 * Unlike node-fetch it follows no redirect: BOT_API_ROOT must be the address that answers (a redirect
 * fails every call as an invalid answer, which the logs show at once).
 */
import http from 'node:http';
import https from 'node:https';
import { TelegramError, type Telegram } from 'telegraf';

type CallApi = (method: string, payload: Record<string, unknown>, options?: { signal?: AbortSignal }) => Promise<unknown>;

/** telegraf's own rule for a payload that must go as multipart (an upload), kept as it is. */
function includesMedia(payload: Record<string, unknown>): boolean {
  for (const key in payload) {
    const value = payload[key] as Record<string, unknown> | unknown[] | null | undefined;
    if (key === 'link_preview_options' || value === null || typeof value !== 'object') continue;
    if (Array.isArray(value)) {
      if (value.some((v) => isFile((v as { media?: unknown } | null)?.media))) return true;
    } else if (isFile(value) || isFile(value.media)) return true;
  }
  return false;
}

function isFile(value: unknown): boolean {
  if (value === null || typeof value !== 'object') return false;
  const v = value as { source?: unknown; url?: unknown };
  return Boolean(v.source) || Boolean(v.url);
}

/** node-fetch's shape of a network failure: the name and `type` 'system' that the rest of the bot reads. */
class FetchError extends Error {
  readonly type: string;
  readonly code: string | undefined;
  constructor(message: string, type: string, code?: string) {
    super(message);
    this.type = type;
    this.code = code;
  }
}
Object.defineProperty(FetchError.prototype, 'name', { value: 'FetchError' });

function aborted(method: string): Error {
  const error = new FetchError(`Bot API ${method}: aborted`, 'aborted');
  Object.defineProperty(error, 'name', { value: 'AbortError' });
  return error;
}

/** Drops what JSON.stringify would write as null: telegraf omits null and undefined fields. */
function replacer(_key: string, value: unknown) {
  return value == null ? undefined : value;
}

/**
 * The payload as telegraf writes it. JSON.stringify leaves undefined fields out by itself and is a third
 * faster without a replacer, which only matters where a field is null (`:null` in the text; a text that
 * merely contains those letters takes the slower way to the same result).
 */
function toJson(payload: Record<string, unknown>): string {
  const json = JSON.stringify(payload);
  return json.includes(':null') ? JSON.stringify(payload, replacer) : json;
}

export interface BotApiTransport {
  /** Makes one Telegram client (the bot's, or an update's own) send its JSON calls the lean way. */
  attach(telegram: Telegram): void;
}

export function createBotApiTransport(apiRoot: string, token: string): BotApiTransport {
  // The same address telegraf makes (`./bot<token>/<method>` against the root), computed once.
  const base = new URL(`./bot${token}/`, apiRoot);
  const secure = base.protocol === 'https:';
  // An idle connection is closed after 4 s, before a server's usual 5 s: reusing one the server is closing
  // at that moment would fail the call (Node's own default agent does the same).
  const agentOptions = { keepAlive: true, keepAliveMsecs: 10_000, timeout: 4_000 };
  const agent = secure ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
  const send = secure ? https.request : http.request;
  const host = base.hostname.replace(/^\[|\]$/g, '');
  const port = base.port ? Number(base.port) : secure ? 443 : 80;

  function call(method: string, payload: Record<string, unknown>, signal: AbortSignal | undefined): Promise<unknown> {
    return new Promise((resolve, reject) => {
      // Inside the promise: a payload JSON cannot write (a cycle, a bigint) fails the call, not the caller.
      const body = toJson(payload);
      const req = send(
        {
          agent,
          host,
          port,
          method: 'POST',
          path: base.pathname + method,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'keep-alive' },
          // As telegraf: long enough for a 50 s long poll and a slow upload's answer.
          timeout: 500_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', (err: NodeJS.ErrnoException) => reject(signal?.aborted ? aborted(method) : new FetchError(`Bot API ${method}: ${err.code ?? err.message}`, 'system', err.code)));
          res.on('end', () => {
            const status = res.statusCode ?? 0;
            let data: { ok?: boolean; result?: unknown; error_code?: number; description?: string } | null | undefined;
            try {
              data = JSON.parse((chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8')) as typeof data;
            } catch {
              data = undefined;
            }
            if (status >= 500 && !data?.description) {
              reject(new TelegramError({ error_code: status, description: res.statusMessage ?? '' }, { method, payload }));
            } else if (data === undefined || data === null || typeof data !== 'object') {
              reject(new FetchError(`Bot API ${method}: invalid json response (status ${status})`, 'invalid-json'));
            } else if (!data.ok) {
              reject(new TelegramError(data as ConstructorParameters<typeof TelegramError>[0], { method, payload }));
            } else {
              resolve(data.result);
            }
          });
        },
      );
      // node-fetch's shape of a timeout: no system code (a code would read as a network or storage outage).
      let timedOut = false;
      req.on('timeout', () => {
        timedOut = true;
        req.destroy();
      });
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (signal?.aborted) reject(aborted(method));
        else if (timedOut) reject(new FetchError(`Bot API ${method}: timeout`, 'request-timeout'));
        else reject(new FetchError(`Bot API ${method}: ${err.code ?? err.message}`, 'system', err.code));
      });
      // telegraf's polling passes its own AbortController's signal (a polyfill): listened to here rather
      // than handed to node:http, which only takes its own kind. Its loop stops on an error named AbortError.
      if (signal) {
        if (signal.aborted) return void req.destroy();
        const onAbort = () => req.destroy();
        signal.addEventListener('abort', onAbort, { once: true });
        req.on('close', () => signal.removeEventListener('abort', onAbort));
      }
      req.end(body);
    });
  }

  return {
    attach(telegram) {
      const options = telegram.options as { apiMode?: string; testEnv?: boolean; webhookReply?: boolean };
      if (options.apiMode !== 'bot' || options.testEnv || options.webhookReply) return;
      const fallback = telegram.callApi.bind(telegram) as unknown as CallApi;
      const lean: CallApi = (method, payload, opts) =>
        payload && !includesMedia(payload) ? call(method, payload, opts?.signal) : fallback(method, payload, opts);
      telegram.callApi = lean as unknown as Telegram['callApi'];
    },
  };
}
