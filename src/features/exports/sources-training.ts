/**
 * Courses, their rosters and the training needs, page by page. A county admin's courses are those
 * held for their county alone (as /manage_courses shows them); their roster rows and needs are their
 * county's NGOs', in any course.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import { keysetPages, mapPages, ngoIn } from './paging.js';
import { PAGE_SIZE } from './rules.js';
import type { CourseRow, ExportScope, NeedRow, RosterRow } from './types.js';

/** Courses whose eligibility is exactly one of the reader's counties; every course for the province. */
function courseScope(counties: number[] | null): Prisma.CourseWhereInput {
  if (counties === null) return {};
  if (counties.length === 0) return { id: { lt: 0 } };
  return { OR: counties.map((c) => ({ eligibility: { path: ['countyIds'], equals: [c] } })) };
}

const after = <K>(key: K | undefined, field: string) => (key === undefined ? {} : { [field]: { gt: key } });

export function trainingSources(prisma: PrismaClient) {
  /** Seats and waitlist of a page of courses, and their ratings, in two grouped statements. */
  async function courseFigures(ids: number[]) {
    const [enrolments, ratings] = await Promise.all([
      prisma.enrollment.groupBy({
        by: ['courseId', 'status'],
        where: { courseId: { in: ids }, status: { in: ['ENROLLED', 'WAITLISTED'] } },
        _count: { _all: true },
        _sum: { participants: true },
      }),
      prisma.courseRating.groupBy({ by: ['courseId'], where: { courseId: { in: ids } }, _avg: { score: true }, _count: { _all: true } }),
    ]);
    const of = (id: number, status: string) => enrolments.find((e) => e.courseId === id && e.status === status);
    return (id: number) => {
      const rating = ratings.find((r) => r.courseId === id);
      return {
        enrolledNgos: of(id, 'ENROLLED')?._count._all ?? 0,
        enrolledSeats: of(id, 'ENROLLED')?._sum.participants ?? 0,
        waitlistedNgos: of(id, 'WAITLISTED')?._count._all ?? 0,
        averageRating: rating?._avg.score ?? null,
        ratings: rating?._count._all ?? 0,
      };
    };
  }

  function courses(scope: ExportScope): AsyncIterable<CourseRow[]> {
    return keysetPages(
      async (key: number | undefined) => {
        const rows = await prisma.course.findMany({
          where: { AND: [courseScope(scope.counties), after(key, 'id')] },
          orderBy: { id: 'asc' },
          take: PAGE_SIZE,
          include: { topic: { select: { name: true } } },
        });
        const figures = await courseFigures(rows.map((c) => c.id));
        return rows.map(
          (c): CourseRow => ({
            id: c.id,
            title: c.title,
            topic: c.topic?.name ?? null,
            startsAt: c.startsAt,
            durationMinutes: c.durationMinutes,
            format: c.format,
            place: c.format === 'ONLINE' ? c.onlineLink : c.place,
            capacity: c.capacity,
            perNgoLimit: c.perNgoLimit,
            registrationDeadline: c.registrationDeadline,
            status: c.status,
            ...figures(c.id),
          }),
        );
      },
      (row) => row.id,
    );
  }

  function rosters(scope: ExportScope): AsyncIterable<RosterRow[]> {
    return mapPages(
      keysetPages(
        (key: number | undefined) =>
          prisma.enrollment.findMany({
            where: { status: { in: ['ENROLLED', 'WAITLISTED'] }, ...ngoIn(scope.counties), ...after(key, 'id') },
            orderBy: { id: 'asc' },
            take: PAGE_SIZE,
            include: {
              course: { select: { title: true, startsAt: true } },
              ngo: { select: { name: true, county: { select: { name: true } } } },
            },
          }),
        (e) => e.id,
      ),
      (e): RosterRow => ({
        courseId: e.courseId,
        courseTitle: e.course.title,
        courseStartsAt: e.course.startsAt,
        ngoId: e.ngoId,
        ngoName: e.ngo.name,
        county: e.ngo.county.name,
        participants: e.participants,
        status: e.status,
        enrolledAt: e.createdAt,
        attended: e.attended,
      }),
    );
  }

  function needs(scope: ExportScope): AsyncIterable<NeedRow[]> {
    return mapPages(
      keysetPages(
        (key: number | undefined) =>
          prisma.trainingNeed.findMany({
            where: { ...ngoIn(scope.counties), ...after(key, 'id') },
            orderBy: { id: 'asc' },
            take: PAGE_SIZE,
            include: { topic: { select: { name: true } }, ngo: { select: { name: true, county: { select: { name: true } } } } },
          }),
        (n) => n.id,
      ),
      (n): NeedRow => ({
        id: n.id,
        ngoId: n.ngoId,
        ngoName: n.ngo.name,
        county: n.ngo.county.name,
        topic: n.topic?.name ?? n.otherTopic,
        description: n.description,
        participants: n.participants,
        format: n.format,
        status: n.status,
        createdAt: n.createdAt,
      }),
    );
  }

  return { courses, rosters, needs };
}
