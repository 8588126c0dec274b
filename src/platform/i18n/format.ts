/**
 * One formatter per language for everything a message shows that is not words: digits, quantities,
 * Jalali dates and times, phone numbers. Persian readers get Persian digits and the Persian names of
 * months; English readers get the same Jalali calendar (the office works in it) in Latin digits, made by
 * Intl's Persian calendar rather than by rewriting Persian strings.
 */
import { formatJalaliDate, formatJalaliDateTime, formatJalaliLong, toJalali } from '../text/jalali.js';
import { formatNumber, toPersianDigits } from '../text/persian-text.js';
import { formatIranMobileForDisplay } from '../text/phone.js';
import { AppError } from '../errors.js';
import { BoundedMap } from '../bounded-map.js';
import { escapeHtml, type Language, type Translator } from './index.js';

export interface Formatter {
  readonly lang: Language;
  /** Digits as they are read one by one: tracking numbers, years, counts in a sentence ('۱۲۳۴'). */
  digits(value: string | number): string;
  /** A quantity, grouped by thousands ('۴٬۰۰۰', '4,000'). */
  number(n: number): string;
  /** '۱۴۰۵/۰۸/۳۰' or '1405/08/30' (Tehran). */
  date(d: Date): string;
  /** '۱۴۰۵/۰۸/۳۰ ساعت ۰۹:۰۰' or '1405/08/30 09:00' (Tehran). */
  dateTime(d: Date): string;
  /** 'شنبه ۳۰ آبان ۱۴۰۵ ساعت ۰۹:۰۰' or '1405/08/30 09:00': for the time of an event people plan around. */
  when(d: Date): string;
  /** '۰۹۱۲ ۳۴۵ ۶۷۸۹' or the number as stored. */
  phone(e164OrLocal: string): string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

const englishJalali = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
  timeZone: 'Asia/Tehran',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

function englishParts(d: Date): { date: string; time: string } {
  const part: Record<string, string> = {};
  for (const p of englishJalali.formatToParts(d)) part[p.type] = p.value;
  return { date: `${part.year}/${part.month}/${part.day}`, time: `${part.hour}:${part.minute}` };
}

/**
 * A date's text by its moment: the same few moments (a course's start, a deadline, this morning's items)
 * are shown to every member who opens a list, and the calendar conversion was a good part of what a
 * course's line cost (issue 12). The most recent moments are kept, per formatter and kind of text.
 */
function byMoment(format: (d: Date) => string): (d: Date) => string {
  const texts = new BoundedMap<number, string>(2_000);
  return (d) => {
    const moment = d.getTime();
    let text = texts.get(moment);
    if (text === undefined) texts.set(moment, (text = format(d)));
    return text;
  };
}

const persian: Formatter = {
  lang: 'fa',
  digits: (value) => toPersianDigits(value),
  number: (n) => formatNumber(n),
  date: byMoment(formatJalaliDate),
  dateTime: byMoment(formatJalaliDateTime),
  when: byMoment((d) => {
    const { hour, minute } = toJalali(d);
    return `${formatJalaliLong(d)} ساعت ${toPersianDigits(`${pad2(hour)}:${pad2(minute)}`)}`;
  }),
  phone: (p) => formatIranMobileForDisplay(p),
};

const englishDateTime = byMoment((d) => {
  const { date, time } = englishParts(d);
  return `${date} ${time}`;
});

const english: Formatter = {
  lang: 'en',
  digits: (value) => String(value),
  number: (n) => n.toLocaleString('en-US'),
  date: byMoment((d) => englishParts(d).date),
  dateTime: englishDateTime,
  when: englishDateTime,
  phone: (p) => p,
};

const FORMATTERS: Record<Language, Formatter> = { fa: persian, en: english };

export function formatterFor(lang: Language): Formatter {
  return FORMATTERS[lang];
}

/**
 * A value put into a message: escaped for HTML; numbers in the reader's digits (ids read one by one,
 * other numbers grouped); dates as the time of an event.
 */
export function shownValue(fmt: Formatter, key: string, value: unknown): string {
  if (typeof value === 'number') return /(^id$|Id$|year|Year)/.test(key) ? fmt.digits(value) : fmt.number(value);
  if (typeof value === 'bigint') return fmt.digits(value.toString());
  if (value instanceof Date) return fmt.when(value);
  return escapeHtml(value);
}

/** The text of a business refusal in the reader's language: the one place an AppError becomes words. */
export function errorMessage(t: (key: string, options?: Record<string, unknown>) => string, fmt: Formatter, err: AppError): string {
  return t(err.code, Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, shownValue(fmt, k, v)])));
}

/**
 * Everything a notice needs to speak to one reader: their texts and their formatter. A handler's ctx is
 * one already (ctx.t, ctx.fmt); a use case that writes to someone else makes one with readerFor.
 */
export interface Reader {
  t(key: string, options?: Record<string, unknown>): string;
  fmt: Formatter;
}

export function readerFor(translator: Translator, lang: Language): Reader {
  return { t: (key, options) => translator.t(lang, key, options), fmt: formatterFor(lang) };
}
