/**
 * Recurring announcements as pure rules: when a yearly or monthly rule fires (Jalali calendar, Tehran
 * time), what a typed date means, and whether a rule's numbers are possible. No clock: `now` is passed in.
 */
import { jalaaliMonthLength } from 'jalaali-js';
import { addJalaliMonths, jalaliToDate, toJalali, type TimeOfDay } from '../../../platform/text/jalali.js';
import { normalizeInput, type Result } from '../../../platform/text/persian-text.js';

/** A yearly or monthly announcement missed by more than this (the bot was down) is skipped, not sent stale. */
export const RECURRING_MAX_LATE_MS = 3 * 86_400_000;

export interface Recurrence {
  rule: 'YEARLY' | 'MONTHLY';
  /** YEARLY only: 1–12. */
  month?: number | null;
  /** 1–31, clamped to the month's length (30 Esfand in a common year falls on the 29th). */
  day: number;
  hour: number;
  minute: number;
}

export interface Occurrence {
  /** '1405' for a yearly rule, '1405-05' for a monthly one: what RecurringBroadcast.lastPeriod records. */
  period: string;
  at: Date;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** The occurrence of the rule in the Jalali year or month that contains `now` (it may be before or after `now`). */
export function occurrenceAround(rule: Recurrence, now: Date): Occurrence {
  const { jy, jm } = toJalali(now);
  const month = rule.rule === 'YEARLY' ? (rule.month ?? 1) : jm;
  const time: TimeOfDay = { hour: rule.hour, minute: rule.minute };
  const day = Math.min(rule.day, jalaaliMonthLength(jy, month));
  return {
    period: rule.rule === 'YEARLY' ? String(jy) : `${jy}-${pad2(jm)}`,
    at: jalaliToDate({ jy, jm: month, jd: day }, time),
  };
}

/** The next time the rule fires strictly after `now`. */
export function nextOccurrence(rule: Recurrence, now: Date): Occurrence {
  const current = occurrenceAround(rule, now);
  if (current.at.getTime() > now.getTime()) return current;
  const { jy, jm } = toJalali(now);
  // The same day of the next period: the middle of it is safely inside.
  const next = addJalaliMonths({ jy, jm, jd: 15 }, rule.rule === 'YEARLY' ? 12 : 1);
  return occurrenceAround(rule, jalaliToDate(next));
}

/** Whether an occurrence should be sent now: it has come, this period was not sent, and it is not stale. */
export function occurrenceState(occurrence: Occurrence, lastPeriod: string | null, now: Date): 'not-yet' | 'done' | 'too-late' | 'due' {
  if (occurrence.at.getTime() > now.getTime()) return 'not-yet';
  if (lastPeriod === occurrence.period) return 'done';
  return now.getTime() - occurrence.at.getTime() > RECURRING_MAX_LATE_MS ? 'too-late' : 'due';
}

export type RecurrenceDateError = 'format' | 'month' | 'day';

/** A yearly rule's date typed as 'month/day' ('5/20', '۰۵/۲۰'), or a monthly rule's day ('20'). */
export function parseRecurrenceDate(input: string, rule: 'YEARLY' | 'MONTHLY'): Result<{ month: number | null; day: number }, RecurrenceDateError> {
  const text = normalizeInput(input);
  if (rule === 'MONTHLY') {
    if (!/^\d{1,2}$/.test(text)) return { ok: false, error: 'format' };
    const day = Number(text);
    return day >= 1 && day <= 31 ? { ok: true, value: { month: null, day } } : { ok: false, error: 'day' };
  }
  const match = /^(\d{1,2})\s*[/\-.\u2215]\s*(\d{1,2})$/.exec(text);
  if (!match) return { ok: false, error: 'format' };
  const month = Number(match[1]);
  const day = Number(match[2]);
  if (month < 1 || month > 12) return { ok: false, error: 'month' };
  // Farvardin–Shahrivar have 31 days, Mehr–Bahman 30, Esfand 30 in leap years (29 otherwise, clamped).
  if (day < 1 || day > (month <= 6 ? 31 : 30)) return { ok: false, error: 'day' };
  return { ok: true, value: { month, day } };
}

/** The error of a rule whose numbers cannot be (a forged or stale form), or null. */
export function recurrenceError(rule: Recurrence): 'month' | 'day' | null {
  if (rule.rule === 'YEARLY' && (!rule.month || rule.month < 1 || rule.month > 12)) return 'month';
  if (rule.day < 1 || rule.day > 31 || rule.hour < 0 || rule.hour > 23 || rule.minute < 0 || rule.minute > 59) return 'day';
  return null;
}
