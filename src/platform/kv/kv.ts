/**
 * The key-value port. Redis (shared by every process) and an in-process map implement it;
 * both must pass test/integration/kv.contract.test.ts.
 * Values are strings; TTLs are milliseconds.
 */
export interface KeyValueStore {
  get(key: string): Promise<string | null>;
  /** Sets the value; with ttlMs the key expires after that many milliseconds. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets the value only when the key does not exist; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Adds 1 and returns the new value; a key created by this call expires after ttlMs. */
  increment(key: string, ttlMs: number): Promise<number>;
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
