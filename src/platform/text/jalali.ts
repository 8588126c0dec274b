/**
 * Why this exists: every date a user sees or types is a Solar Hijri (Jalali) date on the Tehran
 * wall clock, while everything we store and schedule is a UTC instant. This module is the one
 * place where the two meet, so the bot never depends on the server's TZ setting.
 *
 * Time-zone choice: Tehran wall-clock time is read through Intl with timeZone 'Asia/Tehran'
 * rather than a hard-coded +03:30. Iran dropped daylight saving time in 2022, so today both give
 * the same answer, but Intl also gets older records right (+04:30 in past summers) and follows a
 * tzdata update if the law changes again. Calendar arithmetic uses jalaali-js, whose leap years
 * match ICU's Persian calendar for the years 1300–1500.
 */
import { isValidJalaaliDate, jalaaliMonthLength, toGregorian, toJalaali } from 'jalaali-js';
import { normalizeInput, toPersianDigits, type Result } from './persian-text.js';

export interface JalaliDate {
  jy: number;
  /** 1 = Farvardin … 12 = Esfand */
  jm: number;
  jd: number;
}

export interface TimeOfDay {
  /** 0–23 */
  hour: number;
  /** 0–59 */
  minute: number;
}

/** Day of the Iranian week: 0 = Saturday (شنبه) … 6 = Friday (جمعه). */
export type IranianWeekday = 0 | 1 | 2 | 3 | 4 | 5 | 6;

export interface TehranDateTime extends JalaliDate, TimeOfDay {
  weekday: IranianWeekday;
}

export type JalaliDateError = 'format' | 'year' | 'month' | 'day';
export type TimeError = 'format' | 'hour' | 'minute';
export type JalaliDateTimeResult =
  | { ok: true; value: Date }
  | { ok: false; field: 'date'; error: JalaliDateError }
  | { ok: false; field: 'time'; error: TimeError };

/** Years an admin may sensibly type; anything else is a typo (e.g. a Gregorian year). */
export const MIN_JALALI_YEAR = 1300;
export const MAX_JALALI_YEAR = 1500;

export const JALALI_MONTH_NAMES = [
  'فروردین',
  'اردیبهشت',
  'خرداد',
  'تیر',
  'مرداد',
  'شهریور',
  'مهر',
  'آبان',
  'آذر',
  'دی',
  'بهمن',
  'اسفند',
] as const;

/** Indexed by IranianWeekday. */
export const IRANIAN_WEEKDAY_NAMES = [
  'شنبه',
  'یکشنبه',
  'دوشنبه',
  'سه‌شنبه',
  'چهارشنبه',
  'پنج‌شنبه',
  'جمعه',
] as const;

export const TEHRAN_TIME_ZONE = 'Asia/Tehran';
const DAY_MS = 86_400_000;

const tehranClock = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
  timeZone: TEHRAN_TIME_ZONE,
  hourCycle: 'h23',
  year: 'numeric',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  second: 'numeric',
});

interface GregorianWallClock {
  gy: number;
  gm: number;
  gd: number;
  hour: number;
  minute: number;
  second: number;
}

function assertValidInstant(d: Date): void {
  if (Number.isNaN(d.getTime())) throw new RangeError('Invalid Date');
}

/** Tehran's wall clock as Intl reads it (the time zone database): the slow path, once per half hour of time. */
function intlWallClock(d: Date): GregorianWallClock {
  const parts: Record<string, number> = {};
  for (const part of tehranClock.formatToParts(d)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    gy: parts.year ?? NaN,
    gm: parts.month ?? NaN,
    gd: parts.day ?? NaN,
    hour: parts.hour ?? NaN,
    minute: parts.minute ?? NaN,
    second: parts.second ?? NaN,
  };
}

const HALF_HOUR_MS = 1_800_000;
// Tehran's offset only ever changed at a half hour of UTC (Iran's clocks moved at local midnight, 20:30
// UTC), so it is the same for every instant of a UTC half hour: asked of Intl once per half hour, not
// for every date the bot shows (formatToParts was 3% of the bot's CPU).
const offsetByHalfHour = new Map<number, number>();

/** Tehran's offset from UTC in milliseconds at the given instant (+03:30 → 12 600 000). */
function tehranOffsetMs(epochMs: number): number {
  const halfHour = Math.floor(epochMs / HALF_HOUR_MS);
  const known = offsetByHalfHour.get(halfHour);
  if (known !== undefined) return known;
  const start = halfHour * HALF_HOUR_MS;
  const offset = offsetAt(start);
  // Only whole minutes are the same for the whole half hour: before 1946 Tehran kept local mean time
  // (+3:25:44), and its one change to +3:30 fell at 20:34:16 UTC. Such instants ask Intl each time.
  if (offset % 60_000 !== 0) return offsetAt(Math.floor(epochMs / 1000) * 1000);
  if (offsetByHalfHour.size >= 50_000) offsetByHalfHour.clear();
  offsetByHalfHour.set(halfHour, offset);
  return offset;
}

function offsetAt(epochMs: number): number {
  const w = intlWallClock(new Date(epochMs));
  // setUTCFullYear, not Date.UTC: Date.UTC reads the years 0-99 as 1900-1999.
  const wall = new Date(0);
  wall.setUTCFullYear(w.gy, w.gm - 1, w.gd);
  wall.setUTCHours(w.hour, w.minute, w.second, 0);
  return wall.getTime() - epochMs;
}

function tehranWallClock(d: Date): GregorianWallClock {
  assertValidInstant(d);
  const wall = new Date(d.getTime() + tehranOffsetMs(d.getTime()));
  return {
    gy: wall.getUTCFullYear(),
    gm: wall.getUTCMonth() + 1,
    gd: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
  };
}

function weekdayOfGregorian(gy: number, gm: number, gd: number): IranianWeekday {
  // getUTCDay: 0 = Sunday … 6 = Saturday; shift so Saturday is 0.
  return ((new Date(Date.UTC(gy, gm - 1, gd)).getUTCDay() + 1) % 7) as IranianWeekday;
}

/** The Jalali date, time and weekday of an instant on the Tehran wall clock. */
export function toJalali(d: Date): TehranDateTime {
  const w = tehranWallClock(d);
  const { jy, jm, jd } = toJalaali(w.gy, w.gm, w.gd);
  return { jy, jm, jd, hour: w.hour, minute: w.minute, weekday: weekdayOfGregorian(w.gy, w.gm, w.gd) };
}

export function isFridayInTehran(d: Date): boolean {
  return toJalali(d).weekday === 6;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** '۱۴۰۵/۰۸/۳۰' */
export function formatJalaliDate(d: Date): string {
  const { jy, jm, jd } = toJalali(d);
  return toPersianDigits(`${jy}/${pad2(jm)}/${pad2(jd)}`);
}

/** '۱۴۰۵/۰۸/۳۰ ساعت ۰۹:۰۰' */
export function formatJalaliDateTime(d: Date): string {
  const { jy, jm, jd, hour, minute } = toJalali(d);
  return toPersianDigits(`${jy}/${pad2(jm)}/${pad2(jd)} ساعت ${pad2(hour)}:${pad2(minute)}`);
}

/** 'شنبه ۳۰ آبان ۱۴۰۵' */
export function formatJalaliLong(d: Date): string {
  const { jy, jm, jd, weekday } = toJalali(d);
  return `${IRANIAN_WEEKDAY_NAMES[weekday]} ${toPersianDigits(jd)} ${JALALI_MONTH_NAMES[jm - 1]} ${toPersianDigits(jy)}`;
}

// Separators people use between date parts: slash, dash, dot, Arabic date separator, division slash.
const DATE_PATTERN = /^(\d{1,4})\s*([/\-.\u060D\u2215])\s*(\d{1,2})\s*\2\s*(\d{1,2})$/;

/**
 * Parse an admin-typed date such as '1405/8/30', '۱۴۰۵/۰۸/۳۰' or '1405-08-30'. Checks are made
 * in the order year, month, day so the error names the first wrong part.
 */
export function parseJalaliDate(input: string): Result<JalaliDate, JalaliDateError> {
  const match = DATE_PATTERN.exec(normalizeInput(input));
  if (!match) return { ok: false, error: 'format' };
  const jy = Number(match[1]);
  const jm = Number(match[3]);
  const jd = Number(match[4]);
  if (jy < MIN_JALALI_YEAR || jy > MAX_JALALI_YEAR) return { ok: false, error: 'year' };
  if (jm < 1 || jm > 12) return { ok: false, error: 'month' };
  if (jd < 1 || jd > jalaaliMonthLength(jy, jm)) return { ok: false, error: 'day' };
  return { ok: true, value: { jy, jm, jd } };
}

const TIME_PATTERN = /^(\d{1,2})(?:\s*[:.\u066B]\s*(\d{2}))?$/;

/** Parse '9:00', '09:30', '۱۸:۴۵' or a bare hour '9' (→ 09:00). */
export function parseTime(input: string): Result<TimeOfDay, TimeError> {
  const match = TIME_PATTERN.exec(normalizeInput(input));
  if (!match) return { ok: false, error: 'format' };
  const hour = Number(match[1]);
  const minute = match[2] === undefined ? 0 : Number(match[2]);
  if (hour > 23) return { ok: false, error: 'hour' };
  if (minute > 59) return { ok: false, error: 'minute' };
  return { ok: true, value: { hour, minute } };
}

/**
 * The UTC instant at which Tehran's wall clock shows the given Jalali date and time.
 * Throws RangeError on an impossible date or time: callers are expected to have parsed input first.
 */
export function jalaliToDate(date: JalaliDate, time: TimeOfDay = { hour: 0, minute: 0 }): Date {
  const { jy, jm, jd } = date;
  const { hour, minute } = time;
  if (!Number.isInteger(jy) || !Number.isInteger(jm) || !Number.isInteger(jd) || !isValidJalaaliDate(jy, jm, jd)) {
    throw new RangeError(`Invalid Jalali date ${jy}/${jm}/${jd}`);
  }
  if (!Number.isInteger(hour) || !Number.isInteger(minute) || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    throw new RangeError(`Invalid time ${hour}:${minute}`);
  }
  const { gy, gm, gd } = toGregorian(jy, jm, jd);
  const wallAsUtc = Date.UTC(gy, gm - 1, gd, hour, minute);
  // The offset depends on the instant we are looking for; a second pass settles it should the
  // first guess fall on the other side of an offset change.
  const firstGuess = wallAsUtc - tehranOffsetMs(wallAsUtc);
  const offset = tehranOffsetMs(firstGuess);
  return new Date(wallAsUtc - offset);
}

/** Parse a date and a time typed separately into the UTC instant they mean in Tehran. */
export function parseJalaliDateTime(dateInput: string, timeInput: string): JalaliDateTimeResult {
  const date = parseJalaliDate(dateInput);
  if (!date.ok) return { ok: false, field: 'date', error: date.error };
  const time = parseTime(timeInput);
  if (!time.ok) return { ok: false, field: 'time', error: time.error };
  return { ok: true, value: jalaliToDate(date.value, time.value) };
}

/**
 * Move by whole months, clamping the day to the target month's length (1405/06/31 + 1 month →
 * 1405/07/30), as recurring monthly announcements need. n may be negative.
 */
export function addJalaliMonths(date: JalaliDate, n: number): JalaliDate {
  if (!Number.isInteger(n)) throw new RangeError(`Month count must be an integer, got ${n}`);
  const index = date.jy * 12 + (date.jm - 1) + n;
  const jy = Math.floor(index / 12);
  const jm = index - jy * 12 + 1;
  return { jy, jm, jd: Math.min(date.jd, jalaaliMonthLength(jy, jm)) };
}

/** Midnight on the Tehran wall clock of the day that contains d, as a UTC instant. */
export function startOfTehranDay(d: Date): Date {
  const { jy, jm, jd } = toJalali(d);
  return jalaliToDate({ jy, jm, jd });
}

/**
 * Calendar days from a to b on the Tehran wall clock (positive when b is later): 23:59 and the
 * following 00:01 are one day apart, two noons of the same day are zero.
 */
export function daysBetweenTehran(a: Date, b: Date): number {
  const wa = tehranWallClock(a);
  const wb = tehranWallClock(b);
  return Math.round((Date.UTC(wb.gy, wb.gm - 1, wb.gd) - Date.UTC(wa.gy, wa.gm - 1, wa.gd)) / DAY_MS);
}
