/**
 * Training courses: the office publishes a course (NGOs that asked for its topic hear first), NGOs
 * enrol within the seats and their per-NGO limit or join the waitlist, cancellations promote the
 * waitlist in order, admins edit, reschedule, cancel and take attendance, the scheduler sends
 * reminders and, after the course, asks the participants to rate it.
 *
 * Seats are decided under a row lock on the course (SELECT ... FOR UPDATE in the transaction that
 * writes the enrolment): two NGOs taking the last seat at the same moment are served one after the
 * other, so one gets it and the other is put on the waitlist. Every notice that is not a direct
 * reply is written to the outbox in the transaction of the change it reports (invariant 1).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { InlineKeyboard, Outbox, OutboxDb } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import {
  averageScore,
  checkSchedule,
  courseEnd,
  DEFAULT_HEAD_START_HOURS,
  dueReminder,
  DURATION_LIMITS,
  headStartEnd,
  isEligible,
  isScore,
  MAX_CAPACITY,
  parseEligibility,
  placeRequest,
  promotions,
  RATING_WINDOW_DAYS,
  ratingAudience,
  registrationState,
  reminderWanted,
  seatsLeft,
  validateCourseDescription,
  validateCourseTitle,
  validateOnlineLink,
  validatePlace,
  validateRatingComment,
  waitlistOrder,
  waitlistPosition,
  type Eligibility,
  type ReminderKind,
  type TrainingFormat,
} from './rules.js';
import { formatJalaliDateTime, formatJalaliLong, toJalali } from '../../platform/text/jalali.js';
import { toPersianDigits } from '../../platform/text/persian-text.js';
import { formatIranMobileForDisplay } from '../../platform/text/phone.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, type Language, type Translator } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { approvedMembershipOf, createTrainingService, requesterNgoIds, requireOfficeAdmin } from './needs-service.js';

export interface CourseDraft {
  title: string;
  description: string | null;
  topicId: number | null;
  startsAt: Date;
  durationMinutes: number;
  format: TrainingFormat;
  place: string | null;
  onlineLink: string | null;
  capacity: number;
  perNgoLimit: number;
  registrationDeadline: Date;
  eligibility: Eligibility;
}

export type CourseChange = Partial<Pick<CourseDraft, 'title' | 'description' | 'place' | 'onlineLink' | 'capacity' | 'perNgoLimit' | 'registrationDeadline'>>;

/** A course with what a card needs: its topic's name and the seats taken. */
export interface CourseView extends CourseDraft {
  id: number;
  topicName: string | null;
  status: 'PUBLISHED' | 'CANCELLED' | 'FINISHED';
  headStartUntil: Date | null;
  createdAt: Date;
  taken: number;
  waiting: number;
}

export interface OwnEnrolment {
  status: 'ENROLLED' | 'WAITLISTED';
  participants: number;
  position: number | null;
}

export interface NgoCourse {
  course: CourseView;
  enrolment: OwnEnrolment | null;
  state: ReturnType<typeof registrationState>;
}

export interface EnrolResult {
  status: 'ENROLLED' | 'WAITLISTED';
  position: number | null;
  course: CourseView;
}

export interface RosterEntry {
  ngoId: number;
  ngoName: string;
  county: string;
  participants: number;
  status: 'ENROLLED' | 'WAITLISTED';
  position: number | null;
  managerName: string;
  managerPhone: string;
  enrolledBy: string;
  attended: boolean | null;
}

const ANNOUNCEMENT_SOURCE = 'course-announcement';
const NOTICE_SOURCE = 'course';
const DAY_MS = 86_400_000;

type Db = OutboxDb;
type T = (key: string, options?: Record<string, unknown>) => string;

export const COURSE_CALLBACKS = {
  view: 'crs_view',
  decline: 'crs_decline',
  rate: 'crs_rate',
} as const;

export function digits(lang: Language, value: string | number): string {
  return lang === 'fa' ? toPersianDigits(value) : String(value);
}

/** 'یکشنبه ۲ آذر ۱۴۰۵ ساعت ۱۰:۰۰' in Persian; '1405/09/02 10:00' (Jalali, Tehran) in English. */
export function describeTime(lang: Language, date: Date): string {
  if (lang === 'fa') {
    const { hour, minute } = toJalali(date);
    return `${formatJalaliLong(date)} ساعت ${toPersianDigits(`${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`)}`;
  }
  return formatJalaliDateTime(date).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(' ساعت ', ' ');
}

const langOf = (l: string | null | undefined): Language => (isLanguage(l) ? l : DEFAULT_LANGUAGE);

export function createCourseService(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator; clock: Clock }) {
  const { prisma, outbox, translator, clock } = deps;
  const tr = (lang: Language): T => (key, o) => translator.t(lang, key, o);

  // ---- reading --------------------------------------------------------------------------------------

  async function seatStats(db: Db, courseIds: number[]): Promise<Map<number, { taken: number; waiting: number }>> {
    const stats = new Map(courseIds.map((id) => [id, { taken: 0, waiting: 0 }]));
    if (courseIds.length === 0) return stats;
    const rows = await db.enrollment.groupBy({
      by: ['courseId', 'status'],
      where: { courseId: { in: courseIds }, status: { in: ['ENROLLED', 'WAITLISTED'] } },
      _sum: { participants: true },
      _count: true,
    });
    for (const row of rows) {
      const s = stats.get(row.courseId)!;
      if (row.status === 'ENROLLED') s.taken = row._sum.participants ?? 0;
      else s.waiting = row._count;
    }
    return stats;
  }

  const courseInclude = { topic: { select: { name: true } } } as const;
  type CourseRow = Prisma.CourseGetPayload<{ include: typeof courseInclude }>;

  function toView(row: CourseRow, stats: { taken: number; waiting: number }): CourseView {
    return {
      id: row.id,
      title: row.title,
      description: row.description,
      topicId: row.topicId,
      topicName: row.topic?.name ?? null,
      startsAt: row.startsAt,
      durationMinutes: row.durationMinutes,
      format: row.format,
      place: row.place,
      onlineLink: row.onlineLink,
      capacity: row.capacity,
      perNgoLimit: row.perNgoLimit,
      registrationDeadline: row.registrationDeadline,
      eligibility: parseEligibility(row.eligibility),
      status: row.status,
      headStartUntil: row.headStartUntil,
      createdAt: row.createdAt,
      taken: stats.taken,
      waiting: stats.waiting,
    };
  }

  async function loadCourse(courseId: number, db: Db = prisma): Promise<CourseView | null> {
    const row = await db.course.findUnique({ where: { id: courseId }, include: courseInclude });
    if (!row) return null;
    return toView(row, (await seatStats(db, [row.id])).get(row.id)!);
  }

  async function requireCourse(courseId: number, db: Db = prisma): Promise<CourseView> {
    const course = await loadCourse(courseId, db);
    if (!course) throw new AppError('courses.errors.not_found');
    return course;
  }

  /** Serialises every change to a course's seats: the second of two racing transactions waits here. */
  async function lockCourse(tx: Prisma.TransactionClient, courseId: number): Promise<void> {
    const rows = await tx.$queryRaw<{ id: number }[]>`SELECT id FROM courses WHERE id = ${courseId} FOR UPDATE`;
    if (rows.length === 0) throw new AppError('courses.errors.not_found');
  }

  async function ownEnrolment(db: Db, courseId: number, ngoId: number): Promise<OwnEnrolment | null> {
    const mine = await db.enrollment.findUnique({ where: { courseId_ngoId: { courseId, ngoId } } });
    if (!mine || mine.status === 'CANCELLED') return null;
    let position: number | null = null;
    if (mine.status === 'WAITLISTED') {
      const waitlist = await db.enrollment.findMany({ where: { courseId, status: 'WAITLISTED' }, select: { id: true, participants: true, waitlistedAt: true } });
      position = waitlistPosition(waitlist, mine.id);
    }
    return { status: mine.status, participants: mine.participants, position };
  }

  /** Super and province admins manage every course; a county admin the courses of their county only. */
  async function requireManager(adminId: bigint, course?: CourseView) {
    const admin = await requireOfficeAdmin(prisma, adminId);
    if (course && admin.role === 'COUNTY_ADMIN') {
      const counties = course.eligibility.countyIds;
      if (counties.length !== 1 || counties[0] !== admin.countyId) throw new AppError('courses.errors.other_county');
    }
    return admin;
  }

  async function requireManagedCourse(adminId: bigint, courseId: number) {
    const course = await requireCourse(courseId);
    const admin = await requireManager(adminId, course);
    return { course, admin };
  }

  // ---- rendering ------------------------------------------------------------------------------------

  function durationText(lang: Language, minutes: number): string {
    const t = tr(lang);
    const h = Math.floor(minutes / 60);
    const m = minutes % 60;
    if (h === 0) return t('courses.card.minutes', { m: digits(lang, m) });
    if (m === 0) return t('courses.card.hours', { h: digits(lang, h) });
    return t('courses.card.hours_minutes', { h: digits(lang, h), m: digits(lang, m) });
  }

  /** One course as NGOs and admins read it (Telegram HTML). */
  function renderCourse(lang: Language, course: CourseView, options: { seats?: boolean; description?: boolean } = {}): string {
    const t = tr(lang);
    const lines = [
      t('courses.card.title', { title: escapeHtml(course.title), id: digits(lang, course.id) }),
      course.status !== 'PUBLISHED' ? t(`courses.card.status_${course.status}`) : null,
      t('courses.card.topic', { value: course.topicName ? escapeHtml(course.topicName) : t('courses.card.no_topic') }),
      t('courses.card.when', { value: describeTime(lang, course.startsAt) }),
      t('courses.card.duration', { value: durationText(lang, course.durationMinutes) }),
      course.format === 'ONLINE'
        ? t('courses.card.online', { link: escapeHtml(course.onlineLink ?? '—') })
        : t('courses.card.in_person', { place: escapeHtml(course.place ?? '—') }),
      options.seats === false
        ? t('courses.card.capacity', { capacity: digits(lang, course.capacity) })
        : t('courses.card.seats', { left: digits(lang, seatsLeft(course.capacity, course.taken)), capacity: digits(lang, course.capacity) }),
      t('courses.card.per_ngo', { limit: digits(lang, course.perNgoLimit) }),
      t('courses.card.deadline', { value: describeTime(lang, course.registrationDeadline) }),
      options.description !== false && course.description ? `\n${escapeHtml(course.description)}` : null,
    ];
    return lines.filter((l): l is string => l !== null).join('\n');
  }

  function viewButton(lang: Language, courseId: number): InlineKeyboard {
    return { inline_keyboard: [[{ text: translator.t(lang, 'courses.buttons.view'), callback_data: `${COURSE_CALLBACKS.view}:${courseId}` }]] };
  }

  // ---- notices ----------------------------------------------------------------------------------------

  interface NgoContact {
    ngoId: number;
    userIds: bigint[];
    lang: Language;
  }

  /**
   * Who hears about an NGO's enrolment: its manager and the member who enrolled it. One message per
   * NGO, in the manager's language (one dedupe key per event and NGO).
   */
  async function contactsOf(db: Db, enrolments: readonly { ngoId: number; createdBy: bigint }[]): Promise<NgoContact[]> {
    if (enrolments.length === 0) return [];
    const ngoIds = [...new Set(enrolments.map((e) => e.ngoId))];
    const members = await db.ngoMember.findMany({ where: { ngoId: { in: ngoIds } }, include: { user: { select: { language: true } } } });
    return ngoIds.map((ngoId) => {
      const of = members.filter((m) => m.ngoId === ngoId);
      const manager = of.find((m) => m.role === 'MANAGER');
      const enrollers = enrolments.filter((e) => e.ngoId === ngoId).map((e) => e.createdBy);
      const userIds = [...new Set([...(manager ? [manager.userId] : []), ...of.filter((m) => enrollers.includes(m.userId)).map((m) => m.userId)])];
      return { ngoId, userIds, lang: langOf(manager?.user.language) };
    });
  }

  async function notifyNgos(
    db: Db,
    contacts: readonly NgoContact[],
    render: (lang: Language, contact: NgoContact) => { text: string; replyMarkup?: InlineKeyboard },
    dedupeKey: (contact: NgoContact) => string,
    options: { notBefore?: Date; courseId: number },
  ): Promise<void> {
    for (const contact of contacts) {
      if (contact.userIds.length === 0) continue;
      const { text, replyMarkup } = render(contact.lang, contact);
      await outbox.enqueue(
        {
          payload: { kind: 'TEXT', parseMode: 'HTML', text, ...(replyMarkup ? { replyMarkup } : {}) },
          recipients: contact.userIds,
          dedupeKey: dedupeKey(contact),
          ...(options.notBefore ? { notBefore: options.notBefore } : {}),
          source: { type: NOTICE_SOURCE, id: String(options.courseId) },
        },
        db,
      );
    }
  }

  /** Every NGO holding a seat or a place on the waitlist, told about a change to the course. */
  async function notifyParticipants(db: Db, course: CourseView, event: string, render: (lang: Language) => string, stamp: number) {
    const enrolments = await db.enrollment.findMany({ where: { courseId: course.id, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
    const contacts = await contactsOf(db, enrolments);
    await notifyNgos(
      db,
      contacts,
      (lang) => ({ text: render(lang), ...(event === 'cancelled' ? {} : { replyMarkup: viewButton(lang, course.id) }) }),
      (c) => `course-${event}:${course.id}:${c.ngoId}:${stamp}`,
      { courseId: course.id },
    );
    return contacts.length;
  }

  /** Members of the eligible NGOs, split into those that asked for the topic and the rest, by language. */
  async function announcementAudience(db: Db, course: CourseView) {
    const e = course.eligibility;
    const members = await db.ngoMember.findMany({
      where: {
        user: { reachable: true },
        ngo: {
          status: 'APPROVED',
          ...(e.countyIds.length ? { countyId: { in: e.countyIds } } : {}),
          ...(e.fieldIds.length ? { fields: { some: { fieldId: { in: e.fieldIds } } } } : {}),
        },
      },
      select: { userId: true, ngoId: true, user: { select: { language: true } } },
    });
    const requesters = await requesterNgoIds(db, course.topicId, course.createdAt, e);
    return { members, requesters };
  }

  function announcementText(lang: Language, course: CourseView, requester: boolean): string {
    const t = tr(lang);
    const intro = requester
      ? t('courses.notice.published_requester', { topic: escapeHtml(course.topicName ?? ''), until: describeTime(lang, course.headStartUntil ?? course.createdAt) })
      : t('courses.notice.published');
    return `${intro}\n\n${renderCourse(lang, course)}`;
  }

  /**
   * Requesters now, everyone else when the head start ends (both moved out of quiet hours: an
   * announcement is not urgent). Returns how many NGOs each group has.
   */
  async function announce(db: Db, course: CourseView, now: Date): Promise<{ first: number; later: number }> {
    const { members, requesters } = await announcementAudience(db, course);
    const groups: { name: 'first' | 'rest'; requester: boolean; notBefore: Date }[] = [
      { name: 'first', requester: true, notBefore: nextAllowedTime(now) },
      { name: 'rest', requester: false, notBefore: nextAllowedTime(course.headStartUntil ?? now) },
    ];
    for (const group of groups) {
      const of = members.filter((m) => requesters.has(m.ngoId) === group.requester);
      for (const lang of new Set(of.map((m) => langOf(m.user.language)))) {
        await outbox.enqueue(
          {
            payload: { kind: 'TEXT', parseMode: 'HTML', text: announcementText(lang, course, group.requester), replyMarkup: viewButton(lang, course.id) },
            recipients: of.filter((m) => langOf(m.user.language) === lang).map((m) => m.userId),
            dedupeKey: `course-published:${course.id}:${group.name}:${lang}`,
            notBefore: group.notBefore,
            source: { type: ANNOUNCEMENT_SOURCE, id: String(course.id) },
          },
          db,
        );
      }
    }
    const ngoIds = new Set(members.map((m) => m.ngoId));
    const first = [...ngoIds].filter((id) => requesters.has(id)).length;
    return { first, later: ngoIds.size - first };
  }

  /**
   * Announcements not sent yet (the head start) carry the course as it was: they are stopped and,
   * unless the course is cancelled, written again with its current details for the same people and time.
   */
  async function refreshPendingAnnouncements(tx: Db, course: CourseView, stamp: number, cancelledCourse = false): Promise<void> {
    // Only rows still PENDING are stopped: one a dispatcher has just claimed goes out as it is.
    const stopped = await tx.$queryRaw<{ chat_id: bigint; not_before_ms: bigint; dedupe_key: string | null }[]>`
      UPDATE outbox_deliveries d SET status = 'CANCELLED', lease_owner = NULL
      FROM outbox_messages m
      WHERE d.message_id = m.id AND m.source_type = ${ANNOUNCEMENT_SOURCE} AND m.source_id = ${String(course.id)} AND d.status = 'PENDING'
      RETURNING d.chat_id, (EXTRACT(EPOCH FROM d.not_before) * 1000)::bigint AS not_before_ms, m.dedupe_key`;
    if (cancelledCourse || stopped.length === 0) return;
    const groups = new Map<string, { requester: boolean; lang: Language; notBefore: Date; chats: bigint[] }>();
    for (const row of stopped) {
      // Keys read `course-published:<course>:<first|rest>:<lang>[:...]`.
      const [, , group, lang] = (row.dedupe_key ?? '').split(':');
      const key = `${group}:${lang}:${row.not_before_ms}`;
      const entry = groups.get(key) ?? { requester: group === 'first', lang: langOf(lang), notBefore: new Date(Number(row.not_before_ms)), chats: [] };
      entry.chats.push(row.chat_id);
      groups.set(key, entry);
    }
    for (const g of groups.values()) {
      const group = g.requester ? 'first' : 'rest';
      await outbox.enqueue(
        {
          payload: { kind: 'TEXT', parseMode: 'HTML', text: announcementText(g.lang, course, g.requester), replyMarkup: viewButton(g.lang, course.id) },
          recipients: g.chats,
          dedupeKey: `course-published:${course.id}:${group}:${g.lang}:${g.notBefore.getTime()}:v${stamp}`,
          notBefore: g.notBefore,
          source: { type: ANNOUNCEMENT_SOURCE, id: String(course.id) },
        },
        tx,
      );
    }
  }

  // ---- seats ------------------------------------------------------------------------------------------

  /**
   * Fills freed seats from the waitlist, head first, and tells each promoted NGO (with a button to
   * give the seat on). Runs under the course lock. No promotion once the course has started.
   */
  async function promoteWaitlist(tx: Prisma.TransactionClient, courseId: number, now: Date): Promise<number[]> {
    const course = await tx.course.findUniqueOrThrow({ where: { id: courseId }, include: courseInclude });
    if (course.status !== 'PUBLISHED' || now.getTime() >= course.startsAt.getTime()) return [];
    const enrolments = await tx.enrollment.findMany({ where: { courseId, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
    const taken = enrolments.filter((e) => e.status === 'ENROLLED').reduce((s, e) => s + e.participants, 0);
    const waitlist = enrolments.filter((e) => e.status === 'WAITLISTED');
    const ids = promotions(course.capacity, taken, waitlist);
    if (ids.length === 0) return [];
    const promoted = waitlist.filter((e) => ids.includes(e.id));
    for (const e of promoted) {
      await tx.enrollment.updateMany({ where: { id: e.id, status: 'WAITLISTED' }, data: { status: 'ENROLLED', updatedAt: now } });
      await recordAudit(tx, { actorId: null, action: 'course.promoted', entityType: 'course', entityId: String(courseId), details: { ngoId: e.ngoId, participants: e.participants } });
    }
    const view = toView(course, { taken: taken + promoted.reduce((s, e) => s + e.participants, 0), waiting: waitlist.length - promoted.length });
    const contacts = await contactsOf(tx, promoted);
    await notifyNgos(
      tx,
      contacts,
      (lang, contact) => ({
        text: `${tr(lang)('courses.notice.promoted', {
          participants: digits(lang, promoted.find((p) => p.ngoId === contact.ngoId)!.participants),
        })}\n\n${renderCourse(lang, view, { description: false })}`,
        replyMarkup: {
          inline_keyboard: [[{ text: translator.t(lang, 'courses.buttons.decline'), callback_data: `${COURSE_CALLBACKS.decline}:${courseId}` }]],
        },
      }),
      (c) => `course-promoted:${courseId}:${c.ngoId}:${now.getTime()}`,
      { courseId },
    );
    return promoted.map((e) => e.ngoId);
  }

  async function isRequester(db: Db, course: CourseView, ngoId: number): Promise<boolean> {
    if (!course.headStartUntil) return false;
    return (await requesterNgoIds(db, course.topicId, course.createdAt, course.eligibility)).has(ngoId);
  }

  /**
   * The forms validate as the admin types; a use case called from elsewhere is held to the same
   * rules, and what is stored is the normalised text.
   */
  function checkTexts<C extends CourseChange>(change: C): C {
    const out = { ...change };
    const apply = <V>(key: 'title' | 'description' | 'place' | 'onlineLink', result: { ok: true; value: V } | { ok: false }) => {
      if (!result.ok) throw new AppError('courses.errors.invalid');
      (out as Record<string, unknown>)[key] = result.value;
    };
    if (change.title !== undefined) apply('title', validateCourseTitle(change.title));
    if (change.description != null) apply('description', validateCourseDescription(change.description));
    if (change.place != null) apply('place', validatePlace(change.place));
    if (change.onlineLink != null) apply('onlineLink', validateOnlineLink(change.onlineLink));
    return out;
  }

  function stateError(state: ReturnType<typeof registrationState>, course: CourseView): AppError | null {
    switch (state) {
      case 'cancelled':
        return new AppError('courses.errors.cancelled', { title: course.title });
      case 'finished':
      case 'closed':
        return new AppError('courses.errors.closed', { title: course.title });
      case 'not_yet':
        return new AppError('courses.errors.head_start', { until: course.headStartUntil });
      default:
        return null;
    }
  }

  /** Seats first, then the waitlist in its order; with the manager's contact for the office's calls. */
  async function roster(adminId: bigint, courseId: number): Promise<{ course: CourseView; entries: RosterEntry[] }> {
    const { course } = await requireManagedCourse(adminId, courseId);
    const rows = await prisma.enrollment.findMany({
      where: { courseId, status: { in: ['ENROLLED', 'WAITLISTED'] } },
      include: { ngo: { include: { county: true } } },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    });
    const users = await prisma.user.findMany({ where: { id: { in: rows.map((r) => r.createdBy) } } });
    const nameOf = (id: bigint) => {
      const u = users.find((x) => x.id === id);
      return u ? [u.firstName, u.lastName].filter(Boolean).join(' ') : String(id);
    };
    const waitlist = waitlistOrder(rows.filter((r) => r.status === 'WAITLISTED'));
    const ordered = [...rows.filter((r) => r.status === 'ENROLLED'), ...waitlist];
    return {
      course,
      entries: ordered.map((r) => ({
        ngoId: r.ngoId,
        ngoName: r.ngo.name,
        county: r.ngo.county.name,
        participants: r.participants,
        status: r.status as 'ENROLLED' | 'WAITLISTED',
        position: r.status === 'WAITLISTED' ? waitlist.indexOf(r) + 1 : null,
        managerName: r.ngo.managerName,
        managerPhone: r.ngo.managerPhone,
        enrolledBy: nameOf(r.createdBy),
        attended: r.attended,
      })),
    };
  }

  async function courseForNgo(userId: bigint, courseId: number): Promise<NgoCourse> {
    const { ngo, fieldIds } = await approvedMembershipOf(prisma, userId);
    const course = await requireCourse(courseId);
    const enrolment = await ownEnrolment(prisma, courseId, ngo.id);
    if (!enrolment && !isEligible({ status: ngo.status, countyId: ngo.countyId, fieldIds }, course.eligibility)) throw new AppError('courses.errors.not_eligible');
    return { course, enrolment, state: registrationState(course, clock.now(), await isRequester(prisma, course, ngo.id)) };
  }

  // ---- the use cases ------------------------------------------------------------------------------------

  return {
    /** The service's clock, so a form judges "in the past" by the same time the service does. */
    now: () => clock.now(),
    loadCourse,
    renderCourse,
    roster,
    courseForNgo,
    describeTime,

    // ---- admins: publishing and managing --------------------------------------------------------------

    /** Publishes the course and writes its announcements (requesters first) in the same transaction. */
    async create(adminId: bigint, draft: CourseDraft): Promise<{ course: CourseView; first: number; later: number }> {
      const admin = await requireManager(adminId);
      const now = clock.now();
      draft = checkTexts(draft);
      if (draft.format === 'ONLINE' ? !draft.onlineLink : !draft.place) throw new AppError('courses.errors.invalid');
      if (!Number.isInteger(draft.durationMinutes) || draft.durationMinutes < DURATION_LIMITS.min || draft.durationMinutes > DURATION_LIMITS.max) {
        throw new AppError('courses.errors.invalid');
      }
      if (!Number.isInteger(draft.capacity) || draft.capacity < 1 || draft.capacity > MAX_CAPACITY) throw new AppError('courses.errors.capacity_zero');
      if (!Number.isInteger(draft.perNgoLimit) || draft.perNgoLimit < 1 || draft.perNgoLimit > draft.capacity) throw new AppError('courses.errors.limit_above_capacity');
      const scheduleError = checkSchedule(now, draft.startsAt, draft.registrationDeadline);
      if (scheduleError) throw new AppError(`courses.errors.${scheduleError}`);
      if (draft.topicId !== null && !(await prisma.trainingTopic.findFirst({ where: { id: draft.topicId, active: true } }))) {
        throw new AppError('courses.errors.stale_choice');
      }
      // A county admin's course is for the NGOs of their county.
      const eligibility: Eligibility =
        admin.role === 'COUNTY_ADMIN' ? { ...parseEligibility(draft.eligibility), countyIds: [admin.countyId ?? -1] } : parseEligibility(draft.eligibility);

      const result = await prisma.$transaction(async (tx) => {
        // No requester among the NGOs the course is for, no head start: nobody would wait a day for nothing.
        const requesters = await requesterNgoIds(tx, draft.topicId, now, eligibility);
        const created = await tx.course.create({
          data: {
            title: draft.title,
            description: draft.description,
            topicId: draft.topicId,
            startsAt: draft.startsAt,
            durationMinutes: draft.durationMinutes,
            format: draft.format,
            place: draft.format === 'IN_PERSON' ? draft.place : null,
            onlineLink: draft.format === 'ONLINE' ? draft.onlineLink : null,
            capacity: draft.capacity,
            perNgoLimit: draft.perNgoLimit,
            registrationDeadline: draft.registrationDeadline,
            eligibility: eligibility as unknown as Prisma.InputJsonValue,
            headStartUntil: requesters.size > 0 ? headStartEnd(now, DEFAULT_HEAD_START_HOURS) : null,
            createdBy: adminId,
            createdAt: now,
          },
          include: courseInclude,
        });
        const course = toView(created, { taken: 0, waiting: 0 });
        const counts = await announce(tx, course, now);
        await recordAudit(tx, {
          actorId: adminId,
          action: 'course.created',
          entityType: 'course',
          entityId: String(course.id),
          details: { ...counts, capacity: course.capacity, startsAt: course.startsAt.toISOString(), eligibility },
        });
        return { course, ...counts };
      });
      return result;
    },

    /** The courses an admin manages: upcoming first, then those of the last month. */
    async adminCourses(adminId: bigint): Promise<CourseView[]> {
      const admin = await requireManager(adminId);
      const since = new Date(clock.now().getTime() - 30 * DAY_MS);
      const rows = await prisma.course.findMany({ where: { startsAt: { gte: since } }, include: courseInclude, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], take: 50 });
      const stats = await seatStats(prisma, rows.map((r) => r.id));
      return rows
        .map((r) => toView(r, stats.get(r.id)!))
        .filter((c) => admin.role !== 'COUNTY_ADMIN' || (c.eligibility.countyIds.length === 1 && c.eligibility.countyIds[0] === admin.countyId));
    },

    async adminView(adminId: bigint, courseId: number) {
      const { course } = await requireManagedCourse(adminId, courseId);
      const [ratings, enrolledNgos] = await Promise.all([
        prisma.courseRating.findMany({ where: { courseId }, orderBy: { createdAt: 'desc' } }),
        prisma.enrollment.count({ where: { courseId, status: 'ENROLLED' } }),
      ]);
      return {
        course,
        enrolledNgos,
        rating: {
          average: averageScore(ratings.map((r) => r.score)),
          count: ratings.length,
          comments: ratings.filter((r) => r.comment).slice(0, 10).map((r) => ({ score: r.score, comment: r.comment!, at: r.createdAt })),
        },
      };
    },

    /** Edits details; everyone enrolled or waiting is told. A larger capacity promotes the waitlist. */
    async edit(adminId: bigint, courseId: number, change: CourseChange): Promise<CourseView> {
      const { course } = await requireManagedCourse(adminId, courseId);
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      change = checkTexts(change);
      if (change.capacity !== undefined && (!Number.isInteger(change.capacity) || change.capacity < 1 || change.capacity > MAX_CAPACITY)) {
        throw new AppError('courses.errors.capacity_zero');
      }
      if (change.registrationDeadline !== undefined) {
        const err = checkSchedule(now, course.startsAt, change.registrationDeadline);
        if (err) throw new AppError(`courses.errors.${err}`);
      }
      if (change.onlineLink !== undefined && course.format !== 'ONLINE') throw new AppError('courses.errors.invalid');
      if (change.place !== undefined && course.format !== 'IN_PERSON') throw new AppError('courses.errors.invalid');
      const stamp = now.getTime();
      const updated = await prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const current = (await loadCourse(courseId, tx))!;
        if (current.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
        const capacity = change.capacity ?? current.capacity;
        if (capacity < current.taken) throw new AppError('courses.errors.capacity_below_taken', { taken: current.taken });
        if ((change.perNgoLimit ?? current.perNgoLimit) > capacity) throw new AppError('courses.errors.limit_above_capacity');
        if (change.perNgoLimit !== undefined && change.perNgoLimit < 1) throw new AppError('courses.errors.limit_above_capacity');
        await tx.course.update({
          where: { id: courseId },
          data: {
            ...(change.title !== undefined ? { title: change.title } : {}),
            ...(change.description !== undefined ? { description: change.description } : {}),
            ...(change.place !== undefined ? { place: change.place } : {}),
            ...(change.onlineLink !== undefined ? { onlineLink: change.onlineLink } : {}),
            ...(change.capacity !== undefined ? { capacity: change.capacity } : {}),
            ...(change.perNgoLimit !== undefined ? { perNgoLimit: change.perNgoLimit } : {}),
            ...(change.registrationDeadline !== undefined ? { registrationDeadline: change.registrationDeadline } : {}),
          },
        });
        if (capacity > current.capacity) await promoteWaitlist(tx, courseId, now);
        const fresh = (await loadCourse(courseId, tx))!;
        await notifyParticipants(tx, fresh, 'changed', (lang) => `${tr(lang)('courses.notice.changed')}\n\n${renderCourse(lang, fresh)}`, stamp);
        await refreshPendingAnnouncements(tx, fresh, stamp);
        await recordAudit(tx, {
          actorId: adminId,
          action: 'course.edited',
          entityType: 'course',
          entityId: String(courseId),
          details: { fields: Object.keys(change) },
        });
        return fresh;
      });
      return updated;
    },

    /**
     * A new start time: everyone enrolled or waiting is told, reminders already sent for the old time
     * are set aside so the new time gets its own, and a registration deadline after the new start moves to it.
     */
    async reschedule(adminId: bigint, courseId: number, startsAt: Date): Promise<CourseView> {
      const { course } = await requireManagedCourse(adminId, courseId);
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      if (startsAt.getTime() <= now.getTime()) throw new AppError('courses.errors.start_past');
      if (startsAt.getTime() === course.startsAt.getTime()) throw new AppError('courses.errors.same_time');
      const stamp = now.getTime();
      return prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const current = (await loadCourse(courseId, tx))!;
        if (current.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
        const deadline = current.registrationDeadline.getTime() > startsAt.getTime() ? startsAt : current.registrationDeadline;
        await tx.course.update({ where: { id: courseId }, data: { startsAt, registrationDeadline: deadline } });
        const pattern = `course-reminder:${courseId}:%`;
        await tx.$executeRaw`
          UPDATE outbox_deliveries SET status = 'CANCELLED', lease_owner = NULL
          WHERE status = 'PENDING' AND message_id IN (SELECT id FROM outbox_messages WHERE dedupe_key LIKE ${pattern})`;
        await tx.$executeRaw`
          UPDATE outbox_messages SET dedupe_key = dedupe_key || ${`:moved-${stamp}`}
          WHERE dedupe_key LIKE ${pattern} AND dedupe_key NOT LIKE '%:moved-%'`;
        const fresh = (await loadCourse(courseId, tx))!;
        await notifyParticipants(
          tx,
          fresh,
          'rescheduled',
          (lang) =>
            `${tr(lang)('courses.notice.rescheduled', { title: escapeHtml(fresh.title), before: describeTime(lang, current.startsAt), after: describeTime(lang, startsAt) })}\n\n${renderCourse(lang, fresh)}`,
          stamp,
        );
        await refreshPendingAnnouncements(tx, fresh, stamp);
        await recordAudit(tx, {
          actorId: adminId,
          action: 'course.rescheduled',
          entityType: 'course',
          entityId: String(courseId),
          details: { from: current.startsAt.toISOString(), to: startsAt.toISOString() },
        });
        return fresh;
      });
    },

    /** Cancels once (a double tap finds it cancelled); every enrolled and waiting NGO is told why. */
    async cancelCourse(adminId: bigint, courseId: number, reason: string): Promise<{ course: CourseView; told: number }> {
      const { course } = await requireManagedCourse(adminId, courseId);
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.already_cancelled');
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.course.updateMany({ where: { id: courseId, status: 'PUBLISHED' }, data: { status: 'CANCELLED' } });
        if (count === 0) throw new AppError('courses.errors.already_cancelled');
        const fresh = (await loadCourse(courseId, tx))!;
        const told = await notifyParticipants(
          tx,
          fresh,
          'cancelled',
          (lang) => tr(lang)('courses.notice.cancelled', { title: escapeHtml(fresh.title), when: describeTime(lang, fresh.startsAt), reason: escapeHtml(reason) }),
          now.getTime(),
        );
        await refreshPendingAnnouncements(tx, fresh, now.getTime(), true);
        await recordAudit(tx, { actorId: adminId, action: 'course.cancelled', entityType: 'course', entityId: String(courseId), details: { reason, told } });
        return { course: fresh, told };
      });
    },

    /** The roster as CSV (UTF-8 with BOM, so Excel reads Persian); exporting contacts is audited. */
    async rosterCsv(adminId: bigint, courseId: number, lang: Language): Promise<{ fileName: string; content: Buffer; course: CourseView }> {
      const { course, entries } = await roster(adminId, courseId);
      const t = tr(lang);
      const cell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
      const header = ['ngo', 'county', 'participants', 'status', 'position', 'manager', 'phone', 'enrolled_by', 'attended'].map((h) => cell(t(`courses.csv.${h}`)));
      const lines = entries.map((e) =>
        [
          e.ngoName,
          e.county,
          e.participants,
          t(`courses.enrolment_status.${e.status}`),
          e.position ?? '',
          e.managerName,
          formatIranMobileForDisplay(e.managerPhone).replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)),
          e.enrolledBy,
          e.attended === null ? '' : t(e.attended ? 'courses.csv.present' : 'courses.csv.absent'),
        ]
          .map(cell)
          .join(','),
      );
      await recordAudit(prisma, { actorId: adminId, action: 'course.roster_exported', entityType: 'course', entityId: String(courseId), details: { rows: entries.length } });
      return { fileName: `course-${courseId}-roster.csv`, content: Buffer.from(`\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`, 'utf8'), course };
    },

    /** Attendance, once the course has started; only NGOs that held a seat can be marked. */
    async setAttendance(adminId: bigint, courseId: number, ngoId: number, attended: boolean): Promise<void> {
      const { course } = await requireManagedCourse(adminId, courseId);
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
      if (clock.now().getTime() < course.startsAt.getTime()) throw new AppError('courses.errors.not_started');
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.enrollment.updateMany({ where: { courseId, ngoId, status: 'ENROLLED' }, data: { attended } });
        if (count === 0) throw new AppError('courses.errors.not_enrolled_ngo');
        await recordAudit(tx, { actorId: adminId, action: 'course.attendance', entityType: 'course', entityId: String(courseId), details: { ngoId, attended } });
      });
    },

    // ---- NGOs: browsing and enrolling ------------------------------------------------------------------

    /** Courses open to this NGO now or after the head start, soonest first, with its own enrolment. */
    async openCourses(userId: bigint): Promise<NgoCourse[]> {
      const { ngo, fieldIds } = await approvedMembershipOf(prisma, userId);
      const now = clock.now();
      const rows = await prisma.course.findMany({
        where: { status: 'PUBLISHED', registrationDeadline: { gt: now }, startsAt: { gt: now } },
        include: courseInclude,
        orderBy: [{ startsAt: 'asc' }, { id: 'asc' }],
        take: 30,
      });
      const stats = await seatStats(prisma, rows.map((r) => r.id));
      const result: NgoCourse[] = [];
      for (const row of rows) {
        const course = toView(row, stats.get(row.id)!);
        if (!isEligible({ status: ngo.status, countyId: ngo.countyId, fieldIds }, course.eligibility)) continue;
        const requester = await isRequester(prisma, course, ngo.id);
        result.push({ course, enrolment: await ownEnrolment(prisma, course.id, ngo.id), state: registrationState(course, now, requester) });
      }
      return result;
    },

    /** Checks everything that can be checked before asking how many people will come. */
    async assertCanEnrol(userId: bigint, courseId: number): Promise<NgoCourse> {
      const view = await courseForNgo(userId, courseId);
      const err = stateError(view.state, view.course);
      if (err) throw err;
      if (view.enrolment) throw alreadyError(view.enrolment);
      return view;
    },

    /**
     * Takes seats for `participants` people, or a place on the waitlist. The seat count is read and the
     * enrolment written under the course's row lock, so the last seat goes to exactly one NGO.
     */
    async enrol(userId: bigint, courseId: number, participants: number): Promise<EnrolResult> {
      const { ngo, fieldIds } = await approvedMembershipOf(prisma, userId);
      const course = await requireCourse(courseId);
      const now = clock.now();
      if (!isEligible({ status: ngo.status, countyId: ngo.countyId, fieldIds }, course.eligibility)) throw new AppError('courses.errors.not_eligible');
      const stateErr = stateError(registrationState(course, now, await isRequester(prisma, course, ngo.id)), course);
      if (stateErr) throw stateErr;

      const outcome = await prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const current = (await loadCourse(courseId, tx))!;
        // Cancelled or closed while this request waited for the lock.
        const again = stateError(registrationState(current, now, true), current);
        if (again) throw again;
        const existing = await tx.enrollment.findUnique({ where: { courseId_ngoId: { courseId, ngoId: ngo.id } } });
        if (existing && existing.status !== 'CANCELLED') throw alreadyError((await ownEnrolment(tx, courseId, ngo.id))!);
        const placed = placeRequest({ capacity: current.capacity, taken: current.taken, waiting: current.waiting, perNgoLimit: current.perNgoLimit, participants });
        if (!placed.ok) throw new AppError(`courses.errors.${placed.error}`, { limit: current.perNgoLimit });
        // The place in line follows the order the lock was taken in, even if clocks of racing requests
        // (or processes) disagree by a few milliseconds: always after the last one already waiting.
        const last = await tx.enrollment.findFirst({ where: { courseId, status: 'WAITLISTED' }, orderBy: { waitlistedAt: 'desc' }, select: { waitlistedAt: true } });
        const queuedAt = new Date(Math.max(clock.now().getTime(), (last?.waitlistedAt?.getTime() ?? 0) + 1));
        const data = {
          participants,
          status: placed.value,
          waitlistedAt: placed.value === 'WAITLISTED' ? queuedAt : null,
          createdBy: userId,
          attended: null,
          updatedAt: now,
        };
        if (existing) await tx.enrollment.update({ where: { id: existing.id }, data });
        else await tx.enrollment.create({ data: { ...data, courseId, ngoId: ngo.id, createdAt: now } });
        await recordAudit(tx, {
          actorId: userId,
          action: placed.value === 'ENROLLED' ? 'course.enrolled' : 'course.waitlisted',
          entityType: 'course',
          entityId: String(courseId),
          details: { ngoId: ngo.id, participants },
        });
        return { status: placed.value, mine: (await ownEnrolment(tx, courseId, ngo.id))!, course: (await loadCourse(courseId, tx))! };
      });
      return { status: outcome.status, position: outcome.mine.position, course: outcome.course };
    },

    /** The NGO gives up its seat (or its place in line); a freed seat goes to the head of the waitlist. */
    async cancelEnrolment(userId: bigint, courseId: number): Promise<{ was: 'ENROLLED' | 'WAITLISTED'; course: CourseView }> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      const course = await requireCourse(courseId);
      const now = clock.now();
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
      if (course.status === 'FINISHED' || now.getTime() >= course.startsAt.getTime()) throw new AppError('courses.errors.already_started');
      const was = await prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const existing = await tx.enrollment.findUnique({ where: { courseId_ngoId: { courseId, ngoId: ngo.id } } });
        if (!existing || existing.status === 'CANCELLED') throw new AppError('courses.errors.not_enrolled');
        await tx.enrollment.update({ where: { id: existing.id }, data: { status: 'CANCELLED', updatedAt: now } });
        await recordAudit(tx, { actorId: userId, action: 'course.enrolment_cancelled', entityType: 'course', entityId: String(courseId), details: { ngoId: ngo.id, was: existing.status } });
        // A seat freed, or a head of the line that was too big for the free seats left it: either way
        // someone waiting may fit now.
        await promoteWaitlist(tx, courseId, now);
        return existing.status as 'ENROLLED' | 'WAITLISTED';
      });
      return { was, course: (await loadCourse(courseId))! };
    },

    /** The NGO's seats and waitlist places, in courses that are coming or ended in the last month. */
    async myCourses(userId: bigint): Promise<{ course: CourseView; enrolment: OwnEnrolment }[]> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      const since = new Date(clock.now().getTime() - 30 * DAY_MS);
      const rows = await prisma.enrollment.findMany({
        where: { ngoId: ngo.id, status: { in: ['ENROLLED', 'WAITLISTED'] }, course: { startsAt: { gte: since } } },
        include: { course: { include: courseInclude } },
        orderBy: [{ course: { startsAt: 'asc' } }],
      });
      const stats = await seatStats(prisma, rows.map((r) => r.courseId));
      const result = [];
      for (const r of rows) {
        result.push({ course: toView(r.course, stats.get(r.courseId)!), enrolment: (await ownEnrolment(prisma, r.courseId, ngo.id))! });
      }
      return result;
    },

    // ---- ratings ------------------------------------------------------------------------------------------

    /** A participant's score (1–5), which they may change; only NGOs that held a seat and were not marked absent. */
    async rate(userId: bigint, courseId: number, score: number): Promise<CourseView> {
      if (!isScore(score)) throw new AppError('courses.rating.errors.score');
      const member = await prisma.ngoMember.findUnique({ where: { userId } });
      if (!member) throw new AppError('courses.errors.no_ngo');
      const course = await requireCourse(courseId);
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
      if (clock.now().getTime() < courseEnd(course).getTime()) throw new AppError('courses.rating.errors.not_finished');
      const enrolment = await prisma.enrollment.findUnique({ where: { courseId_ngoId: { courseId, ngoId: member.ngoId } } });
      // The same rule as the rating requests: once attendance is marked, only those marked present.
      const attendanceMarked = (await prisma.enrollment.count({ where: { courseId, status: 'ENROLLED', attended: { not: null } } })) > 0;
      if (!enrolment || enrolment.status !== 'ENROLLED' || enrolment.attended === false || (attendanceMarked && enrolment.attended !== true)) {
        throw new AppError('courses.rating.errors.not_attendee');
      }
      await prisma.$transaction(async (tx) => {
        await tx.courseRating.upsert({
          where: { courseId_userId: { courseId, userId } },
          create: { courseId, userId, ngoId: member.ngoId, score, createdAt: clock.now() },
          update: { score },
        });
        await recordAudit(tx, { actorId: userId, action: 'course.rated', entityType: 'course', entityId: String(courseId), details: { score } });
      });
      return course;
    },

    async comment(userId: bigint, courseId: number, text: string): Promise<void> {
      const comment = validateRatingComment(text);
      if (!comment.ok) throw new AppError('courses.rating.errors.comment');
      const { count } = await prisma.courseRating.updateMany({ where: { courseId, userId }, data: { comment: comment.value } });
      if (count === 0) throw new AppError('courses.rating.errors.not_rated');
    },

    // ---- scheduler ----------------------------------------------------------------------------------------

    /**
     * Every minute: the reminder whose window the course is in, once per NGO (the dedupe key makes a
     * repeated tick harmless). Reminders are tied to the course's own time, so quiet hours do not apply.
     */
    async remindersTick(now: Date): Promise<number> {
      const rows = await prisma.course.findMany({
        where: { status: 'PUBLISHED', startsAt: { gt: now, lte: new Date(now.getTime() + DAY_MS) } },
        include: courseInclude,
      });
      let sent = 0;
      for (const row of rows) {
        const kind = dueReminder(row.startsAt, now);
        if (!kind) continue;
        const enrolments = (await prisma.enrollment.findMany({ where: { courseId: row.id, status: 'ENROLLED' } })).filter((e) =>
          reminderWanted(kind, row.startsAt, e.updatedAt),
        );
        const keyOf = (ngoId: number) => `course-reminder:${row.id}:${ngoId}:${kind}`;
        const done = new Set(
          (await prisma.outboxMessage.findMany({ where: { dedupeKey: { in: enrolments.map((e) => keyOf(e.ngoId)) } }, select: { dedupeKey: true } })).map((m) => m.dedupeKey),
        );
        const due = enrolments.filter((e) => !done.has(keyOf(e.ngoId)));
        if (due.length === 0) continue;
        const course = toView(row, (await seatStats(prisma, [row.id])).get(row.id)!);
        await prisma.$transaction(async (tx) => {
          const contacts = await contactsOf(tx, due);
          await notifyNgos(
            tx,
            contacts,
            (lang) => ({ text: reminderText(lang, course, kind), replyMarkup: viewButton(lang, course.id) }),
            (c) => keyOf(c.ngoId),
            { courseId: course.id },
          );
        });
        sent += due.length;
      }
      return sent;
    },

    /**
     * Every few minutes: courses whose end has passed are finished (the needs they met are closed),
     * and participants are asked to rate them (see ratingAudience for who counts as a participant).
     */
    async followUpTick(now: Date): Promise<{ finished: number; asked: number }> {
      let finished = 0;
      const started = await prisma.course.findMany({ where: { status: 'PUBLISHED', startsAt: { lte: now } } });
      for (const course of started.filter((c) => courseEnd(c).getTime() <= now.getTime())) {
        await prisma.$transaction(async (tx) => {
          const { count } = await tx.course.updateMany({ where: { id: course.id, status: 'PUBLISHED' }, data: { status: 'FINISHED' } });
          if (count === 0) return;
          finished += 1;
          if (course.topicId !== null) {
            const ngoIds = (await tx.enrollment.findMany({ where: { courseId: course.id, status: 'ENROLLED', attended: { not: false } }, select: { ngoId: true } })).map((e) => e.ngoId);
            await tx.trainingNeed.updateMany({ where: { ngoId: { in: ngoIds }, topicId: course.topicId, status: 'OPEN', createdAt: { lte: course.startsAt } }, data: { status: 'FULFILLED' } });
          }
          await recordAudit(tx, { actorId: null, action: 'course.finished', entityType: 'course', entityId: String(course.id) });
        });
      }

      let asked = 0;
      const recent = await prisma.course.findMany({
        where: { status: 'FINISHED', startsAt: { gte: new Date(now.getTime() - (RATING_WINDOW_DAYS + 1) * DAY_MS) } },
        include: courseInclude,
      });
      for (const row of recent) {
        const enrolments = await prisma.enrollment.findMany({ where: { courseId: row.id, status: { in: ['ENROLLED', 'WAITLISTED'] } } });
        const audience = ratingAudience(enrolments, courseEnd(row), now);
        const keyOf = (ngoId: number) => `course-rating:${row.id}:${ngoId}`;
        const done = new Set(
          (await prisma.outboxMessage.findMany({ where: { dedupeKey: { in: audience.map((e) => keyOf(e.ngoId)) } }, select: { dedupeKey: true } })).map((m) => m.dedupeKey),
        );
        const due = audience.filter((e) => !done.has(keyOf(e.ngoId)));
        if (due.length === 0) continue;
        await prisma.$transaction(async (tx) => {
          const contacts = await contactsOf(tx, due);
          await notifyNgos(
            tx,
            contacts,
            (lang) => ({
              text: tr(lang)('courses.notice.rate', { title: escapeHtml(row.title) }),
              replyMarkup: {
                inline_keyboard: [
                  [1, 2, 3, 4, 5].map((score) => ({ text: `${digits(lang, score)} ⭐`, callback_data: `${COURSE_CALLBACKS.rate}:${row.id}-${score}` })),
                ],
              },
            }),
            (c) => keyOf(c.ngoId),
            // Asking for an opinion is never urgent: not at night or on Friday.
            { courseId: row.id, notBefore: nextAllowedTime(now) },
          );
        });
        asked += due.length;
      }
      return { finished, asked };
    },
  };

  function reminderText(lang: Language, course: CourseView, kind: ReminderKind): string {
    return `${tr(lang)(`courses.notice.reminder_${kind}`, { title: escapeHtml(course.title), when: describeTime(lang, course.startsAt) })}\n\n${renderCourse(lang, course, { seats: false, description: false })}`;
  }

  function alreadyError(enrolment: OwnEnrolment): AppError {
    return enrolment.status === 'ENROLLED'
      ? new AppError('courses.errors.already_enrolled', { participants: enrolment.participants })
      : new AppError('courses.errors.already_waitlisted', { position: enrolment.position ?? 1 });
  }
}

export type CourseService = ReturnType<typeof createCourseService>;

/** Training needs and courses, composed together: the course service reads the needs (who asked first). */
export function createCourseServices(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator; clock: Clock }) {
  return { training: createTrainingService(deps), courses: createCourseService(deps) };
}
