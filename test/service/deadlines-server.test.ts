/**
 * The reminder tick's guards that only a PostgreSQL server has: two ticks at once run one after the other
 * (an advisory lock), and the fan-out statement runs under a statement timeout (every statement of the
 * bot does, under its connection's), so no plan gone wrong can hold a connection for minutes.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeEach, expect, it } from 'vitest';
import { REMINDER_TICK_LOCK } from '../../src/features/deadlines/reminder-service.js';
import { enqueueReminders } from '../../src/features/deadlines/reminder-fan-out.js';
import { enqueueForTargets } from '../../src/features/deadlines/targets.js';
import { BULK_STATEMENT_TIMEOUT_MS } from '../../src/platform/db/bulk-statements.js';
import { STATEMENT_TIMEOUT_MS } from '../../src/platform/db/client.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { autumnReport } from '../support/deadline-fixtures.js';
import { createNgo } from '../support/ngo-fixtures.js';
import { describeWithServer } from '../support/servers.js';
import { useServiceHarness } from '../support/service-harness.js';

const ADMIN = 1001n;
const SUNDAY_MORNING = new Date('2026-11-22T06:30:00Z');
const tehran = (jd: number, hour: number, minute = 0) => jalaliToDate({ jy: 1405, jm: 9, jd }, { hour, minute });

describeWithServer('the reminder tick on a PostgreSQL server', { databaseUrl: true }, () => {
  const h = useServiceHarness({ start: SUNDAY_MORNING, mode: 'server', staff: [{ id: ADMIN, role: 'PROVINCE_ADMIN' }] });
  let deadlineId: number;

  beforeEach(async () => {
    await createNgo(h.db, { managerId: 2002n, name: 'انجمن حامیان محیط زیست', status: 'APPROVED' });
    const deadline = await h.services.deadlines.createGeneral(ADMIN, autumnReport());
    deadlineId = deadline.id;
  });

  it('when another tick holds the reminder lock, then this tick waits for it to finish and only then queues', async () => {
    const now = tehran(2, 9, 1);
    h.clock.set(now);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked!: () => void;
    const lockTaken = new Promise<void>((resolve) => (locked = resolve));
    const other = h.prisma.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REMINDER_TICK_LOCK})`;
      locked();
      await held;
    });
    await lockTaken;
    let done = false;
    const tick = h.services.deadlines.remindersTick(now).then((result) => ((done = true), result));
    await sleep(400);
    expect(done).toBe(false);
    release();
    await other;
    // One message per language for the slot, and the NGO's one member told once.
    expect(await tick).toEqual({ messages: 2, deliveries: 1 });
  });

  it('when a fan-out runs (reminders or other notices), then its statements run under the bulk timeout, and every other statement of the bot under the connection’s', async () => {
    const shown = await h.prisma.$transaction(async (tx) => {
      await enqueueReminders(h.outbox, tx, [{ deadlineId, slotKey: 'test', lang: 'fa', payload: { text: 'یادآوری' } }], h.clock.now());
      const reminders = await tx.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
      await tx.$executeRaw`SET LOCAL statement_timeout = '5min'`;
      await enqueueForTargets(h.outbox, tx, [{ deadlineId, slotKey: 'test', lang: 'fa', payload: { text: 'اطلاعیه' } }], {
        keyPrefix: 'deadline-new',
        statuses: ['PENDING'],
        notBefore: h.clock.now(),
        sourceType: 'deadline',
      });
      const notices = await tx.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
      return [reminders[0]!.statement_timeout, notices[0]!.statement_timeout];
    });
    expect(shown).toEqual([`${BULK_STATEMENT_TIMEOUT_MS / 60_000}min`, `${BULK_STATEMENT_TIMEOUT_MS / 60_000}min`]);
    const after = await h.prisma.$queryRaw<{ statement_timeout: string }[]>`SHOW statement_timeout`;
    expect(after[0]!.statement_timeout).toBe(`${STATEMENT_TIMEOUT_MS / 60_000}min`);
  });

  it('when a statement of a fan-out’s transaction runs past the timeout, then it is stopped and nothing of the fan-out is queued', async () => {
    const attempt = h.prisma.$transaction(async (tx) => {
      await enqueueReminders(h.outbox, tx, [{ deadlineId, slotKey: 'slow', lang: 'fa', payload: { text: 'یادآوری' } }], h.clock.now(), 1);
      // Under the same timeout, anything slower than it is stopped: here a statement that surely is.
      await tx.$executeRaw`SELECT pg_sleep(0.2)`;
    });
    await expect(attempt).rejects.toThrow(/statement timeout|57014/);
    expect(await h.prisma.outboxMessage.count({ where: { dedupeKey: { startsWith: 'reminder:' } } })).toBe(0);
  });
});
