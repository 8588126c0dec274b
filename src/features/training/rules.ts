/**
 * The rules of training needs and courses, free of storage and Telegram so they can be tested alone:
 * what an admin may type, how many seats are left, who may enrol and when, who is promoted from the
 * waitlist, which reminder is due, who is asked to rate. Time always comes in as an argument.
 *
 * Decisions worth knowing:
 * - An NGO's request is all or nothing: when its participants do not fit in the seats left, or
 *   other NGOs are already waiting, it joins the waitlist whole. Splitting a group across the course
 *   and the waitlist would leave the NGO not knowing who may come.
 * - The waitlist is strict first come, first served: freed seats go to the head of the queue; when
 *   the head needs more seats than are free, nobody behind it jumps ahead (it can decline, or an
 *   admin can raise the capacity). Nobody on the list is overtaken by a smaller, later request.
 * - Requesters (NGOs whose open need names the course's topic) hear of a course first; everyone
 *   else hears `headStartHours` later and cannot enrol before then.
 */
import { normalizeInput, toAsciiDigits, validateText, type Result, type TextError } from '../../platform/text/persian-text.js';

export const DEFAULT_HEAD_START_HOURS = 24;
/** Attendance not marked this many hours after the end: every enrolled NGO is asked to rate. */
export const ATTENDANCE_GRACE_HOURS = 24;
/** Rating requests are not sent for courses that ended longer ago than this. */
export const RATING_WINDOW_DAYS = 14;

export const COURSE_TITLE_LIMITS = { min: 3, max: 120 } as const;
export const COURSE_DESCRIPTION_MAX = 1000;
export const PLACE_LIMITS = { min: 3, max: 300 } as const;
export const NEED_DESCRIPTION_LIMITS = { min: 5, max: 500 } as const;
export const OTHER_TOPIC_LIMITS = { min: 3, max: 100 } as const;
export const RATING_COMMENT_MAX = 500;
export const MAX_NEED_PARTICIPANTS = 500;
export const MAX_CAPACITY = 10_000;
export const DURATION_LIMITS = { min: 15, max: 24 * 60 } as const;
export const MIN_SCORE = 1;
export const MAX_SCORE = 5;

const HOUR_MS = 3_600_000;

export type TrainingFormat = 'IN_PERSON' | 'ONLINE';
export const FORMATS: readonly TrainingFormat[] = ['IN_PERSON', 'ONLINE'];
export const isFormat = (v: unknown): v is TrainingFormat => v === 'IN_PERSON' || v === 'ONLINE';
export type EnrollmentStatus = 'ENROLLED' | 'WAITLISTED' | 'CANCELLED';

export interface Eligibility {
  countyIds: number[];
  fieldIds: number[];
}

export const ALL_NGOS: Eligibility = { countyIds: [], fieldIds: [] };

// ---- input ---------------------------------------------------------------------------------------

export type CountError = 'format' | 'range';

/** A whole number typed in any digits, with thousands separators tolerated: '۱۲', '1,200'. */
export function parseCount(input: string, min: number, max: number): Result<number, CountError> {
  const value = toAsciiDigits(normalizeInput(input)).replace(/[,،٬\s]/g, '');
  if (!/^\d{1,9}$/.test(value)) return { ok: false, error: 'format' };
  const n = Number(value);
  if (n < min || n > max) return { ok: false, error: 'range' };
  return { ok: true, value: n };
}

export function validateCourseTitle(input: string): Result<string, TextError> {
  return validateText(input, COURSE_TITLE_LIMITS);
}

export function validateCourseDescription(input: string): Result<string, TextError> {
  return validateText(input, { min: 1, max: COURSE_DESCRIPTION_MAX, multiline: true });
}

export function validatePlace(input: string): Result<string, TextError> {
  return validateText(input, { ...PLACE_LIMITS, multiline: true });
}

export function validateNeedDescription(input: string): Result<string, TextError> {
  return validateText(input, { ...NEED_DESCRIPTION_LIMITS, multiline: true });
}

export function validateOtherTopic(input: string): Result<string, TextError> {
  return validateText(input, OTHER_TOPIC_LIMITS);
}

export function validateRatingComment(input: string): Result<string, TextError> {
  return validateText(input, { min: 1, max: RATING_COMMENT_MAX, multiline: true });
}

/** Only web links: a course link is opened by NGO members, so nothing but http(s) is passed on. */
export function validateOnlineLink(input: string): Result<string, 'format'> {
  const value = normalizeInput(input);
  if (value.length > 500 || /\s/.test(value)) return { ok: false, error: 'format' };
  try {
    const url = new URL(value);
    if ((url.protocol !== 'https:' && url.protocol !== 'http:') || !url.hostname.includes('.')) return { ok: false, error: 'format' };
    return { ok: true, value: url.toString() };
  } catch {
    return { ok: false, error: 'format' };
  }
}

/**
 * Minutes, typed as '90', '۹۰' or hours and minutes '1:30'. Between a quarter of an hour and a day:
 * a course of several days is published as several sessions.
 */
export function parseDuration(input: string): Result<number, CountError> {
  const value = toAsciiDigits(normalizeInput(input));
  const hm = /^(\d{1,2})\s*[:.\u066B]\s*(\d{2})$/.exec(value);
  let minutes: number;
  if (hm) {
    if (Number(hm[2]) > 59) return { ok: false, error: 'format' };
    minutes = Number(hm[1]) * 60 + Number(hm[2]);
  } else if (/^\d{1,4}$/.test(value)) {
    minutes = Number(value);
  } else {
    return { ok: false, error: 'format' };
  }
  if (minutes < DURATION_LIMITS.min || minutes > DURATION_LIMITS.max) return { ok: false, error: 'range' };
  return { ok: true, value: minutes };
}

export function validateCapacity(input: string): Result<number, CountError> {
  return parseCount(input, 1, MAX_CAPACITY);
}

export function validatePerNgoLimit(input: string, capacity: number): Result<number, CountError> {
  return parseCount(input, 1, capacity);
}

export function validateNeedParticipants(input: string): Result<number, CountError> {
  return parseCount(input, 1, MAX_NEED_PARTICIPANTS);
}

// ---- schedule ------------------------------------------------------------------------------------

export type ScheduleError = 'start_past' | 'deadline_past' | 'deadline_after_start';

/** A course starts in the future and closes registration before it starts (and not in the past). */
export function checkSchedule(now: Date, startsAt: Date, registrationDeadline: Date): ScheduleError | null {
  if (startsAt.getTime() <= now.getTime()) return 'start_past';
  if (registrationDeadline.getTime() > startsAt.getTime()) return 'deadline_after_start';
  if (registrationDeadline.getTime() <= now.getTime()) return 'deadline_past';
  return null;
}

export function courseEnd(course: { startsAt: Date; durationMinutes: number }): Date {
  return new Date(course.startsAt.getTime() + course.durationMinutes * 60_000);
}

// ---- seats ---------------------------------------------------------------------------------------

export interface SeatHolder {
  status: EnrollmentStatus;
  participants: number;
}

export function seatsTaken(enrollments: readonly SeatHolder[]): number {
  return enrollments.filter((e) => e.status === 'ENROLLED').reduce((sum, e) => sum + e.participants, 0);
}

export function seatsLeft(capacity: number, taken: number): number {
  return Math.max(0, capacity - taken);
}

export type EnrolmentRefusal = 'participants_range' | 'over_limit';

/**
 * Where a request of `participants` lands: a seat when all of them fit and nobody is waiting,
 * the waitlist otherwise (see the module comment for why whole requests only).
 */
export function placeRequest(input: {
  capacity: number;
  taken: number;
  waiting: number;
  perNgoLimit: number;
  participants: number;
}): Result<'ENROLLED' | 'WAITLISTED', EnrolmentRefusal> {
  if (!Number.isInteger(input.participants) || input.participants < 1) return { ok: false, error: 'participants_range' };
  if (input.participants > input.perNgoLimit) return { ok: false, error: 'over_limit' };
  const fits = input.participants <= seatsLeft(input.capacity, input.taken);
  return { ok: true, value: fits && input.waiting === 0 ? 'ENROLLED' : 'WAITLISTED' };
}

export interface WaitlistEntry {
  id: number;
  participants: number;
  waitlistedAt: Date | null;
}

/** The waitlist in the order it is served: who joined first, then (same instant) the lower id. */
export function waitlistOrder<T extends WaitlistEntry>(entries: readonly T[]): T[] {
  const at = (e: WaitlistEntry) => e.waitlistedAt?.getTime() ?? Number.MAX_SAFE_INTEGER;
  return [...entries].sort((a, b) => at(a) - at(b) || a.id - b.id);
}

/** 1-based place of an entry on the waitlist, or null when it is not on it. */
export function waitlistPosition(entries: readonly WaitlistEntry[], id: number): number | null {
  const index = waitlistOrder(entries).findIndex((e) => e.id === id);
  return index < 0 ? null : index + 1;
}

/** Ids to move from the waitlist to seats, head first, stopping at the first request that does not fit. */
export function promotions(capacity: number, taken: number, waitlist: readonly WaitlistEntry[]): number[] {
  let free = seatsLeft(capacity, taken);
  const promoted: number[] = [];
  for (const entry of waitlistOrder(waitlist)) {
    if (entry.participants > free) break;
    promoted.push(entry.id);
    free -= entry.participants;
  }
  return promoted;
}

// ---- who may enrol, and when ------------------------------------------------------------------------

export interface NgoProfile {
  status: string;
  countyId: number;
  fieldIds: readonly number[];
}

export function parseEligibility(value: unknown): Eligibility {
  const v = (value ?? {}) as Partial<Eligibility>;
  const ints = (a: unknown) => (Array.isArray(a) ? [...new Set(a.filter((x): x is number => Number.isInteger(x)))] : []);
  return { countyIds: ints(v.countyIds), fieldIds: ints(v.fieldIds) };
}

/** Approved NGOs of the listed counties (any, when none listed) working in a listed field (any, when none listed). */
export function isEligible(ngo: NgoProfile, eligibility: Eligibility): boolean {
  if (ngo.status !== 'APPROVED') return false;
  if (eligibility.countyIds.length && !eligibility.countyIds.includes(ngo.countyId)) return false;
  if (eligibility.fieldIds.length && !ngo.fieldIds.some((f) => eligibility.fieldIds.includes(f))) return false;
  return true;
}

export function headStartEnd(publishedAt: Date, hours = DEFAULT_HEAD_START_HOURS): Date {
  return new Date(publishedAt.getTime() + hours * HOUR_MS);
}

export type RegistrationState = 'open' | 'cancelled' | 'finished' | 'closed' | 'not_yet';

/** Whether this NGO may enrol now: the course is open, and the head start is over or it asked for the topic. */
export function registrationState(
  course: { status: string; startsAt: Date; registrationDeadline: Date; headStartUntil: Date | null },
  now: Date,
  isRequester: boolean,
): RegistrationState {
  if (course.status === 'CANCELLED') return 'cancelled';
  if (course.status === 'FINISHED') return 'finished';
  if (now.getTime() >= course.registrationDeadline.getTime() || now.getTime() >= course.startsAt.getTime()) return 'closed';
  if (course.headStartUntil && now.getTime() < course.headStartUntil.getTime() && !isRequester) return 'not_yet';
  return 'open';
}

// ---- reminders and ratings -------------------------------------------------------------------------

export type ReminderKind = '1d' | '2h';

export const REMINDER_OFFSETS_MS: Record<ReminderKind, number> = { '1d': 24 * HOUR_MS, '2h': 2 * HOUR_MS };

/**
 * The reminder whose window `now` is in: a day before until two hours before the start, then two
 * hours before until the start. Each window has one reminder, so a tick that runs late still sends
 * it, and a course rescheduled later gets its reminders again (new windows).
 */
export function dueReminder(startsAt: Date, now: Date): ReminderKind | null {
  const left = startsAt.getTime() - now.getTime();
  if (left <= 0) return null;
  if (left <= REMINDER_OFFSETS_MS['2h']) return '2h';
  if (left <= REMINDER_OFFSETS_MS['1d']) return '1d';
  return null;
}

/**
 * An NGO that took its seat after a reminder's moment has just been told the time in its
 * confirmation; a reminder minutes later would only repeat it.
 */
export function reminderWanted(kind: ReminderKind, startsAt: Date, seatTakenAt: Date): boolean {
  return seatTakenAt.getTime() < startsAt.getTime() - REMINDER_OFFSETS_MS[kind];
}

/**
 * Who is asked to rate a finished course: NGOs marked as present once attendance has been marked;
 * before that nobody, until ATTENDANCE_GRACE_HOURS after the end, when every enrolled NGO not marked
 * absent is asked (an office that never marks attendance still hears from its participants).
 */
export function ratingAudience<T extends { status: EnrollmentStatus; attended: boolean | null }>(
  enrollments: readonly T[],
  end: Date,
  now: Date,
  graceHours = ATTENDANCE_GRACE_HOURS,
): T[] {
  if (now.getTime() < end.getTime()) return [];
  const enrolled = enrollments.filter((e) => e.status === 'ENROLLED');
  if (enrolled.some((e) => e.attended !== null)) return enrolled.filter((e) => e.attended === true);
  if (now.getTime() < end.getTime() + graceHours * HOUR_MS) return [];
  return enrolled;
}

export function isScore(value: number): boolean {
  return Number.isInteger(value) && value >= MIN_SCORE && value <= MAX_SCORE;
}

export function averageScore(scores: readonly number[]): number | null {
  if (scores.length === 0) return null;
  return Math.round((scores.reduce((a, b) => a + b, 0) / scores.length) * 10) / 10;
}

// ---- demand -----------------------------------------------------------------------------------------

export interface NeedFact {
  ngoId: number;
  participants: number;
  createdAt: Date;
}

export interface DemandRow<K> {
  key: K;
  ngos: number;
  people: number;
  requests: number;
  latest: Date;
}

/** Open needs grouped by `keyOf` (a topic, a county): distinct NGOs, people, newest group first. */
export function aggregateDemand<T extends NeedFact, K>(needs: readonly T[], keyOf: (need: T) => K): DemandRow<K>[] {
  const groups = new Map<K, { ngos: Set<number>; people: number; requests: number; latest: number }>();
  for (const need of needs) {
    const key = keyOf(need);
    const g = groups.get(key) ?? { ngos: new Set<number>(), people: 0, requests: 0, latest: 0 };
    g.ngos.add(need.ngoId);
    g.people += need.participants;
    g.requests += 1;
    g.latest = Math.max(g.latest, need.createdAt.getTime());
    groups.set(key, g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, ngos: g.ngos.size, people: g.people, requests: g.requests, latest: new Date(g.latest) }))
    .sort((a, b) => b.latest.getTime() - a.latest.getTime() || b.people - a.people);
}
