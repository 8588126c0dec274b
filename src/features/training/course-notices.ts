/**
 * The text of courses: the card NGOs and admins read, and every message the service queues (the
 * announcement, promotion, change, reschedule and cancellation notices, reminders, rating requests),
 * plus the roster as a CSV file. A reader is a translation function and a formatter: a handler passes
 * its `ctx`, the service one made for the recipient's language.
 */
import type { InlineKeyboard } from '../../platform/delivery/outbox.js';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { csvDocument } from '../../platform/text/csv.js';
import { toAsciiDigits } from '../../platform/text/persian-text.js';
import { formatIranMobileForDisplay } from '../../platform/text/phone.js';
import { MAX_SCORE, MIN_SCORE, seatsLeft, type ReminderKind } from './rules.js';
import type { CourseView, EnrolResult, NgoCourse, OwnEnrolment, RosterEntry } from './course-store.js';

export type T = (key: string, options?: Record<string, unknown>) => string;

export { readerFor, type Reader } from '../../platform/i18n/format.js';

/** Buttons that travel in queued messages, so old messages keep working: their data must not change. */
export const courseButtons = {
  view: callbackAction('crs_view', ARG.id),
  decline: callbackAction('crs_decline', ARG.id),
  rate: callbackAction('crs_rate', ARG.id, /^[1-5]$/),
} as const;

export interface Notice {
  text: string;
  replyMarkup?: InlineKeyboard;
}

export function durationText({ t, fmt }: Reader, minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return t('courses.card.minutes', { m: fmt.digits(m) });
  if (m === 0) return t('courses.card.hours', { h: fmt.digits(h) });
  return t('courses.card.hours_minutes', { h: fmt.digits(h), m: fmt.digits(m) });
}

/** One course as NGOs and admins read it (Telegram HTML). */
export function courseCard(r: Reader, course: CourseView, options: { seats?: boolean; description?: boolean } = {}): string {
  const { t, fmt } = r;
  const lines = [
    t('courses.card.title', { title: escapeHtml(course.title), id: fmt.digits(course.id) }),
    course.status !== 'PUBLISHED' ? t(`courses.card.status_${course.status}`) : null,
    t('courses.card.topic', { value: course.topicName ? escapeHtml(course.topicName) : t('courses.card.no_topic') }),
    t('courses.card.when', { value: fmt.when(course.startsAt) }),
    t('courses.card.duration', { value: durationText(r, course.durationMinutes) }),
    course.format === 'ONLINE'
      ? t('courses.card.online', { link: escapeHtml(course.onlineLink ?? '—') })
      : t('courses.card.in_person', { place: escapeHtml(course.place ?? '—') }),
    options.seats === false
      ? t('courses.card.capacity', { capacity: fmt.digits(course.capacity) })
      : t('courses.card.seats', { left: fmt.digits(seatsLeft(course.capacity, course.taken)), capacity: fmt.digits(course.capacity) }),
    t('courses.card.per_ngo', { limit: fmt.digits(course.perNgoLimit) }),
    t('courses.card.deadline', { value: fmt.when(course.registrationDeadline) }),
    options.description !== false && course.description ? `\n${escapeHtml(course.description)}` : null,
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

/** No seat can be had without waiting: none left, or others already in line. */
export const isFull = (course: CourseView) => seatsLeft(course.capacity, course.taken) === 0 || course.waiting > 0;

// ---- what an NGO reads in reply ------------------------------------------------------------------------

export function enrolmentLine({ t, fmt }: Reader, enrolment: OwnEnrolment): string {
  return enrolment.status === 'ENROLLED'
    ? t('courses.ngo.you_enrolled', { participants: fmt.digits(enrolment.participants) })
    : t('courses.ngo.you_waitlisted', { position: fmt.digits(enrolment.position ?? 1) });
}

/** Under an NGO's card: its seat, when it may enrol, or why it may not. */
export function ngoStateLine(r: Reader, view: NgoCourse): string | null {
  const { course, enrolment, state } = view;
  if (enrolment) return enrolmentLine(r, enrolment);
  if (state === 'not_yet' && course.headStartUntil) return r.t('courses.ngo.opens_at', { until: r.fmt.when(course.headStartUntil) });
  if (state === 'closed' || state === 'finished') return r.t('courses.ngo.closed');
  if (state === 'cancelled') return null;
  return isFull(course) ? r.t('courses.ngo.full') : null;
}

export function openCourseLine({ t, fmt }: Reader, { course, enrolment, state }: NgoCourse): string {
  return t('courses.ngo.list_item', {
    id: fmt.digits(course.id),
    title: escapeHtml(course.title),
    when: fmt.when(course.startsAt),
    place: escapeHtml(course.format === 'ONLINE' ? t('courses.format.ONLINE') : (course.place ?? '—')),
    left: fmt.digits(seatsLeft(course.capacity, course.taken)),
    capacity: fmt.digits(course.capacity),
    mark: enrolment ? t(`courses.ngo.mark_${enrolment.status}`) : state === 'not_yet' ? t('courses.ngo.mark_not_yet') : '',
  });
}

export function myCourseLine(r: Reader, course: CourseView, enrolment: OwnEnrolment): string {
  return r.t('courses.ngo.mine_item', {
    id: r.fmt.digits(course.id),
    title: escapeHtml(course.title),
    when: r.fmt.when(course.startsAt),
    state: course.status === 'PUBLISHED' ? enrolmentLine(r, enrolment) : r.t(`courses.status.${course.status}`),
  });
}

export function enrolOutcome({ t, fmt }: Reader, result: EnrolResult, participants: number): string {
  const { course } = result;
  const values = { title: escapeHtml(course.title), participants: fmt.digits(participants) };
  return result.status === 'ENROLLED'
    ? t('courses.enrol.enrolled', { ...values, when: fmt.when(course.startsAt), left: fmt.digits(seatsLeft(course.capacity, course.taken)) })
    : t('courses.enrol.waitlisted', { ...values, position: fmt.digits(result.position ?? 1) });
}

// ---- queued messages --------------------------------------------------------------------------------------

function viewButton({ t }: Reader, courseId: number): InlineKeyboard {
  return { inline_keyboard: [[{ text: t('courses.buttons.view'), callback_data: courseButtons.view.data(courseId) }]] };
}

/** To requesters: their topic, and until when only they may enrol; to the rest: a new course. */
export function announcementNotice(r: Reader, course: CourseView, requester: boolean): Notice {
  const intro = requester
    ? r.t('courses.notice.published_requester', { topic: escapeHtml(course.topicName ?? ''), until: r.fmt.when(course.headStartUntil ?? course.createdAt) })
    : r.t('courses.notice.published');
  return { text: `${intro}\n\n${courseCard(r, course)}`, replyMarkup: viewButton(r, course.id) };
}

/** A seat came free for an NGO on the waitlist; the button gives it on to the next in line. */
export function promotedNotice(r: Reader, course: CourseView, participants: number): Notice {
  return {
    text: `${r.t('courses.notice.promoted', { participants: r.fmt.digits(participants) })}\n\n${courseCard(r, course, { description: false })}`,
    replyMarkup: { inline_keyboard: [[{ text: r.t('courses.buttons.decline'), callback_data: courseButtons.decline.data(course.id) }]] },
  };
}

export function changedNotice(r: Reader, course: CourseView): Notice {
  return { text: `${r.t('courses.notice.changed')}\n\n${courseCard(r, course)}`, replyMarkup: viewButton(r, course.id) };
}

export function rescheduledNotice(r: Reader, course: CourseView, before: Date): Notice {
  const told = r.t('courses.notice.rescheduled', { title: escapeHtml(course.title), before: r.fmt.when(before), after: r.fmt.when(course.startsAt) });
  return { text: `${told}\n\n${courseCard(r, course)}`, replyMarkup: viewButton(r, course.id) };
}

/** No button: there is nothing left to do in a cancelled course. */
export function cancelledNotice(r: Reader, course: CourseView, reason: string): Notice {
  return { text: r.t('courses.notice.cancelled', { title: escapeHtml(course.title), when: r.fmt.when(course.startsAt), reason: escapeHtml(reason) }) };
}

export function reminderNotice(r: Reader, course: CourseView, kind: ReminderKind): Notice {
  const intro = r.t(`courses.notice.reminder_${kind}`, { title: escapeHtml(course.title), when: r.fmt.when(course.startsAt) });
  return { text: `${intro}\n\n${courseCard(r, course, { seats: false, description: false })}`, replyMarkup: viewButton(r, course.id) };
}

export function ratingRequest(r: Reader, course: { id: number; title: string }): Notice {
  const scores = Array.from({ length: MAX_SCORE - MIN_SCORE + 1 }, (_, i) => MIN_SCORE + i);
  return {
    text: r.t('courses.notice.rate', { title: escapeHtml(course.title) }),
    replyMarkup: { inline_keyboard: [scores.map((score) => ({ text: `${r.fmt.digits(score)} ⭐`, callback_data: courseButtons.rate.data(course.id, score) }))] },
  };
}

/** The roster as CSV, written as every CSV of the bot is (platform/text/csv.ts); phone numbers in Latin digits for dialling. */
export function rosterCsv({ t }: Reader, courseId: number, entries: readonly RosterEntry[]): { fileName: string; content: Buffer } {
  const header = ['ngo', 'county', 'participants', 'status', 'position', 'manager', 'phone', 'enrolled_by', 'attended'].map((h) => t(`courses.csv.${h}`));
  const rows = entries.map((e) => [
    e.ngoName,
    e.county,
    e.participants,
    t(`courses.enrolment_status.${e.status}`),
    e.position,
    e.managerName,
    toAsciiDigits(formatIranMobileForDisplay(e.managerPhone)),
    e.enrolledBy,
    e.attended === null ? null : t(e.attended ? 'courses.csv.present' : 'courses.csv.absent'),
  ]);
  return { fileName: `course-${courseId}-roster.csv`, content: csvDocument(header, rows) };
}
