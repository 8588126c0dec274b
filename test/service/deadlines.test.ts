/**
 * The deadlines use cases on the embedded database, without Telegram: creating a deadline for its
 * targets, an NGO's report until it is accepted, extending and closing, the reminder engine (idempotent
 * ticks, Friday and quiet-hour shifts, overdue notices) and the admins' digest. No dispatcher runs: the
 * tests read what the use cases left in the outbox.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createDeadlineService, type DeadlineService } from '../../src/features/deadlines/index.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { autumnReport } from '../support/deadline-fixtures.js';
import { createNgo, createUser } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const ADMIN = 1001n;
const MANAGER = 2002n;
const MEMBER_EN = 2003n;
const OTHER_MANAGER = 2102n;
/** Sunday 1405/09/01 10:00 Tehran: a working morning. */
const SUNDAY_MORNING = new Date('2026-11-22T06:30:00Z');
const tehran = (jd: number, hour: number, minute = 0) => jalaliToDate({ jy: 1405, jm: 9, jd }, { hour, minute });

const h = useServiceHarness({ start: SUNDAY_MORNING, staff: [{ id: ADMIN, role: 'PROVINCE_ADMIN' }] });
let service: DeadlineService;
let ngoId: number;
let otherNgoId: number;

/** The same use cases in another process: nothing shared but the database (and the clock). */
const newService = () => createDeadlineService({ ...h.deps, outbox: createOutbox({ prisma: h.prisma, clock: h.clock }) });

beforeEach(async () => {
  service = h.services.deadlines;
  ngoId = (await createNgo(h.db, { managerId: MANAGER, name: 'انجمن حامیان محیط زیست', status: 'APPROVED' })).id;
  await createUser(h.db, MEMBER_EN, 'Sara', 'en');
  await h.prisma.ngoMember.create({ data: { userId: MEMBER_EN, ngoId, role: 'MEMBER' } });
  otherNgoId = (await createNgo(h.db, { managerId: OTHER_MANAGER, name: 'کانون جوانان رفسنجان', status: 'APPROVED', countyName: 'رفسنجان' })).id;
});

/** The queued deliveries with their message's key, by chat (a chat's in the order they were queued). */
async function queued(keyPrefix = '') {
  return (await h.deliveries(keyPrefix)).sort((a, b) => Number(a.chatId - b.chatId));
}

/** A reporting deadline for every approved NGO, due Tuesday 1405/09/03 12:00, reminded the day before. */
function createGeneral(overrides: Parameters<typeof autumnReport>[0] = {}) {
  return service.createGeneral(ADMIN, autumnReport(overrides));
}

describe('creating a deadline', () => {
  it('when a project is recorded for an approved NGO, then it has one target and each member is told once in their language', async () => {
    const created = await service.createProject(ADMIN, {
      ngoId,
      title: 'طرح پاکسازی کوه',
      amountToman: 230_000_000,
      startDate: { jy: 1405, jm: 9, jd: 1 },
      dueDate: { jy: 1405, jm: 12, jd: 1 },
      reminderDays: [30, 7, 1, 0],
    });

    expect(created.targetCount).toBe(1);
    expect(await h.prisma.deadlineTarget.findMany({ select: { ngoId: true, status: true } })).toEqual([{ ngoId, status: 'PENDING' }]);
    const told = await queued('deadline-new:');
    expect(told.map((d) => [d.chatId, d.key.endsWith(':fa') ? 'fa' : 'en'])).toEqual([
      [MANAGER, 'fa'],
      [MEMBER_EN, 'en'],
    ]);
    expect(told[0]!.text).toContain('مهلت جدید برای سازمان شما');
    expect(told[0]!.text).toContain('۲۳۰٬۰۰۰٬۰۰۰');
    expect(told[1]!.text).toContain('230,000,000');
  });

  it('when a reporting deadline names a county, then only that county’s approved NGOs are its targets', async () => {
    const rafsanjan = (await h.prisma.county.findUniqueOrThrow({ where: { name: 'رفسنجان' } })).id;
    const created = await createGeneral({ audience: { countyIds: [rafsanjan], fieldIds: [] } });

    expect(created.targetCount).toBe(1);
    expect((await h.prisma.deadlineTarget.findMany()).map((t) => t.ngoId)).toEqual([otherNgoId]);
    expect((await queued('deadline-new:')).map((d) => d.chatId)).toEqual([OTHER_MANAGER]);
  });
});

describe('reports', () => {
  it('when an NGO reports and reports again, then its part stays SUBMITTED, the admin is told each time, and after acceptance it may not report again', async () => {
    const deadline = await createGeneral();

    expect(await service.submitReport(MANAGER, deadline.id, { text: 'گزارش نخست ما' })).toEqual({ title: 'گزارش عملکرد پاییز', resubmitted: false });
    h.clock.advance(60_000);
    expect(await service.submitReport(MANAGER, deadline.id, { text: 'گزارش کامل‌تر ما' })).toEqual({ title: 'گزارش عملکرد پاییز', resubmitted: true });

    const target = await h.prisma.deadlineTarget.findUniqueOrThrow({ where: { deadlineId_ngoId: { deadlineId: deadline.id, ngoId } } });
    expect([target.status, target.reportText]).toEqual(['SUBMITTED', 'گزارش کامل‌تر ما']);
    const toAdmin = await queued('deadline-report:');
    expect(toAdmin.map((d) => d.chatId)).toEqual([ADMIN, ADMIN]);
    expect(toAdmin[1]!.text).toContain('گزارش کامل‌تر ما');

    await service.accept(ADMIN, deadline.id, ngoId);
    await expect(service.submitReport(MANAGER, deadline.id, { text: 'باز هم گزارش' })).rejects.toMatchObject({ code: 'deadlines.errors.already_accepted' });
  });

  it("when someone may not report on a deadline (another NGO's, closed, no NGO, a pending NGO, no such deadline), then the refusal says why and nothing is stored", async () => {
    const project = await service.createProject(ADMIN, { ngoId: otherNgoId, title: 'طرح دیگری', amountToman: 1_000_000, startDate: { jy: 1405, jm: 9, jd: 1 }, dueDate: { jy: 1405, jm: 12, jd: 1 }, reminderDays: [1] });
    const general = await createGeneral();
    await createUser(h.db, 2999n);
    await createNgo(h.db, { managerId: 2998, name: 'انجمن در انتظار', status: 'PENDING' });
    const refusal = (userId: bigint, deadlineId: number) => service.reportable(userId, deadlineId).then(() => 'may report', (e: { code?: string }) => e.code);
    // Asked at the same moment, as a batch of updates does: each gets its own answer.
    expect(await Promise.all([refusal(MANAGER, project.id), refusal(OTHER_MANAGER, project.id), refusal(2999n, general.id), refusal(2998n, general.id), refusal(MANAGER, 999_999), refusal(MANAGER, general.id)])).toEqual([
      'deadlines.errors.not_yours',
      'may report',
      'deadlines.errors.no_ngo',
      'deadlines.errors.ngo_not_approved_member',
      'deadlines.errors.not_yours',
      'may report',
    ]);
    await service.close(ADMIN, general.id);
    await expect(service.submitReport(MANAGER, general.id, { text: 'گزارش دیرهنگام' })).rejects.toMatchObject({ code: 'deadlines.errors.closed', params: { title: 'گزارش عملکرد پاییز' } });
    expect(await h.prisma.deadlineTarget.count({ where: { reportText: { not: null } } })).toBe(0);
  });

  it('when an admin accepts a report twice, then it is accepted once and the NGO is told once', async () => {
    const deadline = await createGeneral();
    await service.submitReport(MANAGER, deadline.id, { text: 'گزارش ما' });

    await service.accept(ADMIN, deadline.id, ngoId);
    await expect(service.accept(ADMIN, deadline.id, ngoId)).rejects.toMatchObject({ code: 'deadlines.errors.already_accepted_admin' });

    expect((await h.prisma.deadlineTarget.findUniqueOrThrow({ where: { deadlineId_ngoId: { deadlineId: deadline.id, ngoId } } })).status).toBe('ACCEPTED');
    expect((await queued('deadline-accepted:')).map((d) => d.chatId)).toEqual([MANAGER, MEMBER_EN]);
    expect(await h.prisma.auditLog.count({ where: { action: 'deadline.report_accepted' } })).toBe(1);
  });
});

describe('the reminder engine', () => {
  it('when the tick runs twice for the same slot, even in a new process, then the second adds nothing', async () => {
    await createGeneral();
    const now = tehran(2, 9, 1);
    h.clock.set(now);

    const first = await service.remindersTick(now);
    const again = await service.remindersTick(new Date(now.getTime() + 60_000));
    const restarted = await newService().remindersTick(new Date(now.getTime() + 120_000));

    // One message per language for the slot, a delivery per member in the member's language.
    expect(first).toEqual({ messages: 2, deliveries: 3 });
    expect(again).toEqual({ messages: 0, deliveries: 0 });
    expect(restarted).toEqual({ messages: 0, deliveries: 0 });
    expect((await queued('reminder:')).map((d) => d.chatId).sort()).toEqual([MANAGER, MEMBER_EN, OTHER_MANAGER].sort());
  });

  it('when the day-before reminder falls on a Friday, then it comes on Thursday morning and nothing more on Friday', async () => {
    await createGeneral({ dueDate: { jy: 1405, jm: 9, jd: 7 }, dueTime: { hour: 8, minute: 0 } });

    expect(await service.remindersTick(tehran(5, 8, 59))).toEqual({ messages: 0, deliveries: 0 });
    expect((await service.remindersTick(tehran(5, 9, 1))).deliveries).toBe(3);
    expect((await newService().remindersTick(tehran(6, 9, 1))).deliveries).toBe(0);
    expect((await queued('reminder:')).every((d) => d.key.includes(':1d-14050907:'))).toBe(true);
  });

  it('when the day-before reminder falls on an official holiday, then it moves to the next working morning before the deadline', async () => {
    // Monday 1405/09/02 made a holiday; the deadline is Tuesday 12:00, so the reminder comes Tuesday 09:00.
    const monday = new Date('2026-11-23T00:00:00Z');
    await h.prisma.holiday.create({ data: { date: monday, name: 'تعطیل اضطراری' } });
    try {
      await createGeneral();
      expect(await service.remindersTick(tehran(2, 9, 1))).toEqual({ messages: 0, deliveries: 0 });
      expect((await newService().remindersTick(tehran(3, 9, 1))).deliveries).toBe(3);
      expect((await queued('reminder:')).every((d) => d.key.includes(':1d-14050903:') && d.notBefore.getTime() === tehran(3, 9, 1).getTime())).toBe(true);
    } finally {
      await h.prisma.holiday.delete({ where: { date: monday } });
    }
  });

  it('when a reminder is caught up in quiet hours, then it waits for the morning, marked late', async () => {
    await createGeneral();
    const night = tehran(2, 23, 30);

    await service.remindersTick(night);

    const reminders = await queued('reminder:');
    expect(reminders).toHaveLength(3);
    expect(reminders.every((d) => d.notBefore.getTime() === tehran(3, 7).getTime())).toBe(true);
    expect(reminders.find((d) => d.chatId === MANAGER)!.text).toContain('با تأخیر فرستاده می‌شود');
  });

  it('when the due date has passed, then the NGOs still pending get an overdue notice, the list counts them overdue, and each admin gets one digest a day', async () => {
    const deadline = await createGeneral();
    await service.submitReport(OTHER_MANAGER, deadline.id, { text: 'گزارش ما' });
    const now = tehran(4, 9, 5);
    h.clock.set(now);

    await service.remindersTick(now);
    const digests = [await service.overdueDigest(now), await service.overdueDigest(new Date(now.getTime() + 15 * 60_000))];

    const overdue = await queued('reminder:');
    expect(overdue.map((d) => d.chatId)).toEqual([MANAGER, MEMBER_EN]);
    expect(overdue.every((d) => d.key.includes(':overdue-'))).toBe(true);
    expect(overdue[0]!.text).toContain('مهلت به پایان رسید');
    expect(digests).toEqual([1, 0]);
    const [row] = await service.listForAdmin(ADMIN);
    expect([row!.pending, row!.submitted, row!.overdue]).toEqual([1, 1, 1]);
  });
  it("when several NGOs are overdue, then the admin's digest lists them in Persian alphabetical order, which no database collation gives", async () => {
    // By code point ت (U+062A) comes before پ (U+067E); in the Persian alphabet پ comes first.
    await createNgo(h.db, { managerId: 2202n, name: 'تلاشگران سبز', status: 'APPROVED' });
    await createNgo(h.db, { managerId: 2302n, name: 'پویندگان دانش', status: 'APPROVED' });
    await createGeneral();
    const now = tehran(4, 9, 5);

    expect(await service.overdueDigest(now)).toBe(1);
    const [digest] = await queued('deadline-digest:');
    const order = ['انجمن حامیان محیط زیست', 'پویندگان دانش', 'تلاشگران سبز', 'کانون جوانان رفسنجان'].map((name) => digest!.text.indexOf(name));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('extending and closing', () => {
  it('when a deadline is extended, then reminders held for the morning are cancelled and the NGOs are told the new date once', async () => {
    const deadline = await createGeneral();
    await service.remindersTick(tehran(2, 23, 30));

    h.clock.set(tehran(3, 8, 0));
    const extended = await service.extend(ADMIN, deadline.id, { jy: 1405, jm: 9, jd: 10 });

    expect(extended.dueAt.getTime()).toBe(tehran(10, 12).getTime());
    expect((await queued('reminder:')).filter((d) => d.key.includes('14050903')).map((d) => d.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    const told = await queued('deadline-extended:');
    expect(told.map((d) => d.chatId).sort()).toEqual([MANAGER, MEMBER_EN, OTHER_MANAGER].sort());
    expect(told.every((d) => d.key.includes('14050910'))).toBe(true);
    await expect(service.extend(ADMIN, deadline.id, { jy: 1405, jm: 9, jd: 9 })).rejects.toMatchObject({ code: 'deadlines.errors.extend_not_later' });
  });

  it('when a deadline is closed, then its queued reminders stop, later ticks send nothing and a second close is refused', async () => {
    const deadline = await createGeneral();
    await service.remindersTick(tehran(2, 23, 30));

    await service.close(ADMIN, deadline.id);

    expect((await queued('reminder:')).map((d) => d.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect(await newService().remindersTick(tehran(4, 9, 5))).toEqual({ messages: 0, deliveries: 0 });
    await expect(service.close(ADMIN, deadline.id)).rejects.toMatchObject({ code: 'deadlines.errors.closed' });
  });
});
