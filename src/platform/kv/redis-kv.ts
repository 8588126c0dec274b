import { Redis, ReplyError } from 'ioredis';
import type { KeyValueStore } from './kv.js';

/** The subset of a pino logger this module needs; pino's `Logger` satisfies it. */
export interface KvLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export interface RedisKeyValueStoreOptions {
  /** redis:// or rediss:// URL; may carry credentials, so it is never logged. */
  url: string;
  /** Prepended to every key so several deployments or test runs can share one server. Default 'ngo:'. */
  namespace?: string | undefined;
  logger?: KvLogger | undefined;
  /** Upper bound for any single command, including time spent queued while reconnecting. Default 5 s. */
  commandTimeoutMs?: number | undefined;
}

export const DEFAULT_NAMESPACE = 'ngo:';

/**
 * Every operation asked for in one turn of the event loop runs in one script, in the order asked: a batch
 * of updates asks for each one's de-duplication, flood count and session at once, and ioredis makes a
 * command object, a pipeline entry, a timer and three promises for each command it sends; a fifth of the
 * bot's allocations per update went there (issue 12). KEYS are the operations' keys, ARGV each one's name
 * and values. A failed operation (INCR of a word) answers {message} in its place; the others go on, as
 * separate commands would. INCR and PEXPIRE stay together: a crash or a dropped connection between two
 * separate commands would leave a counter with no TTL, a flood limit that never resets.
 */
const BATCH_SCRIPT = `
local out = {}
local a = 1
for i = 1, #KEYS do
  local op, key, r = ARGV[a], KEYS[i], false
  if op == 'get' then r = redis.pcall('GET', key); a = a + 1
  elseif op == 'set' then r = redis.pcall('SET', key, ARGV[a + 1]); a = a + 2
  elseif op == 'setpx' then r = redis.pcall('SET', key, ARGV[a + 1], 'PX', ARGV[a + 2]); a = a + 3
  elseif op == 'setnx' then r = redis.pcall('SET', key, ARGV[a + 1], 'PX', ARGV[a + 2], 'NX'); a = a + 3
  elseif op == 'incr' then
    r = redis.pcall('INCR', key)
    if r == 1 then redis.call('PEXPIRE', key, ARGV[a + 1]) end
    a = a + 2
  elseif op == 'del' then r = redis.pcall('DEL', key); a = a + 1
  else return redis.error_reply('unknown operation ' .. tostring(op)) end
  if type(r) == 'table' then
    if r.err then r = {r.err} else r = 1 end
  end
  out[i] = r
end
return out
`;

/** At most this many operations go in one script; more in a turn start another (the turn's work stays short). */
const MAX_BATCH = 500;

/** An operation's answer in the script's reply: a value, or [message] when it failed. */
type Reply = string | number | null | [string];
interface Waiter {
  resolve(reply: string | number | null): void;
  reject(error: unknown): void;
}
interface Batch {
  keys: string[];
  argv: string[];
  waiters: Waiter[];
}

type ScriptedRedis = Redis & { kvBatch(numberOfKeys: number, ...keysAndArgs: string[]): Promise<Reply[]> };

/** Errors during a long outage repeat on every reconnect attempt; one line a minute is enough. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export class RedisKeyValueStore implements KeyValueStore {
  readonly namespace: string;
  readonly #client: ScriptedRedis;
  #batch: Batch | undefined;
  #closed = false;
  #lastErrorLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(options: RedisKeyValueStoreOptions) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const client = new Redis(options.url, {
      // One command per turn already (see BATCH_SCRIPT): nothing for ioredis to gather.
      enableAutoPipelining: false,
      // Commands issued while the first connection or a reconnect is in progress are queued
      // rather than failed at once; the two bounds below stop them waiting forever.
      enableOfflineQueue: true,
      // A queued command fails after this many failed reconnect attempts (about a second with
      // the default backoff) instead of the default 20, so a dead Redis yields errors quickly.
      maxRetriesPerRequest: 2,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      connectTimeout: 5_000,
    });
    client.defineCommand('kvBatch', { lua: BATCH_SCRIPT });
    this.#client = client as ScriptedRedis;

    const logger = options.logger;
    // Without a listener ioredis prints every connection error to stderr; with one, failures
    // surface as rejected commands to the callers and as throttled warnings here.
    client.on('error', (error: unknown) => {
      const now = Date.now();
      if (!logger || now - this.#lastErrorLoggedAt < ERROR_LOG_INTERVAL_MS) return;
      this.#lastErrorLoggedAt = now;
      logger.warn({ err: describeError(error), namespace: this.namespace }, 'redis connection error');
    });
    client.on('ready', () => {
      // The next outage is news again and gets logged at once.
      this.#lastErrorLoggedAt = Number.NEGATIVE_INFINITY;
    });
  }

  async get(key: string): Promise<string | null> {
    return (await this.#run(key, 'get')) as string | null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    if (ttlMs === undefined) {
      await this.#run(key, 'set', value);
      return;
    }
    assertValidTtl(ttlMs);
    await this.#run(key, 'setpx', value, String(ttlMs));
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    assertValidTtl(ttlMs);
    return (await this.#run(key, 'setnx', value, String(ttlMs))) === 1;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    assertValidTtl(ttlMs);
    return Number(await this.#run(key, 'incr', String(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.#run(key, 'del');
  }

  /** Queues one operation for this turn's script; its answer, or the reason it failed. */
  #run(key: string, ...op: string[]): Promise<string | number | null> {
    this.#assertOpen();
    let batch = this.#batch;
    if (!batch || batch.keys.length >= MAX_BATCH) {
      batch = this.#batch = { keys: [], argv: [], waiters: [] };
      // After this turn's I/O callbacks and their promise jobs, as ioredis's own pipelining did.
      setImmediate(() => this.#send(batch!));
    }
    batch.keys.push(this.#key(key));
    batch.argv.push(...op);
    return new Promise((resolve, reject) => void batch.waiters.push({ resolve, reject }));
  }

  #send(batch: Batch): void {
    if (this.#batch === batch) this.#batch = undefined;
    const { keys, argv, waiters } = batch;
    this.#client.kvBatch(keys.length, ...keys, ...argv).then(
      (replies) =>
        waiters.forEach((waiter, i) => {
          const reply = replies[i] ?? null;
          // A server's refusal, as the command alone would have given it (metrics tell Redis's failures by it).
          if (Array.isArray(reply)) waiter.reject(new (ReplyError as new (message: string) => Error)(reply[0]));
          else waiter.resolve(reply);
        }),
      (error: unknown) => waiters.forEach((waiter) => waiter.reject(error)),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#client.status === 'ready') {
      try {
        // QUIT lets replies already in flight arrive before the socket closes.
        await this.#client.quit();
        return;
      } catch {
        // Connection died while quitting; fall through and drop it.
      }
    }
    // Not connected (or quit failed): QUIT would only wait in the offline queue.
    this.#client.disconnect();
  }

  #key(key: string): string {
    return this.namespace + key;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error('key-value store is closed');
  }
}

/** Name, code and message only: never the command arguments, which may hold personal data. */
function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return { name: error.name, message: error.message, ...(code === undefined ? {} : { code }) };
}

/** Checked before sending so a caller bug gives a clear message rather than a Redis syntax error. */
function assertValidTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  }
}
