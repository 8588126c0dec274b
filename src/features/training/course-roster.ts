/**
 * After publication: the office's list of courses and a course's page, the roster (and its export,
 * which is audited because it holds the managers' phone numbers), attendance, and the participants'
 * ratings and comments.
 */
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { averageScore, courseEnd, isScore, validateRatingComment, waitlistOrder } from './rules.js';
import {
  courseInclude,
  DAY_MS,
  inCountyOf,
  requireCourse,
  requireManagedCourse,
  requireManager,
  viewsOf,
  type CourseDeps,
  type CourseView,
  type RosterEntry,
} from './course-store.js';

/** A factory that only binds the dependencies: each use case in it is a short function of its own. */
export function createRoster(deps: CourseDeps) {
  const { prisma, clock } = deps;

  /** Seats first, then the waitlist in its order; with the manager's contact for the office's calls. */
  async function roster(adminId: bigint, courseId: number): Promise<{ course: CourseView; entries: RosterEntry[] }> {
    const { course } = await requireManagedCourse(prisma, adminId, courseId);
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

  return {
    roster,

    /** The roster for a file the admin takes away: the export of contacts is audited. */
    async exportRoster(adminId: bigint, courseId: number): Promise<{ course: CourseView; entries: RosterEntry[] }> {
      const result = await roster(adminId, courseId);
      await recordAudit(prisma, { actorId: adminId, action: 'course.roster_exported', entityType: 'course', entityId: String(courseId), details: { rows: result.entries.length } });
      return result;
    },

    /** The courses an admin manages: upcoming first, then those of the last month. */
    async adminCourses(adminId: bigint): Promise<CourseView[]> {
      const admin = await requireManager(prisma, adminId);
      const since = new Date(clock.now().getTime() - 30 * DAY_MS);
      const rows = await prisma.course.findMany({ where: { startsAt: { gte: since } }, include: courseInclude, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], take: 50 });
      return (await viewsOf(prisma, rows)).filter((c) => inCountyOf(admin, c));
    },

    async adminView(adminId: bigint, courseId: number) {
      const { course } = await requireManagedCourse(prisma, adminId, courseId);
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

    /** Attendance, once the course has started; only NGOs that held a seat can be marked. */
    async setAttendance(adminId: bigint, courseId: number, ngoId: number, attended: boolean): Promise<void> {
      const { course } = await requireManagedCourse(prisma, adminId, courseId);
      if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
      if (clock.now().getTime() < course.startsAt.getTime()) throw new AppError('courses.errors.not_started');
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.enrollment.updateMany({ where: { courseId, ngoId, status: 'ENROLLED' }, data: { attended } });
        if (count === 0) throw new AppError('courses.errors.not_enrolled_ngo');
        await recordAudit(tx, { actorId: adminId, action: 'course.attendance', entityType: 'course', entityId: String(courseId), details: { ngoId, attended } });
      });
    },

    /** A participant's score (1–5), which they may change; only NGOs that held a seat and were not marked absent. */
    async rate(userId: bigint, courseId: number, score: number): Promise<CourseView> {
      if (!isScore(score)) throw new AppError('courses.rating.errors.score');
      const member = await prisma.ngoMember.findUnique({ where: { userId } });
      if (!member) throw new AppError('courses.errors.no_ngo');
      const course = await requireCourse(prisma, courseId);
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
  };
}
