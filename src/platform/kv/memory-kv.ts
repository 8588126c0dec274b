import type { KeyValueStore } from './kv.js';

export interface MemoryKeyValueStoreOptions {
  /** How often expired keys are dropped even if nobody reads them again. Default 60 s. */
  sweepIntervalMs?: number;
  /** Clock in epoch milliseconds; injectable so services can be tested with a fake clock. */
  now?: () => number;
}

interface Entry {
  value: string;
  /** Epoch milliseconds; null means the key never expires. */
  expiresAt: number | null;
}

const INTEGER = /^-?\d+$/;

/**
 * Single-process implementation of the key-value port, used when no REDIS_URL is configured.
 * Every method finishes synchronously inside its promise, so check-and-set operations are atomic
 * with respect to each other without any locking.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();
  readonly #now: () => number;
  #sweepTimer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(options: MemoryKeyValueStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    const sweepIntervalMs = options.sweepIntervalMs ?? 60_000;
    // Lazy expiry alone would keep keys that are written once and never read (dedup ids, flood
    // counters) forever, so a periodic sweep bounds memory.
    this.#sweepTimer = setInterval(() => this.#sweep(), sweepIntervalMs);
    // The sweep must never be what keeps the process alive at shutdown.
    this.#sweepTimer.unref();
  }

  /** Entries held, including expired ones not yet swept; for metrics and tests of the sweep. */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<string | null> {
    this.#assertOpen();
    return this.#live(key)?.value ?? null;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    this.#assertOpen();
    if (ttlMs !== undefined) assertValidTtl(ttlMs);
    // Like Redis SET without KEEPTTL: a plain set removes any earlier expiry.
    this.#entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.#now() + ttlMs });
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    this.#assertOpen();
    assertValidTtl(ttlMs);
    if (this.#live(key)) return false;
    this.#entries.set(key, { value, expiresAt: this.#now() + ttlMs });
    return true;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    this.#assertOpen();
    assertValidTtl(ttlMs);
    const entry = this.#live(key);
    if (!entry) {
      this.#entries.set(key, { value: '1', expiresAt: this.#now() + ttlMs });
      return 1;
    }
    // Same failure as Redis INCR so callers see identical behaviour with either store.
    const current = INTEGER.test(entry.value) ? Number(entry.value) : Number.NaN;
    if (!Number.isSafeInteger(current) || !Number.isSafeInteger(current + 1)) {
      throw new Error('ERR value is not an integer or out of range');
    }
    // The existing expiry is kept: a rate-limit window must not slide with every hit.
    entry.value = String(current + 1);
    return current + 1;
  }

  async delete(key: string): Promise<void> {
    this.#assertOpen();
    this.#entries.delete(key);
  }

  async close(): Promise<void> {
    if (this.#sweepTimer) clearInterval(this.#sweepTimer);
    this.#sweepTimer = undefined;
    this.#closed = true;
    this.#entries.clear();
  }

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt !== null && entry.expiresAt <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= now) this.#entries.delete(key);
    }
  }

  #assertOpen(): void {
    // Matches the Redis store after quit, so a shutdown-order bug shows up in tests of either.
    if (this.#closed) throw new Error('key-value store is closed');
  }
}

/** Redis rejects PX values that are not positive integers; fail the same way in memory. */
function assertValidTtl(ttlMs: number): void {
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new RangeError(`ttlMs must be a positive integer, got ${ttlMs}`);
  }
}
