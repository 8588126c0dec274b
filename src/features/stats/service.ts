/**
 * The office's statistics (/stats): NGOs by status, county and field with their activity level, courses,
 * feedback, announcements and deadlines. Every use case reads the staff member from the database first
 * and counts only what their scope covers: a county admin their county's NGOs and the rows that belong to
 * them, province staff the whole province. Nothing is written: reading statistics changes nothing, so
 * there is nothing to audit.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import { workingDaysBetween } from '../../platform/text/working-days.js';
import { loadHolidays, ngoScope, scopedCounties, staffMember } from '../staff/index.js';
import { activeWeeksByCounty, deadlineParts, firstAnswers, memberChats, ratingSummary, type Counties } from './queries.js';
import {
  ACTIVITY_WINDOW_DAYS,
  activityLevel,
  addMix,
  median,
  NO_ACTIVITY,
  type BroadcastFigures,
  type CountyActivity,
  type CourseFigures,
  type DeadlineFigures,
  type FeedbackFigures,
  type NgoFigures,
  type StatsScope,
} from './rules.js';

export interface StatsDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  clock: Clock;
}

const DAY_MS = 24 * 60 * 60 * 1000;

interface Viewer {
  counties: Counties;
  /** The staff feature's filter on NGOs for this staff member. */
  ngos: Prisma.NgoWhereInput;
  scope: StatsScope;
  now: Date;
  since: Date;
}

/** The counties named in a course's stored eligibility (empty: every county), read defensively. */
function eligibleCounties(eligibility: unknown): number[] {
  const ids = (eligibility as { countyIds?: unknown } | null)?.countyIds;
  return Array.isArray(ids) ? ids.filter((id): id is number => Number.isInteger(id)) : [];
}

export function createStatsService(deps: StatsDeps) {
  const { prisma, outbox, clock } = deps;

  /** Who is asking and what they may see, read from the database on every call (invariant 4). */
  async function viewerOf(actorId: bigint): Promise<Viewer> {
    const staff = await staffMember(prisma, actorId);
    const counties = scopedCounties(staff);
    let scope: StatsScope = { kind: 'province' };
    if (counties !== null) {
      const county = staff.countyId === null ? null : await prisma.county.findUnique({ where: { id: staff.countyId }, select: { name: true } });
      scope = { kind: 'county', name: county?.name ?? '—' };
    }
    const now = clock.now();
    return { counties, ngos: ngoScope(staff), scope, now, since: new Date(now.getTime() - ACTIVITY_WINDOW_DAYS * DAY_MS) };
  }

  return {
    /** NGOs by status, by county with their activity mix, and by field; the first screen and the chart. */
    async ngos(actorId: bigint): Promise<NgoFigures> {
      const v = await viewerOf(actorId);
      const approved = { ...v.ngos, status: 'APPROVED' as const };
      const [statuses, weeks, fields, counties, fieldNames] = await Promise.all([
        prisma.ngo.groupBy({ by: ['status'], where: v.ngos, _count: true }),
        activeWeeksByCounty(prisma, v.counties, v.since, v.now),
        prisma.ngoField.groupBy({ by: ['fieldId'], where: { ngo: approved }, _count: true }),
        prisma.county.findMany({ select: { id: true, name: true } }),
        prisma.activityField.findMany({ select: { id: true, name: true } }),
      ]);
      const byStatus = { PENDING: 0, APPROVED: 0, REJECTED: 0, SUSPENDED: 0 };
      for (const row of statuses) byStatus[row.status] = row._count;
      const countyName = new Map(counties.map((c) => [c.id, c.name]));
      const byCountyId = new Map<number, CountyActivity>();
      for (const row of weeks) {
        const entry = byCountyId.get(row.countyId) ?? { id: row.countyId, name: countyName.get(row.countyId) ?? '—', ...NO_ACTIVITY };
        entry[activityLevel(row.weeks)] += row.ngos;
        byCountyId.set(row.countyId, entry);
      }
      const size = (c: CountyActivity) => c.active + c.semiActive + c.inactive;
      const byCounty = [...byCountyId.values()].sort((a, b) => size(b) - size(a) || a.name.localeCompare(b.name, 'fa'));
      const fieldName = new Map(fieldNames.map((f) => [f.id, f.name]));
      const byField = fields
        .map((f) => ({ id: f.fieldId, name: fieldName.get(f.fieldId) ?? '—', count: f._count }))
        .sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, 'fa'));
      const activity = byCounty.reduce((sum, c) => addMix(sum, c), { ...NO_ACTIVITY });
      return { scope: v.scope, at: v.now, byStatus, byCounty, byField, activity };
    },

    /** Courses starting in the window or later that the scope may enrol in: demand, seats, enrolment, attendance, rating. */
    async courses(actorId: bigint): Promise<CourseFigures> {
      const v = await viewerOf(actorId);
      const inScope = { ngo: v.ngos };
      const [allCourses, needs] = await Promise.all([
        // Courses are a few hundred at most: their eligibility (a JSON list) is read here, not per NGO.
        prisma.course.findMany({ where: { status: { not: 'CANCELLED' }, startsAt: { gt: v.since } }, select: { id: true, capacity: true, eligibility: true } }),
        prisma.trainingNeed.aggregate({
          where: { ngo: { ...v.ngos, status: 'APPROVED' }, status: { not: 'WITHDRAWN' }, createdAt: { gt: v.since, lte: v.now } },
          _count: true,
          _sum: { participants: true },
        }),
      ]);
      const courses = allCourses.filter((c) => {
        const open = eligibleCounties(c.eligibility);
        return v.counties === null || open.length === 0 || open.some((id) => v.counties!.includes(id));
      });
      const courseIds = courses.map((c) => c.id);
      const ofCourses = { ...inScope, courseId: { in: courseIds } };
      const [enrolments, attendance, rating] = await Promise.all([
        prisma.enrollment.groupBy({ by: ['status'], where: ofCourses, _sum: { participants: true } }),
        prisma.enrollment.groupBy({ by: ['attended'], where: { ...ofCourses, status: 'ENROLLED', attended: { not: null } }, _count: true }),
        ratingSummary(prisma, v.counties, courseIds),
      ]);
      const participants = (status: string) => enrolments.find((e) => e.status === status)?._sum.participants ?? 0;
      const marked = (value: boolean) => attendance.find((a) => a.attended === value)?._count ?? 0;
      return {
        scope: v.scope,
        at: v.now,
        courses: courses.length,
        seats: courses.reduce((sum, c) => sum + c.capacity, 0),
        needs: needs._count,
        demand: needs._sum.participants ?? 0,
        enrolledParticipants: participants('ENROLLED'),
        waitlistedParticipants: participants('WAITLISTED'),
        attendanceMarked: marked(true) + marked(false),
        attended: marked(true),
        ratings: rating.ratings,
        averageRating: rating.average,
      };
    },

    /**
     * Feedback received in the window by its status now, and the median working days to the first answer
     * (Fridays and official holidays do not count). A county admin's figures leave out anonymous items.
     */
    async feedback(actorId: bigint): Promise<FeedbackFigures> {
      const v = await viewerOf(actorId);
      const scoped = v.counties === null ? {} : { anonymous: false, ngo: v.ngos };
      const [statuses, answers, holidays] = await Promise.all([
        prisma.feedbackItem.groupBy({ by: ['status'], where: { ...scoped, createdAt: { gt: v.since, lte: v.now } }, _count: true }),
        firstAnswers(prisma, v.counties, v.since, v.now),
        loadHolidays(prisma),
      ]);
      const of = (status: string) => statuses.find((s) => s.status === status)?._count ?? 0;
      return {
        scope: v.scope,
        at: v.now,
        received: of('RECEIVED') + of('ANSWERED') + of('CLOSED'),
        waiting: of('RECEIVED'),
        answered: of('ANSWERED'),
        closed: of('CLOSED'),
        withAnswer: answers.length,
        medianWorkingDays: median(answers.map((a) => workingDaysBetween(a.receivedAt, a.answeredAt, holidays))),
        includesAnonymous: v.counties === null,
      };
    },

    /** Announcements started in the window: their deliveries to the scope's members; members the platform cannot reach. */
    async broadcasts(actorId: bigint): Promise<BroadcastFigures> {
      const v = await viewerOf(actorId);
      const approvedMembers = { ngo: { ...v.ngos, status: 'APPROVED' as const } };
      const [broadcasts, members, unreachableMembers] = await Promise.all([
        prisma.broadcast.findMany({ where: { startAt: { gt: v.since, lte: v.now }, outboxMessageId: { not: null } }, select: { outboxMessageId: true } }),
        prisma.ngoMember.count({ where: approvedMembers }),
        prisma.ngoMember.count({ where: { ...approvedMembers, user: { reachable: false } } }),
      ]);
      const messageIds = broadcasts.flatMap((b) => (b.outboxMessageId === null ? [] : [b.outboxMessageId]));
      const { counts, messages } = await outbox.totals(messageIds, v.counties === null ? undefined : memberChats(v.counties));
      return {
        scope: v.scope,
        at: v.now,
        broadcasts: messages,
        sent: counts.SENT,
        failed: counts.FAILED,
        unreachable: counts.UNREACHABLE,
        pending: counts.PENDING + counts.SENDING,
        members,
        unreachableMembers,
      };
    },

    /** Reports of the window on time and late; parts overdue now and parts still to come. */
    async deadlines(actorId: bigint): Promise<DeadlineFigures> {
      const v = await viewerOf(actorId);
      return { scope: v.scope, at: v.now, ...(await deadlineParts(prisma, v.counties, v.since, v.now)) };
    },
  };
}

export type StatsService = ReturnType<typeof createStatsService>;
