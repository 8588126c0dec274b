/**
 * The working-day calendar of an Iranian office, in one place: a day is a working day unless it is a
 * Friday (the end of the Iranian week) or an official holiday (Nowruz, Tasua, Ashura and the others of
 * the official calendar, DOMAIN.md). Lunar holidays move every year and a moon sighting can move one by
 * a day, so the holidays are data (the holidays table, edited by super admins) passed in as a set of
 * Tehran days; these rules take that set and read no clock and no database.
 */
import { toGregorian, toJalaali } from 'jalaali-js';
import { daysBetweenTehran, startOfTehranDay, toJalali, type JalaliDate } from './jalali.js';

/** Official holidays as Tehran days, each keyed by `holidayKey` ('1405/01/01'). */
export type Holidays = ReadonlySet<string>;

export const NO_HOLIDAYS: Holidays = new Set<string>();

const DAY_MS = 86_400_000;
/** getUTCDay() of a Friday. */
const UTC_FRIDAY = 5;
/** A bound on days off in a row; the longest real run (29 Esfand, a Friday, Nowruz) is about six. */
const MAX_DAYS_OFF_IN_A_ROW = 31;

const pad2 = (n: number) => String(n).padStart(2, '0');

/** '1405/01/01': the key of a Tehran day in a `Holidays` set. */
export function holidayKey(d: JalaliDate): string {
  return `${d.jy}/${pad2(d.jm)}/${pad2(d.jd)}`;
}

/** The Jalali day of a date without time or zone (a DATE column reads back as UTC midnight). */
export function jalaliOfDateOnly(date: Date): JalaliDate {
  const { jy, jm, jd } = toJalaali(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate());
  return { jy, jm, jd };
}

export function holidayKeyOfDateOnly(date: Date): string {
  return holidayKey(jalaliOfDateOnly(date));
}

/** The inverse of holidayKeyOfDateOnly: the Tehran day as UTC midnight of the same calendar date. */
export function dateOnlyOf(d: JalaliDate): Date {
  const { gy, gm, gd } = toGregorian(d.jy, d.jm, d.jd);
  return new Date(Date.UTC(gy, gm - 1, gd));
}

/** The Tehran day of an instant as a day number (days since 1970-01-01 of the same calendar date). */
function tehranDayNumber(at: Date): number {
  return Math.round(dateOnlyOf(toJalali(at)).getTime() / DAY_MS);
}

function dayNumberIsOff(day: number, holidays: Holidays): boolean {
  const date = new Date(day * DAY_MS);
  return date.getUTCDay() === UTC_FRIDAY || (holidays.size > 0 && holidays.has(holidayKeyOfDateOnly(date)));
}

/** True on a Friday or an official holiday, on the Tehran calendar. */
export function isDayOff(at: Date, holidays: Holidays): boolean {
  return dayNumberIsOff(tehranDayNumber(at), holidays);
}

/**
 * Working days that have begun since `from`, on the Tehran calendar: every day after the day of `from`,
 * up to and including the day of `to`, that is neither a Friday nor a holiday. Something received on a
 * Wednesday has one working day on Thursday, still one on Friday, two on Saturday.
 */
export function workingDaysBetween(from: Date, to: Date, holidays: Holidays): number {
  const days = daysBetweenTehran(from, to);
  if (days <= 0) return 0;
  const first = tehranDayNumber(from);
  let count = 0;
  for (let i = 1; i <= days; i++) if (!dayNumberIsOff(first + i, holidays)) count++;
  return count;
}

/**
 * The instant before which something waiting is `workingDays` working days old at `now`: `since < cutoff`
 * exactly when `workingDaysBetween(since, now, holidays) >= workingDays`, so a database can filter by it.
 * It is the start of the `workingDays`-th working day counted back from today (today included).
 */
export function workingDaysCutoff(now: Date, workingDays: number, holidays: Holidays): Date {
  if (!Number.isInteger(workingDays) || workingDays < 1) throw new RangeError('workingDays must be a positive integer');
  let dayStart = startOfTehranDay(now);
  let counted = 0;
  for (;;) {
    if (!isDayOff(dayStart, holidays)) counted++;
    if (counted === workingDays) return dayStart;
    // Noon of the previous day, then back to its midnight: safe should an offset ever change again.
    dayStart = startOfTehranDay(new Date(dayStart.getTime() - DAY_MS / 2));
  }
}

/**
 * The same time of day on the previous working day: where a daily summary sent at `at` starts, so the
 * first one after a Friday or a holiday also covers the days off, when none went out.
 */
export function previousWorkingDay(at: Date, holidays: Holidays): Date {
  let start = new Date(at.getTime() - DAY_MS);
  for (let i = 0; i < MAX_DAYS_OFF_IN_A_ROW && isDayOff(start, holidays); i++) start = new Date(start.getTime() - DAY_MS);
  return start;
}
