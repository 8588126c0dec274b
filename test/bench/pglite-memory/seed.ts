/**
 * Fills a migrated database with a national-scale data set in a few set-based statements, so every
 * variant of the memory measurement starts from a copy of the same data directory. The shape follows
 * issue 12: 20,000 NGOs (nine in ten approved) in the seeded counties, 100,000 users who are all members
 * (the first user of each NGO its manager), one field of activity per NGO and a handful of admins.
 */
export const FIRST_USER_ID = 100_000_000n;

export function seedStatements(ngos: number, users: number): string[] {
  return [
    `INSERT INTO ngos (name, registration_number, authority, authority_key, county_id, founded_year, member_count,
       manager_name, manager_phone, description, status, submitted_at, reviewed_at, approved_at, invite_token, updated_at)
     SELECT 'انجمن خیریه نمونه شماره ' || g, 'R-' || g, 'MOI', 'MOI', c.ids[1 + g % c.n], 1370 + g % 30, 5 + g % 200,
       'مدیر عامل ' || g, '0913' || lpad(g::text, 7, '0'),
       'فعالیت در حوزه‌های آموزشی و فرهنگی و حمایت از خانواده‌ها، شماره ' || g,
       (CASE WHEN g % 10 = 0 THEN 'PENDING' ELSE 'APPROVED' END)::"NgoStatus",
       now() - g * interval '7 minutes', CASE WHEN g % 10 = 0 THEN NULL ELSE now() END,
       CASE WHEN g % 10 = 0 THEN NULL ELSE now() END, md5(g::text), now()
     FROM generate_series(1, ${ngos}) g,
          (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM counties) c`,
    `INSERT INTO ngo_fields (ngo_id, field_id)
     SELECT n.id, f.ids[1 + n.id % f.n] FROM ngos n,
       (SELECT array_agg(id ORDER BY id) AS ids, count(*)::int AS n FROM activity_fields) f`,
    `INSERT INTO users (id, first_name, last_name, username, language, created_at, updated_at, last_seen_at)
     SELECT ${FIRST_USER_ID} + g, 'کاربر ' || g, CASE WHEN g % 3 = 0 THEN NULL ELSE 'خانواده ' || g END,
       CASE WHEN g % 2 = 0 THEN 'user_' || g END, CASE WHEN g % 7 = 0 THEN 'en' END,
       now() - g * interval '1 minute', now(), now() - g * interval '1 minute'
     FROM generate_series(1, ${users}) g`,
    // Every user belongs to one NGO: user g to NGO (g - 1) mod ngos; the first pass over the NGOs are managers.
    `INSERT INTO ngo_members (user_id, ngo_id, role, joined_at)
     SELECT ${FIRST_USER_ID} + g, m.first + (g - 1) % ${ngos},
       (CASE WHEN g <= ${ngos} THEN 'MANAGER' ELSE 'MEMBER' END)::"MemberRole", now()
     FROM generate_series(1, ${users}) g, (SELECT min(id) AS first FROM ngos) m`,
    `INSERT INTO admins (user_id, role) SELECT ${FIRST_USER_ID} + g, 'PROVINCE_ADMIN' FROM generate_series(1, 10) g`,
    'ANALYZE',
    'CHECKPOINT',
  ];
}
