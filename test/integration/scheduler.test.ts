import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import type { Clock } from '../../src/platform/text/clock.js';
import { Scheduler, slotKeyOf, type JobContext, type JobHandler } from '../../src/platform/scheduler/scheduler.js';
import { createKeyValueStore, MemoryKeyValueStore, type KeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { storageModes, type TestDatabase } from '../support/database.js';
import { cleanTestDatabase } from '../support/file-database.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';

const silent = createLogger({ level: 'silent' });
const fixedClock: Clock = { now: () => new Date('2026-11-22T05:30:07.250Z') };
// 09:00 in Tehran (UTC+03:30, no daylight saving since 2022).
const SLOT = new Date('2026-11-22T05:30:00Z');
const NEXT_SLOT = new Date('2026-11-22T05:31:00Z');

function capturingLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const out: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void out.push(line) } });
  return { logger, lines: () => out.map((line) => JSON.parse(line) as Record<string, unknown>) };
}

/** A handler that takes a moment, so a racing second process really overlaps with the first. */
function slowCounter(ms = 20): { handler: JobHandler; calls: JobContext[] } {
  const calls: JobContext[] = [];
  return {
    calls,
    handler: async (ctx) => {
      calls.push(ctx);
      await sleep(ms);
    },
  };
}

describe('Scheduler.register', () => {
  const scheduler = () =>
    new Scheduler({ prisma: {} as never, kv: new MemoryKeyValueStore(), logger: silent, owner: 'p1' });

  it('rejects an invalid cron expression', () => {
    const s = scheduler();
    for (const bad of ['', 'every day', '61 * * * *', '0 25 * * *', '* * * * * * *']) {
      expect(() => s.register('reminders', bad, async () => {}), bad).toThrow(/invalid cron expression/);
    }
  });

  it('rejects a duplicate or unusable name', () => {
    const s = scheduler();
    s.register('reminders', '0 8 * * *', async () => {});
    expect(() => s.register('reminders', '0 9 * * *', async () => {})).toThrow(/already registered/);
    expect(() => s.register('', '0 9 * * *', async () => {})).toThrow(/invalid job name/);
    expect(() => s.register('a:b', '0 9 * * *', async () => {})).toThrow(/invalid job name/);
  });

  it('rejects an unknown time zone and an empty owner', () => {
    const kv = new MemoryKeyValueStore();
    expect(() => new Scheduler({ prisma: {} as never, kv, logger: silent, owner: 'p1', timezone: 'Asia/Nowhere' })).toThrow(
      /time zone/,
    );
    expect(() => new Scheduler({ prisma: {} as never, kv, logger: silent, owner: '' })).toThrow(/owner/);
  });

  it('keys slots by the UTC minute, or the second for six-field expressions', () => {
    expect(slotKeyOf(new Date('2026-11-22T05:30:59.999Z'))).toBe('2026-11-22T05:30Z');
    expect(slotKeyOf(new Date('2026-11-22T05:30:59.999Z'), 'second')).toBe('2026-11-22T05:30:59Z');
  });
});

describe.each(storageModes())('Scheduler on the %s database', (mode) => {
  let db: TestDatabase;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = await cleanTestDatabase(mode);
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await db.close();
  });

  function makeScheduler(owner: string, overrides: Partial<ConstructorParameters<typeof Scheduler>[0]> = {}) {
    const scheduler = new Scheduler({
      prisma: db.prisma,
      kv: new MemoryKeyValueStore(),
      logger: silent,
      owner,
      clock: fixedClock,
      ...overrides,
    });
    cleanups.push(() => scheduler.stop());
    return scheduler;
  }

  /** Another process's connection: a second pool on the server, the one connection PGlite has. */
  async function secondConnection(): Promise<Database['prisma']> {
    if (db.mode === 'embedded') return db.prisma;
    const other = await openDatabase({ kind: 'postgres', url: db.url! });
    cleanups.push(() => other.close());
    return other.prisma;
  }

  it('runs a slot once, records it, and skips the same slot afterwards', async () => {
    const scheduler = makeScheduler('p1');
    const { handler, calls } = slowCounter(0);
    scheduler.register('reminders', '0 9 * * *', handler);

    expect(await scheduler.runSlot('reminders', new Date('2026-11-22T05:30:12.345Z'))).toBe('ran');
    expect(calls).toHaveLength(1);
    expect(calls[0]!.slot).toEqual(SLOT);
    expect(calls[0]!.now).toEqual(fixedClock.now());

    const rows = await db.prisma.jobRun.findMany();
    expect(rows).toEqual([
      {
        job: 'reminders',
        slot: '2026-11-22T05:30Z',
        owner: 'p1',
        startedAt: fixedClock.now(),
        finishedAt: fixedClock.now(),
        error: null,
      },
    ]);

    // Later in the same minute (a second tick, a restarted process): still the same slot.
    expect(await scheduler.runSlot('reminders', new Date('2026-11-22T05:30:40Z'))).toBe('skipped');
    const otherProcess = makeScheduler('p2');
    otherProcess.register('reminders', '0 9 * * *', handler);
    expect(await otherProcess.runSlot('reminders', SLOT)).toBe('skipped');
    expect(calls).toHaveLength(1);

    expect(await scheduler.runSlot('reminders', NEXT_SLOT)).toBe('ran');
    expect(calls).toHaveLength(2);
    expect(await db.prisma.jobRun.count()).toBe(2);
  });

  it('keeps the slots of different jobs apart', async () => {
    const scheduler = makeScheduler('p1');
    const a = slowCounter(0);
    const b = slowCounter(0);
    scheduler.register('a', '0 9 * * *', a.handler);
    scheduler.register('b', '0 9 * * *', b.handler);
    expect(await scheduler.runSlot('a', SLOT)).toBe('ran');
    expect(await scheduler.runSlot('b', SLOT)).toBe('ran');
    expect([a.calls.length, b.calls.length]).toEqual([1, 1]);
  });

  it('when two processes race for the same slots, then each slot runs exactly once', async () => {
    const first = makeScheduler('p1');
    const second = makeScheduler('p2', { prisma: await secondConnection() });
    const { handler, calls } = slowCounter();
    first.register('reminders', '* * * * *', handler);
    second.register('reminders', '* * * * *', handler);

    const slots = Array.from({ length: 8 }, (_, i) => new Date(SLOT.getTime() + i * 60_000));
    const outcomes = await Promise.all(
      slots.map((slot) => Promise.all([first.runSlot('reminders', slot), second.runSlot('reminders', slot)])),
    );

    for (const pair of outcomes) expect(pair.toSorted()).toEqual(['ran', 'skipped']);
    expect(calls).toHaveLength(slots.length);
    expect(new Set(calls.map((c) => c.slot.getTime())).size).toBe(slots.length);
    const rows = await db.prisma.jobRun.findMany({ orderBy: { slot: 'asc' } });
    expect(rows.map((r) => r.slot)).toEqual(slots.map((s) => slotKeyOf(s)));
    rows.forEach((row, i) => expect(row.owner).toBe(outcomes[i]![0] === 'ran' ? 'p1' : 'p2'));
  });

  it('when a handler fails, then the slot is marked failed, the error kept and logged, and the next slot runs', async () => {
    const { logger, lines } = capturingLogger();
    const scheduler = makeScheduler('p1', { logger });
    let fail = true;
    const calls: Date[] = [];
    scheduler.register('broadcast', '*/5 * * * *', async (ctx) => {
      calls.push(ctx.slot);
      if (fail) {
        fail = false;
        ctx.logger.info({ text: 'سلام به همه' }, 'about to send');
        throw new Error('Bot API unreachable for bot123456:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
      }
    });

    expect(await scheduler.runSlot('broadcast', SLOT)).toBe('failed');
    const failed = await db.prisma.jobRun.findUniqueOrThrow({
      where: { job_slot: { job: 'broadcast', slot: slotKeyOf(SLOT) } },
    });
    expect(failed.error).toMatch(/^Error: Bot API unreachable/);
    expect(failed.error).not.toContain('AAAAAAAA');
    expect(failed.finishedAt).toEqual(fixedClock.now());

    // A failed slot is not retried by a second tick.
    expect(await scheduler.runSlot('broadcast', SLOT)).toBe('skipped');
    expect(await scheduler.runSlot('broadcast', NEXT_SLOT)).toBe('ran');
    expect(calls).toEqual([SLOT, NEXT_SLOT]);

    const errorLine = lines().find((l) => l.msg === 'job failed');
    expect(errorLine).toMatchObject({ job: 'broadcast', slot: '2026-11-22T05:30Z', err: { type: 'Error' } });
    const all = JSON.stringify(lines());
    expect(all).not.toContain('سلام');
    expect(all).not.toContain('AAAAAAAA');
  });

  it('when the lease store is down, then the database claim still runs the slot once', async () => {
    const broken: KeyValueStore = new MemoryKeyValueStore();
    broken.setIfAbsent = () => Promise.reject(new Error('ECONNREFUSED'));
    const first = makeScheduler('p1', { kv: broken, useKvLease: true });
    const second = makeScheduler('p2', { kv: broken, useKvLease: true, prisma: await secondConnection() });
    const { handler, calls } = slowCounter();
    first.register('reminders', '* * * * *', handler);
    second.register('reminders', '* * * * *', handler);
    const outcomes = await Promise.all([first.runSlot('reminders', SLOT), second.runSlot('reminders', SLOT)]);
    expect(outcomes.toSorted()).toEqual(['ran', 'skipped']);
    expect(calls).toHaveLength(1);
  });

  it('prunes runs started before a date', async () => {
    let now = new Date('2026-01-01T00:00:00Z');
    const scheduler = makeScheduler('p1', { clock: { now: () => now } });
    scheduler.register('maintenance', '0 3 * * *', async () => {});
    await scheduler.runSlot('maintenance', new Date('2026-01-01T00:00:00Z'));
    now = new Date('2026-03-01T00:00:00Z');
    await scheduler.runSlot('maintenance', new Date('2026-03-01T00:00:00Z'));

    expect(await scheduler.pruneRuns(new Date('2026-02-01T00:00:00Z'))).toBe(1);
    expect((await db.prisma.jobRun.findMany()).map((r) => r.slot)).toEqual(['2026-03-01T00:00Z']);
  });

  it('stop() waits for a running handler', async () => {
    const scheduler = makeScheduler('p1');
    let finished = false;
    scheduler.register('slow', '0 9 * * *', async () => {
      await sleep(150);
      finished = true;
    });
    const run = scheduler.runSlot('slow', SLOT);
    await scheduler.stop();
    expect(finished).toBe(true);
    expect(await run).toBe('ran');
  });

  it('stop() gives up on a handler that hangs after its timeout', async () => {
    const { logger, lines } = capturingLogger();
    const scheduler = makeScheduler('p1', { logger, stopTimeoutMs: 100 });
    let release!: () => void;
    scheduler.register('stuck', '0 9 * * *', () => new Promise<void>((resolve) => (release = resolve)));
    const run = scheduler.runSlot('stuck', SLOT);
    await vi.waitFor(() => expect(release).toBeDefined());
    await scheduler.stop();
    expect(lines().find((l) => l.msg === 'scheduler stopped while jobs were still running')).toMatchObject({
      jobs: ['stuck'],
    });
    release();
    expect(await run).toBe('ran');
  });
});

describe('Scheduler ticking with node-cron', () => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('fires on real ticks in Asia/Tehran and stops ticking after stop()', async () => {
    db = await cleanTestDatabase('embedded');
    const scheduler = new Scheduler({ prisma: db.prisma, kv: new MemoryKeyValueStore(), logger: silent, owner: 'p1' });
    const slots: Date[] = [];
    scheduler.register('heartbeat', '* * * * * *', async (ctx) => {
      slots.push(ctx.slot);
    });
    scheduler.start();
    try {
      await vi.waitFor(() => expect(slots.length).toBeGreaterThanOrEqual(1), { timeout: 2_500, interval: 50 });
    } finally {
      await scheduler.stop();
    }
    const seen = slots.length;
    // Ticks are on whole seconds, and each second is its own slot.
    expect(slots.every((s) => s.getMilliseconds() === 0)).toBe(true);
    expect((await db.prisma.jobRun.findMany()).map((r) => r.slot)).toContain(slotKeyOf(slots[0]!, 'second'));
    await sleep(1_200);
    expect(slots.length).toBe(seen);
  });
});

describeWithServer('Scheduler with a shared Redis lease', { redisUrl: true, databaseUrl: true }, () => {
  let db: TestDatabase;
  const cleanups: (() => Promise<void>)[] = [];

  beforeEach(async () => {
    db = await cleanTestDatabase('server');
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await db.close();
  });

  /** One "process": its own Redis connection and its own database pool. */
  async function startProcess(owner: string, namespace: string) {
    const kv = createKeyValueStore({ redisUrl: testRedisUrl, namespace });
    const other = await openDatabase({ kind: 'postgres', url: db.url! });
    const scheduler = new Scheduler({
      prisma: other.prisma,
      kv,
      logger: silent,
      owner,
      clock: fixedClock,
      useKvLease: true,
    });
    cleanups.push(async () => {
      await scheduler.stop();
      await kv.close();
      await other.close();
    });
    return { scheduler, kv };
  }

  it('when two processes race for the same slots, then each slot runs exactly once', async () => {
    const namespace = `test-scheduler-${randomUUID()}`;
    const first = await startProcess('p1', namespace);
    const second = await startProcess('p2', namespace);
    const { handler, calls } = slowCounter();
    first.scheduler.register('reminders', '* * * * *', handler);
    second.scheduler.register('reminders', '* * * * *', handler);

    const slots = Array.from({ length: 8 }, (_, i) => new Date(SLOT.getTime() + i * 60_000));
    const outcomes = await Promise.all(
      slots.map((slot) =>
        Promise.all([first.scheduler.runSlot('reminders', slot), second.scheduler.runSlot('reminders', slot)]),
      ),
    );
    for (const pair of outcomes) expect(pair.toSorted()).toEqual(['ran', 'skipped']);
    expect(calls).toHaveLength(slots.length);

    // The lease holder is the one that ran it.
    for (const [i, slot] of slots.entries()) {
      const winner = outcomes[i]![0] === 'ran' ? 'p1' : 'p2';
      expect(await first.kv.get(`job:reminders:${slotKeyOf(slot)}`)).toBe(winner);
    }
    expect(await db.prisma.jobRun.count()).toBe(slots.length);
  });

  it('when another process holds the lease, then the slot is skipped without touching job_runs', async () => {
    const namespace = `test-scheduler-${randomUUID()}`;
    const { scheduler, kv } = await startProcess('p1', namespace);
    const { handler, calls } = slowCounter(0);
    scheduler.register('reminders', '0 9 * * *', handler);
    expect(await kv.setIfAbsent(`job:reminders:${slotKeyOf(SLOT)}`, 'elsewhere', 60_000)).toBe(true);

    expect(await scheduler.runSlot('reminders', SLOT)).toBe('skipped');
    expect(calls).toHaveLength(0);
    expect(await db.prisma.jobRun.count()).toBe(0);
  });
});
