/**
 * The office's side of a course's life: publishing it (NGOs that asked for its topic hear first),
 * editing its details, moving it to another time and cancelling it. Everyone holding a seat or a place
 * in line is told of each change, and announcements still held back for the head start are rewritten
 * (or, for a cancelled course, stopped). Notices go to the outbox in the transaction of the change.
 */
import type { Prisma } from '../../platform/db/generated/client.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import {
  checkSchedule,
  DEFAULT_HEAD_START_HOURS,
  DURATION_LIMITS,
  headStartEnd,
  MAX_CAPACITY,
  parseEligibility,
  validateCourseDescription,
  validateCourseTitle,
  validateOnlineLink,
  validatePlace,
  type Eligibility,
} from './rules.js';
import { requesterNgoIds } from './needs-service.js';
import { cancelledNotice, changedNotice, rescheduledNotice } from './course-notices.js';
import type { CourseMessenger } from './course-recipients.js';
import { createAnnouncements } from './course-announcements.js';
import { promoteWaitlist } from './course-enrolment.js';
import {
  courseInclude,
  loadCourse,
  lockCourse,
  requireManagedCourse,
  requireManager,
  toView,
  type CourseChange,
  type CourseDeps,
  type CourseDraft,
  type CourseView,
} from './course-store.js';

const isWhole = (n: number, min: number, max: number) => Number.isInteger(n) && n >= min && n <= max;

/**
 * The forms validate as the admin types; a use case called from elsewhere is held to the same
 * rules, and what is stored is the normalised text.
 */
function checkTexts<C extends CourseChange>(change: C): C {
  const out = { ...change };
  const apply = <V,>(key: 'title' | 'description' | 'place' | 'onlineLink', result: { ok: true; value: V } | { ok: false }) => {
    if (!result.ok) throw new AppError('courses.errors.invalid');
    (out as Record<string, unknown>)[key] = result.value;
  };
  if (change.title !== undefined) apply('title', validateCourseTitle(change.title));
  if (change.description != null) apply('description', validateCourseDescription(change.description));
  if (change.place != null) apply('place', validatePlace(change.place));
  if (change.onlineLink != null) apply('onlineLink', validateOnlineLink(change.onlineLink));
  return out;
}

/** A new course's numbers and times, as the form checks them. */
function checkDraft(draft: CourseDraft, now: Date): void {
  if (draft.format === 'ONLINE' ? !draft.onlineLink : !draft.place) throw new AppError('courses.errors.invalid');
  if (!isWhole(draft.durationMinutes, DURATION_LIMITS.min, DURATION_LIMITS.max)) throw new AppError('courses.errors.invalid');
  if (!isWhole(draft.capacity, 1, MAX_CAPACITY)) throw new AppError('courses.errors.capacity_zero');
  if (!isWhole(draft.perNgoLimit, 1, draft.capacity)) throw new AppError('courses.errors.limit_above_capacity');
  const scheduleError = checkSchedule(now, draft.startsAt, draft.registrationDeadline);
  if (scheduleError) throw new AppError(`courses.errors.${scheduleError}`);
}

/**
 * A factory, longer than a use case should be, because it only binds the dependencies: each use case
 * in it is a short function of its own.
 */
export function createPublishing(deps: CourseDeps, messenger: CourseMessenger) {
  const { prisma, outbox, clock } = deps;
  const { announce, refreshPendingAnnouncements } = createAnnouncements(deps);

  /** The changes an edit may make, each checked against the course as it is under the lock. */
  async function applyChange(tx: Prisma.TransactionClient, current: CourseView, change: CourseChange): Promise<void> {
    const capacity = change.capacity ?? current.capacity;
    if (capacity < current.taken) throw new AppError('courses.errors.capacity_below_taken', { taken: current.taken });
    if ((change.perNgoLimit ?? current.perNgoLimit) > capacity) throw new AppError('courses.errors.limit_above_capacity');
    if (change.perNgoLimit !== undefined && change.perNgoLimit < 1) throw new AppError('courses.errors.limit_above_capacity');
    const fields = ['title', 'description', 'place', 'onlineLink', 'capacity', 'perNgoLimit', 'registrationDeadline'] as const;
    const data = Object.fromEntries(fields.filter((f) => change[f] !== undefined).map((f) => [f, change[f]]));
    await tx.course.update({ where: { id: current.id }, data });
  }

  return {
    /** Publishes the course and writes its announcements (requesters first) in the same transaction. */
    async create(adminId: bigint, draft: CourseDraft): Promise<{ course: CourseView; first: number; later: number }> {
      const admin = await requireManager(prisma, adminId);
      const now = clock.now();
      draft = checkTexts(draft);
      checkDraft(draft, now);
      if (draft.topicId !== null && !(await prisma.trainingTopic.findFirst({ where: { id: draft.topicId, active: true } }))) {
        throw new AppError('courses.errors.stale_choice');
      }
      // A county admin's course is for the NGOs of their county.
      const eligibility: Eligibility =
        admin.role === 'COUNTY_ADMIN' ? { ...parseEligibility(draft.eligibility), countyIds: [admin.countyId ?? -1] } : parseEligibility(draft.eligibility);

      return prisma.$transaction(async (tx) => {
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
    },

    /** Edits details; everyone enrolled or waiting is told. A larger capacity promotes the waitlist. */
    async edit(adminId: bigint, courseId: number, change: CourseChange): Promise<CourseView> {
      const { course } = await requireManagedCourse(prisma, adminId, courseId);
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      change = checkTexts(change);
      if (change.capacity !== undefined && !isWhole(change.capacity, 1, MAX_CAPACITY)) throw new AppError('courses.errors.capacity_zero');
      if (change.registrationDeadline !== undefined) {
        const err = checkSchedule(now, course.startsAt, change.registrationDeadline);
        if (err) throw new AppError(`courses.errors.${err}`);
      }
      if (change.onlineLink !== undefined && course.format !== 'ONLINE') throw new AppError('courses.errors.invalid');
      if (change.place !== undefined && course.format !== 'IN_PERSON') throw new AppError('courses.errors.invalid');
      const stamp = now.getTime();
      return prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const current = (await loadCourse(tx, courseId))!;
        if (current.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
        await applyChange(tx, current, change);
        if ((change.capacity ?? current.capacity) > current.capacity) await promoteWaitlist(tx, messenger, courseId, now);
        const fresh = (await loadCourse(tx, courseId))!;
        await messenger.notifyParticipants(tx, fresh, 'changed', (reader) => changedNotice(reader, fresh), stamp);
        await refreshPendingAnnouncements(tx, fresh, stamp);
        await recordAudit(tx, { actorId: adminId, action: 'course.edited', entityType: 'course', entityId: String(courseId), details: { fields: Object.keys(change) } });
        return fresh;
      });
    },

    /**
     * A new start time: everyone enrolled or waiting is told, reminders already queued for the old time
     * are set aside so the new time gets its own, and a registration deadline after the new start moves to it.
     */
    async reschedule(adminId: bigint, courseId: number, startsAt: Date): Promise<CourseView> {
      const { course } = await requireManagedCourse(prisma, adminId, courseId);
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      if (startsAt.getTime() <= now.getTime()) throw new AppError('courses.errors.start_past');
      if (startsAt.getTime() === course.startsAt.getTime()) throw new AppError('courses.errors.same_time');
      const stamp = now.getTime();
      return prisma.$transaction(async (tx) => {
        await lockCourse(tx, courseId);
        const current = (await loadCourse(tx, courseId))!;
        if (current.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
        const deadline = current.registrationDeadline.getTime() > startsAt.getTime() ? startsAt : current.registrationDeadline;
        await tx.course.update({ where: { id: courseId }, data: { startsAt, registrationDeadline: deadline } });
        await outbox.retireKeys(`course-reminder:${courseId}:`, `:moved-${stamp}`, tx);
        const fresh = (await loadCourse(tx, courseId))!;
        await messenger.notifyParticipants(tx, fresh, 'rescheduled', (reader) => rescheduledNotice(reader, fresh, current.startsAt), stamp);
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
      const { course } = await requireManagedCourse(prisma, adminId, courseId);
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.already_cancelled');
      if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
      const now = clock.now();
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.course.updateMany({ where: { id: courseId, status: 'PUBLISHED' }, data: { status: 'CANCELLED' } });
        if (count === 0) throw new AppError('courses.errors.already_cancelled');
        const fresh = (await loadCourse(tx, courseId))!;
        const told = await messenger.notifyParticipants(tx, fresh, 'cancelled', (reader) => cancelledNotice(reader, fresh, reason), now.getTime());
        await refreshPendingAnnouncements(tx, fresh, now.getTime(), true);
        await recordAudit(tx, { actorId: adminId, action: 'course.cancelled', entityType: 'course', entityId: String(courseId), details: { reason, told } });
        return { course: fresh, told };
      });
    },
  };
}
