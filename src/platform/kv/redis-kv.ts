import { Redis } from 'ioredis';
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

// INCR and PEXPIRE run as one script because a crash or a dropped connection between two separate
// commands would leave a counter with no TTL, i.e. a flood limit that never resets.
const INCREMENT_SCRIPT = `
local value = redis.call('INCR', KEYS[1])
if value == 1 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return value
`;

type ScriptedRedis = Redis & { kvIncrement(key: string, ttlMs: number): Promise<number> };

/** Errors during a long outage repeat on every reconnect attempt; one line a minute is enough. */
const ERROR_LOG_INTERVAL_MS = 60_000;

export class RedisKeyValueStore implements KeyValueStore {
  readonly namespace: string;
  readonly #client: ScriptedRedis;
  #closed = false;
  #lastErrorLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(options: RedisKeyValueStoreOptions) {
    this.namespace = options.namespace ?? DEFAULT_NAMESPACE;
    const client = new Redis(options.url, {
      // Commands issued in the same tick go out in one write and come back in one read: the bot asks
      // for an update's de-duplication, flood count and session together (bot/middlewares/admit.ts).
      enableAutoPipelining: true,
      // Commands issued while the first connection or a reconnect is in progress are queued
      // rather than failed at once; the two bounds below stop them waiting forever.
      enableOfflineQueue: true,
      // A queued command fails after this many failed reconnect attempts (about a second with
      // the default backoff) instead of the default 20, so a dead Redis yields errors quickly.
      maxRetriesPerRequest: 2,
      commandTimeout: options.commandTimeoutMs ?? 5_000,
      connectTimeout: 5_000,
    });
    client.defineCommand('kvIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT });
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
    this.#assertOpen();
    return this.#client.get(this.#key(key));
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    if (ttlMs === undefined) {
      await this.#client.set(this.#key(key), value);
      return;
    }
    assertValidTtl(ttlMs);
    await this.#client.set(this.#key(key), value, 'PX', ttlMs);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertValidTtl(ttlMs);
    const reply = await this.#client.set(this.#key(key), value, 'PX', ttlMs, 'NX');
    return reply === 'OK';
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    this.#assertOpen();
    assertValidTtl(ttlMs);
    return Number(await this.#client.kvIncrement(this.#key(key), ttlMs));
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    await this.#client.del(this.#key(key));
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
