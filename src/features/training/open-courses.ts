/**
 * The courses open to a member's NGO, the list members open after a course is announced, and one course
 * as a member sees it (its card): the NGO (its status, county and fields), each course with its topic and
 * seats, and the NGO's own enrolment in it, in prepared statements (platform/db/reader.ts). The use cases
 * decide the rest (eligibility, head start, waitlist position).
 */
import { batchedLookup, byUser, keyedRead, keyedRows, perKeyRows, perUserRows, sqlRead, type SqlReader } from '../../platform/db/reader.js';
import type { Clock } from '../../platform/text/clock.js';
import type { Course } from '../../platform/db/generated/client.js';
import { toView, type CourseView } from './course-store.js';
import { ofApprovedNgo } from './membership.js';

/** At most this many courses are listed (the soonest first), as before. */
const LISTED = 30;

/** A course as the model names its columns, with its topic's name and its seats. */
type CourseRow = Course & { topicName: string | null; taken: number; waiting: number };
type NgoColumns = { forUser: bigint; ngoId: number; ngoStatus: string; countyId: number; fieldIds: number[] };
type OwnColumns = { ownId: number | null; ownStatus: 'ENROLLED' | 'WAITLISTED' | null; ownParticipants: number | null };
/** A member's NGO and one of its enrolments in the listed courses (none: courseId null). */
type MemberRow = NgoColumns & OwnColumns & { courseId: number | null };
/** A member's NGO, the course (none: its columns null) and the NGO's enrolment in it. */
type CardRow = NgoColumns & OwnColumns & { [K in keyof CourseRow]: CourseRow[K] | null };

/** The NGO of each member `members` names: its status, county and fields (what eligibility reads). */
const me = (members: string) => `me AS (
     SELECT m.user_id, n.id, n.status::text AS status, n.county_id,
            coalesce(array_agg(f.field_id ORDER BY f.field_id) FILTER (WHERE f.field_id IS NOT NULL), '{}') AS field_ids
     FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id LEFT JOIN ngo_fields f ON f.ngo_id = n.id
     WHERE ${members}
     GROUP BY m.user_id, n.id
   )`;

const NGO_COLUMNS = `me.user_id AS "forUser", me.id AS "ngoId", me.status AS "ngoStatus", me.county_id AS "countyId", me.field_ids AS "fieldIds"`;

/** The courses taking enrolments at `now` (a parameter), the soonest first. */
const listed = (columns: string, now: string) => `listed AS (
     SELECT ${columns} FROM courses cc
     WHERE cc.status = 'PUBLISHED' AND cc.registration_deadline > ${now} AND cc.starts_at > ${now}
     ORDER BY cc.starts_at, cc.id LIMIT ${LISTED}
   )`;

/**
 * Seats taken and places on the waitlist of the courses in `listed` (a CTE with their ids), summed once
 * per statement rather than once per member and course.
 */
const SEATS = `seats AS (
     SELECT e.course_id, coalesce(sum(e.participants) FILTER (WHERE e.status = 'ENROLLED'), 0)::int AS taken,
            (count(*) FILTER (WHERE e.status = 'WAITLISTED'))::int AS waiting
     FROM enrollments e WHERE e.course_id IN (SELECT id FROM listed)
     GROUP BY e.course_id
   )`;

/** The course `c` as the model names its columns, its topic (`tp`) and seats (`s`). */
const COURSE_COLUMNS = `c.id, c.title, c.description, c.topic_id AS "topicId", c.starts_at AS "startsAt", c.duration_minutes AS "durationMinutes",
     c.format::text AS format, c.place, c.online_link AS "onlineLink", c.capacity, c.per_ngo_limit AS "perNgoLimit",
     c.registration_deadline AS "registrationDeadline", c.eligibility, c.status::text AS status,
     c.head_start_until AS "headStartUntil", c.created_by AS "createdBy", c.created_at AS "createdAt",
     tp.name AS "topicName", coalesce(s.taken, 0) AS taken, coalesce(s.waiting, 0) AS waiting`;

const TOPIC_AND_SEATS = `LEFT JOIN training_topics tp ON tp.id = c.topic_id
   LEFT JOIN seats s ON s.course_id = c.id`;

/**
 * $1 now: the open courses, once for all the members asking together. Each member's rows used to carry
 * every course's columns again, and reading them was a good part of what a member's list cost (issue 12).
 */
const OPEN_COURSES = sqlRead<CourseRow>(
  'open_courses',
  `WITH ${listed('*', '$1')},
   ${SEATS}
   SELECT ${COURSE_COLUMNS}
   FROM listed c
   ${TOPIC_AND_SEATS}
   ORDER BY c.starts_at, c.id`,
);

/** The members asked, $2 now: each member's NGO and its enrolments in the open courses. */
const MEMBERS = keyedRead<MemberRow>(
  'open_courses_members',
  ['user_id'],
  (asked) => `WITH ${me(`m.user_id IN (SELECT user_id FROM ${asked} a)`)},
   ${listed('cc.id', '$2')}
   SELECT ${NGO_COLUMNS}, own.course_id AS "courseId", own.id AS "ownId", own.status::text AS "ownStatus", own.participants AS "ownParticipants"
   FROM me
   LEFT JOIN enrollments own ON own.ngo_id = me.id AND own.course_id IN (SELECT id FROM listed) AND own.status IN ('ENROLLED', 'WAITLISTED')`,
);

/**
 * The members and the course each opened (whatever its status: its card says why it takes no enrolment):
 * each member's NGO, the course, and the NGO's enrolment in it looked up by its key. The cards opened in the
 * same turn are one statement (after an announcement, many members open the same course at once); its seats
 * are counted by course through the enrolments' index, so that no plan made without the values at hand
 * reads every enrolment of every course (issue 12).
 */
const COURSE_CARDS = keyedRead<CardRow & { forCourse: bigint }>(
  'course_cards',
  ['user_id', 'course_id'],
  (asked) => `WITH asked AS (SELECT * FROM ${asked} a),
   ${me('m.user_id IN (SELECT user_id FROM asked)')},
   listed AS (SELECT * FROM courses WHERE id IN (SELECT course_id FROM asked)),
   seats AS (
     SELECT l.id AS course_id, counted.taken, counted.waiting FROM listed l CROSS JOIN LATERAL (
       SELECT coalesce(sum(e.participants) FILTER (WHERE e.status = 'ENROLLED'), 0)::int AS taken,
              (count(*) FILTER (WHERE e.status = 'WAITLISTED'))::int AS waiting
       FROM enrollments e WHERE e.course_id = l.id
     ) counted
   )
   SELECT a.course_id AS "forCourse", ${NGO_COLUMNS}, ${COURSE_COLUMNS},
     own.id AS "ownId", own.status::text AS "ownStatus", own.participants AS "ownParticipants"
   FROM asked a
   JOIN me ON me.user_id = a.user_id
   LEFT JOIN listed c ON c.id = a.course_id AND me.status = 'APPROVED'
   ${TOPIC_AND_SEATS}
   LEFT JOIN LATERAL (
     SELECT e.id, e.status, e.participants FROM enrollments e
     WHERE e.course_id = c.id AND e.ngo_id = me.id AND e.status IN ('ENROLLED', 'WAITLISTED') LIMIT 1
   ) own ON true`,
);

export interface OpenCourse {
  course: CourseView;
  own: { id: number; status: 'ENROLLED' | 'WAITLISTED'; participants: number } | null;
}

/** What eligibility reads of a member's NGO; the refusals of approvedMembershipOf. */
function ngoOf(row: NgoColumns | undefined) {
  const first = ofApprovedNgo(row, (r) => r.ngoStatus);
  return { id: first.ngoId, status: first.ngoStatus, countyId: first.countyId, fieldIds: first.fieldIds };
}

function ownOf(row: OwnColumns): OpenCourse['own'] {
  return row.ownId === null ? null : { id: row.ownId, status: row.ownStatus!, participants: row.ownParticipants! };
}

function courseView({ topicName, taken, waiting, ...course }: CourseRow): CourseView {
  return toView({ ...course, topic: topicName === null ? null : { name: topicName } }, { taken, waiting });
}

/**
 * The member's NGO as eligibility reads it, and the courses open at the moment of reading, which comes
 * with them; the refusals of approvedMembershipOf. The members asking in the same turn are read together,
 * at one moment: the courses once, their NGOs and enrolments beside them (two statements, so an enrolment
 * made between the two can be missing from this list, as it would be from a list read a moment earlier).
 */
export function openCourses(sql: SqlReader, clock: Clock): (userId: bigint) => Promise<{ ngo: ReturnType<typeof ngoOf>; courses: OpenCourse[]; now: Date }> {
  const lookup = batchedLookup(async (ids: bigint[]) => {
    const now = clock.now();
    const [courseRows, memberRows] = await Promise.all([sql.rows(OPEN_COURSES, [now]), keyedRows(sql, MEMBERS, ids.map((id) => [id]), [now])]);
    const views = courseRows.map(courseView);
    return new Map([...byUser(memberRows)].map(([user, rows]) => [user, { rows, views, now }]));
  });
  return async (userId) => {
    const found = await lookup(userId);
    // Someone in no NGO has no rows: refused here.
    const ngo = ngoOf(found?.rows[0]);
    const { rows, views, now } = found!;
    const own = new Map(rows.filter((r) => r.courseId !== null).map((r) => [r.courseId!, ownOf(r)]));
    return { ngo, courses: views.map((course) => ({ course, own: own.get(course.id) ?? null })), now };
  };
}

/** $1 the members: each one's NGO as eligibility reads it. */
const MEMBER_NGOS = keyedRead<NgoColumns>('course_member_ngos', ['user_id'], (asked) => `WITH ${me(`m.user_id IN (SELECT user_id FROM ${asked} a)`)} SELECT ${NGO_COLUMNS} FROM me`);

/**
 * The member's NGO as eligibility reads it, with the refusals of approvedMembershipOf (the courses menu asks
 * before it offers anything); the members asking in the same turn are read together.
 */
export function memberNgos(sql: SqlReader): (userId: bigint) => Promise<ReturnType<typeof ngoOf>> {
  const rowsOf = perUserRows(sql, MEMBER_NGOS);
  return async (userId) => ngoOf((await rowsOf(userId))[0]);
}

/**
 * The member's NGO and one course (none when there is no such course); the refusals of approvedMembershipOf.
 * The cards asked for in the same turn are read together.
 */
export function courseCards(sql: SqlReader): (userId: bigint, courseId: number) => Promise<{ ngo: ReturnType<typeof ngoOf>; courses: OpenCourse[] }> {
  const rowsOf = perKeyRows<CardRow & { forCourse: bigint }, [bigint, number]>(sql, COURSE_CARDS, (row) => [row.forUser, row.forCourse]);
  return async (userId, courseId) => {
    const rows = await rowsOf(userId, courseId);
    const ngo = ngoOf(rows[0]);
    const courses: OpenCourse[] = rows.filter((r) => r.id !== null).map((r) => ({ course: courseView(r as CourseRow), own: ownOf(r) }));
    return { ngo, courses };
  };
}
