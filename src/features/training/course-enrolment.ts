/**
 * NGOs and seats: the courses open to an NGO, enrolling within the seats and the per-NGO limit or
 * joining the waitlist, giving a seat back, and the waitlist's promotion when seats come free.
 *
 * Seats are decided under a row lock on the course (SELECT ... FOR UPDATE in the transaction that
 * writes the enrolment): two NGOs taking the last seat at the same moment are served one after the
 * other, so one gets it and the other is put on the waitlist.
 */
import type { Prisma } from '../../platform/db/generated/client.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { isEligible, placeRequest, promotions, registrationState, type RegistrationState } from './rules.js';
import { approvedMembershipOf } from './membership.js';
import { promotedNotice } from './course-notices.js';
import { contactsOf, type CourseMessenger } from './course-recipients.js';
import { courseCards, openCourses } from './open-courses.js';
import {
  courseInclude,
  DAY_MS,
  isRequester,
  loadCourse,
  lockCourse,
  ownEnrolment,
  ownEnrolments,
  asOwnEnrolment,
  requireCourse,
  toView,
  viewsOf,
  type CourseDeps,
  type CourseView,
  type EnrolResult,
  type NgoCourse,
  type OwnEnrolment,
} from './course-store.js';

/**
 * Fills freed seats from the waitlist, head first, and tells each promoted NGO (with a button to
 * give the seat on). Runs under the course lock. No promotion once the course has started.
 */
export async function promoteWaitlist(tx: Prisma.TransactionClient, messenger: CourseMessenger, courseId: number, now: Date): Promise<number[]> {
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
  await messenger.notifyNgos(
    tx,
    await contactsOf(tx, promoted),
    (reader, contact) => promotedNotice(reader, view, promoted.find((p) => p.ngoId === contact.ngoId)!.participants),
    (c) => `course-promoted:${courseId}:${c.ngoId}:${now.getTime()}`,
    { courseId },
  );
  return promoted.map((e) => e.ngoId);
}

/** Why an NGO may not enrol now, or null when it may. */
function stateError(state: RegistrationState, course: CourseView): AppError | null {
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

function alreadyError(enrolment: OwnEnrolment): AppError {
  return enrolment.status === 'ENROLLED'
    ? new AppError('courses.errors.already_enrolled', { participants: enrolment.participants })
    : new AppError('courses.errors.already_waitlisted', { position: enrolment.position ?? 1 });
}

/** A factory that only binds the dependencies: each use case in it is a short function of its own. */
export function createEnrolment(deps: CourseDeps, messenger: CourseMessenger) {
  const { prisma, clock } = deps;
  const openCoursesOf = openCourses(deps.sql, clock);
  const courseCardOf = courseCards(deps.sql);

  /** The NGO's view of a course; a course it may not see (another county, another field) is refused. */
  async function courseForNgo(userId: bigint, courseId: number): Promise<NgoCourse> {
    const { ngo, courses } = await courseCardOf(userId, courseId);
    if (!courses[0]) throw new AppError('courses.errors.not_found');
    const { course, own } = courses[0];
    const enrolment = own && (await asOwnEnrolment(prisma, { ...own, courseId }));
    if (!enrolment && !isEligible(ngo, course.eligibility)) throw new AppError('courses.errors.not_eligible');
    return { course, enrolment, state: registrationState(course, clock.now(), await isRequester(prisma, course, ngo.id)) };
  }

  /** Under the lock: the seat or the waitlist, with a place in line that follows the order the lock was taken in. */
  async function writeEnrolment(tx: Prisma.TransactionClient, userId: bigint, ngoId: number, courseId: number, participants: number, now: Date) {
    await lockCourse(tx, courseId);
    const current = (await loadCourse(tx, courseId))!;
    // Cancelled or closed while this request waited for the lock.
    const again = stateError(registrationState(current, now, true), current);
    if (again) throw again;
    const existing = await tx.enrollment.findUnique({ where: { courseId_ngoId: { courseId, ngoId } } });
    if (existing && existing.status !== 'CANCELLED') throw alreadyError((await ownEnrolment(tx, courseId, ngoId))!);
    const placed = placeRequest({ capacity: current.capacity, taken: current.taken, waiting: current.waiting, perNgoLimit: current.perNgoLimit, participants });
    if (!placed.ok) throw new AppError(`courses.errors.${placed.error}`, { limit: current.perNgoLimit });
    // Clocks of racing requests (or processes) may disagree by a few milliseconds: always after the
    // last one already waiting.
    const last = await tx.enrollment.findFirst({ where: { courseId, status: 'WAITLISTED' }, orderBy: { waitlistedAt: 'desc' }, select: { waitlistedAt: true } });
    const queuedAt = new Date(Math.max(clock.now().getTime(), (last?.waitlistedAt?.getTime() ?? 0) + 1));
    const data = { participants, status: placed.value, waitlistedAt: placed.value === 'WAITLISTED' ? queuedAt : null, createdBy: userId, attended: null, updatedAt: now };
    if (existing) await tx.enrollment.update({ where: { id: existing.id }, data });
    else await tx.enrollment.create({ data: { ...data, courseId, ngoId, createdAt: now } });
    await recordAudit(tx, {
      actorId: userId,
      action: placed.value === 'ENROLLED' ? 'course.enrolled' : 'course.waitlisted',
      entityType: 'course',
      entityId: String(courseId),
      details: { ngoId, participants },
    });
    return { status: placed.value, mine: (await ownEnrolment(tx, courseId, ngoId))!, course: (await loadCourse(tx, courseId))! };
  }

  return {
    courseForNgo,

    /** Courses open to this NGO now or after the head start, soonest first, with its own enrolment. */
    async openCourses(userId: bigint): Promise<NgoCourse[]> {
      const { ngo, courses, now } = await openCoursesOf(userId);
      const result: NgoCourse[] = [];
      for (const { course, own } of courses) {
        if (!isEligible(ngo, course.eligibility)) continue;
        const enrolment = own && (await asOwnEnrolment(prisma, { ...own, courseId: course.id }));
        const requester = await isRequester(prisma, course, ngo.id);
        result.push({ course, enrolment, state: registrationState(course, now, requester) });
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
      const course = await requireCourse(prisma, courseId);
      const now = clock.now();
      if (!isEligible({ status: ngo.status, countyId: ngo.countyId, fieldIds }, course.eligibility)) throw new AppError('courses.errors.not_eligible');
      const stateErr = stateError(registrationState(course, now, await isRequester(prisma, course, ngo.id)), course);
      if (stateErr) throw stateErr;
      const outcome = await prisma.$transaction((tx) => writeEnrolment(tx, userId, ngo.id, courseId, participants, now));
      return { status: outcome.status, position: outcome.mine.position, course: outcome.course };
    },

    /** The NGO gives up its seat (or its place in line); a freed seat goes to the head of the waitlist. */
    async cancelEnrolment(userId: bigint, courseId: number): Promise<{ was: 'ENROLLED' | 'WAITLISTED'; course: CourseView }> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      const course = await requireCourse(prisma, courseId);
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
        await promoteWaitlist(tx, messenger, courseId, now);
        return existing.status as 'ENROLLED' | 'WAITLISTED';
      });
      return { was, course: (await loadCourse(prisma, courseId))! };
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
      const courses = await viewsOf(prisma, rows.map((r) => r.course));
      const enrolments = await ownEnrolments(prisma, courses.map((course) => course.id), ngo.id);
      return courses.map((course) => ({ course, enrolment: enrolments.get(course.id)! }));
    },
  };
}
