/**
 * The official holidays (تعطیلات رسمی) the working days are counted without: seeded for two Jalali years
 * by a migration, then kept by super admins, since lunar holidays move every year and a moon sighting
 * can move one by a day. Every admin may read the list; adding and removing is for super admins and is
 * audited (invariant 4). The feedback reminder and the deadline reminders read the set through
 * loadHolidays.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import type { Clock } from '../../platform/text/clock.js';
import { jalaliToDate, toJalali, type JalaliDate } from '../../platform/text/jalali.js';
import { validateText } from '../../platform/text/persian-text.js';
import { dateOnlyOf, holidayKey, holidayKeyOfDateOnly, jalaliOfDateOnly, type Holidays } from '../../platform/text/working-days.js';

export const HOLIDAY_NAME_MAX = 100;
/** One message: at 40 lines the list stays far below Telegram's 4,096 characters. */
export const UPCOMING_MAX = 40;

export interface HolidayView {
  /** Midnight of the day in Tehran, for the formatter. */
  at: Date;
  day: JalaliDate;
  name: string;
}

/** Every holiday in the table, as the set the working-day rules take. */
export async function loadHolidays(prisma: Pick<PrismaClient, 'holiday'>): Promise<Holidays> {
  const rows = await prisma.holiday.findMany({ select: { date: true } });
  return new Set(rows.map((r) => holidayKeyOfDateOnly(r.date)));
}

function viewOf(row: { date: Date; name: string }): HolidayView {
  const day = jalaliOfDateOnly(row.date);
  return { at: jalaliToDate(day), day, name: row.name };
}

export function createHolidayService(deps: { prisma: PrismaClient; clock: Clock }) {
  const { prisma, clock } = deps;

  async function assertRole(actorId: bigint, superOnly: boolean): Promise<void> {
    const admin = await prisma.admin.findUnique({ where: { userId: actorId }, select: { role: true } });
    if (!admin) throw new AppError('common.errors.not_admin');
    if (superOnly && admin.role !== 'SUPER_ADMIN') throw new AppError('admin.only_super');
  }

  return {
    /** Holidays from today (Tehran) on, the first UPCOMING_MAX of them, and how many more there are. */
    async upcoming(actorId: bigint): Promise<{ holidays: HolidayView[]; more: number }> {
      await assertRole(actorId, false);
      const where = { date: { gte: dateOnlyOf(toJalali(clock.now())) } };
      const [rows, total] = await Promise.all([
        prisma.holiday.findMany({ where, orderBy: { date: 'asc' }, take: UPCOMING_MAX }),
        prisma.holiday.count({ where }),
      ]);
      return { holidays: rows.map(viewOf), more: total - rows.length };
    },

    /** Adds a holiday, or renames the one already on that day (`replaced` is its old name). */
    async add(actorId: bigint, day: JalaliDate, rawName: string): Promise<HolidayView & { replaced: string | null }> {
      await assertRole(actorId, true);
      const name = validateText(rawName, { max: HOLIDAY_NAME_MAX });
      if (!name.ok) throw new AppError(`holidays.errors.name_${name.error}`, { max: HOLIDAY_NAME_MAX });
      const date = dateOnlyOf(day);
      return prisma.$transaction(async (tx) => {
        const before = await tx.holiday.findUnique({ where: { date } });
        const row = await tx.holiday.upsert({ where: { date }, create: { date, name: name.value, createdBy: actorId }, update: { name: name.value } });
        const details = { day: holidayKey(day), name: name.value, ...(before ? { previous: before.name } : {}) };
        await recordAudit(tx, { actorId, action: before ? 'holiday.renamed' : 'holiday.added', entityType: 'holiday', entityId: holidayKey(day), details });
        return { ...viewOf(row), replaced: before?.name ?? null };
      });
    },

    async remove(actorId: bigint, day: JalaliDate): Promise<HolidayView> {
      await assertRole(actorId, true);
      const date = dateOnlyOf(day);
      return prisma.$transaction(async (tx) => {
        const row = await tx.holiday.findUnique({ where: { date } });
        // deleteMany: a second /remove_holiday racing this one finds nothing rather than failing.
        const { count } = row ? await tx.holiday.deleteMany({ where: { date } }) : { count: 0 };
        if (!row || count === 0) throw new AppError('holidays.errors.not_found');
        await recordAudit(tx, { actorId, action: 'holiday.removed', entityType: 'holiday', entityId: holidayKey(day), details: { name: row.name } });
        return viewOf(row);
      });
    },
  };
}

export type HolidayService = ReturnType<typeof createHolidayService>;
