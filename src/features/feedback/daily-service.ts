/**
 * What feedback does on working mornings (see jobs.ts): remind admins of items left unanswered, and
 * send the daily digest to the admins who chose it. Neither runs on a Friday or an official holiday
 * (the holidays table, read at each run so an admin's change counts from the next morning).
 */
import { languageOr } from '../../platform/i18n/index.js';
import { toJalali } from '../../platform/text/jalali.js';
import { loadHolidays } from '../staff/index.js';
import type { UseCaseDeps } from './access.js';
import { digestNotice, reminderNotice, readerFor, type DigestLine } from './notices.js';
import { digestWindowStart, isDayOff, mayRead, needsReminderToday, overdueCutoff, remindersByAdmin, workingDaysBetween } from './rules.js';

/** The Tehran date of a job run: one reminder and one digest per admin and day. */
const dateKey = (at: Date) => {
  const { jy, jm, jd } = toJalali(at);
  return `${jy}-${jm}-${jd}`;
};

export function createDailyFeedback({ prisma, outbox, translator, access, reminderDays }: UseCaseDeps) {
  return {
    /**
     * Once a working day: every item still waiting for the office after the configured working days
     * goes into one reminder per admin (to the assignee alone when it has one). An item is reminded at
     * most once a Tehran day, and the reminder commits with that mark.
     */
    async remindUnanswered(at: Date): Promise<number> {
      const holidays = await loadHolidays(prisma);
      if (isDayOff(at, holidays)) return 0;
      const items = await prisma.feedbackItem.findMany({
        where: { status: 'RECEIVED', waitingSince: { lt: overdueCutoff(at, reminderDays, holidays) } },
        include: { ngo: true },
        orderBy: [{ waitingSince: 'asc' }, { id: 'asc' }],
      });
      const due = items.filter((i) => needsReminderToday(i.lastReminderAt, at));
      if (due.length === 0) return 0;
      const admins = await prisma.admin.findMany({ include: { user: true }, orderBy: { userId: 'asc' } });
      const perAdmin = remindersByAdmin(admins, due);
      await prisma.$transaction(async (tx) => {
        for (const admin of admins) {
          const list = perAdmin.get(admin.userId);
          if (!list?.length) continue;
          const lines = list.map((i) => ({ id: i.id, type: i.type, waitingSince: i.waitingSince!, workingDays: workingDaysBetween(i.waitingSince!, at, holidays) }));
          await outbox.enqueue(
            {
              payload: reminderNotice(readerFor(translator, languageOr(admin.user.language)), lines, reminderDays),
              recipients: [admin.userId],
              dedupeKey: `feedback-reminder:${dateKey(at)}:${admin.userId}`,
              source: { type: 'feedback-reminder', id: dateKey(at) },
            },
            tx,
          );
        }
        await tx.feedbackItem.updateMany({ where: { id: { in: due.map((i) => i.id) } }, data: { lastReminderAt: at } });
      });
      return due.length;
    },

    /**
     * Once a working day: for admins who chose it, what the members wrote since the last digest
     * (the first after a Friday or a holiday covers the days off too), new items and follow-ups apart.
     */
    async sendDigests(at: Date): Promise<number> {
      const holidays = await loadHolidays(prisma);
      if (isDayOff(at, holidays)) return 0;
      const admins = await prisma.admin.findMany({ include: { user: true }, orderBy: { userId: 'asc' } });
      const chosen = await access.digestReaders(admins.map((a) => a.userId));
      const readers = admins.filter((a) => chosen.has(a.userId));
      if (readers.length === 0) return 0;
      const from = digestWindowStart(at, holidays);
      const items = await prisma.feedbackItem.findMany({
        where: { messages: { some: { fromOffice: false, createdAt: { gte: from, lt: at } } } },
        include: { ngo: { include: { county: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      if (items.length === 0) return 0;
      const lineOf = (i: (typeof items)[number]): DigestLine => ({ id: i.id, type: i.type, status: i.status, ngo: i.anonymous || !i.ngo ? null : i.ngo.name });
      let sent = 0;
      await prisma.$transaction(async (tx) => {
        for (const admin of readers) {
          const mine = items.filter((i) => mayRead(admin, i));
          if (mine.length === 0) continue;
          const fresh = mine.filter((i) => i.createdAt >= from).map(lineOf);
          const followed = mine.filter((i) => i.createdAt < from).map(lineOf);
          await outbox.enqueue(
            {
              payload: digestNotice(readerFor(translator, languageOr(admin.user.language)), from, at, fresh, followed),
              recipients: [admin.userId],
              dedupeKey: `feedback-digest:${dateKey(at)}:${admin.userId}`,
              source: { type: 'feedback-digest', id: dateKey(at) },
            },
            tx,
          );
          sent += 1;
        }
      });
      return sent;
    },
  };
}
