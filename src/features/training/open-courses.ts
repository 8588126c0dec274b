/**
 * The courses open to a member's NGO, the list members open after a course is announced, and one course
 * as a member sees it (its card): the NGO (its status, county and fields), each course with its topic and
 * seats, and the NGO's own enrolment in it, in one prepared statement each (platform/db/reader.ts). The
 * use cases decide the rest (eligibility, head start, waitlist position).
 */
import { batchedLookup, byUser, sqlRead, type SqlReader } from '../../platform/db/reader.js';
import type { Clock } from '../../platform/text/clock.js';
import type { Course } from '../../platform/db/generated/client.js';
import { toView, type CourseView } from './course-store.js';
import { ofApprovedNgo } from './needs-service.js';

/** At most this many courses are listed (the soonest first), as before. */
const LISTED = 30;

type CourseColumns = { [K in keyof Course]: Course[K] | null };
type Row = CourseColumns & {
  forUser: bigint;
  ngoId: number;
  ngoStatus: string;
  countyId: number;
  fieldIds: number[];
  topicName: string | null;
  taken: number;
  waiting: number;
  ownId: number | null;
  ownStatus: 'ENROLLED' | 'WAITLISTED' | null;
  ownParticipants: number | null;
};

/** The NGO of each member `members` names: its status, county and fields (what eligibility reads). */
const me = (members: string) => `WITH me AS (
     SELECT m.user_id, n.id, n.status::text AS status, n.county_id,
            coalesce(array_agg(f.field_id ORDER BY f.field_id) FILTER (WHERE f.field_id IS NOT NULL), '{}') AS field_ids
     FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id LEFT JOIN ngo_fields f ON f.ngo_id = n.id
     WHERE ${members}
     GROUP BY m.user_id, n.id
   )`;

/**
 * Seats taken and places on the waitlist of the courses in `listed` (a CTE with their ids), summed once
 * for every member in the statement rather than once per member and course.
 */
const SEATS = `seats AS (
     SELECT e.course_id, coalesce(sum(e.participants) FILTER (WHERE e.status = 'ENROLLED'), 0)::int AS taken,
            (count(*) FILTER (WHERE e.status = 'WAITLISTED'))::int AS waiting
     FROM enrollments e WHERE e.course_id IN (SELECT id FROM listed)
     GROUP BY e.course_id
   )`;

/** The NGO, then the course `c` as the model names its columns, its topic, seats and the NGO's own enrolment. */
const COLUMNS = `SELECT me.user_id AS "forUser", me.id AS "ngoId", me.status AS "ngoStatus", me.county_id AS "countyId", me.field_ids AS "fieldIds",
     c.id, c.title, c.description, c.topic_id AS "topicId", c.starts_at AS "startsAt", c.duration_minutes AS "durationMinutes",
     c.format::text AS format, c.place, c.online_link AS "onlineLink", c.capacity, c.per_ngo_limit AS "perNgoLimit",
     c.registration_deadline AS "registrationDeadline", c.eligibility, c.status::text AS status,
     c.head_start_until AS "headStartUntil", c.created_by AS "createdBy", c.created_at AS "createdAt",
     tp.name AS "topicName",
     coalesce(s.taken, 0) AS taken, coalesce(s.waiting, 0) AS waiting,
     own.id AS "ownId", own.status::text AS "ownStatus", own.participants AS "ownParticipants"`;

/**
 * The NGO's own enrolment is looked up by its key (course, NGO) for each row: as a plain join, a plan made
 * without the values at hand (see ONE_COURSE) read every enrolment of every course.
 */
const TOPIC_AND_OWN = `LEFT JOIN training_topics tp ON tp.id = c.topic_id
   LEFT JOIN seats s ON s.course_id = c.id
   LEFT JOIN LATERAL (
     SELECT e.id, e.status, e.participants FROM enrollments e
     WHERE e.course_id = c.id AND e.ngo_id = me.id AND e.status IN ('ENROLLED', 'WAITLISTED') LIMIT 1
   ) own ON true`;

/** $1 the members (their ids joined by commas), $2 now: for each, the courses still taking enrolments, the soonest first. */
const OPEN_COURSES = sqlRead<Row>(
  'open_courses',
  `${me(`m.user_id = ANY (string_to_array($1, ',')::bigint[])`)},
   listed AS (
     SELECT * FROM courses cc
     WHERE cc.status = 'PUBLISHED' AND cc.registration_deadline > $2 AND cc.starts_at > $2
     ORDER BY cc.starts_at, cc.id LIMIT ${LISTED}
   ),
   ${SEATS}
   ${COLUMNS}
   FROM me
   LEFT JOIN listed c ON me.status = 'APPROVED'
   ${TOPIC_AND_OWN}
   ORDER BY me.user_id, c.starts_at, c.id`,
);

/**
 * $1 the member, $2 the course (whatever its status: its card says why it takes no enrolment). One member,
 * by key: PostgreSQL then keeps one plan for every card it serves instead of planning each read again,
 * which cost three times the reading (issue 12; a list of members' ids it can only plan per list).
 */
const ONE_COURSE = sqlRead<Row>(
  'course_for_ngo',
  `${me('m.user_id = $1::bigint')},
   listed AS (SELECT * FROM courses WHERE id = $2),
   ${SEATS}
   ${COLUMNS}
   FROM me
   LEFT JOIN listed c ON me.status = 'APPROVED'
   ${TOPIC_AND_OWN}`,
);

export interface OpenCourse {
  course: CourseView;
  own: { id: number; status: 'ENROLLED' | 'WAITLISTED'; participants: number } | null;
}

/**
 * The member's NGO as eligibility reads it, and the courses open at the moment of reading, which comes
 * with them (the members asking in the same turn are read together, at one moment); the refusals of
 * approvedMembershipOf.
 */
export function openCourses(sql: SqlReader, clock: Clock): (userId: bigint) => Promise<ReturnType<typeof toResult> & { now: Date }> {
  const lookup = batchedLookup(async (ids: bigint[]) => {
    const now = clock.now();
    const grouped = byUser(await sql.rows(OPEN_COURSES, [ids.join(','), now]));
    // The members read together see the same courses: each course's view is made once for all of them.
    const views = new Map<number, CourseView>();
    return new Map([...grouped].map(([user, rows]) => [user, { rows, now, views }]));
  });
  return async (userId) => {
    const found = await lookup(userId);
    return { ...toResult(found?.rows ?? [], found?.views), now: found?.now ?? clock.now() };
  };
}

/** The member's NGO and one course (none when there is no such course); the refusals of approvedMembershipOf. */
export async function readCourseForNgo(sql: SqlReader, userId: bigint, courseId: number) {
  return toResult(await sql.rows(ONE_COURSE, [String(userId), courseId]));
}

/** Rows of one member; `views` are the courses' views already made from rows of the same statement. */
function toResult(rows: Row[], views = new Map<number, CourseView>()) {
  const first = ofApprovedNgo(rows[0], (row) => row.ngoStatus);
  const ngo = { id: first.ngoId, status: first.ngoStatus, countyId: first.countyId, fieldIds: first.fieldIds };
  const courses: OpenCourse[] = [];
  for (const row of rows) {
    if (row.id === null) continue;
    let view = views.get(row.id);
    if (!view) {
      const { forUser: _u, ngoId: _n, ngoStatus: _s, countyId: _c, fieldIds: _f, topicName, taken, waiting, ownId: _o, ownStatus: _os, ownParticipants: _op, ...course } = row;
      view = toView({ ...(course as Course), topic: topicName === null ? null : { name: topicName } }, { taken, waiting });
      views.set(row.id, view);
    }
    const { ownId, ownStatus, ownParticipants } = row;
    courses.push({ course: view, own: ownId === null ? null : { id: ownId, status: ownStatus!, participants: ownParticipants! } });
  }
  return { ngo, courses };
}
