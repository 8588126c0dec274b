import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Telegram, TelegramError } from 'telegraf';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBotApiTransport } from '../../src/platform/bot/bot-api-transport.js';
import { classifySendError } from '../../src/platform/delivery/telegram-errors.js';

const TOKEN = '123:TEST-not-a-real-token';

interface Seen {
  path: string;
  contentType: string;
  body: string;
}

/** A Bot API on loopback whose answer each test chooses by method name. */
let server: http.Server;
let root: string;
const seen: Seen[] = [];
const answers: Record<string, (res: http.ServerResponse) => void> = {
  sendMessage: (res) => json(res, 200, { ok: true, result: { message_id: 7, date: 1, chat: { id: 5, type: 'private' }, text: 'سلام' } }),
  blocked: (res) => json(res, 403, { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' }),
  tooMany: (res) => json(res, 429, { ok: false, error_code: 429, description: 'Too Many Requests', parameters: { retry_after: 3 } }),
  gateway: (res) => {
    res.writeHead(502, 'Bad Gateway', { 'content-type': 'text/html' });
    res.end('<html>502</html>');
  },
  proxyPage: (res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html>login</html>');
  },
  slow: () => {},
  hangUp: (res) => res.socket?.destroy(),
  nullBody: (res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('null');
  },
  sendDocument: (res) => json(res, 200, { ok: true, result: { message_id: 8 } }),
};

function json(res: http.ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ path: req.url ?? '', contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks).toString('utf8') });
      answers[(req.url ?? '').split('/').pop()!]!(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  root = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(apiRoot = root): Telegram {
  const telegram = new Telegram(TOKEN, { apiRoot, webhookReply: false });
  createBotApiTransport(apiRoot, TOKEN).attach(telegram);
  return telegram;
}

const call = (telegram: Telegram, method: string, payload: Record<string, unknown> = {}) =>
  (telegram.callApi as unknown as (m: string, p: unknown, o?: unknown) => Promise<unknown>)(method, payload);

describe('the lean Bot API transport', () => {
  it('when a message is sent, then the Bot API gets the JSON at the bot path (no null fields) and the caller gets the result', async () => {
    const telegram = client();
    const result = await telegram.sendMessage(5, 'سلام', { parse_mode: 'HTML', reply_parameters: undefined });
    expect(result).toMatchObject({ message_id: 7, text: 'سلام' });
    const request = seen.at(-1)!;
    expect(request.path).toBe(`/bot${TOKEN}/sendMessage`);
    expect(request.contentType).toBe('application/json');
    expect(JSON.parse(request.body)).toEqual({ chat_id: 5, text: 'سلام', parse_mode: 'HTML' });
    // A null field is left out too, and a text that spells one out goes as typed.
    await telegram.sendMessage(5, 'a:null {"b":null}', { parse_mode: 'HTML', reply_markup: null as never, link_preview_options: { is_disabled: true, url: null as never } });
    expect(JSON.parse(seen.at(-1)!.body)).toEqual({ chat_id: 5, text: 'a:null {"b":null}', parse_mode: 'HTML', link_preview_options: { is_disabled: true } });
  });

  it('when Telegram refuses, then the error is the TelegramError the rest of the bot reads (unreachable, rate limited)', async () => {
    const telegram = client();
    const blocked = await call(telegram, 'blocked', { chat_id: 5 }).catch((e: unknown) => e);
    expect(blocked).toBeInstanceOf(TelegramError);
    expect(classifySendError(blocked)).toEqual({ type: 'unreachable', reason: 'Forbidden: bot was blocked by the user' });
    const limited = await call(telegram, 'tooMany', { chat_id: 5 }).catch((e: unknown) => e);
    expect(classifySendError(limited)).toEqual({ type: 'rate_limited', retryAfterMs: 3000 });
  });

  it('when a proxy answers 502 with a page, or 200 with a page or a bare null, then the call fails as a retryable problem', async () => {
    const telegram = client();
    const gateway = await call(telegram, 'gateway').catch((e: unknown) => e);
    expect(gateway).toBeInstanceOf(TelegramError);
    expect(classifySendError(gateway)).toEqual({ type: 'transient', reason: '502: Bad Gateway' });
    const page = await call(telegram, 'proxyPage').catch((e: unknown) => e);
    expect(classifySendError(page)).toEqual({ type: 'transient', reason: 'FetchError: invalid-json' });
    // JSON, but not the Bot API's envelope: the call fails, the process goes on.
    const nothing = await call(telegram, 'nullBody').catch((e: unknown) => e);
    expect(classifySendError(nothing)).toEqual({ type: 'transient', reason: 'FetchError: invalid-json' });
  });

  it('when the Bot API cannot be reached, then the error names the system code and never the token', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const error = (await call(client(`http://127.0.0.1:${port}`), 'sendMessage', { chat_id: 5, text: 'x' }).catch((e: unknown) => e)) as Error & { code?: string };
    expect(error.name).toBe('FetchError');
    expect(error.code).toBe('ECONNREFUSED');
    expect(String(error.message) + String(error.stack)).not.toContain(TOKEN.split(':')[1]);
    expect(classifySendError(error)).toEqual({ type: 'transient', reason: 'FetchError: ECONNREFUSED' });
  });

  it('when the caller aborts (polling stopping), then the call ends with an AbortError, as telegraf expects', async () => {
    const telegram = client();
    const controller = new AbortController();
    const pending = (telegram.callApi as unknown as (m: string, p: unknown, o: unknown) => Promise<unknown>)('slow', {}, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const error = (await pending.catch((e: unknown) => e)) as Error;
    expect(error.name).toBe('AbortError');
  });

  it('when the connection drops before the answer, then the error is the ECONNRESET the rest of the bot reads as a network problem', async () => {
    const error = (await call(client(), 'hangUp', { chat_id: 5 }).catch((e: unknown) => e)) as Error & { code?: string; type?: string };
    expect(error.name).toBe('FetchError');
    expect(error.code).toBe('ECONNRESET');
    expect(classifySendError(error)).toEqual({ type: 'transient', reason: 'FetchError: ECONNRESET' });
    // The next call gets a fresh connection and its answer.
    await expect(call(client(), 'sendMessage', { chat_id: 5, text: 'x' })).resolves.toMatchObject({ message_id: 7 });
  });

  it('when polling makes many calls with its one signal, then no listener is left on it after each call', async () => {
    const telegram = client();
    const controller = new AbortController();
    const withSignal = (telegram.callApi as unknown as (m: string, p: unknown, o: unknown) => Promise<unknown>).bind(telegram);
    for (let i = 0; i < 20; i++) await withSignal('sendMessage', { chat_id: 5, text: 'x' }, { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('when a payload cannot be written as JSON, then the call fails (it does not throw at the caller)', async () => {
    const telegram = client();
    const pending = call(telegram, 'sendMessage', { chat_id: 5n, text: 'x' });
    await expect(pending).rejects.toThrow(TypeError);
  });

  it('when a file is uploaded, then it goes as multipart through telegraf, not as JSON', async () => {
    const telegram = client();
    await telegram.sendDocument(5, { source: Buffer.from('a,b\r\n'), filename: 'list.csv' });
    const request = seen.at(-1)!;
    expect(request.path).toBe(`/bot${TOKEN}/sendDocument`);
    expect(request.contentType).toMatch(/^multipart\/form-data/);
    expect(request.body).toContain('list.csv');
  });
});
