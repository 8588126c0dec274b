/**
 * When a deadline's reminders go out, as pure functions of the due date, the reminder days and an
 * injected `now` (no clock, no database), so that the engine's rules are tested without either.
 *
 * - A reminder falls at 09:00 Tehran on the day `n` days before the due date (0 = the due date).
 * - A slot on a Friday, an official holiday (the set passed in, see platform/text/working-days.ts) or
 *   in quiet hours moves to the next allowed morning at the same hour; a slot that would then come at
 *   or after the due time moves back instead, to the latest allowed morning before it (a reminder
 *   after the deadline reminds nobody). Slots that land on the same instant collapse into the one
 *   closest to the due date.
 * - The overdue notice falls on the morning after the due date, moved forward the same way.
 * - At any moment only the latest slot that has come is "due": after downtime the engine sends that
 *   one (marked late when more than an hour late) rather than every reminder it missed.
 *
 * Tehran has had no daylight saving time since 2022; days are counted on the Jalali calendar
 * (through the Gregorian day number, so leap years such as 1403 with its 30 Esfand need no special case).
 */
import { toGregorian, toJalaali } from 'jalaali-js';
import { addJalaliMonths, daysBetweenTehran, jalaliToDate, toJalali, type JalaliDate } from '../../platform/text/jalali.js';
import { DEFAULT_QUIET_HOURS, isQuietTime, nextAllowedTime, type QuietHours } from '../../platform/text/quiet-hours.js';
import { normalizeInput, type Result } from '../../platform/text/persian-text.js';
import { NO_HOLIDAYS, type Holidays } from '../../platform/text/working-days.js';

export const DEFAULT_REMINDER_DAYS: readonly number[] = [30, 7, 1, 0];
export const REMINDER_HOUR = 9;
/** A reminder sent more than this after its slot says it is late. */
export const LATE_AFTER_MS = 60 * 60 * 1000;
export const MAX_REMINDER_DAYS = 365;
export const MAX_REMINDER_COUNT = 8;
/** Approved projects get three months to be carried out (DOMAIN.md). */
export const PROJECT_MONTHS = 3;
/** A report's length in characters. */
export const REPORT_LIMITS = { min: 3, max: 3500 } as const;

const DAY_MS = 86_400_000;
/** How far a slot may be moved to find an allowed morning (a Friday needs one day, Nowruz with a Friday six). */
const MAX_SHIFT_DAYS = 14;

export interface ReminderSlot {
  /** Stable within one due date, different for another: `7d-14051124`, `overdue-14051201`. */
  key: string;
  kind: 'reminder' | 'overdue';
  /** Days before the due date the slot stands for (null for the overdue notice). */
  daysBefore: number | null;
  at: Date;
}

export interface ScheduleInput {
  dueAt: Date;
  reminderDays: readonly number[];
  quiet?: QuietHours;
  /** Official holidays: days off like Fridays (none when left out). */
  holidays?: Holidays;
  hour?: number;
}

export interface DueSlot {
  slot: ReminderSlot;
  /** More than LATE_AFTER_MS after the slot: the text says so. */
  late: boolean;
  /** Earlier slots of the schedule (after `since`) that are also past: they are not sent separately. */
  passedOver: number;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** 1405/12/01 → '14051201': part of slot keys and dedupe keys. */
export function jalaliDayKey(d: JalaliDate): string {
  return `${d.jy}${pad2(d.jm)}${pad2(d.jd)}`;
}

/** The Jalali date n calendar days after (or before, n < 0) the given one. */
export function addJalaliDays(date: JalaliDate, n: number): JalaliDate {
  const { gy, gm, gd } = toGregorian(date.jy, date.jm, date.jd);
  const moved = new Date(Date.UTC(gy, gm - 1, gd) + n * DAY_MS);
  const { jy, jm, jd } = toJalaali(moved.getUTCFullYear(), moved.getUTCMonth() + 1, moved.getUTCDate());
  return { jy, jm, jd };
}

export function tehranDateOf(d: Date): JalaliDate {
  const { jy, jm, jd } = toJalali(d);
  return { jy, jm, jd };
}

/** The last minute of a Tehran day: when a deadline given as a date only (a project's) runs out. */
export function endOfTehranDay(date: JalaliDate): Date {
  jalaliToDate(date); // throws RangeError on an impossible date, which the day after would silently fix
  return new Date(jalaliToDate(addJalaliDays(date, 1)).getTime() - 60_000);
}

/** A project's default due date: its start plus three Jalali months (day clamped to the month). */
export function defaultProjectDueDate(start: JalaliDate): JalaliDate {
  return addJalaliMonths(start, PROJECT_MONTHS);
}

function at(day: JalaliDate, hour: number): Date {
  return jalaliToDate(day, { hour, minute: 0 });
}

/** The first allowed morning at `hour` on `day` or after it. */
function allowedOnOrAfter(day: JalaliDate, hour: number, quiet: QuietHours): Date {
  for (let i = 0; i <= MAX_SHIFT_DAYS; i++) {
    const candidate = at(addJalaliDays(day, i), hour);
    if (!isQuietTime(candidate, quiet)) return candidate;
  }
  // Quiet hours that cover `hour` every day: the next allowed moment of any kind.
  return nextAllowedTime(at(day, hour), quiet);
}

/** The latest allowed morning at `hour` on `day` or before it, strictly before `limit`; null if none in two weeks. */
function allowedOnOrBefore(day: JalaliDate, hour: number, quiet: QuietHours, limit: Date): Date | null {
  for (let i = 0; i <= MAX_SHIFT_DAYS; i++) {
    const candidate = at(addJalaliDays(day, -i), hour);
    if (candidate.getTime() < limit.getTime() && !isQuietTime(candidate, quiet)) return candidate;
  }
  return null;
}

/** Every slot of a deadline, oldest first, the overdue notice last. */
export function reminderSchedule(input: ScheduleInput): ReminderSlot[] {
  const quiet: QuietHours = { ...(input.quiet ?? DEFAULT_QUIET_HOURS), holidays: input.holidays ?? input.quiet?.holidays ?? NO_HOLIDAYS };
  const hour = input.hour ?? REMINDER_HOUR;
  const due = tehranDateOf(input.dueAt);
  const dueKey = jalaliDayKey(due);
  const days = [...new Set(input.reminderDays)].filter((d) => Number.isInteger(d) && d >= 0).sort((a, b) => a - b);

  const byInstant = new Map<number, ReminderSlot>();
  // Closest to the due date first, so that a collapsed pair keeps the more urgent wording.
  for (const daysBefore of days) {
    const day = addJalaliDays(due, -daysBefore);
    let when: Date | null = allowedOnOrAfter(day, hour, quiet);
    if (when.getTime() >= input.dueAt.getTime()) when = allowedOnOrBefore(day, hour, quiet, input.dueAt);
    if (!when || byInstant.has(when.getTime())) continue;
    byInstant.set(when.getTime(), { key: `${daysBefore}d-${dueKey}`, kind: 'reminder', daysBefore, at: when });
  }
  const slots = [...byInstant.values()].sort((a, b) => a.at.getTime() - b.at.getTime());
  slots.push({ key: `overdue-${dueKey}`, kind: 'overdue', daysBefore: null, at: allowedOnOrAfter(addJalaliDays(due, 1), hour, quiet) });
  return slots;
}

/**
 * The slot due at `now`: the latest one that has come, if it came after `since` (the deadline's
 * creation: slots before it were covered by the creation notice). Null when none is due.
 */
export function dueSlot(schedule: readonly ReminderSlot[], now: Date, since?: Date): DueSlot | null {
  const eligible = schedule.filter((s) => s.at.getTime() <= now.getTime() && (!since || s.at.getTime() > since.getTime()));
  const slot = eligible.at(-1);
  if (!slot) return null;
  return { slot, late: now.getTime() - slot.at.getTime() > LATE_AFTER_MS, passedOver: eligible.length - 1 };
}

/** Whole Tehran calendar days from `now` to the due date: 0 on the due date, negative once it passed. */
export function daysLeft(dueAt: Date, now: Date): number {
  return daysBetweenTehran(now, dueAt);
}

/** Overdue from the Tehran day after the due date. */
export function isOverdue(dueAt: Date, now: Date): boolean {
  return daysLeft(dueAt, now) < 0;
}

// ---- input ------------------------------------------------------------------------------------

export type ReminderDaysError = 'format' | 'range' | 'too_many';

/** '30، 7، 1، 0' or '۳۰ ۷ ۱ ۰' → [30, 7, 1, 0] (unique, largest first). */
export function parseReminderDays(input: string): Result<number[], ReminderDaysError> {
  const parts = normalizeInput(input)
    .split(/[\s,،;؛]+/)
    .filter(Boolean);
  if (parts.length === 0 || parts.some((p) => !/^\d{1,4}$/.test(p))) return { ok: false, error: 'format' };
  const days = [...new Set(parts.map(Number))].sort((a, b) => b - a);
  if (days.some((d) => d > MAX_REMINDER_DAYS)) return { ok: false, error: 'range' };
  if (days.length > MAX_REMINDER_COUNT) return { ok: false, error: 'too_many' };
  return { ok: true, value: days };
}

/** The stored JSON, read defensively (an old or hand-edited row must not stop the engine). */
export function reminderDaysOf(value: unknown): number[] {
  if (!Array.isArray(value)) return [...DEFAULT_REMINDER_DAYS];
  return value.filter((d): d is number => Number.isInteger(d) && d >= 0 && d <= MAX_REMINDER_DAYS);
}

export type AmountError = 'format' | 'range';
const MAX_AMOUNT_TOMAN = 1_000_000_000_000; // a thousand billion toman: beyond any NGO project

/** Digits, or digits grouped by threes with one kind of separator (Persian ٬, comma, dot, space). */
const AMOUNT = /^(?:\d{1,15}|\d{1,3}(?:([,\u066C\u060C. ])\d{3})(?:\1\d{3}){0,4})$/;

/** '۲۳۰٬۰۰۰٬۰۰۰', '230,000,000' or '230000000' → 230000000 (whole toman, positive); '1.5' is refused. */
export function parseTomanAmount(input: string): Result<number, AmountError> {
  const text = normalizeInput(input).replace(/\s*(تومان|toman)$/i, '');
  if (!AMOUNT.test(text)) return { ok: false, error: 'format' };
  const amount = Number(text.replace(/\D/g, ''));
  if (amount <= 0 || amount > MAX_AMOUNT_TOMAN) return { ok: false, error: 'range' };
  return { ok: true, value: amount };
}
