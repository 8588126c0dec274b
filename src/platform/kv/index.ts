import type { KeyValueStore } from './kv.js';
import { MemoryKeyValueStore } from './memory-kv.js';
import { RedisKeyValueStore, type KvLogger } from './redis-kv.js';

export type { KeyValueStore } from './kv.js';
export { MemoryKeyValueStore, type MemoryKeyValueStoreOptions } from './memory-kv.js';
export {
  DEFAULT_NAMESPACE,
  RedisKeyValueStore,
  type KvLogger,
  type RedisKeyValueStoreOptions,
} from './redis-kv.js';

export interface CreateKeyValueStoreOptions {
  /** Set: shared Redis store. Unset or empty: in-process store (only correct with a single process). */
  redisUrl?: string | undefined;
  logger?: KvLogger | undefined;
  /** Redis key prefix; ignored by the in-process store. */
  namespace?: string | undefined;
}

export function createKeyValueStore(options: CreateKeyValueStoreOptions = {}): KeyValueStore {
  // An empty REDIS_URL= line in an .env file means "no Redis", not "connect to localhost".
  if (options.redisUrl) {
    return new RedisKeyValueStore({
      url: options.redisUrl,
      logger: options.logger,
      namespace: options.namespace,
    });
  }
  return new MemoryKeyValueStore();
}
