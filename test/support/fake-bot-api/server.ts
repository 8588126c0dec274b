import { setMaxListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { BotCommand, BotCommandScope, Chat, Message, Update } from 'telegraf/types';
import { BALE_MISSING_METHODS } from './bale.js';
import { ApiError, defaultDescription, DESCRIPTIONS } from './errors.js';
import { parseParams, writeJson } from './http.js';
import { chatIdParam, createHandlers, jsonParam, MESSAGE_METHODS, type Handler, type HandlerContext, type Runtime } from './methods.js';
import { chatKey, normaliseChatId, scopeKey, Store, type Json } from './store.js';
import {
  UploadedFile,
  type ApiFailure,
  type ApiResponse,
  type BotProfile,
  type ChatId,
  type Enqueued,
  type FailureHandle,
  type FailureSpec,
  type FakeBotApiOptions,
  type FakeBotApiStats,
  type InjectedFailure,
  type MethodCounters,
  type Params,
  type RateLimitOptions,
  type RecordedCall,
  type UserProfile,
  type WaitOptions,
} from './types.js';
import { UpdateQueue } from './updates.js';
import { FakeUser } from './user.js';

const DEFAULT_TOKEN = '123456789:FAKE-token-for-tests-only';
const DEFAULT_WAIT_MS = 5_000;
const RECENT_CALLS = 25;

/** Methods whose chat_id may be used even when the user blocked the bot. */
const NOT_BLOCKABLE = new Set(['getChat', 'getChatMember', 'getChatMenuButton', 'leaveChat', 'getMyCommands']);

interface Waiter {
  predicate: (call: RecordedCall) => boolean;
  after: number;
  resolve: (call: RecordedCall) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  describe: () => string;
}

interface FailureRule extends FailureSpec {
  method: string;
  remaining: number;
  chatKey?: string;
}

class SlidingWindow {
  private times: number[] = [];
  private head = 0;

  /** Milliseconds until a slot frees up, or 0 if admitted (and counted). */
  admit(now: number, limit: number): number {
    while (this.head < this.times.length && this.times[this.head]! <= now - 1000) this.head++;
    if (this.head > 1024) {
      this.times = this.times.slice(this.head);
      this.head = 0;
    }
    if (this.times.length - this.head >= limit) return this.times[this.head]! + 1000 - now;
    this.times.push(now);
    return 0;
  }

  /** Un-counts the last admitted call (it was rejected by another window). */
  refund(): void {
    if (this.times.length > this.head) this.times.pop();
  }

  get empty(): boolean {
    return this.head >= this.times.length;
  }
}

function emptyCounters(): MethodCounters {
  return { accepted: {}, rejected: {} };
}

function bump(counters: Record<string, number>, key: string): void {
  counters[key] = (counters[key] ?? 0) + 1;
}

/**
 * A fake Telegram Bot API over real HTTP for end-to-end tests and local sandboxes.
 * Point telegraf at it with `{ telegram: { apiRoot: api.apiRoot } }`.
 */
export class FakeBotApi {
  private readonly server: Server;
  private readonly options: FakeBotApiOptions;
  private readonly acceptedToken: string | undefined;
  private readonly store: Store;
  private readonly queue: UpdateQueue;
  private readonly runtime: Runtime;
  private readonly handlers: Record<string, Handler>;
  private readonly methodNames = new Map<string, string>();
  // Every held long poll and every waiter listens for close(): many at once is normal, not a leak.
  private readonly closing = (() => {
    const controller = new AbortController();
    setMaxListeners(0, controller.signal);
    return controller;
  })();
  private closePromise: Promise<void> | undefined;

  private records: RecordedCall[] = [];
  private readonly recent: RecordedCall[] = [];
  private seq = 0;
  private readonly waiters = new Set<Waiter>();
  /** Rejecters of waitForLongPoll/waitForConfirmed promises, so close() can settle them. */
  private readonly otherWaits = new Set<(error: Error) => void>();

  private readonly users = new Map<number, FakeUser>();
  private readonly blocked = new Set<string>();
  private failures: FailureRule[] = [];
  private readonly latency = new Map<string, number>();
  private limits: (RateLimitOptions & { methodSet: ReadonlySet<string> }) | undefined;
  private globalWindow = new SlidingWindow();
  private chatWindows = new Map<string, SlidingWindow>();
  private callbackCounter = 0;

  private readonly counters = { total: 0, rejected429: 0, rejected403: 0, injected: 0, rateLimited: 0, ...emptyCounters() };
  private readonly chatCounters = new Map<string, MethodCounters>();

  private constructor(server: Server, options: FakeBotApiOptions) {
    this.server = server;
    this.options = options;
    this.acceptedToken = options.token;
    const token = options.token ?? DEFAULT_TOKEN;
    const tokenId = Number(/^(\d+):/.exec(token)?.[1] ?? 123456789);
    const bot: BotProfile = {
      id: options.bot?.id ?? tokenId,
      is_bot: true,
      first_name: options.bot?.first_name ?? 'Fake Bot',
      username: options.bot?.username ?? 'fake_test_bot',
      can_join_groups: options.bot?.can_join_groups ?? true,
      can_read_all_group_messages: options.bot?.can_read_all_group_messages ?? false,
      supports_inline_queries: options.bot?.supports_inline_queries ?? false,
    };
    this.store = new Store(options.recordBodies !== false);
    this.queue = new UpdateQueue(options.firstUpdateId ?? 100_000_001);
    this.runtime = {
      store: this.store,
      queue: this.queue,
      bot,
      strictChats: options.strictChats ?? false,
      // Bale takes no parse_mode: text is kept as sent, markup and all.
      validateFormatting: options.dialect === 'bale' ? false : (options.validateFormatting ?? true),
      closing: this.closing.signal,
      webhook: { url: '' },
      settings: new Map(),
    };
    this.handlers = createHandlers(this.runtime);
    if (options.dialect === 'bale') for (const name of BALE_MISSING_METHODS) delete this.handlers[name];
    for (const name of Object.keys(this.handlers)) this.methodNames.set(name.toLowerCase(), name);
  }

  static async start(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
    // Keep Node's default keepAliveTimeout: clients subtract ~1 s from the advertised timeout,
    // so a short one silently turns every request into a new connection. close() reaps sockets.
    const server = createServer();
    const api = new FakeBotApi(server, options);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      api.handle(req, res).catch((error: unknown) => {
        writeJson(res, 500, { ok: false, error_code: 500, description: `Internal Server Error: ${String(error)}` });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return api;
  }

  // ------------------------------------------------------------ identity

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL for telegraf's `apiRoot` (no trailing slash, no path). */
  get apiRoot(): string {
    const host = this.options.host ?? '127.0.0.1';
    return `http://${host.includes(':') ? `[${host}]` : host}:${this.port}`;
  }

  /** The configured token, or a well-formed default (any token is accepted then). */
  get token(): string {
    return this.acceptedToken ?? DEFAULT_TOKEN;
  }

  /** The getMe user. */
  get bot(): BotProfile {
    return this.runtime.bot;
  }

  // ------------------------------------------------------------ HTTP pipeline

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.closing.signal.aborted) {
      // Answering would let a polling client spin; a dropped connection makes it back off.
      res.destroy();
      return;
    }
    const started = Date.now();
    const url = new URL(req.url ?? '/', 'http://fake.local');
    const fileMatch = /^\/file\/(?:bot|user)([^/]+)\/(.+)$/.exec(url.pathname);
    if (fileMatch) {
      this.serveFile(res, decodeURIComponent(fileMatch[1]!), decodeURIComponent(fileMatch[2]!));
      return;
    }
    // telegraf builds `${apiRoot}/bot${token}${testEnv ? '/test' : ''}/${method}`.
    const match = /^\/(?:bot|user)([^/]+)(?:\/test)?\/([^/]+)\/?$/.exec(url.pathname);
    if (!match) {
      writeJson(res, 404, { ok: false, error_code: 404, description: DESCRIPTIONS.notFound });
      return;
    }
    const token = decodeURIComponent(match[1]!);
    const method = this.methodNames.get(match[2]!.toLowerCase()) ?? match[2]!;
    const clientGone = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) clientGone.abort();
    });
    const ctx: HandlerContext = { method, params: {}, signal: clientGone.signal };
    let response: ApiResponse;
    let injected: InjectedFailure | undefined;
    try {
      (ctx as { params: Params }).params = await parseParams(req, url, method, this.options.maxBodyBytes ?? 50 * 1024 * 1024, this.store.keepMessages);
      ctx.chatId = chatIdParam(ctx.params);
      if (this.acceptedToken !== undefined && token !== this.acceptedToken) {
        injected = 'unauthorized';
        throw new ApiError(401, DESCRIPTIONS.unauthorized);
      }
      const handler = this.handlers[method];
      if (!handler) throw new ApiError(404, DESCRIPTIONS.methodNotFound);
      const delay = this.latency.get(method) ?? this.latency.get('*') ?? 0;
      if (delay > 0) await this.sleep(delay);
      const failure = this.takeFailure(method, ctx.chatId);
      if (failure) {
        injected = 'failNext';
        throw failure;
      }
      if (ctx.chatId !== undefined && !NOT_BLOCKABLE.has(method) && this.blocked.has(chatKey(ctx.chatId))) {
        injected = 'blocked';
        throw new ApiError(403, DESCRIPTIONS.blocked);
      }
      const retryAfter = this.checkRateLimit(method, ctx.chatId, Date.now());
      if (retryAfter !== undefined) {
        injected = 'rateLimit';
        throw new ApiError(429, `Too Many Requests: retry after ${retryAfter}`, { retry_after: retryAfter });
      }
      response = { ok: true, result: await handler(ctx) };
    } catch (error) {
      response = toFailure(error);
    }
    if (clientGone.signal.aborted) ctx.aborted = true;
    const httpStatus = response.ok ? 200 : response.error_code;
    if (!ctx.aborted) writeJson(res, httpStatus, response);
    this.record(ctx, response, httpStatus, injected, started);
  }

  private sleep(ms: number): Promise<void> {
    const closing = this.closing.signal;
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        closing.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      closing.addEventListener('abort', done, { once: true });
    });
  }

  private serveFile(res: ServerResponse, token: string, path: string): void {
    if (this.acceptedToken !== undefined && token !== this.acceptedToken) {
      writeJson(res, 401, { ok: false, error_code: 401, description: DESCRIPTIONS.unauthorized });
      return;
    }
    const file = [...this.store.files.values()].find((f) => f.file_path === path);
    if (!file && this.store.keepMessages) {
      writeJson(res, 404, { ok: false, error_code: 404, description: DESCRIPTIONS.notFound });
      return;
    }
    const bytes = file?.bytes ?? Buffer.alloc(file?.file_size ?? 1024, 0x2a);
    res.writeHead(200, { 'content-type': file?.mime_type ?? 'application/octet-stream', 'content-length': bytes.length });
    res.end(bytes);
  }

  // ------------------------------------------------------------ recording

  private record(ctx: HandlerContext, response: ApiResponse, httpStatus: number, injected: InjectedFailure | undefined, started: number): void {
    const { method, params } = ctx;
    const call: Mutable<RecordedCall> = {
      seq: this.seq++,
      method,
      params,
      at: new Date(started),
      durationMs: Date.now() - started,
      response,
      httpStatus,
    };
    if (ctx.chatId !== undefined) call.chatId = normaliseChatId(ctx.chatId);
    if (injected) call.injected = injected;
    if (ctx.aborted) call.aborted = true;
    if (params.reply_markup !== undefined) {
      try {
        call.replyMarkup = jsonParam(params, 'reply_markup');
      } catch {
        call.replyMarkup = params.reply_markup;
      }
    }
    const text = params.text ?? params.caption;
    if (typeof text === 'string') call.text = text;
    for (const value of Object.values(params)) {
      if (value instanceof UploadedFile) {
        call.upload = value;
        break;
      }
    }

    this.count(call);
    if (this.store.keepMessages) {
      this.records.push(call);
      const max = this.options.maxRecordedCalls;
      if (max !== undefined && this.records.length > max + Math.max(64, max >> 2)) this.records = this.records.slice(-max);
    }
    this.recent.push(call);
    if (this.recent.length > RECENT_CALLS) this.recent.shift();

    for (const waiter of this.waiters) {
      if (call.seq < waiter.after) continue;
      let matched: boolean;
      try {
        matched = waiter.predicate(call);
      } catch (error) {
        this.settleWaiter(waiter);
        waiter.reject(error instanceof Error ? error : new Error(String(error)));
        continue;
      }
      if (matched) {
        this.settleWaiter(waiter);
        waiter.resolve(call);
      }
    }
    this.options.onCall?.(call);
  }

  private count(call: RecordedCall): void {
    const c = this.counters;
    c.total++;
    const ok = call.response.ok;
    bump(ok ? c.accepted : c.rejected, call.method);
    if (!call.response.ok) {
      if (call.response.error_code === 429) c.rejected429++;
      if (call.response.error_code === 403) c.rejected403++;
      if (call.injected === 'failNext') c.injected++;
      if (call.injected === 'rateLimit') c.rateLimited++;
    }
    if (call.chatId !== undefined) {
      const key = chatKey(call.chatId);
      let perChat = this.chatCounters.get(key);
      if (!perChat) this.chatCounters.set(key, (perChat = emptyCounters()));
      bump(ok ? perChat.accepted : perChat.rejected, call.method);
    }
  }

  /** Sequence number of the next call; pass as `after` to wait only for calls made from now on. */
  mark(): number {
    return this.seq;
  }

  /** Retained calls (all of them unless `recordBodies: false` or `maxRecordedCalls`), oldest first. */
  calls(method?: string): RecordedCall[] {
    return method === undefined ? [...this.records] : this.records.filter((c) => c.method === method);
  }

  lastCall(method?: string): RecordedCall | undefined {
    for (let i = this.records.length - 1; i >= 0; i--) {
      const call = this.records[i]!;
      if (method === undefined || call.method === method) return call;
    }
    return undefined;
  }

  /** Forgets recorded calls (marks stay valid; counters in `stats()` are kept). */
  clearCalls(): void {
    this.records = [];
  }

  /** Message-producing calls (sendMessage, copyMessage, sendDocument, sendPhoto, …) to a chat; successful ones unless `includeFailed`. */
  sentMessages(chatId?: ChatId, options: { includeFailed?: boolean } = {}): RecordedCall[] {
    const key = chatId === undefined ? undefined : chatKey(chatId);
    return this.records.filter(
      (c) =>
        MESSAGE_METHODS.has(c.method) &&
        (options.includeFailed || c.response.ok) &&
        (key === undefined || (c.chatId !== undefined && chatKey(c.chatId) === key)),
    );
  }

  /** Texts/captions of successful message-producing calls to a chat, in order. */
  texts(chatId: ChatId): string[] {
    return this.sentMessages(chatId).flatMap((c) => (c.text === undefined ? [] : [c.text]));
  }

  private findRecorded(predicate: (call: RecordedCall) => boolean, after: number): RecordedCall | undefined {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.records[mid]!.seq < after) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.records.length; i++) if (predicate(this.records[i]!)) return this.records[i];
    return undefined;
  }

  /**
   * First call matching `predicate` with `seq >= after` — already recorded or still to come.
   * Rejects after `timeoutMs` with the recent calls listed, or when the server closes.
   */
  waitFor(predicate: (call: RecordedCall) => boolean, options: WaitOptions = {}): Promise<RecordedCall> {
    const after = options.after ?? 0;
    const describe = (): string => options.description ?? 'a call matching the predicate';
    let existing: RecordedCall | undefined;
    try {
      existing = this.findRecorded(predicate, after);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    if (existing) return Promise.resolve(existing);
    if (this.closing.signal.aborted) return Promise.reject(new Error(`FakeBotApi is closed; cannot wait for ${describe()}`));
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    // Created here so the stack trace points at the test, not at a timer callback.
    const timeoutError = new Error('FakeBotApi.waitFor timed out');
    return new Promise<RecordedCall>((resolve, reject) => {
      const waiter: Waiter = {
        predicate,
        after,
        resolve,
        reject,
        describe,
        timer: setTimeout(() => {
          this.settleWaiter(waiter);
          timeoutError.message = this.timeoutMessage(`Timed out after ${timeoutMs}ms waiting for ${describe()}`, after);
          reject(timeoutError);
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** `waitFor` for one method; the third argument is a timeout in ms or WaitOptions. */
  waitForCall(method: string, predicate?: (call: RecordedCall) => boolean, options: number | WaitOptions = {}): Promise<RecordedCall> {
    const opts = typeof options === 'number' ? { timeoutMs: options } : options;
    return this.waitFor((c) => c.method === method && (predicate === undefined || predicate(c)), {
      description: `${method}${predicate ? ' matching the predicate' : ''}`,
      ...opts,
    });
  }

  /** Next successful message-producing call to `chatId`. */
  waitForMessage(chatId: ChatId, predicate?: (call: RecordedCall) => boolean, options: number | WaitOptions = {}): Promise<RecordedCall> {
    const key = chatKey(chatId);
    const opts = typeof options === 'number' ? { timeoutMs: options } : options;
    return this.waitFor(
      (c) =>
        MESSAGE_METHODS.has(c.method) &&
        c.response.ok &&
        c.chatId !== undefined &&
        chatKey(c.chatId) === key &&
        (predicate === undefined || predicate(c)),
      { description: `a message to chat ${String(chatId)}${predicate ? ' matching the predicate' : ''}`, ...opts },
    );
  }

  /** Resolves once a getUpdates call is being held — i.e. the bot is polling (safe to `bot.stop()`). */
  waitForLongPoll(timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    if (this.queue.waitingPolls > 0) return Promise.resolve();
    return this.waitUntil(
      (done) => this.queue.onPollWaiting(done),
      timeoutMs,
      `a long-polling getUpdates call (is the bot launched?)`,
    );
  }

  /**
   * Resolves once the bot confirmed `updateId` (a getUpdates with a higher offset). telegraf
   * confirms a batch only after its handlers finished, so this means "the bot handled it".
   */
  waitForConfirmed(updateId: number | Enqueued, timeoutMs = DEFAULT_WAIT_MS): Promise<void> {
    const id = typeof updateId === 'number' ? updateId : updateId.update_id;
    return this.waitUntil((done) => this.queue.onConfirmed(id, done), timeoutMs, `update ${id} to be confirmed`);
  }

  private waitUntil(subscribe: (done: () => void) => () => void, timeoutMs: number, what: string): Promise<void> {
    if (this.closing.signal.aborted) return Promise.reject(new Error(`FakeBotApi is closed; cannot wait for ${what}`));
    const timeoutError = new Error(`FakeBotApi: timed out waiting for ${what}`);
    return new Promise<void>((resolve, reject) => {
      let unsubscribe: (() => void) | undefined;
      let settled = false;
      const settle = (error?: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        unsubscribe?.();
        this.otherWaits.delete(settle);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => {
        timeoutError.message = this.timeoutMessage(`Timed out after ${timeoutMs}ms waiting for ${what}`, 0);
        settle(timeoutError);
      }, timeoutMs);
      this.otherWaits.add(settle);
      unsubscribe = subscribe(() => settle());
      if (settled) unsubscribe();
    });
  }

  private settleWaiter(waiter: Waiter): void {
    clearTimeout(waiter.timer);
    this.waiters.delete(waiter);
  }

  private timeoutMessage(headline: string, after: number): string {
    const lines = [headline + (after > 0 ? ` (calls from #${after} on)` : '') + '.'];
    lines.push(
      `Calls so far: ${this.seq}; pending updates: ${this.queue.pending}` +
        `${this.queue.pending > 0 ? ` (ids ${this.queue.pendingUpdates().map((u) => u.update_id).join(', ')})` : ''}; ` +
        `getUpdates calls waiting: ${this.queue.waitingPolls}.`,
    );
    if (this.recent.length === 0) lines.push('No calls were made to the fake Bot API.');
    else lines.push(`Last ${this.recent.length} calls:`, ...this.recent.map((c) => `  ${summarise(c)}`));
    return lines.join('\n');
  }

  stats(): FakeBotApiStats {
    const c = this.counters;
    return {
      total: c.total,
      accepted: { ...c.accepted },
      rejected: { ...c.rejected },
      rejected429: c.rejected429,
      rejected403: c.rejected403,
      injected: c.injected,
      rateLimited: c.rateLimited,
      updatesEnqueued: this.queue.enqueued,
      updatesDelivered: this.queue.delivered,
      pendingUpdates: this.queue.pending,
      chats: this.chatCounters.size,
    };
  }

  /** Per-method counters for one chat (kept even with `recordBodies: false`). */
  chatStats(chatId: ChatId): MethodCounters {
    const c = this.chatCounters.get(chatKey(chatId));
    return { accepted: { ...c?.accepted }, rejected: { ...c?.rejected } };
  }

  // ------------------------------------------------------------ state

  /** Current state of a message (after edits); undefined if unknown or deleted. */
  message(chatId: ChatId, messageId: number): Message | undefined {
    return this.store.getMessage(chatId, messageId)?.message as Message | undefined;
  }

  /** Messages of a chat from both sides, oldest first, as they are now. */
  chatHistory(chatId: ChatId): Message[] {
    return this.store
      .history(chatId)
      .reverse()
      .map((m) => m.message as unknown as Message);
  }

  /** Commands stored by setMyCommands for exactly this scope and language (no fallback). */
  commands(options: { scope?: BotCommandScope; language_code?: string } = {}): BotCommand[] | undefined {
    return this.store.commands.get(scopeKey(options.scope, options.language_code));
  }

  get webhook(): { url: string; secret_token?: string } {
    return { ...this.runtime.webhook };
  }

  /** Makes a group/channel known (needed with `strictChats`, and for @username chat ids). */
  registerChat(chat: Chat): void {
    this.store.registerChat(chat);
  }

  // ------------------------------------------------------------ users & updates

  /** Handle for acting as a user; the same id returns the same handle (profile fields are updated). */
  user(id: number, profile: UserProfile = {}): FakeUser {
    const existing = this.users.get(id);
    if (existing) {
      if (Object.keys(profile).length > 0) existing.updateProfile(profile);
      return existing;
    }
    const user = new FakeUser(
      {
        store: this.store,
        bot: this.runtime.bot,
        enqueue: (partial, forced) => this.enqueueInternal(partial, forced ?? false),
        mark: () => this.mark(),
        block: (chatId) => this.blockUser(chatId),
        unblock: (chatId) => this.unblockUser(chatId),
        nextCallbackId: () => `${4_200_000_000 + this.runtime.bot.id % 1000}${String(++this.callbackCounter).padStart(9, '0')}`,
        waitForMessage: (chatId, predicate, options) => this.waitForMessage(chatId, predicate, options),
      },
      id,
      profile,
    );
    this.users.set(id, user);
    return user;
  }

  /** Queues any update (edited_message, channel_post, my_chat_member, …); update_id is assigned unless given. */
  enqueueUpdate<U extends Update = Update>(partial: object): Enqueued<U> {
    return this.enqueueInternal(partial, false) as Enqueued<U>;
  }

  /** Re-delivers an update with the same update_id even if it was already confirmed. */
  enqueueDuplicate<U extends Update>(update: U | Enqueued<U>): Enqueued<U> {
    const original = 'update' in update && 'mark' in update ? update.update : update;
    return this.enqueueInternal(original, true) as Enqueued<U>;
  }

  /** Updates not yet confirmed by the bot. */
  pendingUpdates(): Update[] {
    return this.queue.pendingUpdates();
  }

  private enqueueInternal(partial: object, forced: boolean): Enqueued {
    const mark = this.mark();
    const given = (partial as { update_id?: unknown }).update_id;
    const update_id = forced || typeof given === 'number' ? (given as number) : this.queue.allocateId();
    const update = (forced || given === update_id ? partial : { update_id, ...partial }) as Update;
    this.absorbIncoming(update);
    this.queue.push(update, forced);
    return { update, update_id, mark };
  }

  /** Messages arriving in updates become known chats/messages, so the bot can reply to or copy them. */
  private absorbIncoming(update: Update): void {
    const u = update as unknown as Record<string, Json | undefined>;
    const message = u.message ?? u.channel_post ?? u.edited_message ?? u.edited_channel_post;
    const chat = (message?.chat ?? u.my_chat_member?.chat ?? u.chat_member?.chat) as Chat | undefined;
    if (!chat || typeof chat.id !== 'number') return;
    const state = this.store.findChat(chat.id) ?? this.store.registerChat(chat);
    if (!message || typeof message.message_id !== 'number') return;
    if (message.message_id >= state.nextMessageId) state.nextMessageId = message.message_id + 1;
    if (!state.messages?.has(message.message_id)) this.store.addMessage(state, message, false);
  }

  // ------------------------------------------------------------ failure injection

  /**
   * The next `times` (default 1) calls of `method` ('*' = any method), optionally only to `chatId`,
   * fail with this error. Checked in order of registration; recorded with `injected: 'failNext'`.
   */
  failNext(method: string, spec: FailureSpec): FailureHandle {
    const rule: FailureRule = { ...spec, method, remaining: spec.times ?? 1 };
    if (spec.chatId !== undefined) rule.chatKey = chatKey(spec.chatId);
    this.failures.push(rule);
    return {
      get remaining() {
        return rule.remaining;
      },
      cancel: () => {
        rule.remaining = 0;
        this.failures = this.failures.filter((r) => r !== rule);
      },
    };
  }

  clearFailures(): void {
    this.failures = [];
  }

  private takeFailure(method: string, chatId: ChatId | undefined): ApiError | undefined {
    if (this.failures.length === 0) return undefined;
    const rule = this.failures.find(
      (r) =>
        r.remaining > 0 &&
        (r.method === '*' || r.method.toLowerCase() === method.toLowerCase()) &&
        (r.chatKey === undefined || (chatId !== undefined && chatKey(chatId) === r.chatKey)),
    );
    if (!rule) return undefined;
    rule.remaining--;
    if (rule.remaining <= 0) this.failures = this.failures.filter((r) => r !== rule);
    const parameters: ApiFailure['parameters'] = {};
    if (rule.retry_after !== undefined) parameters.retry_after = rule.retry_after;
    if (rule.migrate_to_chat_id !== undefined) parameters.migrate_to_chat_id = rule.migrate_to_chat_id;
    return new ApiError(
      rule.error_code,
      rule.description ?? defaultDescription(rule.error_code, rule.retry_after),
      Object.keys(parameters).length > 0 ? parameters : undefined,
    );
  }

  /** Every call addressed to this chat fails with 403 "Forbidden: bot was blocked by the user". */
  blockUser(chatId: ChatId): void {
    this.blocked.add(chatKey(chatId));
  }

  unblockUser(chatId: ChatId): void {
    this.blocked.delete(chatKey(chatId));
  }

  /** Delays answers to `method` ('*' = all) by `ms`; 0 removes the delay. */
  setLatency(method: string, ms: number): void {
    if (ms > 0) this.latency.set(method, ms);
    else this.latency.delete(method);
  }

  /** Enforces Telegram-style flood limits over a sliding second; `null` turns them off. */
  rateLimit(options: RateLimitOptions | null): void {
    this.globalWindow = new SlidingWindow();
    this.chatWindows = new Map();
    this.limits = options === null ? undefined : { ...options, methodSet: new Set(options.methods ?? MESSAGE_METHODS) };
  }

  private checkRateLimit(method: string, chatId: ChatId | undefined, now: number): number | undefined {
    const limits = this.limits;
    if (!limits || !limits.methodSet.has(method)) return undefined;
    let chatWindow: SlidingWindow | undefined;
    if (limits.perChatPerSecond !== undefined && chatId !== undefined) {
      const key = chatKey(chatId);
      chatWindow = this.chatWindows.get(key);
      if (!chatWindow) this.chatWindows.set(key, (chatWindow = new SlidingWindow()));
    }
    // A call rejected by the per-chat window must not use up global capacity.
    const globalWait = this.globalWindow.admit(now, limits.perSecond);
    if (globalWait > 0) return limits.retryAfter ?? Math.max(1, Math.ceil(globalWait / 1000));
    if (chatWindow && limits.perChatPerSecond !== undefined) {
      const chatWait = chatWindow.admit(now, limits.perChatPerSecond);
      if (chatWait > 0) {
        this.globalWindow.refund();
        return limits.retryAfter ?? Math.max(1, Math.ceil(chatWait / 1000));
      }
    }
    if (this.chatWindows.size > 10_000) for (const [k, w] of this.chatWindows) if (w.empty) this.chatWindows.delete(k);
    return undefined;
  }

  // ------------------------------------------------------------ lifecycle

  /**
   * Answers held getUpdates calls with [], rejects pending waiters, drops connections.
   * Stop telegraf bots first: a bot still polling a closed server retries every 5 s.
   */
  close(): Promise<void> {
    if (this.closePromise) return this.closePromise;
    this.closing.abort();
    for (const waiter of [...this.waiters]) {
      this.settleWaiter(waiter);
      waiter.reject(new Error(this.timeoutMessage(`FakeBotApi closed while waiting for ${waiter.describe()}`, waiter.after)));
    }
    for (const settle of [...this.otherWaits]) settle(new Error('FakeBotApi closed while waiting'));
    this.closePromise = new Promise<void>((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), 100);
      this.server.close(() => {
        clearTimeout(force);
        resolve();
      });
      this.server.closeIdleConnections();
    });
    return this.closePromise;
  }
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

function toFailure(error: unknown): ApiFailure {
  if (error instanceof ApiError) {
    const failure: ApiFailure = { ok: false, error_code: error.error_code, description: error.description };
    if (error.parameters) failure.parameters = error.parameters;
    return failure;
  }
  // A bug in the fake itself: surface it instead of pretending Telegram failed.
  return { ok: false, error_code: 500, description: `Internal Server Error: fake Bot API bug: ${error instanceof Error ? error.stack ?? error.message : String(error)}` };
}

function summarise(call: RecordedCall): string {
  const parts = [`#${call.seq}`, call.method];
  if (call.chatId !== undefined) parts.push(`chat=${String(call.chatId)}`);
  const shown: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(call.params)) if (k !== 'chat_id') shown[k] = v;
  let params = JSON.stringify(shown);
  if (params.length > 160) params = `${params.slice(0, 157)}...`;
  if (params !== '{}') parts.push(params);
  const r = call.response;
  parts.push('→', r.ok ? 'ok' : `${r.error_code} ${r.description}${call.injected ? ` [${call.injected}]` : ''}`);
  if (call.aborted) parts.push('(client aborted)');
  return parts.join(' ');
}
