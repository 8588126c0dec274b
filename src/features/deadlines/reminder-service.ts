/**
 * The reminder engine that runs every minute, and the admins' daily digest of overdue NGOs. Slots come
 * from rules.ts (pure, clock and official holidays passed in); the fan-out is one statement (reminder-fan-out.ts),
 * so repeated ticks, two processes or a restart add nothing twice. The holidays are read from their
 * table at every tick, so a holiday a super admin adds moves the reminders on it from the next minute.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { FanOutResult, Outbox } from '../../platform/delivery/outbox.js';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Translator } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { startOfTehranDay } from '../../platform/text/jalali.js';
import { DEFAULT_QUIET_HOURS, nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { comparePersian } from '../../platform/text/persian-collation.js';
import { NO_HOLIDAYS, type Holidays } from '../../platform/text/working-days.js';
import { loadHolidays } from '../staff/index.js';
import { overdueDigest, reminderNotice, readerFor, type OverdueRow } from './notices.js';
import { dueSlot, jalaliDayKey, reminderDaysOf, reminderSchedule, tehranDateOf, type ReminderSlot } from './rules.js';
import { enqueueReminders, untoldSlots, type ReminderMessage } from './reminder-fan-out.js';

const SCHEDULE_CACHE_LIMIT = 10_000;
/**
 * A tick that enqueues 100,000 reminders, or a deadline made for thousands of NGOs, takes seconds (see
 * test/bench/reminders.ts): Prisma's default 5 s for a transaction is too tight.
 */
export const BULK_TIMEOUT_MS = 5 * 60_000;
/** The advisory lock a reminder tick holds for its transaction (an arbitrary number, this job's own). */
export const REMINDER_TICK_LOCK = 7_310_001n;

export interface ReminderDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
}

/** The official holidays as last read from their table; `onChange` runs when a read finds them changed. */
function holidaysReader(prisma: PrismaClient, onChange: () => void) {
  let current: Holidays = NO_HOLIDAYS;
  let signature = '';
  let reads = 0;
  return {
    get current(): Holidays {
      return current;
    },
    async refresh(): Promise<Holidays> {
      const read = ++reads;
      const fresh = await loadHolidays(prisma);
      const freshSignature = [...fresh].sort().join(',');
      // A slower earlier read must not undo a later one.
      if (read === reads && freshSignature !== signature) {
        current = fresh;
        signature = freshSignature;
        onChange();
      }
      return current;
    },
  };
}

/** The two jobs and the schedule cache they share; long only because it holds both. */
export function createReminderEngine(deps: ReminderDeps) {
  const { prisma, outbox, translator, clock } = deps;
  const schedules = new Map<string, ReminderSlot[]>();
  /**
   * (deadline, slot) pairs this process has enqueued: later ticks of the same slot skip them without
   * asking the database. Only a shortcut: targets never come back to PENDING, and a new due date makes
   * new slot keys; another process, or this one after a restart, finds the same answer in the outbox.
   */
  const enqueuedSlots = new Set<string>();
  /** The schedules cached were made with `holidays.current`; when the holidays change they go. */
  const holidays = holidaysReader(prisma, () => schedules.clear());
  // Every tick reads them; this read only spares an extension made before the first tick the empty set.
  holidays.refresh().catch(() => undefined);

  function scheduleOf(d: { id: number; dueAt: Date; reminderDays: unknown }): ReminderSlot[] {
    const days = reminderDaysOf(d.reminderDays);
    const key = `${d.id}:${d.dueAt.getTime()}:${days.join(',')}`;
    let schedule = schedules.get(key);
    if (!schedule) {
      if (schedules.size >= SCHEDULE_CACHE_LIMIT) schedules.clear();
      schedule = reminderSchedule({ dueAt: d.dueAt, reminderDays: days, holidays: holidays.current });
      schedules.set(key, schedule);
    }
    return schedule;
  }

  return {
    scheduleOf,

    /**
     * Every minute: for each open deadline, the slot due now (the latest that has come since the deadline
     * was made), sent to the members of the NGOs whose part is still pending. Idempotent: a slot is told
     * once (reminder-fan-out.ts).
     */
    async remindersTick(now: Date = clock.now()): Promise<FanOutResult> {
      const daysOff = await holidays.refresh();
      const open = await prisma.deadline.findMany({
        where: { status: 'OPEN', targets: { some: { status: 'PENDING' } } },
        select: { id: true, kind: true, title: true, dueAt: true, reminderDays: true, createdAt: true, amountToman: true, startsAt: true },
      });
      const dueNow: ReminderMessage[] = [];
      const slots: string[] = [];
      for (const d of open) {
        const due = dueSlot(scheduleOf(d), now, d.createdAt);
        if (!due || enqueuedSlots.has(`${d.id}:${due.slot.key}`)) continue;
        slots.push(`${d.id}:${due.slot.key}`);
        for (const lang of LANGUAGES) dueNow.push({ deadlineId: d.id, slotKey: due.slot.key, lang, payload: reminderNotice(readerFor(translator, lang), d, due, now) });
      }
      // Slots told already (by another process, or before a restart) are found by key, outside the lock.
      const messages = dueNow.length === 0 ? [] : await untoldSlots(outbox, prisma, dueNow);
      const remember = () => {
        if (enqueuedSlots.size + slots.length > SCHEDULE_CACHE_LIMIT) enqueuedSlots.clear();
        for (const slot of slots) enqueuedSlots.add(slot);
      };
      if (messages.length === 0) {
        remember();
        return { messages: 0, deliveries: 0 };
      }
      const result = await prisma.$transaction(
        async (tx) => {
          // Two ticks at once (a slow tick overrun by the next minute's, or two processes) run one after the
          // other: the second then finds the first's reminders and adds nothing, instead of both planning
          // against rows neither can see yet.
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REMINDER_TICK_LOCK})`;
          // A reminder caught up at night or on a day off (the bot was down) waits for the next allowed morning.
          return enqueueReminders(outbox, tx, messages, nextAllowedTime(now, { ...DEFAULT_QUIET_HOURS, holidays: daysOff }));
        },
        { timeout: BULK_TIMEOUT_MS, maxWait: BULK_TIMEOUT_MS },
      );
      remember();
      return result;
    },

    /**
     * Once a day: each responsible admin gets one message listing the overdue NGOs they supervise (county
     * admins their county's; the province's admins the NGOs of counties without one). The dedupe key names
     * the admin and the Tehran day, so running the job several times a day sends one digest.
     */
    async overdueDigest(now: Date = clock.now()): Promise<number> {
      const rows = await prisma.deadlineTarget.findMany({
        where: { status: 'PENDING', deadline: { status: 'OPEN', dueAt: { lt: startOfTehranDay(now) } }, ngo: { status: 'APPROVED' } },
        include: { deadline: true, ngo: { include: { county: true } } },
        orderBy: [{ deadline: { dueAt: 'asc' } }, { deadlineId: 'asc' }],
      });
      if (rows.length === 0) return 0;
      // NGO names in Persian alphabetical order, which no database collation gives (persian-collation.ts).
      rows.sort((a, b) => a.deadline.dueAt.getTime() - b.deadline.dueAt.getTime() || a.deadlineId - b.deadlineId || comparePersian(a.ngo.name, b.ngo.name));
      const admins = await prisma.admin.findMany({ include: { user: { select: { language: true } } } });
      const countyAdmins = new Set(admins.filter((a) => a.role === 'COUNTY_ADMIN').map((a) => a.countyId));
      const perAdmin = new Map<bigint, OverdueRow[]>();
      for (const row of rows) {
        const responsible = countyAdmins.has(row.ngo.countyId)
          ? admins.filter((a) => a.role === 'COUNTY_ADMIN' && a.countyId === row.ngo.countyId)
          : admins.filter((a) => a.role !== 'COUNTY_ADMIN');
        for (const a of responsible) perAdmin.set(a.userId, [...(perAdmin.get(a.userId) ?? []), row]);
      }
      const dayKey = jalaliDayKey(tehranDateOf(now));
      let sent = 0;
      for (const [adminId, list] of perAdmin) {
        const language = admins.find((a) => a.userId === adminId)?.user.language;
        const lang = isLanguage(language) ? language : DEFAULT_LANGUAGE;
        const { added } = await outbox.enqueue({
          payload: { kind: 'TEXT', ...overdueDigest(readerFor(translator, lang), list, now) },
          recipients: [adminId],
          dedupeKey: `deadline-digest:${adminId}:${dayKey}`,
          source: { type: 'deadline-digest', id: dayKey },
        });
        sent += added;
      }
      return sent;
    },
  };
}
