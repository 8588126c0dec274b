/**
 * When the office does not write to people: at night and on Friday, the end of the Iranian week
 * (DOMAIN.md), and on the official holidays a caller passes in. Messages that are not urgent wait for
 * the next allowed morning. Tehran wall-clock time.
 */
import { jalaliToDate, toJalali } from './jalali.js';
import { isDayOff, NO_HOLIDAYS, type Holidays } from './working-days.js';

export interface QuietHours {
  /** First quiet hour of the evening (22 = from 22:00). */
  startHour: number;
  /** First allowed hour of the morning (7 = from 07:00). */
  endHour: number;
  /** Quiet all day on Fridays and on `holidays`. */
  friday: boolean;
  /** Official holidays (working-days.ts); none when left out. */
  holidays?: Holidays;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startHour: 22, endHour: 7, friday: true };

/** A bound on days off in a row; the longest real run (29 Esfand, a Friday, Nowruz) is about six. */
const MAX_QUIET_DAYS = 31;

export function isQuietTime(at: Date, quiet: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  if (quiet.friday && isDayOff(at, quiet.holidays ?? NO_HOLIDAYS)) return true;
  const { hour } = toJalali(at);
  return hour >= quiet.startHour || hour < quiet.endHour;
}

/** `at` itself when sending is allowed then, otherwise the next allowed morning at endHour. */
export function nextAllowedTime(at: Date, quiet: QuietHours = DEFAULT_QUIET_HOURS): Date {
  if (!isQuietTime(at, quiet)) return at;
  const now = toJalali(at);
  // Today's morning if it is still early, else tomorrow's; then skip Fridays and holidays.
  let candidate = jalaliToDate({ jy: now.jy, jm: now.jm, jd: now.jd }, { hour: quiet.endHour, minute: 0 });
  for (let i = 0; i < MAX_QUIET_DAYS && (candidate.getTime() <= at.getTime() || isQuietTime(candidate, quiet)); i++) {
    const next = new Date(candidate.getTime() + 24 * 60 * 60 * 1000);
    const day = toJalali(next);
    candidate = jalaliToDate({ jy: day.jy, jm: day.jm, jd: day.jd }, { hour: quiet.endHour, minute: 0 });
  }
  return candidate;
}
