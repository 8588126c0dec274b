import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createKeyValueStore,
  MemoryKeyValueStore,
  RedisKeyValueStore,
  type KeyValueStore,
} from '../../src/platform/kv/index.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';
import { failureSource } from '../../src/platform/metrics/failures.js';

/** Keys are unique per test so a retried or concurrent test never sees another's leftovers. */
function uniqueKey(label: string): string {
  return `${label}:${randomUUID()}`;
}

/** Sleeps until `deadline` (epoch ms) so assertions depend on elapsed time, not on how long awaits took. */
async function sleepUntil(deadline: number): Promise<void> {
  const remaining = deadline - Date.now();
  if (remaining > 0) await sleep(remaining);
}

/**
 * The behaviour every KeyValueStore must have. TTLs are short and waits real, because the Redis
 * store cannot be driven by fake timers; margins of 50 ms or more keep it stable on a busy CI machine.
 */
function keyValueStoreContract(makeStore: () => KeyValueStore): void {
  let store: KeyValueStore;

  beforeEach(() => {
    store = makeStore();
  });

  afterEach(async () => {
    await store.close();
  });

  it('returns null for a missing key', async () => {
    expect(await store.get(uniqueKey('missing'))).toBeNull();
  });

  it('stores and overwrites values', async () => {
    const key = uniqueKey('set');
    await store.set(key, 'first');
    expect(await store.get(key)).toBe('first');
    await store.set(key, 'سلام');
    expect(await store.get(key)).toBe('سلام');
  });

  it('expires a value set with a TTL', async () => {
    const key = uniqueKey('ttl');
    await store.set(key, 'v', 100);
    expect(await store.get(key)).toBe('v');
    await sleep(160);
    expect(await store.get(key)).toBeNull();
  });

  it('drops an earlier TTL when a value is set again without one', async () => {
    const key = uniqueKey('ttl-cleared');
    await store.set(key, 'short', 80);
    await store.set(key, 'forever');
    await sleep(140);
    expect(await store.get(key)).toBe('forever');
  });

  it('rejects TTLs that are not positive integers', async () => {
    const key = uniqueKey('bad-ttl');
    await expect(store.set(key, 'v', 0)).rejects.toThrow(RangeError);
    await expect(store.setIfAbsent(key, 'v', -5)).rejects.toThrow(RangeError);
    await expect(store.increment(key, 1.5)).rejects.toThrow(RangeError);
    expect(await store.get(key)).toBeNull();
  });

  it('setIfAbsent sets once, refuses while present, and succeeds again after expiry', async () => {
    const key = uniqueKey('nx');
    expect(await store.setIfAbsent(key, 'first', 100)).toBe(true);
    expect(await store.setIfAbsent(key, 'second', 100)).toBe(false);
    expect(await store.get(key)).toBe('first');
    await sleep(160);
    expect(await store.setIfAbsent(key, 'third', 100)).toBe(true);
    expect(await store.get(key)).toBe('third');
  });

  it('increment counts from 1 and applies the TTL only when it creates the key', async () => {
    const key = uniqueKey('counter');
    const ttlMs = 150;
    expect(await store.increment(key, ttlMs)).toBe(1);
    // The window's expiry is at most this late, since the key was created before this point.
    const firstDone = Date.now();
    await sleepUntil(firstDone + 80);
    expect(await store.increment(key, ttlMs)).toBe(2);
    expect(await store.increment(key, ttlMs)).toBe(3);
    // Past the original expiry (<= firstDone + 150) yet before the earliest expiry a TTL reset by
    // the second increment would give (>= firstDone + 230).
    await sleepUntil(firstDone + ttlMs + 40);
    expect(await store.get(key)).toBeNull();
    // A new window starts again at 1.
    expect(await store.increment(key, ttlMs)).toBe(1);
  });

  it('increment refuses a value that is not an integer', async () => {
    const key = uniqueKey('not-a-number');
    await store.set(key, 'abc');
    await expect(store.increment(key, 1_000)).rejects.toThrow(/not an integer/);
    expect(await store.get(key)).toBe('abc');
  });

  it('exactly one of 20 concurrent setIfAbsent calls wins', async () => {
    const key = uniqueKey('race-nx');
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.setIfAbsent(key, `caller-${i}`, 5_000)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(await store.get(key)).toBe(`caller-${results.indexOf(true)}`);
  });

  it('50 concurrent increments each get a distinct count and end at 50', async () => {
    const key = uniqueKey('race-incr');
    const results = await Promise.all(Array.from({ length: 50 }, () => store.increment(key, 5_000)));
    expect([...results].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await store.get(key)).toBe('50');
  });

  it('delete removes a key and ignores a missing one', async () => {
    const key = uniqueKey('delete');
    await store.set(key, 'v');
    await store.delete(key);
    expect(await store.get(key)).toBeNull();
    await expect(store.delete(uniqueKey('never-set'))).resolves.toBeUndefined();
    expect(await store.setIfAbsent(key, 'again', 1_000)).toBe(true);
  });

  it('rejects use after close, and close is idempotent', async () => {
    await store.close();
    await expect(store.get(uniqueKey('closed'))).rejects.toThrow(/closed/);
    await expect(store.close()).resolves.toBeUndefined();
  });
}

describe('MemoryKeyValueStore', () => {
  keyValueStoreContract(() => new MemoryKeyValueStore());

  it('sweeps expired keys that are never read again', async () => {
    const store = new MemoryKeyValueStore({ sweepIntervalMs: 20 });
    try {
      await Promise.all(Array.from({ length: 100 }, (_, i) => store.set(`k${i}`, 'v', 30)));
      await store.set('kept', 'v');
      expect(store.size).toBe(101);
      await sleep(100);
      expect(store.size).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('follows an injected clock', async () => {
    let now = 1_000_000;
    const store = new MemoryKeyValueStore({ now: () => now });
    try {
      expect(await store.increment('c', 1_000)).toBe(1);
      now += 999;
      expect(await store.increment('c', 1_000)).toBe(2);
      now += 1;
      expect(await store.get('c')).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('createKeyValueStore', () => {
  it('uses the in-process store without a Redis URL', async () => {
    for (const store of [createKeyValueStore(), createKeyValueStore({ redisUrl: '' })]) {
      expect(store).toBeInstanceOf(MemoryKeyValueStore);
      await store.close();
    }
  });

  it('uses Redis with a URL', async () => {
    const store = createKeyValueStore({ redisUrl: 'redis://127.0.0.1:1', namespace: 'x:' });
    expect(store).toBeInstanceOf(RedisKeyValueStore);
    expect((store as RedisKeyValueStore).namespace).toBe('x:');
    await store.close();
  });
});

describe('RedisKeyValueStore without a server', () => {
  it('fails commands promptly and logs the connection error without keys or values', async () => {
    const warn = vi.fn();
    // Port 1 on loopback refuses connections immediately.
    const store = new RedisKeyValueStore({ url: 'redis://127.0.0.1:1', logger: { warn } });
    try {
      const started = Date.now();
      await expect(store.set('secret-key', 'secret-value', 1_000)).rejects.toThrow();
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(warn).toHaveBeenCalledWith(
        expect.objectContaining({ err: expect.objectContaining({ code: 'ECONNREFUSED' }) }),
        'redis connection error',
      );
      // Repeated reconnect failures are throttled to one line.
      expect(warn).toHaveBeenCalledTimes(1);
      expect(JSON.stringify(warn.mock.calls)).not.toMatch(/secret/);
    } finally {
      await store.close();
    }
  });
});

describeWithServer('RedisKeyValueStore', { redisUrl: true }, () => {
  // One prefix per run, so parallel runs and leftovers of crashed runs never collide.
  const runPrefix = `ngo-test:${randomUUID()}:`;
  let admin: Redis;

  function requireUrl(): string {
    if (!testRedisUrl) throw new Error('TEST_REDIS_URL is not set');
    return testRedisUrl;
  }

  beforeAll(() => {
    admin = new Redis(requireUrl(), { maxRetriesPerRequest: 1 });
  });

  afterAll(async () => {
    const leftovers: string[] = [];
    for await (const batch of admin.scanStream({ match: `${runPrefix}*`, count: 500 })) {
      leftovers.push(...(batch as string[]));
    }
    if (leftovers.length > 0) await admin.del(...leftovers);
    await admin.quit();
  });

  keyValueStoreContract(() => new RedisKeyValueStore({ url: requireUrl(), namespace: runPrefix }));

  it('stores keys under the namespace and gives a new counter a TTL in Redis itself', async () => {
    const store = new RedisKeyValueStore({ url: requireUrl(), namespace: runPrefix });
    try {
      await store.increment('flood:42', 10_000);
      const ttl = await admin.pttl(`${runPrefix}flood:42`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(10_000);
      expect(await admin.exists('flood:42')).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('runs the operations asked for in one turn as one command, each with its own answer; one that fails fails alone', async () => {
    const store = new RedisKeyValueStore({ url: requireUrl(), namespace: runPrefix });
    const monitor = await admin.duplicate().monitor();
    const commands: string[] = [];
    monitor.on('monitor', (_time: string, args: string[]) => {
      if (args.some((arg) => arg.startsWith(`${runPrefix}turn:`)) && /^eval/i.test(args[0]!)) commands.push(args[0]!.toLowerCase());
    });
    try {
      // The first command also loads the script into Redis.
      await store.set('turn:word', 'abc');
      await vi.waitFor(() => expect(commands).not.toEqual([]));
      commands.length = 0;
      const answers = await Promise.allSettled([
        store.setIfAbsent('turn:once', 'busy', 5_000),
        store.increment('turn:word', 5_000),
        store.get('turn:once'),
        store.increment('turn:count', 5_000),
        store.setIfAbsent('turn:once', 'again', 5_000),
        store.set('turn:session', '{"form":"فرم «ثبت»"}', 5_000),
        store.delete('turn:count'),
        store.get('turn:count'),
        store.get('turn:session'),
      ]);
      expect(answers.map((a) => (a.status === 'fulfilled' ? a.value : `failed: ${(a.reason as Error).message}`))).toEqual([
        true,
        'failed: ERR value is not an integer or out of range',
        'busy',
        1,
        false,
        undefined,
        undefined,
        null,
        '{"form":"فرم «ثبت»"}',
      ]);
      // Redis's own refusal, as the command alone gave it: /metrics counts it as Redis's failure.
      expect(failureSource((answers[1] as PromiseRejectedResult).reason)).toBe('redis');
      // MONITOR shows a command once Redis has run it.
      await vi.waitFor(() => expect(commands).toEqual(['evalsha']));
      expect(await admin.get(`${runPrefix}turn:word`)).toBe('abc');
    } finally {
      monitor.disconnect();
      await store.close();
    }
  });

  it('isolates stores with different namespaces', async () => {
    const a = new RedisKeyValueStore({ url: requireUrl(), namespace: `${runPrefix}a:` });
    const b = new RedisKeyValueStore({ url: requireUrl(), namespace: `${runPrefix}b:` });
    try {
      await a.set('shared', 'from-a');
      expect(await b.get('shared')).toBeNull();
      expect(await b.setIfAbsent('shared', 'from-b', 5_000)).toBe(true);
      expect(await a.increment('count', 5_000)).toBe(1);
      expect(await b.increment('count', 5_000)).toBe(1);
      await a.delete('shared');
      expect(await a.get('shared')).toBeNull();
      expect(await b.get('shared')).toBe('from-b');
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
