/**
 * The feedback use cases on the embedded database, without Telegram: what a submission stores and
 * queues (in one transaction), who may read an anonymous item, the daily limit, follow-ups on open and
 * closed items, what only staff may do, the working-day reminders and the digest (Fridays and official
 * holidays are days off). No dispatcher runs: the tests read what the outbox holds.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import { createFeedbackService, type FeedbackService } from '../../src/features/feedback/index.js';
import type { FeedbackType } from '../../src/features/feedback/rules.js';
import { createNgo, createUser } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const PROVINCE = 1001n;
const PROVINCE_2 = 1002n;
const COUNTY_ADMIN = 3003n; // کرمان
const OTHER_COUNTY_ADMIN = 3004n; // رفسنجان
const MEMBER = 2002n; // manager of an approved NGO in کرمان
const OTHER_MEMBER = 2003n; // manager of an approved NGO in رفسنجان
const STRANGER = 4004n;
const NGO_NAME = 'انجمن حامیان محیط زیست کرمان';

/** Tehran wall-clock time in Azar 1405: 09/01 is Sunday, 09/04 Wednesday, 09/06 Friday, 09/07 Saturday. */
const tehran = (jd: number, hour = 10, minute = 0) => jalaliToDate({ jy: 1405, jm: 9, jd }, { hour, minute });
const fa = (n: number) => toPersianDigits(n);

const h = useServiceHarness({
  start: tehran(1),
  staff: [
    { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'رضا' },
    { id: PROVINCE_2, role: 'PROVINCE_ADMIN', firstName: 'مهسا' },
    { id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان', firstName: 'علی' },
    { id: OTHER_COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'رفسنجان', firstName: 'حسن' },
  ],
});
let service: FeedbackService;

beforeEach(async () => {
  service = h.services.feedback;
  await createNgo(h.db, { managerId: MEMBER, name: NGO_NAME, status: 'APPROVED', managerFirstName: 'زهرا' });
  await createNgo(h.db, { managerId: OTHER_MEMBER, name: 'کانون جوانان رفسنجان', countyName: 'رفسنجان', status: 'APPROVED' });
  await createUser(h.db, STRANGER);
});

function submit(userId: bigint, type: FeedbackType = 'SUGGESTION', anonymous = false, text = 'پیشنهاد برگزاری جلسات هم‌اندیشی') {
  return service.submit(userId, { type, parts: [text], attachments: [], anonymous });
}

/** What the outbox holds, oldest first: each message's key, text, buttons and recipients. */
const queued = () => h.messages();

async function refusal(promise: Promise<unknown>): Promise<{ code: string; params: Record<string, unknown> }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return { code: err.code, params: err.params };
}

describe('submitting', () => {
  it('when a member submits a named suggestion, then the item, its message and the audit row are stored and the province and own-county admins get a notice with the tracking number', async () => {
    const { id } = await submit(MEMBER);

    const item = await h.prisma.feedbackItem.findUniqueOrThrow({ where: { id }, include: { messages: true } });
    expect(item).toMatchObject({ type: 'SUGGESTION', status: 'RECEIVED', anonymous: false, userId: MEMBER, waitingSince: h.clock.now() });
    expect(item.messages.map((m) => m.text)).toEqual(['پیشنهاد برگزاری جلسات هم‌اندیشی']);
    expect(await h.prisma.auditLog.count({ where: { action: 'feedback.submitted', actorId: MEMBER } })).toBe(1);

    const [notice, ...others] = await queued();
    expect(others).toEqual([]);
    expect(notice!.to).toEqual([PROVINCE, PROVINCE_2, COUNTY_ADMIN]);
    expect(notice!.text).toContain(`پیشنهاد تازه</b> — شماره پیگیری ${fa(id)}`);
    expect(notice!.text).toContain(`از: زهرا — ${NGO_NAME} (شهرستان کرمان)`);
    expect(notice!.buttons).toEqual([`fbi_v:${id}`]);
  });

  it('when the admins\' notice cannot be queued, then the item is not stored either (one transaction)', async () => {
    const real = h.outbox;
    service = createFeedbackService({
      ...h.deps,
      outbox: {
        ...real,
        enqueue: async (request, tx) => {
          await real.enqueue(request, tx);
          throw new Error('outbox down');
        },
      },
    });

    await expect(submit(MEMBER)).rejects.toThrow('outbox down');

    expect(await h.prisma.feedbackItem.count()).toBe(0);
    expect(await h.prisma.feedbackMessage.count()).toBe(0);
    expect(await h.prisma.outboxMessage.count()).toBe(0);
  });

  it('when a member submits anonymously, then no county admin is told or may read it, and the province\'s notice names neither sender nor NGO', async () => {
    const { id } = await submit(MEMBER, 'COMPLAINT', true);

    const [notice] = await queued();
    expect(notice!.to).toEqual([PROVINCE, PROVINCE_2]);
    expect(notice!.text).toContain('از: فرستنده ناشناس');
    for (const secret of ['زهرا', NGO_NAME, 'کرمان']) expect(notice!.text).not.toContain(secret);

    expect((await service.inbox(COUNTY_ADMIN, { status: 'open' }, 0, 10)).total).toBe(0);
    expect(await refusal(service.view(COUNTY_ADMIN, id))).toEqual({ code: 'feedback.errors.not_found', params: { id } });
    const view = await service.view(PROVINCE, id);
    expect(view).toMatchObject({ id, anonymous: true, sender: null, ngo: null });
    expect(view.messages[0]!.author).toBeNull();
  });

  it('when a member has sent five items today, then the sixth is refused and not stored, and the next Tehran day they may write again', async () => {
    for (let i = 0; i < 5; i++) await submit(MEMBER);
    h.clock.set(tehran(1, 23, 59));

    expect(await refusal(submit(MEMBER))).toEqual({ code: 'feedback.errors.daily_limit', params: { limit: 5 } });
    expect(await refusal(service.checkCanSubmit(MEMBER))).toMatchObject({ code: 'feedback.errors.daily_limit' });
    expect(await h.prisma.feedbackItem.count()).toBe(5);

    h.clock.set(tehran(2, 0, 1));
    await expect(submit(MEMBER)).resolves.toMatchObject({ id: 6 });
  });

  it('when someone who is not a member of an NGO submits, then it is refused and nothing is stored', async () => {
    expect(await refusal(submit(STRANGER))).toEqual({ code: 'feedback.errors.not_member', params: {} });
    expect(await h.prisma.feedbackItem.count()).toBe(0);
    expect(await h.prisma.outboxMessage.count()).toBe(0);
  });
});

describe('follow-ups', () => {
  it('when the item is open, then follow-ups are taken; once closed they are refused; after a reopen they are taken again', async () => {
    const { id } = await submit(MEMBER);
    await service.reply(PROVINCE, id, 'از پیشنهاد شما سپاسگزاریم.');
    expect(await h.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ANSWERED', waitingSince: null });

    h.clock.set(tehran(1, 11));
    await service.addFollowUp(MEMBER, id, { parts: ['یک توضیح دیگر'], attachments: [] });
    // Back to waiting for the office, from the follow-up's time.
    expect(await h.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'RECEIVED', waitingSince: h.clock.now() });

    await service.close(PROVINCE, id);
    expect(await refusal(service.addFollowUp(MEMBER, id, { parts: ['باز هم'], attachments: [] }))).toEqual({ code: 'feedback.errors.closed', params: { id } });

    await service.reopen(PROVINCE, id);
    await service.addFollowUp(MEMBER, id, { parts: ['پس از بازگشایی'], attachments: [] });
    const texts = (await h.prisma.feedbackMessage.findMany({ where: { itemId: id, fromOffice: false }, orderBy: { id: 'asc' } })).map((m) => m.text);
    expect(texts).toEqual(['پیشنهاد برگزاری جلسات هم‌اندیشی', 'یک توضیح دیگر', 'پس از بازگشایی']);
  });

  it('when a member names another member\'s tracking number, then it is refused like a wrong one and nothing is added', async () => {
    const { id } = await submit(MEMBER);

    expect(await refusal(service.myItem(OTHER_MEMBER, id))).toEqual({ code: 'feedback.errors.not_yours', params: { id } });
    expect(await refusal(service.addFollowUp(OTHER_MEMBER, id, { parts: ['سلام'], attachments: [] }))).toEqual({ code: 'feedback.errors.not_yours', params: { id } });
    expect(await refusal(service.myItem(MEMBER, 999))).toEqual({ code: 'feedback.errors.not_yours', params: { id: 999 } });
    expect(await h.prisma.feedbackMessage.count({ where: { itemId: id } })).toBe(1);
  });
});

describe('the office', () => {
  it('when someone who is not staff replies, closes or assigns, then each is refused and nothing changes; a county admin of another county does not find the item', async () => {
    const { id } = await submit(MEMBER);
    const before = await queued();

    for (const attempt of [service.reply(MEMBER, id, 'پاسخ'), service.close(MEMBER, id), service.assign(MEMBER, id, PROVINCE), service.inbox(MEMBER, { status: 'open' }, 0, 5)]) {
      expect(await refusal(attempt)).toEqual({ code: 'common.errors.not_admin', params: {} });
    }
    expect(await refusal(service.close(OTHER_COUNTY_ADMIN, id))).toEqual({ code: 'feedback.errors.not_found', params: { id } });
    expect(await refusal(service.assign(PROVINCE, id, OTHER_COUNTY_ADMIN))).toMatchObject({ code: 'feedback.errors.assignee_out_of_scope' });

    expect(await h.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'RECEIVED', assignedTo: null });
    expect(await h.prisma.feedbackMessage.count({ where: { fromOffice: true } })).toBe(0);
    expect(await queued()).toEqual(before);
  });

  it('when staff answer, assign and close, then the sender gets the answer with a follow-up button, the assignee is told, and every action is audited', async () => {
    const { id } = await submit(MEMBER);
    await h.prisma.outboxMessage.deleteMany();

    await service.reply(COUNTY_ADMIN, id, 'جلسه بعد <سه‌شنبه> است.');
    await service.assign(COUNTY_ADMIN, id, PROVINCE);
    h.clock.set(tehran(1, 12));
    await service.close(PROVINCE, id);

    const [answer, assigned, closed] = await queued();
    expect(answer).toMatchObject({ to: [MEMBER], buttons: [`fb_fu:${id}`] });
    expect(answer!.text).toContain(`شماره پیگیری <b>${fa(id)}</b>`);
    expect(answer!.text).toContain('جلسه بعد &lt;سه‌شنبه&gt; است.');
    expect(assigned).toMatchObject({ to: [PROVINCE], buttons: [`fbi_v:${id}`] });
    expect(assigned!.text).toContain('علی به شما ارجاع داد');
    expect(closed).toMatchObject({ to: [MEMBER], buttons: [] });
    expect(closed!.text).toContain('بسته شد');

    const actions = (await h.prisma.auditLog.findMany({ where: { entityId: String(id) }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['feedback.submitted', 'feedback.replied', 'feedback.assigned', 'feedback.closed']);
    expect(await refusal(service.close(PROVINCE, id))).toEqual({ code: 'feedback.errors.already_closed', params: { id } });
  });
});

describe('the working mornings', () => {
  it('when an item came on Wednesday, then it is reminded from Sunday (Friday is no working day), once a day, to its readers, and not on Friday', async () => {
    h.clock.set(tehran(4));
    const { id } = await submit(MEMBER, 'QUESTION');
    await h.prisma.outboxMessage.deleteMany();

    expect(await service.remindUnanswered(tehran(6, 9))).toBe(0); // Friday
    expect(await service.remindUnanswered(tehran(7, 9))).toBe(0); // Saturday: two working days
    expect(await queued()).toEqual([]);

    expect(await service.remindUnanswered(tehran(8, 9))).toBe(1); // Sunday: three
    const reminders = await queued();
    expect(reminders.flatMap((r) => r.to).sort((a, b) => Number(a - b))).toEqual([PROVINCE, PROVINCE_2, COUNTY_ADMIN]);
    expect(reminders[0]!.text).toContain(`• شماره ${fa(id)} — پرسش`);
    expect(reminders[0]!.text).toContain(`(${fa(3)} روز کاری)`);

    expect(await service.remindUnanswered(tehran(8, 15))).toBe(0);
    expect(await queued()).toHaveLength(3);
  });

  it('when an official holiday comes between, then nothing goes out on it, the third working day comes after it, and the next digest covers it', async () => {
    // Sunday 1405/09/08 made a holiday (as a super admin would with /add_holiday); put back after the test,
    // since the holidays are reference data the harness checks.
    const sunday = new Date('2026-11-29T00:00:00Z');
    await h.prisma.holiday.create({ data: { date: sunday, name: 'تعطیل اضطراری' } });
    try {
      await service.setDigest(PROVINCE_2, true);
      h.clock.set(tehran(4));
      const question = await submit(MEMBER, 'QUESTION');
      h.clock.set(tehran(7)); // Saturday, after that morning's digest
      const suggestion = await submit(MEMBER, 'SUGGESTION');
      await h.prisma.outboxMessage.deleteMany();

      expect(await service.sendDigests(tehran(8, 8, 30))).toBe(0); // the holiday
      expect(await service.remindUnanswered(tehran(8, 9))).toBe(0);
      expect(await queued()).toEqual([]);

      expect(await service.sendDigests(tehran(9, 8, 30))).toBe(1); // Monday: since Saturday's digest
      expect(await service.remindUnanswered(tehran(9, 9))).toBe(1); // the question: Thursday, Saturday, Monday
      const [digest, ...reminders] = await queued();
      expect(digest).toMatchObject({ to: [PROVINCE_2] });
      expect(digest!.text).toContain(`• شماره ${fa(suggestion.id)} — پیشنهاد`);
      expect(reminders.every((r) => r.text.includes(`• شماره ${fa(question.id)} — پرسش`) && !r.text.includes(`${fa(suggestion.id)} — پیشنهاد`))).toBe(true);
      expect(reminders[0]!.text).toContain(`(${fa(3)} روز کاری)`);
    } finally {
      await h.prisma.holiday.delete({ where: { date: sunday } });
    }
  });

  it('when an official holiday comes between, then the inbox does not flag an item overdue over it', async () => {
    // Sunday 1405/09/08 a holiday, put back after the test (reference data the harness checks).
    const sunday = new Date('2026-11-29T00:00:00Z');
    await h.prisma.holiday.create({ data: { date: sunday, name: 'تعطیل اضطراری' } });
    try {
      h.clock.set(tehran(4));
      const { id } = await submit(MEMBER, 'QUESTION');
      const overdue = async (at: Date) => {
        h.clock.set(at);
        return (await service.inbox(PROVINCE, { status: 'open' }, 0, 10)).items.find((i) => i.id === id)?.overdue;
      };
      expect(await overdue(tehran(8, 15))).toBe(false); // Thursday and Saturday only: Friday and the holiday do not count
      expect(await overdue(tehran(9, 15))).toBe(true); // Monday: the third working day
    } finally {
      await h.prisma.holiday.delete({ where: { date: sunday } });
    }
  });

  it('when an admin chooses the digest, then only complaints reach them at once, and the next working morning brings them one digest of the rest', async () => {
    await service.setDigest(PROVINCE_2, true);
    expect(await service.digestSetting(PROVINCE_2)).toBe(true);

    const suggestion = await submit(MEMBER, 'SUGGESTION');
    const complaint = await submit(MEMBER, 'COMPLAINT');
    const [suggestionNotice, complaintNotice] = await queued();
    expect(suggestionNotice!.to).toEqual([PROVINCE, COUNTY_ADMIN]);
    expect(complaintNotice!.to).toEqual([PROVINCE, PROVINCE_2, COUNTY_ADMIN]);
    await h.prisma.outboxMessage.deleteMany();

    expect(await service.sendDigests(tehran(2, 8, 30))).toBe(1);
    const [digest, ...others] = await queued();
    expect(others).toEqual([]);
    expect(digest!.to).toEqual([PROVINCE_2]);
    expect(digest!.text).toContain(`• شماره ${fa(suggestion.id)} — پیشنهاد`);
    expect(digest!.text).toContain(`• شماره ${fa(complaint.id)} — شکایت`);
  });
});
