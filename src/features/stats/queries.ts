/**
 * The aggregate statements behind the statistics: each answers with a few counted rows, never one row per
 * NGO or member, so that a province of 20,000 NGOs costs a handful of statements. `counties` is the
 * staff member's scope (null: the whole province).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import { Prisma } from '../../platform/db/generated/client.js';
import { WEEK_MS } from './rules.js';

export type Counties = readonly number[] | null;

/** A Date as the UTC timestamp the columns hold. */
const at = (d: Date) => Prisma.sql`(${d.toISOString()}::timestamptz AT TIME ZONE 'UTC')`;
/** The Tehran calendar day of a column (stored in UTC). */
const tehranDay = (column: Prisma.Sql) => Prisma.sql`((${column} AT TIME ZONE 'UTC') AT TIME ZONE 'Asia/Tehran')::date`;
const countyFilter = (column: Prisma.Sql, counties: Counties) =>
  counties === null ? Prisma.empty : Prisma.sql`AND ${column} = ANY (${`{${counties.join(',')}}`}::int[])`;

/**
 * Approved NGOs by county and by the number of distinct weeks (counted back from `now`) in which they
 * did something since `since`: enrolled in a course, attended one, submitted a report, wrote feedback or
 * a follow-up (not anonymously: anonymous items are never tied to an NGO here), declared a training
 * need, rated a course. One row per (county, weeks) pair, so at most counties × 14 rows.
 */
export async function activeWeeksByCounty(prisma: PrismaClient, counties: Counties, since: Date, now: Date) {
  const inWindow = (column: Prisma.Sql) => Prisma.sql`${column} > ${at(since)} AND ${column} <= ${at(now)}`;
  return prisma.$queryRaw<{ countyId: number; weeks: number; ngos: number }[]>`
    WITH events AS (
      SELECT ngo_id, created_at AS at FROM enrollments WHERE ${inWindow(Prisma.sql`created_at`)}
      UNION ALL
      SELECT e.ngo_id, c.starts_at FROM enrollments e JOIN courses c ON c.id = e.course_id
        WHERE e.attended AND ${inWindow(Prisma.sql`c.starts_at`)}
      UNION ALL
      SELECT ngo_id, submitted_at FROM deadline_targets WHERE ${inWindow(Prisma.sql`submitted_at`)}
      UNION ALL
      SELECT i.ngo_id, m.created_at FROM feedback_messages m JOIN feedback_items i ON i.id = m.item_id
        WHERE NOT m.from_office AND NOT i.anonymous AND i.ngo_id IS NOT NULL AND ${inWindow(Prisma.sql`m.created_at`)}
      UNION ALL
      SELECT ngo_id, created_at FROM training_needs WHERE ${inWindow(Prisma.sql`created_at`)}
      UNION ALL
      SELECT ngo_id, created_at FROM course_ratings WHERE ${inWindow(Prisma.sql`created_at`)}
    ),
    active_weeks AS (
      SELECT ngo_id, count(DISTINCT floor(extract(epoch FROM (${at(now)} - at)) * 1000 / ${WEEK_MS}))::int AS weeks
      FROM events GROUP BY ngo_id
    )
    SELECT n.county_id AS "countyId", coalesce(w.weeks, 0)::int AS weeks, count(*)::int AS ngos
    FROM ngos n LEFT JOIN active_weeks w ON w.ngo_id = n.id
    WHERE n.status = 'APPROVED' ${countyFilter(Prisma.sql`n.county_id`, counties)}
    GROUP BY 1, 2`;
}

/** Ratings given by the scope's NGOs on some courses: how many, and their mean score. */
export async function ratingSummary(prisma: PrismaClient, counties: Counties, courseIds: readonly number[]) {
  if (courseIds.length === 0) return { ratings: 0, average: null };
  const [row] = await prisma.$queryRaw<{ ratings: number; average: number | null }[]>`
    SELECT count(*)::int AS ratings, avg(r.score)::float8 AS average
    FROM course_ratings r JOIN ngos n ON n.id = r.ngo_id
    WHERE r.course_id = ANY (${`{${courseIds.join(',')}}`}::int[]) ${countyFilter(Prisma.sql`n.county_id`, counties)}`;
  return { ratings: row?.ratings ?? 0, average: row?.average ?? null };
}

/**
 * Feedback items received since `since` that the office has answered, each with when it came and when
 * the office first wrote back: one row per answered item of the window (a few hundred at most), as the
 * working days between the two need the holiday calendar. A county admin's list leaves out anonymous items.
 */
export async function firstAnswers(prisma: PrismaClient, counties: Counties, since: Date, now: Date) {
  const scope = counties === null ? Prisma.empty : Prisma.sql`AND NOT i.anonymous ${countyFilter(Prisma.sql`n.county_id`, counties)}`;
  return prisma.$queryRaw<{ receivedAt: Date; answeredAt: Date }[]>`
    SELECT i.created_at AS "receivedAt", min(m.created_at) AS "answeredAt"
    FROM feedback_items i
    JOIN feedback_messages m ON m.item_id = i.id AND m.from_office
    LEFT JOIN ngos n ON n.id = i.ngo_id
    WHERE i.created_at > ${at(since)} AND i.created_at <= ${at(now)} ${scope}
    GROUP BY i.id, i.created_at`;
}

/**
 * NGOs' parts of deadlines: reports submitted since `since` by the end of the due day (Tehran) or after
 * it, and parts of open deadlines still without a report, past their due day or not.
 */
export async function deadlineParts(prisma: PrismaClient, counties: Counties, since: Date, now: Date) {
  const submitted = Prisma.sql`t.submitted_at > ${at(since)} AND t.submitted_at <= ${at(now)}`;
  const lateDay = Prisma.sql`${tehranDay(Prisma.sql`t.submitted_at`)} > ${tehranDay(Prisma.sql`d.due_at`)}`;
  const owing = Prisma.sql`t.status = 'PENDING' AND d.status = 'OPEN'`;
  const pastDue = Prisma.sql`${tehranDay(Prisma.sql`d.due_at`)} < ${tehranDay(at(now))}`;
  const [row] = await prisma.$queryRaw<{ onTime: number; late: number; overdue: number; due: number }[]>`
    SELECT
      count(*) FILTER (WHERE ${submitted} AND NOT (${lateDay}))::int AS "onTime",
      count(*) FILTER (WHERE ${submitted} AND ${lateDay})::int AS late,
      count(*) FILTER (WHERE ${owing} AND ${pastDue})::int AS overdue,
      count(*) FILTER (WHERE ${owing} AND NOT (${pastDue}))::int AS due
    FROM deadline_targets t
    JOIN deadlines d ON d.id = t.deadline_id
    JOIN ngos n ON n.id = t.ngo_id
    WHERE TRUE ${countyFilter(Prisma.sql`n.county_id`, counties)}`;
  return row ?? { onTime: 0, late: 0, overdue: 0, due: 0 };
}

/** The chats of the members of the scope's NGOs, as the outbox's `chats` query. */
export function memberChats(counties: readonly number[]): Prisma.Sql {
  return Prisma.sql`SELECT m.user_id FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id WHERE TRUE ${countyFilter(Prisma.sql`n.county_id`, counties)}`;
}
