/**
 * The rules of feedback (پیشنهاد، انتقاد، شکایت، پرسش) that do not depend on storage or Telegram:
 * which types exist, how much text one item may carry and how a long paste is split rather than
 * lost, which admins may read an item and who is told of it at once, and what "unanswered for N
 * working days" means on the Tehran calendar, where Fridays and official holidays are days off.
 * Error codes are the last part of i18n keys, as in the other features' rules.
 */
import { AppError } from '../../platform/errors.js';
import { startOfTehranDay } from '../../platform/text/jalali.js';
import { keepAsTyped, normalizeInput, type Result } from '../../platform/text/persian-text.js';
import { NO_HOLIDAYS, previousWorkingDay, workingDaysBetween, workingDaysCutoff, type Holidays } from '../../platform/text/working-days.js';

export { isDayOff, workingDaysBetween } from '../../platform/text/working-days.js';

export const FEEDBACK_TYPES = ['SUGGESTION', 'CRITICISM', 'COMPLAINT', 'QUESTION'] as const;
export type FeedbackType = (typeof FEEDBACK_TYPES)[number];

export const FEEDBACK_STATUSES = ['RECEIVED', 'ANSWERED', 'CLOSED'] as const;
export type FeedbackStatus = (typeof FEEDBACK_STATUSES)[number];

export function isFeedbackType(value: unknown): value is FeedbackType {
  return typeof value === 'string' && (FEEDBACK_TYPES as readonly string[]).includes(value);
}

/** Complaints cannot wait for a digest: they reach every admin who may read them at once. */
export function isUrgentType(type: FeedbackType): boolean {
  return type === 'COMPLAINT';
}

export const FEEDBACK_LIMITS = {
  /**
   * One stored message: what the issue allows per item, and below Telegram's 4,096 so that a part
   * with its header still fits in one message when an admin reads the thread.
   */
  partMax: 4000,
  /** A longer paste is split into parts up to this total; beyond it the sender is asked to shorten it. */
  totalMax: 20_000,
  /** Photos and documents on one message. */
  attachmentsMax: 10,
  /** The office's answer goes out with a header (tracking number, type) in one Telegram message. */
  replyMax: 3500,
} as const;

export const DEFAULT_DAILY_LIMIT = 5;
export const DEFAULT_REMINDER_WORKING_DAYS = 3;

/**
 * Length as Telegram counts it (UTF-16 code units), so a part that passes here is never refused by
 * the Bot API; for Persian text it is the number of letters people see.
 */
export function textLength(text: string): number {
  return text.length;
}

export type FeedbackTextError = 'empty' | 'no_letters' | 'too_long';

export interface FeedbackText {
  /** The whole text, normalised. */
  text: string;
  /** The normalised text in parts of at most `partMax`, in order; one part when it was short enough. */
  parts: string[];
  length: number;
}

export type FeedbackTextResult = { ok: true; value: FeedbackText } | { ok: false; error: FeedbackTextError; length: number; max: number };

const LETTER_OR_DIGIT = /[\p{L}\p{N}]/u;

/**
 * Checks a text the sender typed or pasted and splits it when longer than one part. `alreadyUsed`
 * is how much text the item already holds (a paste that arrives as several messages), so the total
 * stays within `totalMax`. Emoji- or punctuation-only text says nothing the office could answer.
 */
export function prepareFeedbackText(
  input: string,
  options: { alreadyUsed?: number; partMax?: number; totalMax?: number } = {},
): FeedbackTextResult {
  const partMax = options.partMax ?? FEEDBACK_LIMITS.partMax;
  const totalMax = options.totalMax ?? FEEDBACK_LIMITS.totalMax;
  // Checked on the normalised form, stored as typed ("سال ۱۴۰۶" must reach the office so).
  const checked = normalizeInput(input, { multiline: true });
  const value = keepAsTyped(input, { multiline: true });
  const length = textLength(value);
  if (checked === '') return { ok: false, error: 'empty', length, max: totalMax };
  if (!LETTER_OR_DIGIT.test(checked)) return { ok: false, error: 'no_letters', length, max: totalMax };
  const room = totalMax - (options.alreadyUsed ?? 0);
  if (length > room) return { ok: false, error: 'too_long', length, max: Math.max(0, room) };
  return { ok: true, value: { text: value, parts: splitText(value, partMax), length } };
}

/** The office's answer: one message, so no splitting; the same checks otherwise. */
export function prepareReplyText(input: string): Result<string, FeedbackTextError> & { length: number } {
  const checked = normalizeInput(input, { multiline: true });
  const value = keepAsTyped(input, { multiline: true });
  const length = textLength(value);
  if (checked === '') return { ok: false, error: 'empty', length };
  if (!LETTER_OR_DIGIT.test(checked)) return { ok: false, error: 'no_letters', length };
  if (length > FEEDBACK_LIMITS.replyMax) return { ok: false, error: 'too_long', length };
  return { ok: true, value, length };
}

/**
 * Splits a text into pieces of at most `max` code units, cutting where a reader would pause: a
 * blank line, a line break, the end of a sentence, a space; only a text without any of these in
 * the second half of a piece is cut mid-word. Surrogate pairs (emoji) are never cut, and only the
 * whitespace at a cut is dropped, so no word of the text is lost.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('max must be at least 2');
  const parts: string[] = [];
  let rest = text.trim();
  while (textLength(rest) > max) {
    const cut = cutPoint(rest, max);
    const head = rest.slice(0, cut).trimEnd();
    if (head) parts.push(head);
    rest = rest.slice(cut).trimStart();
  }
  if (rest) parts.push(rest);
  return parts;
}

const BREAKS: RegExp[] = [/\n\s*\n/g, /\n/g, /[.!?؟۔…](?=\s)/g, /\s/g];

function cutPoint(text: string, max: number): number {
  const window = text.slice(0, max);
  const floor = Math.floor(max / 2);
  for (const pattern of BREAKS) {
    let best = -1;
    for (const match of window.matchAll(pattern)) {
      const end = match.index + match[0].length;
      if (end <= max && end > floor) best = end;
    }
    if (best > 0) return best;
  }
  // No pause in the second half: cut at max, but not between the two halves of a surrogate pair.
  const code = text.charCodeAt(max - 1);
  return code >= 0xd800 && code <= 0xdbff ? max - 1 : max;
}

// ---- what a draft may carry ------------------------------------------------------------------------

export interface Attachment {
  kind: 'photo' | 'document';
  fileId: string;
  fileName?: string;
}

/** Attachments as stored or as they come back from a session (JSON): anything malformed is dropped. */
export function parseAttachments(value: unknown): Attachment[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a): Attachment[] => {
    const v = a as Partial<Attachment>;
    if ((v.kind !== 'photo' && v.kind !== 'document') || typeof v.fileId !== 'string' || !v.fileId) return [];
    return [{ kind: v.kind, fileId: v.fileId, ...(typeof v.fileName === 'string' ? { fileName: v.fileName } : {}) }];
  });
}

/** Drafts come back from the session (JSON from Redis or the database): trust nothing in them. */
export function checkParts(parts: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(parts)) throw new AppError('feedback.errors.text_empty');
  const clean = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (clean.length === 0 && !allowEmpty) throw new AppError('feedback.errors.text_empty');
  const total = clean.reduce((n, p) => n + textLength(p), 0);
  if (clean.some((p) => textLength(p) > FEEDBACK_LIMITS.partMax) || total > FEEDBACK_LIMITS.totalMax) {
    throw new AppError('feedback.errors.text_too_long', { length: total, max: FEEDBACK_LIMITS.totalMax });
  }
  return clean;
}

export function checkAttachments(value: unknown): Attachment[] {
  const attachments = parseAttachments(value);
  if (attachments.length > FEEDBACK_LIMITS.attachmentsMax) throw new AppError('feedback.errors.too_many_attachments', { max: FEEDBACK_LIMITS.attachmentsMax });
  return attachments;
}

/** The start of a text for notices and lists, cut at a word where possible. */
export function excerpt(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (textLength(flat) <= max) return flat;
  const head = splitText(flat, max - 1)[0] ?? '';
  return `${head}…`;
}

// ---- who reads what ---------------------------------------------------------------------------------

export type StaffRole = 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN';

export interface Reader {
  userId: bigint;
  role: StaffRole;
  countyId: number | null;
}

/**
 * Province-level staff read everything. A county admin reads the named items of their county's NGOs
 * only: they know the county's few NGOs and could guess who wrote an anonymous one, which may well be
 * about the county office itself.
 */
export function mayRead(admin: Omit<Reader, 'userId'>, item: { anonymous: boolean; ngo: { countyId: number } | null }): boolean {
  if (admin.role !== 'COUNTY_ADMIN') return true;
  return !item.anonymous && item.ngo !== null && item.ngo.countyId === admin.countyId;
}

/**
 * Who is told at once of a new item or a follow-up, among the admins who may read it. Complaints go to
 * every reader; otherwise those who chose the daily digest read it there. A follow-up on an assigned
 * item goes to its assignee alone, who is already working on it.
 */
export function noticeRecipients<A extends { userId: bigint }>(
  readers: readonly A[],
  item: { type: FeedbackType; assignedTo: bigint | null },
  event: 'new' | 'followup',
  digestReaders: ReadonlySet<bigint>,
): A[] {
  let chosen = [...readers];
  if (event === 'followup' && item.assignedTo !== null) {
    const assignee = chosen.filter((a) => a.userId === item.assignedTo);
    if (assignee.length) chosen = assignee;
  }
  return isUrgentType(item.type) ? chosen : chosen.filter((a) => !digestReaders.has(a.userId));
}

/** Who is reminded of each overdue item: its assignee when they may still read it, else every reader. */
export function remindersByAdmin<I extends { anonymous: boolean; ngo: { countyId: number } | null; assignedTo: bigint | null }>(
  admins: readonly Reader[],
  items: readonly I[],
): Map<bigint, I[]> {
  const perAdmin = new Map<bigint, I[]>();
  for (const item of items) {
    const readers = admins.filter((a) => mayRead(a, item));
    const assignee = readers.find((a) => a.userId === item.assignedTo);
    for (const a of assignee ? [assignee] : readers) perAdmin.set(a.userId, [...(perAdmin.get(a.userId) ?? []), item]);
  }
  return perAdmin;
}

// ---- working days ----------------------------------------------------------------------------------
// The calendar (Fridays and the official holidays) is platform/text/working-days.ts; the holidays come
// from the holidays table, loaded by the service that runs the job.

/** True when something waiting since `waitingSince` has been left `workingDays` working days or more. */
export function isOverdue(waitingSince: Date, now: Date, workingDays: number, holidays: Holidays = NO_HOLIDAYS): boolean {
  return workingDaysBetween(waitingSince, now, holidays) >= workingDays;
}

/**
 * The instant before which a waiting item is overdue at `now`: `waitingSince < cutoff` exactly when
 * `isOverdue(waitingSince, now, workingDays, holidays)`, so the database can do the filtering.
 */
export function overdueCutoff(now: Date, workingDays: number, holidays: Holidays): Date {
  return workingDaysCutoff(now, workingDays, holidays);
}

/** At most one reminder a day: none yet today (Tehran) for this item. */
export function needsReminderToday(lastReminderAt: Date | null, now: Date): boolean {
  return lastReminderAt === null || lastReminderAt.getTime() < startOfTehranDay(now).getTime();
}

/**
 * Where the daily digest sent at `at` starts: the same time on the previous working day, so the first
 * digest after a Friday or a holiday also covers what came in then, when no digest goes out.
 */
export function digestWindowStart(at: Date, holidays: Holidays): Date {
  return previousWorkingDay(at, holidays);
}
