/**
 * Training needs and courses through their use cases, on the embedded database, without Telegram:
 * what is stored, what is refused, and what is queued in the outbox (nothing is dispatched here).
 */
import { describe, expect, it } from 'vitest';
import type { CourseDraft } from '../../src/features/training/index.js';
import { courseDraft } from '../support/course-fixtures.js';
import { e2eStorageMode, type StorageMode, type TestDatabase } from '../support/database.js';
import { createAudience, type AudienceNgo } from '../support/ngo-audience.js';
import { createAdmin } from '../support/ngo-fixtures.js';
import { startServiceHarness, type ServiceHarness } from '../support/service-harness.js';

const H = 3_600_000;
/** Sunday 1405/09/01 10:00 Tehran: a working morning, outside quiet hours. */
const START = new Date('2026-11-22T06:30:00Z');
const ADMIN = 1001n;
const COUNTY_ADMIN = 1002n;
/** Seeded topic 1 ('جذب منابع مالی'). */
const TOPIC = 1;

let h: ServiceHarness;

async function setup(mode: StorageMode = 'embedded') {
  h = await startServiceHarness({ start: START, mode, staff: [{ id: ADMIN, role: 'PROVINCE_ADMIN' }] });
  const { db, prisma, clock, services } = h;
  const ngos = await createAudience(db, [
    { name: 'انجمن حامیان محیط زیست کرمان', county: 'کرمان', fields: ['محیط زیست'] },
    { name: 'کانون جوانان رفسنجان', county: 'رفسنجان', fields: ['ورزش و جوانان'] },
    { name: 'مؤسسه سلامت بم', county: 'بم', fields: ['بهداشت و سلامت'] },
    { name: 'جمعیت یاوران سلامت کرمان', county: 'کرمان', fields: ['بهداشت و سلامت'] },
  ]);
  const user = (ngo: AudienceNgo) => BigInt(ngo.managerId);
  return { ...services, prisma, clock, ngos: ngos as [AudienceNgo, AudienceNgo, AudienceNgo, AudienceNgo], user };
}

/** The fixture's course, three days after START unless the test says otherwise. */
const draft = (overrides: Partial<CourseDraft> = {}): CourseDraft => courseDraft(new Date(START.getTime() + 72 * H), overrides);

const need = { topicId: TOPIC, description: 'آموزش روش‌های جذب حامی مالی', participants: 4, format: 'IN_PERSON' as const };

async function statuses(prisma: TestDatabase['prisma'], courseId: number) {
  const rows = await prisma.enrollment.findMany({ where: { courseId }, orderBy: { id: 'asc' } });
  return rows.map((r) => ({ ngoId: r.ngoId, status: r.status }));
}

/** The queued deliveries of the messages whose key starts with `keyPrefix`, in queue order, by chat id as a number (as the fixture's ids). */
async function deliveries(keyPrefix: string) {
  return (await h.deliveries(keyPrefix)).map((d) => ({ ...d, chatId: Number(d.chatId) }));
}

describe('training needs', () => {
  it('when an NGO declares a need and withdraws it, then it is open, then withdrawn, and a second withdrawal is refused', async () => {
    const { training, prisma, ngos, user } = await setup();
    const declared = await training.requestTraining(user(ngos[0]), need);
    expect(declared).toMatchObject({ topic: 'جذب منابع مالی', participants: 4, status: 'OPEN' });
    expect((await training.openNeeds(user(ngos[0]))).map((n) => n.id)).toEqual([declared.id]);
    await expect(training.requestTraining(user(ngos[0]), need)).rejects.toMatchObject({ code: 'courses.need.errors.duplicate' });

    expect(await training.withdraw(user(ngos[0]), declared.id)).toMatchObject({ id: declared.id, status: 'WITHDRAWN' });
    expect(await training.openNeeds(user(ngos[0]))).toEqual([]);
    await expect(training.withdraw(user(ngos[0]), declared.id)).rejects.toMatchObject({ code: 'courses.need.errors.not_open' });
    // Another NGO cannot withdraw it: to it the request does not exist.
    await expect(training.withdraw(user(ngos[1]), declared.id)).rejects.toMatchObject({ code: 'courses.need.errors.not_found' });
    expect(await prisma.auditLog.count({ where: { action: { startsWith: 'training_need.' } } })).toBe(2);
  });

  it('when NGOs of two counties ask, then the demand counts NGOs and people by topic and by county, and a county admin sees only their county', async () => {
    const { training, prisma, ngos, user } = await setup();
    await training.requestTraining(user(ngos[0]), need);
    await training.requestTraining(user(ngos[3]), { ...need, participants: 6 });
    await training.requestTraining(user(ngos[1]), { ...need, topicId: null, otherTopic: 'حسابداری سمن‌ها', participants: 2 });

    const demand = await training.demand(ADMIN);
    expect(demand.totals).toEqual({ ngos: 3, people: 12, requests: 3 });
    expect(demand.byTopic.map((r) => [r.key.name, r.ngos, r.people])).toEqual(
      expect.arrayContaining([
        ['جذب منابع مالی', 2, 10],
        ['', 1, 2],
      ]),
    );
    expect(demand.byCounty.map((r) => [r.key.name, r.ngos, r.people]).sort()).toEqual([
      ['رفسنجان', 1, 2],
      ['کرمان', 2, 10],
    ]);

    await createAdmin({ prisma }, COUNTY_ADMIN, 'COUNTY_ADMIN', { countyName: 'رفسنجان' });
    expect((await training.demand(COUNTY_ADMIN)).totals).toEqual({ ngos: 1, people: 2, requests: 1 });
    const kerman = demand.byCounty.find((r) => r.key.name === 'کرمان')!.key.countyId;
    await expect(training.demandDetail(COUNTY_ADMIN, { kind: 'county', countyId: kerman })).rejects.toMatchObject({ code: 'courses.errors.other_county' });
  });
});

describe('courses', () => {
  it('when a course is for one county, then NGOs elsewhere are neither offered it nor allowed to enrol', async () => {
    const { courses, prisma, ngos, user } = await setup();
    const bam = (await prisma.county.findUniqueOrThrow({ where: { name: 'بم' } })).id;
    const { course } = await courses.create(ADMIN, draft({ eligibility: { countyIds: [bam], fieldIds: [] } }));
    expect((await courses.openCourses(user(ngos[2]))).map((c) => c.course.id)).toEqual([course.id]);
    expect(await courses.openCourses(user(ngos[0]))).toEqual([]);
    await expect(courses.enrol(user(ngos[0]), course.id, 1)).rejects.toMatchObject({ code: 'courses.errors.not_eligible' });
    expect(await statuses(prisma, course.id)).toEqual([]);
  });

  it('when a course on a requested topic is published, then requesters hear now and may enrol, and the others hear and may enrol 24 hours later', async () => {
    const { training, courses, prisma, clock, ngos, user } = await setup();
    await training.requestTraining(user(ngos[0]), need);
    const { course, first, later } = await courses.create(ADMIN, draft({ topicId: TOPIC, startsAt: new Date(START.getTime() + 96 * H) }));
    expect({ first, later }).toEqual({ first: 1, later: 3 });
    expect(course.headStartUntil).toEqual(new Date(START.getTime() + 24 * H));

    const firstWave = await deliveries(`course-published:${course.id}:first:`);
    expect(firstWave.map((d) => [d.chatId, d.notBefore])).toEqual([[ngos[0].managerId, START]]);
    expect(firstWave[0]!.text).toContain('در موضوع درخواستی شما');
    const rest = await deliveries(`course-published:${course.id}:rest:`);
    expect(rest.map((d) => d.chatId).sort()).toEqual([ngos[1], ngos[2], ngos[3]].map((n) => n.managerId).sort());
    for (const d of rest) expect(d.notBefore).toEqual(course.headStartUntil);

    expect((await courses.enrol(user(ngos[0]), course.id, 1)).status).toBe('ENROLLED');
    await expect(courses.enrol(user(ngos[1]), course.id, 1)).rejects.toMatchObject({ code: 'courses.errors.head_start', params: { until: course.headStartUntil } });
    clock.set(course.headStartUntil!);
    expect((await courses.enrol(user(ngos[1]), course.id, 1)).status).toBe('ENROLLED');
  });

  it('when the requesters take every seat during the head start, then the announcement held back for the others shows the seats left when it is due, not at publication', async () => {
    const { training, courses, clock, ngos, user } = await setup();
    await training.requestTraining(user(ngos[0]), need);
    const { course } = await courses.create(ADMIN, draft({ topicId: TOPIC, capacity: 2, perNgoLimit: 2, startsAt: new Date(START.getTime() + 96 * H) }));
    const restKey = `course-published:${course.id}:rest:`;
    const pending = async () => (await deliveries(restKey)).filter((d) => d.status === 'PENDING');
    expect((await pending())[0]!.text).toContain('ظرفیت باقی‌مانده: ۲ از ۲ نفر');
    expect((await courses.enrol(user(ngos[0]), course.id, 2)).status).toBe('ENROLLED');

    // A tick long before the head start ends leaves the announcement as it is.
    clock.set(new Date(course.headStartUntil!.getTime() - 2 * H));
    await courses.remindersTick(clock.now());
    expect((await pending()).map((d) => d.key)).toEqual((await deliveries(restKey)).map((d) => d.key));

    // The tick just before it is due writes it again: same people, same time, the seats left now.
    clock.set(new Date(course.headStartUntil!.getTime() - 50_000));
    await courses.remindersTick(clock.now());
    const rewritten = await pending();
    expect(rewritten.map((d) => d.chatId).sort()).toEqual([ngos[1], ngos[2], ngos[3]].map((n) => n.managerId).sort());
    for (const d of rewritten) {
      expect(d.notBefore).toEqual(course.headStartUntil);
      expect(d.text).toContain('ظرفیت باقی‌مانده: ۰ از ۲ نفر');
    }
    expect((await deliveries(restKey)).filter((d) => d.status === 'CANCELLED')).toHaveLength(3);
  });

  it('when NGOs enrol, then each stays within its per-NGO limit, and a group that does not fit the seats left waits whole', async () => {
    const { courses, prisma, ngos, user } = await setup();
    const { course } = await courses.create(ADMIN, draft({ capacity: 3, perNgoLimit: 2 }));
    await expect(courses.enrol(user(ngos[0]), course.id, 3)).rejects.toMatchObject({ code: 'courses.errors.over_limit', params: { limit: 2 } });
    const a = await courses.enrol(user(ngos[0]), course.id, 2);
    expect({ status: a.status, taken: a.course.taken }).toEqual({ status: 'ENROLLED', taken: 2 });
    await expect(courses.enrol(user(ngos[0]), course.id, 1)).rejects.toMatchObject({ code: 'courses.errors.already_enrolled', params: { participants: 2 } });
    const b = await courses.enrol(user(ngos[1]), course.id, 2);
    expect({ status: b.status, position: b.position, taken: b.course.taken }).toEqual({ status: 'WAITLISTED', position: 1, taken: 2 });
    // One seat is free, but someone is waiting: a later, smaller request does not jump the line.
    expect((await courses.enrol(user(ngos[2]), course.id, 1)).status).toBe('WAITLISTED');
    expect(await statuses(prisma, course.id)).toEqual([
      { ngoId: ngos[0].id, status: 'ENROLLED' },
      { ngoId: ngos[1].id, status: 'WAITLISTED' },
      { ngoId: ngos[2].id, status: 'WAITLISTED' },
    ]);
  });

  it('when seats come free, then the waitlist is promoted head first and each promoted NGO is told', async () => {
    const { courses, prisma, ngos, user } = await setup();
    const { course } = await courses.create(ADMIN, draft({ capacity: 2, perNgoLimit: 2 }));
    await courses.enrol(user(ngos[0]), course.id, 2);
    await courses.enrol(user(ngos[1]), course.id, 2);
    await courses.enrol(user(ngos[2]), course.id, 1);
    await courses.enrol(user(ngos[3]), course.id, 1);

    expect((await courses.cancelEnrolment(user(ngos[0]), course.id)).was).toBe('ENROLLED');
    expect(await statuses(prisma, course.id)).toEqual([
      { ngoId: ngos[0].id, status: 'CANCELLED' },
      { ngoId: ngos[1].id, status: 'ENROLLED' },
      { ngoId: ngos[2].id, status: 'WAITLISTED' },
      { ngoId: ngos[3].id, status: 'WAITLISTED' },
    ]);
    const told = await deliveries(`course-promoted:${course.id}:`);
    expect(told.map((d) => d.chatId)).toEqual([ngos[1].managerId]);
    expect(told[0]!.text).toContain('با ۲ نفر ثبت‌نام شد');

    // The promoted NGO gives the seat back: both waiting NGOs fit, in their order.
    await courses.cancelEnrolment(user(ngos[1]), course.id);
    expect((await statuses(prisma, course.id)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED', 'ENROLLED', 'ENROLLED']);
    expect((await deliveries(`course-promoted:${course.id}:`)).map((d) => d.chatId)).toEqual([ngos[1].managerId, ngos[2].managerId, ngos[3].managerId]);
  });

  it('when two NGOs enrol for the last seat at the same moment, then exactly one gets it and the other heads the waitlist', async () => {
    // On the PostgreSQL server when there is one: that is where two transactions really race.
    const { courses, prisma, ngos, user } = await setup(e2eStorageMode());
    const { course } = await courses.create(ADMIN, draft({ capacity: 2, perNgoLimit: 1 }));
    await courses.enrol(user(ngos[0]), course.id, 1);
    const results = await Promise.all([courses.enrol(user(ngos[1]), course.id, 1), courses.enrol(user(ngos[2]), course.id, 1)]);
    expect(results.map((r) => r.status).sort()).toEqual(['ENROLLED', 'WAITLISTED']);
    expect(results.find((r) => r.status === 'WAITLISTED')!.position).toBe(1);
    const rows = await prisma.enrollment.findMany({ where: { courseId: course.id, status: 'ENROLLED' } });
    expect(rows.reduce((sum, r) => sum + r.participants, 0)).toBe(2);
  });

  it('when a course is rescheduled, then reminders queued for the old time are withdrawn and the new time gets its own', async () => {
    const { courses, prisma, clock, ngos, user } = await setup();
    const { course } = await courses.create(ADMIN, draft({ startsAt: new Date(START.getTime() + 48 * H), registrationDeadline: new Date(START.getTime() + 24 * H) }));
    await courses.enrol(user(ngos[0]), course.id, 1);
    const key = `course-reminder:${course.id}:${ngos[0].id}:1d`;

    clock.set(new Date(START.getTime() + 24 * H));
    expect(await courses.remindersTick(clock.now())).toBe(1);
    expect(await courses.remindersTick(clock.now())).toBe(0);
    expect((await deliveries(key)).map((d) => [d.key, d.status])).toEqual([[key, 'PENDING']]);

    await courses.reschedule(ADMIN, course.id, new Date(START.getTime() + 72 * H));
    const retired = await deliveries(key);
    expect(retired.map((d) => d.status)).toEqual(['CANCELLED']);
    expect(retired[0]!.key).toBe(`${key}:moved-${clock.now().getTime()}`);
    expect((await deliveries(`course-rescheduled:${course.id}:`)).map((d) => d.chatId)).toEqual([ngos[0].managerId]);

    clock.set(new Date(START.getTime() + 48 * H));
    expect(await courses.remindersTick(clock.now())).toBe(1);
    const fresh = (await deliveries(key)).filter((d) => d.key === key);
    expect(fresh.map((d) => d.status)).toEqual(['PENDING']);
    expect(fresh[0]!.text).toContain('چهارشنبه ۴ آذر ۱۴۰۵ ساعت ۱۰:۰۰');
  });

  it('when a course is cancelled, then every enrolled and waiting NGO is told why, and announcements still held back never go out', async () => {
    const { training, courses, prisma, ngos, user } = await setup();
    await training.requestTraining(user(ngos[0]), need);
    await training.requestTraining(user(ngos[1]), need);
    const { course } = await courses.create(ADMIN, draft({ topicId: TOPIC, capacity: 1, perNgoLimit: 1 }));
    await courses.enrol(user(ngos[0]), course.id, 1);
    await courses.enrol(user(ngos[1]), course.id, 1);
    expect((await deliveries(`course-published:${course.id}:rest:`)).map((d) => d.status)).toEqual(['PENDING', 'PENDING']);

    const { told } = await courses.cancelCourse(ADMIN, course.id, 'کمبود مدرس');
    expect(told).toBe(2);
    const notices = await deliveries(`course-cancelled:${course.id}:`);
    expect(notices.map((d) => d.chatId).sort()).toEqual([ngos[0].managerId, ngos[1].managerId].sort());
    for (const n of notices) expect(n.text).toContain('علت: کمبود مدرس');
    expect((await deliveries(`course-published:${course.id}:rest:`)).map((d) => d.status)).toEqual(['CANCELLED', 'CANCELLED']);
    await expect(courses.cancelCourse(ADMIN, course.id, 'دوباره')).rejects.toMatchObject({ code: 'courses.errors.already_cancelled' });
    await expect(courses.enrol(user(ngos[2]), course.id, 1)).rejects.toMatchObject({ code: 'courses.errors.cancelled' });
  });
});
