/**
 * Why: a member half-way through a form must find it after a restart or on another process, an old
 * form must not come back after its time, and the store must not be written on every update (most
 * updates leave the session as it was).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SessionData } from '../../src/platform/bot/context.js';
import { createDatabaseSessionStore, createKvSessionStore, type SessionStore } from '../../src/platform/bot/session-store.js';
import type { SqlReader } from '../../src/platform/db/reader.js';
import { MemoryKeyValueStore, RedisKeyValueStore, type KeyValueStore } from '../../src/platform/kv/index.js';
import { storageModes, type TestDatabase } from '../support/database.js';
import { cleanTestDatabase } from '../support/file-database.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';

const HOUR = 60 * 60 * 1000;

function form(step: string, data: Record<string, unknown> = {}): SessionData {
  return { form: { name: 'register_ngo', step, data: { name: 'انجمن حمایت از کودکان کار', ...data }, startedAt: '2026-01-01T08:00:00.000Z' } };
}

function uniqueKey(): string {
  return `${Math.floor(Math.random() * 1e9)}:${randomUUID().slice(0, 8)}`;
}

interface Backend {
  /** A new store over the same storage, as another process (or this one after a restart) would have. */
  open(): SessionStore;
  writes(): number;
  /** Moves time past the TTL the stores were opened with. */
  expire(): Promise<void>;
  close(): Promise<void>;
}

/** What every session store must do, whatever it keeps sessions in. */
function sessionStoreContract(start: () => Promise<Backend>): void {
  describe('contract', () => contractCases(start));
}

function contractCases(start: () => Promise<Backend>): void {
  let backend: Backend;
  beforeEach(async () => {
    backend = await start();
  });
  afterEach(async () => {
    await backend.close();
  });

  it('when a key was never set, then get returns undefined', async () => {
    expect(await backend.open().get(uniqueKey())).toBeUndefined();
  });

  it('when a session is set, then another store instance reads it back equal', async () => {
    const key = uniqueKey();
    await backend.open().set(key, form('phone', { count: 3, nested: { ok: true } }));
    expect(await backend.open().get(key)).toEqual(form('phone', { count: 3, nested: { ok: true } }));
  });

  it('when a session is changed, then the new value replaces the old', async () => {
    const key = uniqueKey();
    const store = backend.open();
    await store.set(key, form('name'));
    expect(await store.get(key)).toEqual(form('name'));
    await store.set(key, form('phone'));
    expect(await backend.open().get(key)).toEqual(form('phone'));
    expect(backend.writes()).toBe(2);
  });

  it('when a session is read and set back unchanged, then nothing is written', async () => {
    const key = uniqueKey();
    await backend.open().set(key, form('name'));
    const before = backend.writes();
    const store = backend.open();
    for (let i = 0; i < 3; i++) {
      const session = await store.get(key);
      await store.set(key, session!);
    }
    expect(backend.writes()).toBe(before);
  });

  it('when a new key gets only the empty default session, then nothing is written', async () => {
    const key = uniqueKey();
    const store = backend.open();
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, {});
    expect(backend.writes()).toBe(0);
    expect(await backend.open().get(key)).toBeUndefined();
  });

  it('when a form is cleared to an empty session, then the emptiness is written', async () => {
    const key = uniqueKey();
    const store = backend.open();
    await store.set(key, form('name'));
    await store.get(key);
    await store.set(key, {});
    expect(await backend.open().get(key)).toEqual({});
  });

  it('when a session is deleted, then it is gone for every instance', async () => {
    const key = uniqueKey();
    const store = backend.open();
    await store.set(key, form('name'));
    await store.get(key);
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
    expect(await backend.open().get(key)).toBeUndefined();
    await expect(store.delete(key)).resolves.toBeUndefined();
  });

  it('when a session outlives its TTL, then it is treated as absent, and a new one can be set', async () => {
    const key = uniqueKey();
    await backend.open().set(key, form('name'));
    await backend.expire();
    const store = backend.open();
    expect(await store.get(key)).toBeUndefined();
    await store.set(key, form('again'));
    expect(await backend.open().get(key)).toEqual(form('again'));
  });

  it('when sessions of two keys are set, then they do not mix', async () => {
    const [a, b] = [uniqueKey(), uniqueKey()];
    const store = backend.open();
    await store.set(a, form('a'));
    await store.set(b, form('b'));
    await store.delete(a);
    expect(await backend.open().get(a)).toBeUndefined();
    expect(await backend.open().get(b)).toEqual(form('b'));
  });
}

describe.each(storageModes())('database session store (%s)', (mode) => {
  sessionStoreContract(async () => {
    const db = await cleanTestDatabase(mode);
    let now = new Date('2026-03-01T10:00:00Z');
    // Writes counted where they go: the statement that saves a form's progress.
    let saved = 0;
    const sql: SqlReader = { rows: (read, values) => ((saved += read.name === 'read_session_save' ? 1 : 0), db.sql.rows(read, values)) };
    return {
      open: () => createDatabaseSessionStore(db.prisma, sql, HOUR, () => now),
      writes: () => saved,
      expire: async () => {
        now = new Date(now.getTime() + HOUR + 1);
      },
      close: () => db.close(),
    };
  });

  describe('rows', () => {
    let db: TestDatabase;
    let now: Date;
    const clock = () => now;

    beforeEach(async () => {
      db = await cleanTestDatabase(mode);
      now = new Date('2026-03-01T10:00:00Z');
    });
    afterEach(async () => {
      await db.close();
    });

    it('when a session is set, then its row expires one TTL from the clock', async () => {
      await createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock).set('1:1', form('name'));
      const row = await db.prisma.session.findUnique({ where: { key: '1:1' } });
      expect(row?.expiresAt?.toISOString()).toBe('2026-03-01T11:00:00.000Z');
      expect(row?.data).toEqual(form('name'));
    });

    it('when an unchanged session is set back, then the row (updatedAt, expiresAt) is untouched', async () => {
      await createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock).set('1:1', form('name'));
      const before = await db.prisma.session.findUniqueOrThrow({ where: { key: '1:1' } });
      await sleep(20);
      now = new Date(now.getTime() + 60_000);
      const store = createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock);
      await store.set('1:1', (await store.get('1:1'))!);
      const after = await db.prisma.session.findUniqueOrThrow({ where: { key: '1:1' } });
      expect(after.updatedAt.getTime()).toBe(before.updatedAt.getTime());
      expect(after.expiresAt?.getTime()).toBe(before.expiresAt?.getTime());

      // The same steps with a change do write: the check above would have seen a write.
      await sleep(20);
      await store.get('1:1');
      await store.set('1:1', form('phone'));
      const changed = await db.prisma.session.findUniqueOrThrow({ where: { key: '1:1' } });
      expect(changed.updatedAt.getTime()).toBeGreaterThan(before.updatedAt.getTime());
    });

    it('when a row expired before now (e.g. written by an older process), then it is absent', async () => {
      await db.prisma.session.create({ data: { key: '2:2', data: form('old') as object, expiresAt: new Date('2026-03-01T09:59:59Z') } });
      expect(await createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock).get('2:2')).toBeUndefined();
    });

    it('when a row has no expiry, then it is kept', async () => {
      await db.prisma.session.create({ data: { key: '3:3', data: form('kept') as object, expiresAt: null } });
      expect(await createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock).get('3:3')).toEqual(form('kept'));
    });

    it('when a session was read or written once, then this process reads it again without a query (one bot process owns its sessions)', async () => {
      const store = createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock);
      const read = vi.spyOn(db.prisma.session, 'findUnique');
      try {
        expect(await store.get('5:5')).toBeUndefined();
        await store.set('5:5', form('name'));
        expect(await store.get('5:5')).toEqual(form('name'));
        expect(await store.get('6:6')).toBeUndefined();
        expect(await store.get('6:6')).toBeUndefined();
        // One query for each key never seen before, none after.
        expect(read.mock.calls.length).toBe(2);
        // What it remembers still expires with the row.
        now = new Date(now.getTime() + HOUR + 1);
        expect(await store.get('5:5')).toBeUndefined();
      } finally {
        read.mockRestore();
      }
    });

    it('when a session is deleted, then its row is gone', async () => {
      const store = createDatabaseSessionStore(db.prisma, db.sql, HOUR, clock);
      await store.set('4:4', form('name'));
      await store.delete('4:4');
      expect(await db.prisma.session.count({ where: { key: '4:4' } })).toBe(0);
    });
  });
});

/** Counts writes by wrapping the store the session layer is given. */
function countingKv(inner: KeyValueStore): KeyValueStore & { writes: number } {
  const wrapped = {
    writes: 0,
    get: (key: string) => inner.get(key),
    set: (key: string, value: string, ttlMs?: number) => {
      wrapped.writes++;
      return inner.set(key, value, ttlMs);
    },
    setIfAbsent: (key: string, value: string, ttlMs: number) => inner.setIfAbsent(key, value, ttlMs),
    increment: (key: string, ttlMs: number) => inner.increment(key, ttlMs),
    delete: (key: string) => inner.delete(key),
    close: () => inner.close(),
  };
  return wrapped;
}

describe('key-value session store (in memory)', () => {
  sessionStoreContract(async () => {
    let now = Date.parse('2026-03-01T10:00:00Z');
    const kv = countingKv(new MemoryKeyValueStore({ now: () => now }));
    return {
      open: () => createKvSessionStore(kv, HOUR),
      writes: () => kv.writes,
      expire: async () => {
        now += HOUR + 1;
      },
      close: () => kv.close(),
    };
  });

  it('when a session is set, then it lives under session:<key> with the TTL', async () => {
    let now = 0;
    const kv = new MemoryKeyValueStore({ now: () => now });
    await createKvSessionStore(kv, HOUR).set('5:5', form('name'));
    expect(JSON.parse((await kv.get('session:5:5'))!)).toEqual(form('name'));
    now = HOUR - 1;
    expect(await kv.get('session:5:5')).not.toBeNull();
    now = HOUR;
    expect(await kv.get('session:5:5')).toBeNull();
    await kv.close();
  });
});

describeWithServer('key-value session store (Redis)', { redisUrl: true }, () => {
  // Redis expiry cannot be driven by a fake clock: a short real TTL with a wide margin instead.
  const TTL_MS = 150;
  sessionStoreContract(async () => {
    const kv = countingKv(new RedisKeyValueStore({ url: testRedisUrl!, namespace: `test:session:${randomUUID()}:` }));
    return {
      open: () => createKvSessionStore(kv, TTL_MS),
      writes: () => kv.writes,
      expire: () => sleep(TTL_MS + 150),
      close: () => kv.close(),
    };
  });
});
