/**
 * The hottest reads run as plain SQL (platform/db/reader.ts) and must give what Prisma gives for the same
 * rows: bigints as bigint, json as objects, and dates in UTC whatever the server process's time zone (a
 * `timestamp` column read as local time would move every due date by three and a half hours in Tehran).
 */
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { memberDeadlineParts, memberDeadlines } from '../../src/features/deadlines/member-list.js';
import { createFeedbackService } from '../../src/features/feedback/index.js';
import { createFeedbackAccess } from '../../src/features/feedback/access.js';
import { mayWriteReads, ownItemReads } from '../../src/features/feedback/member-reads.js';
import { memberRoles, profiles } from '../../src/features/ngos/profile-read.js';
import { createNgoStore } from '../../src/features/ngos/store.js';
import { loadCourse } from '../../src/features/training/course-store.js';
import { courseCards, memberNgos, openCourses } from '../../src/features/training/open-courses.js';
import { poolReader, type SqlReader } from '../../src/platform/db/reader.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { AppError } from '../../src/platform/errors.js';
import { createTestDatabase, storageModes, type TestDatabase } from '../support/database.js';
import { createNgo, createUser } from '../support/ngo-fixtures.js';

describe.each(storageModes())('plain SQL reads (%s)', (mode) => {
  let db: TestDatabase | undefined;
  const zone = process.env.TZ;
  afterEach(async () => {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
    await db?.close();
    db = undefined;
  });

  it("when a member's deadlines are read in a process on Tehran time, then each deadline is exactly Prisma's row, dates in UTC", async () => {
    db = await createTestDatabase(mode);
    const ngo = await createNgo(db, { name: 'انجمن حامیان (Green Hands)', managerId: 7001, status: 'APPROVED' });
    const other = await createNgo(db, { name: 'انجمن دیگر', managerId: 7002, status: 'APPROVED' });
    const base = { reminderDays: [7, 1, 0], createdBy: 7001n };
    const project = await db.prisma.deadline.create({
      data: { ...base, kind: 'PROJECT', title: 'گزارش پروژه Green Hands', ngoId: ngo.id, amountToman: 12_500_000_000n, startsAt: new Date('2026-09-01T05:30:00.123Z'), dueAt: new Date('2026-12-01T20:29:59.999Z') },
    });
    const general = await db.prisma.deadline.create({
      data: { ...base, kind: 'GENERAL', title: 'گزارش فصلی', description: 'شرح «مهم»', audience: { countyIds: [1], fieldIds: [] }, dueAt: new Date('2026-11-30T20:30:00Z') },
    });
    const closed = await db.prisma.deadline.create({ data: { ...base, kind: 'GENERAL', title: 'بسته', status: 'CLOSED', dueAt: new Date('2026-10-01T00:00:00Z') } });
    const elsewhere = await db.prisma.deadline.create({ data: { ...base, kind: 'GENERAL', title: 'دیگری', dueAt: new Date('2026-11-01T00:00:00Z') } });
    await db.prisma.deadlineTarget.createMany({
      data: [
        { deadlineId: project.id, ngoId: ngo.id, status: 'SUBMITTED' },
        { deadlineId: general.id, ngoId: ngo.id },
        { deadlineId: closed.id, ngoId: ngo.id },
        { deadlineId: elsewhere.id, ngoId: other.id },
      ],
    });

    process.env.TZ = 'Asia/Tehran';
    const deadlinesOf = memberDeadlines(db.sql);
    // Members of two NGOs asking at the same moment are read in one statement; each gets their own list.
    const [list, otherList] = await Promise.all([deadlinesOf(7001n), deadlinesOf(7002n)]);
    expect(otherList).toEqual(await deadlinesOf(7002n));
    expect(otherList.items.map((d) => d.title)).toEqual(['دیگری']);

    expect(list.ngo).toEqual({ id: ngo.id, name: ngo.name });
    // Open deadlines of this NGO only, nearest first, each as Prisma reads it plus the NGO's part.
    const expected = await db.prisma.deadline.findMany({ where: { id: { in: [general.id, project.id] } }, orderBy: { dueAt: 'asc' } });
    expect(list.items).toEqual([
      { ...expected[0], targetStatus: 'PENDING' },
      { ...expected[1], targetStatus: 'SUBMITTED' },
    ]);
    expect(list.items[1]!.dueAt.toISOString()).toBe('2026-12-01T20:29:59.999Z');
    expect(list.items[1]!.amountToman).toBe(12_500_000_000n);
  });

  it('when someone outside any NGO, or in an NGO not yet approved, asks for deadlines or courses, then the refusal says which', async () => {
    db = await createTestDatabase(mode);
    await createUser(db, 7101);
    await createNgo(db, { name: 'انجمن در انتظار', managerId: 7102, status: 'PENDING' });
    const refusal = (userId: bigint) => memberDeadlines(db!.sql)(userId).then(() => 'listed', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    expect(await refusal(7101n)).toBe('deadlines.errors.no_ngo');
    expect(await refusal(7102n)).toBe('deadlines.errors.ngo_not_approved_member');
    const courses = (userId: bigint) => openCourses(db!.sql, { now: () => new Date() })(userId).then(() => 'listed', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    expect(await courses(7101n)).toBe('courses.errors.no_ngo');
    expect(await courses(7102n)).toBe('courses.errors.ngo_pending');
  });

  it("when a member pages through their feedback, then each page has the newest items first and every page, even one past the end, says how many there are", async () => {
    db = await createTestDatabase(mode);
    await createUser(db, 7201);
    await createUser(db, 7202);
    const sent = new Date('2026-11-20T10:00:00.500Z');
    for (let i = 0; i < 7; i++) await db.prisma.feedbackItem.create({ data: { type: i % 2 ? 'CRITICISM' : 'SUGGESTION', userId: 7201n, anonymous: i === 3, createdAt: new Date(sent.getTime() + i * 60_000) } });
    await db.prisma.feedbackItem.create({ data: { type: 'QUESTION', userId: 7202n } });
    const clock = { now: () => new Date('2026-11-30T10:00:00Z') };
    const feedback = createFeedbackService({ prisma: db.prisma, sql: db.sql, outbox: createOutbox({ prisma: db.prisma, clock }), translator: createTranslator(), clock });
    const mine = await db.prisma.feedbackItem.findMany({ where: { userId: 7201n }, orderBy: { id: 'desc' }, select: { id: true, type: true, status: true, createdAt: true, anonymous: true } });

    expect(await feedback.myItems(7201n, 0, 5)).toEqual({ total: 7, items: mine.slice(0, 5) });
    expect(await feedback.myItems(7201n, 1, 5)).toEqual({ total: 7, items: mine.slice(5) });
    expect(await feedback.myItems(7201n, 2, 5)).toEqual({ total: 7, items: [] });
    expect(await feedback.myItems(7203n, 0, 5)).toEqual({ total: 0, items: [] });
    // Asked for in the same moment (one statement): each sender and page gets its own, asked twice or not.
    const theirs = await db.prisma.feedbackItem.findMany({ where: { userId: 7202n }, select: { id: true, type: true, status: true, createdAt: true, anonymous: true } });
    expect(await Promise.all([feedback.myItems(7201n, 1, 5), feedback.myItems(7202n, 0, 5), feedback.myItems(7201n, 0, 3), feedback.myItems(7203n, 0, 5), feedback.myItems(7201n, 1, 5)])).toEqual([
      { total: 7, items: mine.slice(5) },
      { total: 1, items: theirs },
      { total: 7, items: mine.slice(0, 3) },
      { total: 0, items: [] },
      { total: 7, items: mine.slice(5) },
    ]);
  });

  it("when a member opens one of their items, then the one-statement view is the one Prisma's reads make: the thread in order, no staff names, nobody else's item", async () => {
    db = await createTestDatabase(mode);
    const ngo = await createNgo(db, { name: 'انجمن «مهر» (Mehr)', managerId: 7501, status: 'APPROVED' });
    await createUser(db, 7502, 'کارشناس', 'fa');
    await createUser(db, 7503);
    const at = (minutes: number) => new Date(Date.UTC(2026, 10, 20, 10, minutes, 0, 250));
    const item = await db.prisma.feedbackItem.create({ data: { type: 'CRITICISM', userId: 7501n, ngoId: ngo.id, assignedTo: 7502n, createdAt: at(0), waitingSince: at(0) } });
    const message = (authorId: bigint, fromOffice: boolean, text: string, minutes: number, attachments: object[] = []) =>
      db!.prisma.feedbackMessage.create({ data: { itemId: item.id, authorId, fromOffice, text, attachments, createdAt: at(minutes) } });
    await message(7501n, false, "متن اول با 'نقل‌قول' و \\ بک‌اسلش", 0, [{ kind: 'photo', fileId: 'AgAC-1' }]);
    await message(7502n, true, 'پاسخ دفتر: https://example.org', 5);
    await message(7501n, false, 'پیگیری', 9);
    const bare = await db.prisma.feedbackItem.create({ data: { type: 'QUESTION', userId: 7501n, anonymous: true, createdAt: at(20) } });
    const clock = { now: () => new Date('2026-11-30T10:00:00Z') };
    const feedback = createFeedbackService({ prisma: db.prisma, sql: db.sql, outbox: createOutbox({ prisma: db.prisma, clock }), translator: createTranslator(), clock });
    const access = createFeedbackAccess(db.prisma, db.sql, clock, 5);

    process.env.TZ = 'Asia/Tehran';
    for (const id of [item.id, bare.id]) {
      const viaPrisma = await access.toView(await access.requireOwnItem(7501n, id), 'owner');
      expect(await feedback.myItem(7501n, id)).toEqual(viaPrisma);
    }
    const view = await feedback.myItem(7501n, item.id);
    expect(view.messages.map((m) => [m.author, m.text])).toEqual([
      ['Manager7501', "متن اول با 'نقل‌قول' و \\ بک‌اسلش"],
      [null, 'پاسخ دفتر: https://example.org'],
      ['Manager7501', 'پیگیری'],
    ]);
    expect(view).toMatchObject({ ngo: { name: 'انجمن «مهر» (Mehr)' }, assignee: null, messages: [{ attachments: [{ kind: 'photo', fileId: 'AgAC-1' }] }, {}, {}] });
    const refusal = await feedback.myItem(7503n, item.id).then(() => 'shown', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    expect(refusal).toBe('feedback.errors.not_yours');
  });

  it('when a member starts a feedback form near midnight, then only what they sent since midnight in Tehran counts towards the day', async () => {
    db = await createTestDatabase(mode);
    await createNgo(db, { name: 'انجمن شب', managerId: 7601, status: 'APPROVED' });
    await createNgo(db, { name: 'انجمن ردشده', managerId: 7602, status: 'REJECTED' });
    // 00:30 on 10 Azar in Tehran is 21:00 UTC the evening before.
    const clock = { now: () => new Date('2026-11-30T21:00:00Z') };
    const feedback = createFeedbackService({ prisma: db.prisma, sql: db.sql, outbox: createOutbox({ prisma: db.prisma, clock }), translator: createTranslator(), clock, feedback: { dailyLimit: 2 } });
    const check = (userId: bigint) => feedback.checkCanSubmit(userId).then(() => 'may write', (e: unknown) => (e instanceof AppError ? e.code : String(e)));
    const sent = (iso: string) => db!.prisma.feedbackItem.create({ data: { type: 'QUESTION', userId: 7601n, createdAt: new Date(iso) } });
    await sent('2026-11-30T20:29:00Z'); // 23:59 the day before, Tehran time
    await sent('2026-11-30T20:29:59.999Z');
    await sent('2026-11-30T20:30:00Z'); // 00:00 today
    expect(await check(7601n)).toBe('may write');
    await sent('2026-11-30T20:59:00Z');
    expect(await check(7601n)).toBe('feedback.errors.daily_limit');
    expect(await check(7602n)).toBe('feedback.errors.ngo_rejected');
    expect(await check(7699n)).toBe('feedback.errors.not_member');
  });

  it("when a member opens the courses, then each open course is exactly the course as Prisma reads it, with its seats and the NGO's own enrolment", async () => {
    db = await createTestDatabase(mode);
    const ngo = await createNgo(db, { name: 'انجمن یاوران', managerId: 7301, status: 'APPROVED' });
    const others = [await createNgo(db, { name: 'انجمن الف', managerId: 7302, status: 'APPROVED' }), await createNgo(db, { name: 'انجمن ب', managerId: 7303, status: 'APPROVED' })];
    const topic = await db.prisma.trainingTopic.create({ data: { name: 'نگارش طرح (Proposal)' } });
    const now = new Date('2026-11-30T10:00:00Z');
    const course = (title: string, startsAt: string, extra: object = {}) =>
      db!.prisma.course.create({
        data: { title, startsAt: new Date(startsAt), durationMinutes: 120, format: 'IN_PERSON', place: 'کرمان', capacity: 20, perNgoLimit: 3, registrationDeadline: new Date('2026-12-10T20:29:59.999Z'), eligibility: { countyIds: [], fieldIds: [] }, createdBy: 7301n, ...extra },
      });
    const later = await course('دوره دوم', '2026-12-20T05:30:00Z', { topicId: topic.id, headStartUntil: new Date('2026-12-01T05:30:00Z') });
    const sooner = await course('دوره اول', '2026-12-15T05:30:00Z', { format: 'ONLINE', place: null, onlineLink: 'https://meet.example/a' });
    const cancelled = await course('لغوشده', '2026-12-16T05:30:00Z', { status: 'CANCELLED' });
    await course('مهلت گذشته', '2026-12-17T05:30:00Z', { registrationDeadline: new Date('2026-11-29T00:00:00Z') });
    const enrol = (courseId: number, ngoId: number, participants: number, status: 'ENROLLED' | 'WAITLISTED' | 'CANCELLED') =>
      db!.prisma.enrollment.create({ data: { courseId, ngoId, participants, status, createdBy: 7301n, waitlistedAt: status === 'WAITLISTED' ? now : null } });
    await enrol(later.id, others[0]!.id, 3, 'ENROLLED');
    await enrol(later.id, others[1]!.id, 2, 'WAITLISTED');
    const mine = await enrol(later.id, ngo.id, 2, 'ENROLLED');
    await enrol(sooner.id, ngo.id, 1, 'CANCELLED');

    process.env.TZ = 'Asia/Tehran';
    const openOf = openCourses(db.sql, { now: () => now });
    // Members of two NGOs asking at the same moment are read in one statement, each with their own enrolment.
    const [open, others0] = await Promise.all([openOf(7301n), openOf(7302n)]);
    expect(others0).toEqual(await openOf(7302n));
    expect(others0.courses.find((c) => c.course.id === later.id)?.own).toMatchObject({ status: 'ENROLLED', participants: 3 });
    expect(open.now).toEqual(now);

    expect(open.ngo).toMatchObject({ id: ngo.id, status: 'APPROVED' });
    expect(open.courses).toEqual([
      { course: await loadCourse(db.prisma, sooner.id), own: null },
      { course: await loadCourse(db.prisma, later.id), own: { id: mine.id, status: 'ENROLLED', participants: 2 } },
    ]);
    expect(open.courses[1]!.course).toMatchObject({ topicName: 'نگارش طرح (Proposal)', taken: 5, waiting: 1 });
    // One course's card: any status (a cancelled course still shows why), none for an id that is no course.
    const statements: string[] = [];
    const cardOf = courseCards({ rows: (read, values) => (statements.push(read.name), db!.sql.rows(read, values)) });
    const one = await cardOf(7301n, cancelled.id);
    expect(one.courses).toEqual([{ course: await loadCourse(db.prisma, cancelled.id), own: null }]);
    expect((await cardOf(7301n, later.id)).courses[0]!.own).toEqual({ id: mine.id, status: 'ENROLLED', participants: 2 });
    expect((await cardOf(7301n, 999_999)).courses).toEqual([]);
    // Cards opened in the same moment are one statement, each member with their own NGO and enrolment; someone
    // in no NGO is refused, whoever else asked with them.
    statements.length = 0;
    const [mineLater, theirsLater, mineSooner, again, stranger] = await Promise.allSettled([
      cardOf(7301n, later.id),
      cardOf(7302n, later.id),
      cardOf(7301n, sooner.id),
      cardOf(7301n, later.id),
      cardOf(7399n, later.id),
    ]);
    expect(statements).toEqual(['read_course_cards']);
    const value = <T>(r: PromiseSettledResult<T>) => (r.status === 'fulfilled' ? r.value : (r.reason as AppError).code);
    expect(value(mineLater)).toEqual({ ngo: open.ngo, courses: [{ course: await loadCourse(db.prisma, later.id), own: { id: mine.id, status: 'ENROLLED', participants: 2 } }] });
    expect(value(again)).toEqual(value(mineLater));
    expect(value(theirsLater)).toMatchObject({ ngo: { id: others[0]!.id }, courses: [{ own: { status: 'ENROLLED', participants: 3 } }] });
    expect(value(mineSooner)).toEqual({ ngo: open.ngo, courses: [{ course: await loadCourse(db.prisma, sooner.id), own: null }] });
    expect(value(stranger)).toBe('courses.errors.no_ngo');
  });

  it('when members read their lists all day, one at a time or many at once, then the database plans each read once and keeps the plan, instead of planning every read again', async () => {
    db = await createTestDatabase(mode);
    const ngos = [];
    for (let i = 0; i < 4; i++) ngos.push(await createNgo(db, { name: `انجمن کارت ${i}`, managerId: 7501 + i, status: 'APPROVED' }));
    const courses: { id: number; title: string }[] = [];
    for (let i = 0; i < 3; i++) {
      courses.push(
        await db.prisma.course.create({
          data: { title: `دوره ${i}`, startsAt: new Date('2026-12-20T05:30:00Z'), durationMinutes: 90, format: 'ONLINE', onlineLink: 'https://meet.example/x', capacity: 30, perNgoLimit: 2, registrationDeadline: new Date('2026-12-10T20:29:59.999Z'), eligibility: { countyIds: [], fieldIds: [] }, createdBy: 7501n },
        }),
      );
    }
    for (const [i, ngo] of ngos.entries()) await db.prisma.enrollment.create({ data: { courseId: courses[i % 3]!.id, ngoId: ngo.id, participants: 1, status: 'ENROLLED', createdBy: 7501n } });
    // A province's worth of NGOs and enrolments, and the statistics the planner reads: with a handful of rows
    // any plan is cheap and PostgreSQL keeps one whatever the statement.
    await db.prisma.$executeRawUnsafe(`INSERT INTO ngos (name, registration_number, authority, authority_key, county_id, manager_name, manager_phone, status, updated_at)
      SELECT 'انجمن ' || g, 'R' || g, 'INTERIOR', 'INTERIOR', (SELECT min(id) FROM counties), 'مدیر', '09120000000', 'APPROVED', now() FROM generate_series(1, 3000) g`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO users (id, first_name, updated_at) SELECT 900000 + g, 'عضو', now() FROM generate_series(1, 3000) g`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO ngo_members (user_id, ngo_id, role)
      SELECT 900000 + row_number() OVER (ORDER BY id), id, 'MANAGER' FROM ngos WHERE registration_number LIKE 'R%'`);
    await db.prisma.$executeRawUnsafe(`INSERT INTO enrollments (course_id, ngo_id, participants, status, created_by, updated_at)
      SELECT c.id, n.id, 1, 'ENROLLED', 7501, now() FROM courses c CROSS JOIN (SELECT id FROM ngos WHERE registration_number LIKE 'R%') n`);
    await db.prisma.$executeRawUnsafe('ANALYZE');
    // Prepared statements belong to one session: on a server, one connection for the reads and the question.
    const pool = db.url ? new pg.Pool({ connectionString: db.url, max: 1 }) : undefined;
    try {
      const sql: SqlReader = pool ? poolReader(pool) : db.sql;
      const cardOf = courseCards(sql);
      const clock = { now: () => new Date('2026-11-30T10:00:00Z') };
      const reads = [memberDeadlines(sql), memberDeadlineParts(sql), memberRoles(sql), profiles(sql), openCourses(sql, clock), memberNgos(sql), mayWriteReads(sql, clock), ownItemReads(sql)];
      const readAll = (userId: bigint) => Promise.all(reads.map((read) => (read as (u: bigint, i: number) => Promise<unknown>)(userId, 1).catch(() => 'refused')));
      for (let round = 0; round < 3; round++) {
        for (const [i, course] of courses.entries()) {
          const card = await cardOf(7501n + BigInt((round + i) % 4), course.id);
          expect(card.courses.map((c) => c.course.title)).toEqual([course.title]);
          await readAll(7501n + BigInt(i));
        }
      }
      // Many at once: the same statements, batches of several people.
      for (let round = 0; round < 3; round++) {
        const cards = await Promise.all(ngos.map((_, i) => cardOf(7501n + BigInt(i), courses[(round + i) % 3]!.id)));
        expect(cards.map((card) => card.ngo.id)).toEqual(ngos.map((ngo) => ngo.id));
        await Promise.all([900001n, 900002n, 900003n, 7501n, 7502n].map(readAll));
      }
      const query = `SELECT name, generic_plans, custom_plans FROM pg_prepared_statements WHERE name LIKE 'read_%' ORDER BY name`;
      type Planned = { name: string; generic_plans: bigint | string; custom_plans: bigint | string };
      const planned = pool ? (await pool.query<Planned>(query)).rows : await db.prisma.$queryRawUnsafe<Planned[]>(query);
      // PostgreSQL plans the first five runs with their values, then keeps one plan if it is as good.
      expect(planned.map((p) => p.name)).toEqual([
        'read_course_cards',
        'read_course_member_ngos',
        'read_feedback_may_write',
        'read_feedback_own_items',
        'read_member_deadline_parts',
        'read_member_deadlines',
        'read_my_ngo',
        'read_ngo_roles',
        'read_open_courses',
        'read_open_courses_members',
      ]);
      for (const p of planned) expect({ name: p.name, custom: Number(p.custom_plans), generic: Number(p.generic_plans) >= 3 }).toEqual({ name: p.name, custom: 5, generic: true });
    } finally {
      await pool?.end();
    }
  });

  it("when a member opens their NGO's profile, then the card's data is exactly the membership Prisma reads, with the head count", async () => {
    db = await createTestDatabase(mode);
    const ngo = await createNgo(db, { name: 'انجمن «مهر» (Mehr)', managerId: 7401, status: 'APPROVED', fieldNames: ['محیط زیست', 'آموزش'], members: [{ id: 7402 }, { id: 7403 }] });
    await createUser(db, 7404);
    const clock = { now: () => new Date('2026-11-30T10:00:00Z') };
    const store = createNgoStore({ prisma: db.prisma, sql: db.sql, outbox: createOutbox({ prisma: db.prisma, clock }), translator: createTranslator(), clock });

    process.env.TZ = 'Asia/Tehran';
    const profileOf = profiles(db.sql);
    // Asked for together (one statement) and alone, each person gets their own card.
    const together = await Promise.all([profileOf(7401n), profileOf(7402n), profileOf(7404n)]);
    for (const [i, userId] of [7401n, 7402n].entries()) {
      const expected = { membership: await store.membershipOf(userId), memberCount: 3 };
      expect(await profileOf(userId)).toEqual(expected);
      expect(together[i]).toEqual(expected);
    }
    expect(together[2]).toBeNull();
    expect((await profiles(db.sql)(7402n))!.membership).toMatchObject({ role: 'MEMBER', ngo: { id: ngo.id, fields: expect.arrayContaining(['آموزش']) } });
    expect(await profiles(db.sql)(7404n)).toBeNull();
    // The role alone, as /start and /help ask for it: asked together, read together, each their own.
    const roleOf = memberRoles(db.sql);
    expect(await Promise.all([roleOf(7401n), roleOf(7402n), roleOf(7404n), roleOf(7401n)])).toEqual(['MANAGER', 'MEMBER', null, 'MANAGER']);
  });
});
