/**
 * What /metrics reads from storage and from the scheduler, on the PostgreSQL server: the outbox's
 * backlog computed at scrape time, reminders counted as they are queued, cron runs and their failures,
 * and failures told apart by the store they came from. Counters are process-wide, so each test
 * compares a scrape before and after.
 */
import { afterEach, expect, it } from 'vitest';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { createKeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createMetricsEndpoint, failureSource } from '../../src/platform/metrics/index.js';
import { Scheduler } from '../../src/platform/scheduler/scheduler.js';
import { Prisma } from '../../src/platform/db/generated/client.js';
import type { Clock } from '../../src/platform/text/clock.js';
import { cleanTestDatabase } from '../support/file-database.js';
import { sample } from '../support/prometheus.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';

const NOW = new Date('2026-11-22T06:30:00Z');
const clock: Clock = { now: () => NOW };
const text = { kind: 'TEXT', text: 'x' } as const;
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup() {
  const db = await cleanTestDatabase('server');
  cleanups.push(() => db.close());
  await db.prisma.user.createMany({ data: [1, 2, 3, 4].map((id) => ({ id: BigInt(id), firstName: 'کاربر' })) });
  const outbox = createOutbox({ prisma: db.prisma, clock });
  return { db, outbox, metrics: createMetricsEndpoint({ backlog: () => outbox.backlog() }) };
}

describeWithServer('metrics from storage and the scheduler', { databaseUrl: true, redisUrl: true }, () => {
  it('when deliveries wait, are held for later or are being sent, then the backlog gauges count them and age the oldest due one', async () => {
    const { db, outbox, metrics } = await setup();
    expect(sample(await metrics.render(), 'ngo_bot_outbox_due')).toBe(0);
    expect(sample(await metrics.render(), 'ngo_bot_outbox_oldest_due_age_seconds')).toBe(0);

    await outbox.enqueue({ payload: text, recipients: [1, 2], notBefore: new Date(NOW.getTime() - 90_000) });
    await outbox.enqueue({ payload: text, recipients: [3], notBefore: new Date(NOW.getTime() - 10_000) });
    await outbox.enqueue({ payload: text, recipients: [4], notBefore: new Date(NOW.getTime() + 3_600_000) });
    // One claimed by a dispatcher: its not_before is its lease end, in the future, and it is still due work.
    await db.prisma.outboxDelivery.updateMany({ where: { chatId: 2n }, data: { status: 'SENDING', notBefore: new Date(NOW.getTime() + 60_000) } });
    // Sent and cancelled rows are not waiting.
    await outbox.enqueue({ payload: text, recipients: [1, 2, 3], notBefore: new Date(NOW.getTime() - 500_000) }).then(({ messageId }) =>
      db.prisma.outboxDelivery.updateMany({ where: { messageId }, data: { status: 'SENT' } }),
    );

    const scraped = await metrics.render();
    expect(sample(scraped, 'ngo_bot_outbox_due')).toBe(3);
    expect(sample(scraped, 'ngo_bot_outbox_scheduled')).toBe(1);
    expect(sample(scraped, 'ngo_bot_outbox_oldest_due_age_seconds')).toBe(90);
  });

  it('when reminders of each kind are queued, then they are counted by kind, and every delivery by its source', async () => {
    const { db, outbox, metrics } = await setup();
    const before = await metrics.render();

    await outbox.enqueue({ payload: text, recipients: [1, 2], dedupeKey: 'course-reminder:7:1:day', source: { type: 'course', id: '7' } });
    await outbox.enqueue({ payload: text, recipients: [3], dedupeKey: 'fb-rem', source: { type: 'feedback-reminder', id: 'd' } });
    // A repeated enqueue adds no delivery and counts nothing.
    await outbox.enqueue({ payload: text, recipients: [1, 2], dedupeKey: 'course-reminder:7:1:day', source: { type: 'course', id: '7' } });
    const created = await outbox.createMessages([{ dedupeKey: 'reminder:1:s:fa', payload: text, source: { type: 'deadline-reminder', id: '1' } }]);
    const messageId = created.get('reminder:1:s:fa')!;
    await outbox.deliver({ notBefore: NOW, sourceType: 'deadline-reminder', recipients: Prisma.sql`SELECT ${messageId}::bigint AS message_id, unnest(ARRAY[1,2,3,4]::bigint[]) AS chat_id` }, db.prisma);
    await outbox.enqueue({ payload: text, recipients: [4], source: { type: 'broadcast', id: '1' } });

    const after = await metrics.render();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'course' })).toBe(2);
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'feedback' })).toBe(1);
    expect(delta('ngo_bot_reminders_enqueued_total', { kind: 'deadline' })).toBe(4);
    expect(delta('ngo_bot_outbox_enqueued_total', { source: 'broadcast' })).toBe(1);
    expect(delta('ngo_bot_outbox_enqueued_total', { source: 'course' })).toBe(2);
  });

  it('when a cron job runs, fails, or cannot reach Redis or the database, then runs, durations and store errors are counted', async () => {
    const { db, metrics } = await setup();
    const kv = createKeyValueStore({ redisUrl: testRedisUrl, namespace: `metrics-${process.pid}-${Date.now()}:` });
    cleanups.push(() => kv.close());
    const scheduler = new Scheduler({ prisma: db.prisma, kv, logger: createLogger({ level: 'silent' }), owner: 'p1', clock, useKvLease: true });
    const dead = createKeyValueStore({ redisUrl: 'redis://127.0.0.1:1' });
    cleanups.push(() => dead.close());
    scheduler.register('metrics-ok', '* * * * *', async () => {});
    scheduler.register('metrics-bug', '* * * * *', async () => {
      throw new Error('a bug');
    });
    scheduler.register('metrics-redis', '* * * * *', async () => {
      await dead.get('x');
    });
    scheduler.register('metrics-db', '* * * * *', async () => {
      await db.prisma.$queryRawUnsafe('SELECT * FROM no_such_table');
    });
    const before = await metrics.render();

    for (const job of ['metrics-ok', 'metrics-bug', 'metrics-redis', 'metrics-db']) await scheduler.runSlot(job, NOW);
    // The same slot again is another process's (or this one's) repeat: skipped, not counted as a run.
    expect(await scheduler.runSlot('metrics-ok', NOW)).toBe('skipped');

    const after = await metrics.render();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta('ngo_bot_job_runs_total', { job: 'metrics-ok', outcome: 'ok' })).toBe(1);
    expect(delta('ngo_bot_job_runs_total', { job: 'metrics-bug', outcome: 'failed' })).toBe(1);
    expect(delta('ngo_bot_job_duration_seconds_count', { job: 'metrics-ok' })).toBe(1);
    expect(delta('ngo_bot_store_errors_total', { store: 'redis', where: 'job' })).toBe(1);
    expect(delta('ngo_bot_store_errors_total', { store: 'database', where: 'job' })).toBe(1);
  });

  it('when errors come from Prisma, pg, ioredis or elsewhere, then each is put down to its store, also through a wrapper', () => {
    const prisma = Object.assign(new Error('P1001'), { name: 'PrismaClientKnownRequestError', clientVersion: '7.10.0' });
    const pgError = Object.assign(new Error('relation does not exist'), { severity: 'ERROR', code: '42P01' });
    const redis = Object.assign(new Error('Reached the max retries per request limit'), { name: 'MaxRetriesPerRequestError' });
    expect(failureSource(prisma)).toBe('database');
    expect(failureSource(pgError)).toBe('database');
    expect(failureSource(redis)).toBe('redis');
    expect(failureSource(new Error('Connection is closed.'))).toBe('redis');
    expect(failureSource(new Error('update deferred', { cause: redis }))).toBe('redis');
    expect(failureSource(new Error('a bug'))).toBe('other');
    expect(failureSource('not an error')).toBe('other');
  });
});
