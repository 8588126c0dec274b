/**
 * A lean fake Bot API for the updates bench: plain node:http, no validation, no per-call records beyond
 * what the figures need. test/support/fake-bot-api validates and records every call, which is right for
 * tests and far too heavy to serve thousands of requests a second without becoming the bottleneck.
 *
 * It records, per update: when it was offered (became available to getUpdates), when it was first
 * handed out, and when its first reply came. The reply of a callback query is answerCallbackQuery with
 * its id. The reply of a message is the first sendMessage/editMessageText/copyMessage/sendDocument to its
 * chat after it was handed out: sends to a chat are attributed to that chat's latest handed-out update.
 * That is exact here because the mix orders updates round-robin over the members (a batch of 100 holds
 * 100 different chats) and telegraf finishes a batch before it asks for the next one.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';

export interface TrackedUpdate {
  update: { update_id: number; callback_query?: { id: string } & Record<string, unknown> } & Record<string, unknown>;
  kind: string;
  chatId: number;
  offeredAt: number;
  handedAt: number;
  repliedAt: number;
  /** Every send to the chat while this was its latest update, and the callback answer. */
  replies: number;
  /** The callback answer's text, when the bot said something (a refusal or a stale button). */
  answerText?: string;
  /** The first reply's text (messages), to tell a real answer from the catch-all or an error. */
  firstText?: string;
}

const REPLY_METHODS = new Set(['sendMessage', 'editMessageText', 'copyMessage', 'sendDocument', 'sendPhoto']);
const BOT_USER = { id: 123456789, is_bot: true, first_name: 'Bench', username: 'bench_bot', can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false };

export class LeanBotApi {
  private readonly server: http.Server;
  private queue: TrackedUpdate[] = [];
  /** Index in queue of the first update not yet confirmed by an offset. */
  private confirmed = 0;
  /** Index in queue of the first update not yet offered (later ones wait for offer()). */
  private offeredUpTo = 0;
  private waiters = new Set<() => void>();
  private readonly latestByChat = new Map<number, TrackedUpdate>();
  private readonly byCallbackId = new Map<string, TrackedUpdate>();
  private messageId = 1000;
  private closing = false;
  port = 0;
  /** getUpdates calls, and calls per method: the bench prints them when something looks wrong. */
  readonly calls = new Map<string, number>();
  /** True while a getUpdates call waits with nothing to hand out: the bot is idle. */
  pollingIdle = false;
  lastReplyAt = 0;

  constructor() {
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 120_000;
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Drops every update and record: each run starts with an empty queue (update ids stay unique). */
  reset(): void {
    this.queue = [];
    this.confirmed = 0;
    this.offeredUpTo = 0;
    this.latestByChat.clear();
    this.byCallbackId.clear();
    this.calls.clear();
    this.lastReplyAt = 0;
  }

  /** Adds updates to the queue without offering them yet. */
  enqueue(updates: TrackedUpdate[]): void {
    for (const u of updates) {
      this.queue.push(u);
      if (u.update.callback_query) this.byCallbackId.set(u.update.callback_query.id, u);
    }
  }

  /** Makes the next `n` enqueued updates available to getUpdates now. */
  offer(n: number): number {
    const now = performance.now();
    const end = Math.min(this.queue.length, this.offeredUpTo + n);
    for (let i = this.offeredUpTo; i < end; i++) this.queue[i]!.offeredAt = now;
    const offered = end - this.offeredUpTo;
    this.offeredUpTo = end;
    if (offered > 0) this.wake();
    return offered;
  }

  get offeredCount(): number {
    return this.offeredUpTo;
  }

  private wake(): void {
    const waiters = [...this.waiters];
    this.waiters.clear();
    for (const w of waiters) w();
  }

  async close(): Promise<void> {
    this.closing = true;
    this.wake();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').split('?')[0]!.split('/').pop() ?? '';
      this.calls.set(method, (this.calls.get(method) ?? 0) + 1);
      let params: Record<string, unknown>;
      try {
        params = parseBody(req.headers['content-type'] ?? '', Buffer.concat(chunks), req.url ?? '');
      } catch {
        params = {};
      }
      if (method === 'getUpdates') {
        void this.getUpdates(params).then((result) => reply(res, result));
        return;
      }
      reply(res, this.answer(method, params));
    });
  }

  private async getUpdates(params: Record<string, unknown>): Promise<unknown> {
    const offset = Number(params.offset ?? 0);
    const limit = Math.min(100, Math.max(1, Number(params.limit ?? 100)));
    const timeoutMs = Math.min(50, Math.max(0, Number(params.timeout ?? 0))) * 1000;
    // An offset confirms every update below it; they are never handed out again.
    while (this.confirmed < this.offeredUpTo && this.queue[this.confirmed]!.update.update_id < offset) this.confirmed++;
    if (this.confirmed >= this.offeredUpTo && timeoutMs > 0 && !this.closing) {
      this.pollingIdle = true;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiters.delete(done);
          resolve();
        }, timeoutMs);
        const done = () => {
          clearTimeout(timer);
          resolve();
        };
        this.waiters.add(done);
      });
      this.pollingIdle = false;
    }
    const now = performance.now();
    const batch = this.queue.slice(this.confirmed, Math.min(this.offeredUpTo, this.confirmed + limit));
    for (const u of batch) {
      if (u.handedAt === 0) u.handedAt = now;
      this.latestByChat.set(u.chatId, u);
    }
    return batch.map((u) => u.update);
  }

  private answer(method: string, params: Record<string, unknown>): unknown {
    const now = performance.now();
    if (method === 'answerCallbackQuery') {
      const tracked = this.byCallbackId.get(String(params.callback_query_id));
      if (tracked) {
        tracked.replies++;
        if (tracked.repliedAt === 0 && tracked.handedAt !== 0) {
          tracked.repliedAt = now;
          this.lastReplyAt = now;
          if (params.text) tracked.answerText = String(params.text);
        }
      }
      return true;
    }
    if (REPLY_METHODS.has(method)) {
      const chatId = Number(params.chat_id);
      const tracked = this.latestByChat.get(chatId);
      if (tracked) {
        tracked.replies++;
        // A callback's reply is its answer; its messages only count as replies.
        if (tracked.repliedAt === 0 && !tracked.update.callback_query) {
          tracked.repliedAt = now;
          this.lastReplyAt = now;
          if (typeof params.text === 'string') tracked.firstText = params.text.slice(0, 300);
        }
      }
      const chat = { id: chatId, type: 'private', first_name: 'Member' };
      const base = { message_id: method === 'editMessageText' ? Number(params.message_id ?? this.messageId) : ++this.messageId, date: Math.floor(Date.now() / 1000), chat, from: BOT_USER };
      if (method === 'copyMessage') return { message_id: base.message_id };
      if (method === 'sendDocument') return { ...base, document: { file_id: `doc${base.message_id}`, file_unique_id: `u${base.message_id}` } };
      if (method === 'sendPhoto') return { ...base, photo: [{ file_id: `ph${base.message_id}`, file_unique_id: `p${base.message_id}`, width: 1, height: 1 }] };
      return { ...base, text: typeof params.text === 'string' ? params.text : '' };
    }
    switch (method) {
      case 'getMe':
        return BOT_USER;
      case 'getChat':
        return { id: Number(params.chat_id), type: 'private', first_name: 'Member' };
      case 'getChatMember':
        return { status: 'member', user: { id: Number(params.user_id), is_bot: false, first_name: 'Member' } };
      case 'getMyCommands':
        return [];
      case 'editMessageReplyMarkup':
        return { message_id: Number(params.message_id ?? 1), date: Math.floor(Date.now() / 1000), chat: { id: Number(params.chat_id), type: 'private' }, from: BOT_USER };
      case 'getFile':
        return { file_id: String(params.file_id), file_unique_id: 'f', file_size: 1, file_path: 'documents/file.bin' };
      default:
        // setMyCommands, deleteMyCommands, deleteWebhook, setChatMenuButton, sendChatAction, deleteMessage...
        return true;
    }
  }
}

function reply(res: http.ServerResponse, result: unknown): void {
  const body = JSON.stringify({ ok: true, result });
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** JSON (telegraf's default), urlencoded, or multipart (a file attached): the fields as strings or values. */
function parseBody(contentType: string, body: Buffer, url: string): Record<string, unknown> {
  const query = Object.fromEntries(new URL(url, 'http://x').searchParams);
  if (body.length === 0) return query;
  if (contentType.includes('application/json')) return { ...query, ...(JSON.parse(body.toString('utf8')) as Record<string, unknown>) };
  if (contentType.includes('application/x-www-form-urlencoded')) return { ...query, ...Object.fromEntries(new URLSearchParams(body.toString('utf8'))) };
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType);
  if (!boundary) return query;
  const fields: Record<string, unknown> = { ...query };
  // Only small text fields matter (chat_id, text); file parts are skipped by their filename.
  for (const part of body.toString('latin1').split(`--${boundary[1] ?? boundary[2]}`)) {
    const match = /name="([^"]+)"(?![^\r\n]*filename=)[^]*?\r\n\r\n([^]*?)\r\n$/.exec(part);
    if (match) fields[match[1]!] = Buffer.from(match[2]!, 'latin1').toString('utf8');
  }
  return fields;
}
