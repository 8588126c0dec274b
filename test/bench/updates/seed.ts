/**
 * The updates bench's data set, written with generate_series so it takes seconds, not minutes, on both
 * PostgreSQL and PGlite: 20,000 NGOs (nine in ten approved) over the seeded counties and fields, 100,000
 * users, 60,000 memberships, open deadlines with their per-NGO targets (three for every approved NGO,
 * one per county for the first counties), published courses with enrolments, and ten answered feedback
 * items per simulated member. Ids are fixed so the mix can name them in callback_data.
 *
 * Nothing in it may wake the bot's scheduled jobs during a run: deadlines are due 20+ days ahead with
 * reminders at 7 and 1 days, courses start 20+ days ahead, and feedback is answered days ago (nothing
 * waiting for the office, nothing for today's digest).
 */
import type { Database } from '../../../src/platform/db/client.js';

export const NGOS = 20_000;
export const USERS = 100_000;
/** Users 1..MEMBERS are the simulated members; each belongs to an approved NGO of its own. */
export const MEMBERS = 1_000;
export const USER_ID_BASE = 500_000_000;
export const ADMIN_ID = 999_000_001;
export const COURSES = 12;
export const FEEDBACK_PER_MEMBER = 10;
/** Deadlines 1..ALL_NGO_DEADLINES apply to every approved NGO (a member can press "submit report" on them). */
export const ALL_NGO_DEADLINES = 3;
const COUNTY_DEADLINES = 5;

/** The simulated member `k` (0-based): their user id (= private chat id). */
export const memberUserId = (k: number): number => USER_ID_BASE + 1 + k;
/** Their NGO: ids 1, 11, 21, ... are approved (every tenth NGO, id ≡ 0 mod 10, is not). */
export const memberNgoId = (k: number): number => 10 * k + 1;
/** Their own feedback items. */
export const memberFeedbackIds = (k: number): number[] => Array.from({ length: FEEDBACK_PER_MEMBER }, (_, i) => k * FEEDBACK_PER_MEMBER + i + 1);

function statements(): string[] {
  const ago = (days: number) => `now() - interval '${days} days'`;
  const ahead = (days: number) => `now() + interval '${days} days'`;
  return [
    // Users: the simulated members speak Persian and have names; the rest are people who once wrote.
    `INSERT INTO users (id, first_name, last_name, language, created_at, updated_at, last_seen_at)
     SELECT ${USER_ID_BASE} + i, 'کاربر ' || i, CASE WHEN i % 3 = 0 THEN 'محمدی' END, CASE WHEN i <= ${MEMBERS} OR i % 4 = 0 THEN 'fa' END,
            ${ago(60)}, ${ago(30)}, ${ago(2)}
     FROM generate_series(1, ${USERS}) AS i`,
    // NGOs spread over every county; every tenth one pending, rejected or suspended.
    `INSERT INTO ngos (id, name, registration_number, authority, authority_key, county_id, founded_year, member_count,
                       manager_name, manager_phone, description, status, reviewed_by, reviewed_at, submitted_at, approved_at, created_at, updated_at)
     SELECT i, 'انجمن نیکوکاری شماره ' || i, 'R' || i, a.code, a.code, c.ids[1 + i % array_length(c.ids, 1)], 1380 + i % 40, 10 + i % 200,
            'مدیر ' || i, '0913' || lpad((i % 10000000)::text, 7, '0'), CASE WHEN i % 2 = 0 THEN 'فعالیت در حوزه‌ی ' || i END,
            (CASE WHEN i % 10 <> 0 THEN 'APPROVED' WHEN i % 30 = 0 THEN 'REJECTED' WHEN i % 20 = 0 THEN 'SUSPENDED' ELSE 'PENDING' END)::"NgoStatus",
            CASE WHEN i % 10 <> 0 THEN ${ADMIN_ID} END, CASE WHEN i % 10 <> 0 THEN ${ago(40)} END, ${ago(50)},
            CASE WHEN i % 10 <> 0 THEN ${ago(40)} END, ${ago(50)}, ${ago(40)}
     FROM generate_series(1, ${NGOS}) AS i
     CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM counties) AS c
     CROSS JOIN LATERAL (SELECT (ARRAY['GOVERNORATE','WELFARE','SPORTS_YOUTH','CULTURE','HEALTH','ENVIRONMENT'])[1 + i % 6] AS code) AS a`,
    `SELECT setval(pg_get_serial_sequence('ngos', 'id'), ${NGOS})`,
    // One or two fields per NGO.
    `INSERT INTO ngo_fields (ngo_id, field_id)
     SELECT n.i, f.ids[1 + n.i % array_length(f.ids, 1)] FROM generate_series(1, ${NGOS}) AS n(i) CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM activity_fields) AS f
     UNION
     SELECT n.i, f.ids[1 + (n.i / 7) % array_length(f.ids, 1)] FROM generate_series(1, ${NGOS}, 3) AS n(i) CROSS JOIN (SELECT array_agg(id ORDER BY id) AS ids FROM activity_fields) AS f`,
    // The simulated members: member k manages (even k) or belongs to (odd k) NGO 10k+1.
    `INSERT INTO ngo_members (user_id, ngo_id, role, joined_at)
     SELECT ${USER_ID_BASE} + 1 + k, 10 * k + 1, (CASE WHEN k % 2 = 0 THEN 'MANAGER' ELSE 'MEMBER' END)::"MemberRole", ${ago(30)}
     FROM generate_series(0, ${MEMBERS - 1}) AS k`,
    // 59,000 more members (3 per NGO on average), never in the simulated members' rows.
    `INSERT INTO ngo_members (user_id, ngo_id, role, joined_at)
     SELECT ${USER_ID_BASE} + i, 1 + (i * 7919) % ${NGOS}, (CASE WHEN i % 5 = 0 THEN 'MANAGER' ELSE 'MEMBER' END)::"MemberRole", ${ago(30)}
     FROM generate_series(${MEMBERS + 1}, 60000) AS i`,
    // Deadlines: three for every approved NGO, then one per county for the first counties.
    `INSERT INTO deadlines (id, kind, title, description, due_at, audience, reminder_days, status, created_by, created_at)
     SELECT d, 'GENERAL'::"DeadlineKind", 'گزارش عملکرد دوره ' || d, 'گزارش فعالیت‌ها و هزینه‌ها را بفرستید.', ${ahead(20)} + d * interval '9 days',
            '{"countyIds":[],"fieldIds":[]}'::jsonb, '[7,1]'::jsonb, 'OPEN'::"DeadlineStatus", ${ADMIN_ID}, ${ago(10)}
     FROM generate_series(1, ${ALL_NGO_DEADLINES}) AS d`,
    `INSERT INTO deadlines (id, kind, title, due_at, audience, reminder_days, status, created_by, created_at)
     SELECT ${ALL_NGO_DEADLINES} + r, 'GENERAL'::"DeadlineKind", 'گزارش ویژه‌ی شهرستان ' || c.name, ${ahead(25)},
            jsonb_build_object('countyIds', jsonb_build_array(c.id), 'fieldIds', '[]'::jsonb), '[7,1]'::jsonb, 'OPEN'::"DeadlineStatus", ${ADMIN_ID}, ${ago(5)}
     FROM (SELECT id, name, row_number() OVER (ORDER BY id) AS r FROM counties) AS c WHERE c.r <= ${COUNTY_DEADLINES}`,
    `SELECT setval(pg_get_serial_sequence('deadlines', 'id'), ${ALL_NGO_DEADLINES + COUNTY_DEADLINES})`,
    `INSERT INTO deadline_targets (deadline_id, ngo_id, status)
     SELECT d.id, n.id, 'PENDING'::"DeadlineTargetStatus" FROM deadlines d JOIN ngos n ON n.status = 'APPROVED'
     WHERE d.id <= ${ALL_NGO_DEADLINES}
        OR n.county_id IN (SELECT (jsonb_array_elements_text(d.audience->'countyIds'))::int)`,
    // Courses: published, open for registration, for every county and field.
    `INSERT INTO courses (id, title, description, topic_id, starts_at, duration_minutes, format, place, capacity, per_ngo_limit,
                          registration_deadline, eligibility, status, created_by, created_at)
     SELECT i, 'کارگاه آموزشی شماره ' || i, 'آشنایی با نگارش طرح و گزارش‌دهی', (SELECT min(id) FROM training_topics), ${ahead(20)} + i * interval '2 days', 120,
            'IN_PERSON'::"TrainingFormat", 'سالن اجتماعات استانداری', 400, 3, ${ahead(15)} + i * interval '2 days', '{"countyIds":[],"fieldIds":[]}'::jsonb,
            'PUBLISHED'::"CourseStatus", ${ADMIN_ID}, ${ago(7)}
     FROM generate_series(1, ${COURSES}) AS i`,
    `SELECT setval(pg_get_serial_sequence('courses', 'id'), ${COURSES})`,
    // Enrolments: 150 NGOs per course, simulated members' NGOs among them.
    `INSERT INTO enrollments (course_id, ngo_id, participants, status, created_by, created_at, updated_at)
     SELECT c, 1 + ((c * 37 + k) * 10) % ${NGOS}, 1 + k % 3, 'ENROLLED'::"EnrollmentStatus", ${USER_ID_BASE} + 1, ${ago(3)}, ${ago(3)}
     FROM generate_series(1, ${COURSES}) AS c CROSS JOIN generate_series(0, 149) AS k`,
    // Feedback: ten answered items per simulated member, days ago, each with the member's text and the office's answer.
    `INSERT INTO feedback_items (id, type, status, user_id, ngo_id, anonymous, created_at, updated_at, waiting_since)
     SELECT k * ${FEEDBACK_PER_MEMBER} + j, (ARRAY['SUGGESTION','CRITICISM','COMPLAINT','QUESTION'])[1 + j % 4]::"FeedbackType",
            (CASE WHEN j % 3 = 0 THEN 'CLOSED' ELSE 'ANSWERED' END)::"FeedbackStatus", ${USER_ID_BASE} + 1 + k, 10 * k + 1, j % 5 = 0,
            now() - (j + 3) * interval '1 day', now() - (j + 2) * interval '1 day', NULL
     FROM generate_series(0, ${MEMBERS - 1}) AS k CROSS JOIN generate_series(1, ${FEEDBACK_PER_MEMBER}) AS j`,
    `SELECT setval(pg_get_serial_sequence('feedback_items', 'id'), ${MEMBERS * FEEDBACK_PER_MEMBER})`,
    `INSERT INTO feedback_messages (item_id, author_id, from_office, text, created_at)
     SELECT id, user_id, false, 'پیشنهاد می‌کنم جلسات توجیهی برای سازمان‌های تازه‌ثبت‌شده برگزار شود. شماره ' || id, created_at FROM feedback_items
     UNION ALL
     SELECT id, ${ADMIN_ID}, true, 'با سپاس؛ موضوع در دستور کار دفتر قرار گرفت.', updated_at FROM feedback_items`,
    'ANALYZE',
  ];
}

/** Seeds a freshly migrated database; returns how long it took (ms). */
export async function seedDatabase(db: Database): Promise<number> {
  const started = performance.now();
  for (const sql of statements()) await db.prisma.$executeRawUnsafe(sql);
  return performance.now() - started;
}
