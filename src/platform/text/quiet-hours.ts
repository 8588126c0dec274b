/**
 * When the office does not write to people: at night and on Friday, the end of the Iranian week
 * (DOMAIN.md). Messages that are not urgent wait for the next allowed morning. Tehran wall-clock time.
 */
import { jalaliToDate, toJalali } from './jalali.js';

export interface QuietHours {
  /** First quiet hour of the evening (22 = from 22:00). */
  startHour: number;
  /** First allowed hour of the morning (7 = from 07:00). */
  endHour: number;
  friday: boolean;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { startHour: 22, endHour: 7, friday: true };

const FRIDAY = 6; // toJalali's weekday: 0 = Saturday ... 6 = Friday

export function isQuietTime(at: Date, quiet: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  const { hour, weekday } = toJalali(at);
  if (quiet.friday && weekday === FRIDAY) return true;
  return hour >= quiet.startHour || hour < quiet.endHour;
}

/** `at` itself when sending is allowed then, otherwise the next allowed morning at endHour. */
export function nextAllowedTime(at: Date, quiet: QuietHours = DEFAULT_QUIET_HOURS): Date {
  if (!isQuietTime(at, quiet)) return at;
  const now = toJalali(at);
  // Today's morning if it is still early, else tomorrow's; then skip a Friday.
  let candidate = jalaliToDate({ jy: now.jy, jm: now.jm, jd: now.jd }, { hour: quiet.endHour, minute: 0 });
  for (let i = 0; i < 4 && (candidate.getTime() <= at.getTime() || isQuietTime(candidate, quiet)); i++) {
    const next = new Date(candidate.getTime() + 24 * 60 * 60 * 1000);
    const day = toJalali(next);
    candidate = jalaliToDate({ jy: day.jy, jm: day.jm, jd: day.jd }, { hour: quiet.endHour, minute: 0 });
  }
  return candidate;
}
