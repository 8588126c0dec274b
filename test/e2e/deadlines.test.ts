/**
 * Deadlines end to end (issue 5): an admin records a project through the bot, the reminder engine
 * (driven slot by slot with a simulated Tehran clock) sends each reminder once at its time through the
 * outbox and the fake Bot API, a report stops them, the office accepts it; after downtime only the
 * latest missed reminder goes out, marked late; the day after the due date the NGOs get an overdue
 * notice and each responsible admin one digest; an extension moves the reminders to the new date.
 *
 * The clock starts at a chosen Tehran time and runs on in real time (the dispatcher spaces a chat's
 * messages on that clock); `clock.set` jumps it forward between ticks.
 */
import { describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import { e2eStorageMode } from '../support/database.js';
import { inlineButtons, reply, t } from '../support/conversation.js';
import { startOffice, testClock, type Office, type OfficeOptions, type TestClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import type { AudienceNgoSpec } from '../support/ngo-audience.js';
import { createUser, type NgoSpec } from '../support/ngo-fixtures.js';

const ADMIN = 1001;
const PROVINCE_ADMIN = 1002;
const COUNTY_ADMIN = 3003;
const MANAGER = 2002;
const MEMBER = 2003;
const OTHER_MANAGER = 2102;
const STRANGER = 4004;

/** Sunday 1405/09/01 10:00 Tehran. */
const CREATED = '2026-11-22T06:30:00Z';

const NEW_NOTICE = 'مهلت جدید برای سازمان شما';
const REMINDER = 'یادآوری مهلت';
const LATE = 'با تأخیر فرستاده می‌شود';
const OVERDUE = 'مهلت به پایان رسید';
const SUBMIT = '📝 ارسال گزارش';

const texts = (h: Harness, chatId: number, includes: string) => h.api.texts(chatId).filter((t) => t.includes(includes));

describe(`deadlines (${e2eStorageMode()} storage)`, () => {
  let h: Harness;
  let clock: TestClock;

  /** The super admin ADMIN and, as the test needs, staff and NGOs, on a clock at CREATED. */
  async function start<const N extends readonly NgoSpec[] = [], const A extends readonly AudienceNgoSpec[] = []>(
    office: Omit<OfficeOptions<N, A>, 'adminIds' | 'clock'> = {},
  ): Promise<Office<N, A>> {
    clock = testClock(CREATED);
    const started = await startOffice<N, A>({ adminIds: [ADMIN], clock, ...office });
    h = started.h;
    return started;
  }

  /** Moves the clock and runs one reminder tick at that moment, as cron would; then lets what it sent go out. */
  async function tickAt(iso: string, job = 'deadline-reminders'): Promise<void> {
    clock.set(iso);
    expect(await h.app.scheduler.runSlot(job, clock.now())).toBe('ran');
    await h.waitForIdle();
  }

  it('when an admin records a project through the bot, then each reminder comes once at its time, a report stops them and the accepted report is told', async () => {
    const {
      ngos: [ngo],
    } = await start({
      ngos: [{ managerId: MANAGER, name: 'انجمن حامیان محیط زیست کرمان', status: 'APPROVED', managerFirstName: 'زهرا', members: [{ id: MEMBER, firstName: 'رضا' }] }],
    });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const manager = h.api.user(MANAGER, { first_name: 'زهرا' });

    admin.sendCommand('new_deadline');
    await reply(admin, 'نوع مهلت');
    admin.pressButtonByText('📁 طرح مصوب یک سازمان (سه‌ماهه)');
    await reply(admin, 'شماره پیگیری');
    admin.sendText(toPersianDigits(ngo.id));
    await reply(admin, 'عنوان طرح مصوب');
    admin.sendText('آموزش تفکیک پسماند در مدارس');
    await reply(admin, 'مبلغ مصوب');
    admin.sendText('۲۳۰٬۰۰۰٬۰۰۰');
    await reply(admin, 'تاریخ شروع');
    admin.sendText('۱۴۰۵/۰۹/۰۱');
    // Three Jalali months later by default.
    const due = await reply(admin, 'سه ماه پس از شروع');
    expect(String(due.text)).toContain('۱۴۰۵/۱۲/۰۱');
    admin.pressButtonByText('✅ پایان در ۱۴۰۵/۱۲/۰۱');
    // A reminder never lands on a day off: Fridays and official holidays are both named.
    expect(String((await reply(admin, 'یادآوری‌ها به طور پیش‌فرض')).text)).toContain('به جمعه، تعطیلات رسمی یا ساعات استراحت بیفتد');
    admin.pressButtonByText('✅ یادآوری‌های پیش‌فرض');
    const summary = String((await reply(admin, 'پیش‌نمایش مهلت')).text);
    expect(summary).toContain('مبلغ مصوب: ۲۳۰٬۰۰۰٬۰۰۰ تومان');
    expect(summary).toContain('یادآوری‌ها (روز پیش از مهلت): ۳۰، ۷، ۱، ۰');
    admin.pressButtonByText('✅ ثبت');
    expect(String((await reply(admin, 'ثبت شد')).text)).toContain('برای یک سازمان ثبت شد و به آن سازمان اطلاع داده شد');

    const deadline = await h.db.prisma.deadline.findFirstOrThrow();
    expect(deadline).toMatchObject({ kind: 'PROJECT', ngoId: ngo.id, amountToman: 230_000_000n, title: 'آموزش تفکیک پسماند در مدارس' });
    expect(await h.db.prisma.deadlineTarget.findMany()).toEqual([expect.objectContaining({ deadlineId: deadline.id, ngoId: ngo.id, status: 'PENDING' })]);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'deadline.created', actorId: BigInt(ADMIN) } })).toBe(1);
    const notice = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes(NEW_NOTICE));
    expect(String(notice.text)).toContain('مهلت: <b>۱۴۰۵/۱۲/۰۱</b> (۹۰ روز مانده)');
    await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes(NEW_NOTICE));

    // The office's list: one blank line under the title, as between the deadlines.
    admin.sendCommand('deadlines_admin');
    const open = String((await reply(admin, 'مهلت‌های جاری')).text);
    expect(open.startsWith('📋 <b>مهلت‌های جاری</b>\n\n<b>')).toBe(true);
    expect(open).not.toContain('\n\n\n');

    // 30 days before: Thursday 1405/11/01 09:00 Tehran = 05:30Z. A minute early, nothing.
    await tickAt('2027-01-21T05:29:00Z');
    expect(texts(h, MANAGER, REMINDER)).toEqual([]);
    await tickAt('2027-01-21T05:30:00Z');
    const first = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes(REMINDER));
    expect(String(first.text)).toContain('۳۰ روز مانده');
    expect(String(first.text)).not.toContain(LATE);
    await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes(REMINDER));
    // Repeated ticks add nothing.
    await tickAt('2027-01-21T05:31:00Z');
    await tickAt('2027-01-21T06:45:00Z');
    expect(texts(h, MANAGER, REMINDER)).toHaveLength(1);
    expect(texts(h, MEMBER, REMINDER)).toHaveLength(1);

    // The manager answers from the reminder: text, then a document.
    manager.pressButtonByText(SUBMIT);
    await reply(manager, 'شرح کارهای انجام‌شده');
    manager.sendText('کارگاه در ۱۲ مدرسه برگزار شد و ۸۴۰ دانش‌آموز آموزش دیدند.');
    await reply(manager, 'فایل گزارش');
    manager.sendDocument('report.pdf');
    await reply(manager, 'گزارش شما برای');
    const target = await h.db.prisma.deadlineTarget.findFirstOrThrow();
    expect(target).toMatchObject({ status: 'SUBMITTED', submittedBy: BigInt(MANAGER), reportFileName: 'report.pdf' });
    // Stored exactly as typed: the report's Persian digits are not rewritten.
    expect(target.reportText).toBe('کارگاه در ۱۲ مدرسه برگزار شد و ۸۴۰ دانش‌آموز آموزش دیدند.');
    // No county admin for Kerman: the province's (here the super admin) hears of it.
    const received = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش تازه'));
    expect(String(received.text)).toContain('انجمن حامیان محیط زیست کرمان');
    expect(String(received.text)).toContain('کارگاه در ۱۲ مدرسه برگزار شد و ۸۴۰ دانش‌آموز');

    // Later slots find the NGO's part done.
    await tickAt('2027-02-13T05:30:00Z');
    await tickAt('2027-02-20T05:30:00Z');
    await tickAt('2027-02-21T05:30:00Z');
    expect(texts(h, MANAGER, REMINDER)).toHaveLength(1);
    expect(texts(h, MANAGER, OVERDUE)).toEqual([]);

    // The office accepts from the notice; the NGO is told, and a second press changes nothing.
    const acceptData = inlineButtons(received).find((b) => b.text === '✅ پذیرش گزارش')!.callback_data!;
    expect(acceptData).toBe(`dl_acc:${deadline.id}-${ngo.id}`);
    admin.pressButtonByText('✅ پذیرش گزارش');
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('پذیرفته شد'));
    const again = admin.pressButton(acceptData);
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === again.update.callback_query.id);
    expect(String(answer.params.text)).toContain('پیش‌تر پذیرفته شده است');
    expect(await h.db.prisma.deadlineTarget.findFirstOrThrow()).toMatchObject({ status: 'ACCEPTED', acceptedBy: BigInt(ADMIN) });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'deadline.report_accepted' } })).toBe(1);
    await h.waitForIdle();
    expect(texts(h, MANAGER, 'پذیرفته شد')).toHaveLength(1);

    // The NGO's list shows it accepted, with no button left to press.
    manager.sendCommand('deadlines');
    const list = await reply(manager, 'مهلت‌های جاری سازمان');
    expect(String(list.text)).toContain('گزارش پذیرفته شده است');
    expect(inlineButtons(list)).toEqual([]);
  });

  it('when the bot was down, then only the latest reminder goes out, late; the day after the due date the NGOs get an overdue notice and each responsible admin one digest; an extension moves the reminders', async () => {
    const {
      audience: [done, late, far],
    } = await start({
      // The overdue notice says whom to call about an extension.
      env: { OFFICE_CONTACT: 'تلفن ۰۳۴۳۲۲۱۰۰۰۰' },
      staff: [
        { id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان' },
        { id: PROVINCE_ADMIN, role: 'PROVINCE_ADMIN' },
      ],
      audience: [
        { name: 'انجمن یاوران کرمان', county: 'کرمان', fields: ['محیط زیست'], members: 1 },
        { name: 'کانون جوانان کرمان', county: 'کرمان', fields: ['ورزش و جوانان'] },
        { name: 'مؤسسه سلامت رفسنجان', county: 'رفسنجان', fields: ['بهداشت و سلامت'] },
      ],
    });
    // Due Saturday 1405/09/07 14:00. Its 1-day reminder falls on Friday and moves to Saturday 09:00,
    // where the due-day reminder already is: one reminder that morning.
    const deadline = await h.app.services.deadlines.createGeneral(BigInt(ADMIN), {
      title: 'گزارش عملکرد شش‌ماهه',
      description: 'گزارش فعالیت‌ها و هزینه‌ها',
      audience: { countyIds: [], fieldIds: [] },
      dueDate: { jy: 1405, jm: 9, jd: 7 },
      dueTime: { hour: 14, minute: 0 },
      reminderDays: [30, 7, 1, 0],
    });
    expect(deadline.targetCount).toBe(3);
    for (const ngo of [done, late, far]) await h.api.waitForMessage(ngo!.managerId, (c) => String(c.text).includes(NEW_NOTICE));
    // Extending or closing a deadline that also binds Rafsanjan's NGO is the province's: Kerman's county admin
    // is not offered the buttons, province staff are.
    const extendButtons = async (admin: number) => {
      const user = h.api.user(admin);
      user.sendCommand('deadline', String(deadline.id));
      return inlineButtons(await user.waitForReply()).filter((b) => b.text === t('deadlines.admin.extend_button') || b.text === t('deadlines.admin.close_button'));
    };
    expect(await extendButtons(COUNTY_ADMIN)).toEqual([]);
    expect(await extendButtons(PROVINCE_ADMIN)).toHaveLength(2);

    // Down from Monday to Saturday noon: the due-day reminder (09:00) is three hours late.
    await h.restart();
    await tickAt('2026-11-28T08:30:00Z');
    for (const ngo of [done, late, far]) {
      const sent = texts(h, ngo!.managerId, REMINDER);
      expect(sent).toHaveLength(1);
      expect(sent[0]).toContain(LATE);
      expect(sent[0]).toContain('امروز آخرین روز مهلت است');
    }
    expect(texts(h, done!.memberIds[0]!, REMINDER)).toHaveLength(1);

    await h.app.services.deadlines.submitReport(BigInt(done!.managerId), deadline.id, { text: 'همه فعالیت‌ها انجام شد.' });

    // Sunday 1405/09/08 09:00: overdue notices to the two without a report, then the digests.
    await tickAt('2026-11-29T05:30:00Z');
    expect(texts(h, late!.managerId, OVERDUE)).toHaveLength(1);
    expect(texts(h, far!.managerId, OVERDUE)).toHaveLength(1);
    expect(texts(h, done!.managerId, OVERDUE)).toEqual([]);
    expect(texts(h, far!.managerId, OVERDUE)[0]).toContain('\n☎️ راه تماس با دفتر امور اجتماعی و فرهنگی استانداری: تلفن ۰۳۴۳۲۲۱۰۰۰۰');
    expect(texts(h, far!.managerId, REMINDER)[0]).not.toContain('راه تماس');
    await tickAt('2026-11-29T05:30:30Z', 'deadline-overdue-digest');
    await tickAt('2026-11-29T05:45:00Z', 'deadline-overdue-digest');
    await tickAt('2026-11-29T06:00:00Z');
    const county = texts(h, COUNTY_ADMIN, 'گزارش روزانه دیرکرد');
    expect(county).toHaveLength(1);
    expect(county[0]).toContain('کانون جوانان کرمان');
    expect(county[0]).toContain('۱ روز دیرکرد');
    expect(county[0]).not.toContain('رفسنجان');
    expect(county[0]).not.toContain('انجمن یاوران کرمان');
    for (const provinceAdmin of [PROVINCE_ADMIN, ADMIN]) {
      const digest = texts(h, provinceAdmin, 'گزارش روزانه دیرکرد');
      expect(digest).toHaveLength(1);
      expect(digest[0]).toContain('مؤسسه سلامت رفسنجان');
      expect(digest[0]).not.toContain('کانون جوانان کرمان');
    }
    expect(texts(h, late!.managerId, OVERDUE)).toHaveLength(1);

    // The office extends to 1405/09/20 from the deadline's page; the NGOs are told.
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    admin.sendCommand('deadline', toPersianDigits(deadline.id));
    const page = String((await reply(admin, `مهلت شماره ${toPersianDigits(deadline.id)}`)).text);
    expect(page).toContain('⚠️ دیرکرد، بدون گزارش (۲)');
    expect(page).toContain('📝 گزارش رسیده، در انتظار بررسی (۱)');
    admin.pressButtonByText('🗓 تمدید مهلت');
    await reply(admin, 'تاریخ جدید پایان مهلت');
    admin.sendText('1405/09/05');
    await reply(admin, 'گذشته است');
    admin.sendText('1405/09/20');
    expect(String((await reply(admin, 'تمدید شد')).text)).toContain('۱۴۰۵/۰۹/۲۰ ساعت ۱۴:۰۰');
    await h.api.waitForMessage(late!.managerId, (c) => String(c.text).includes('مهلت تمدید شد'));
    await h.api.waitForMessage(done!.managerId, (c) => String(c.text).includes('مهلت تمدید شد'));
    expect(await h.db.prisma.auditLog.count({ where: { action: 'deadline.extended' } })).toBe(1);

    // 7 days before the new date is Friday 1405/09/13: nothing then; the reminder comes on Saturday
    // morning instead, to the two NGOs still working on it.
    await tickAt('2026-12-04T05:30:00Z');
    expect(texts(h, late!.managerId, REMINDER)).toHaveLength(1);
    await tickAt('2026-12-05T05:30:00Z');
    const reminders = texts(h, late!.managerId, REMINDER);
    expect(reminders).toHaveLength(2);
    expect(reminders[1]).toContain('۶ روز مانده');
    expect(reminders[1]).not.toContain(LATE);
    expect(texts(h, far!.managerId, REMINDER)).toHaveLength(2);
    expect(texts(h, done!.managerId, REMINDER)).toHaveLength(1);
  });

  it('when an admin types part of an NGO\'s name for a project, then the matching approved NGOs come as buttons and pressing one chooses it', async () => {
    const {
      ngos: [ngo],
    } = await start({
      ngos: [
        { managerId: MANAGER, name: 'انجمن حامیان محیط\u200cزیست کرمان', status: 'APPROVED' },
        { managerId: 2500, name: 'انجمن محیط زیست در انتظار', status: 'PENDING' },
        { managerId: OTHER_MANAGER, name: 'کانون فرهنگی جوانان', status: 'APPROVED' },
        ...Array.from({ length: 9 }, (_, i) => ({ managerId: 2600 + i, name: `انجمن نیکوکاری شماره ${toPersianDigits(i + 1)}`, status: 'APPROVED' as const })),
      ],
    });
    const admin = h.api.user(ADMIN);
    admin.sendCommand('new_deadline');
    await reply(admin, 'نوع مهلت');
    admin.pressButtonByText('📁 طرح مصوب یک سازمان (سه‌ماهه)');
    expect(String((await reply(admin, 'شماره پیگیری')).text)).toContain('بخشی از نام سازمان را بنویسید');

    admin.sendText('ک');
    await reply(admin, 'دست‌کم دو حرف از نام سازمان');
    admin.sendText('سازمان ناموجود');
    await reply(admin, 'هیچ سازمان تأییدشده‌ای با «سازمان ناموجود» در نام پیدا نشد');

    // Typed with Arabic yeh and a space for the ZWNJ: still the same name; the pending NGO is not offered.
    admin.sendText('محيط زيست');
    const one = await reply(admin, 'سازمان مورد نظر را انتخاب کنید');
    expect(inlineButtons(one).map((b) => b.text)).toEqual([`انجمن حامیان محیط\u200cزیست کرمان (کرمان) — شماره ${toPersianDigits(ngo.id)}`]);

    // More than eight: a page of eight and a button to the next (the paging itself: test/e2e/ngo-search.test.ts).
    admin.sendText('انجمن');
    const many = await reply(admin, 'صفحه ۱ از ۲');
    expect(inlineButtons(many).map((b) => b.text).slice(8)).toEqual(['بعدی »']);

    admin.pressButton(inlineButtons(one)[0]!.callback_data!);
    expect(String((await reply(admin, 'عنوان طرح مصوب')).text)).toContain('«<b>انجمن حامیان محیط\u200cزیست کرمان</b>»');
  });

  it('when input is wrong or the person may not act, then a clear Persian answer comes and nothing changes', async () => {
    const {
      ngos: [ngo, pending],
    } = await start({
      ngos: [
        { managerId: MANAGER, name: 'انجمن حامیان محیط زیست کرمان', status: 'APPROVED' },
        { managerId: 2500, name: 'خیریه در انتظار', status: 'PENDING' },
        { managerId: OTHER_MANAGER, name: 'کانون دیگر', status: 'APPROVED' },
      ],
    });
    await createUser(h.db, STRANGER, 'ناشناس');
    const admin = h.api.user(ADMIN);
    const stranger = h.api.user(STRANGER);

    stranger.sendCommand('new_deadline');
    expect(String((await stranger.waitForReply()).text)).toBe('این فرمان ویژه کارشناسان دفتر امور اجتماعی و فرهنگی استانداری است.');

    admin.sendCommand('new_deadline');
    await reply(admin, 'نوع مهلت');
    admin.pressButtonByText('📁 طرح مصوب یک سازمان (سه‌ماهه)');
    await reply(admin, 'شماره پیگیری');
    admin.sendText('۹۹۹۹');
    await reply(admin, 'سازمانی با شماره پیگیری ۹۹۹۹ پیدا نشد');
    admin.sendText(String(pending.id));
    await reply(admin, 'هنوز تأیید نشده');
    admin.sendText(String(ngo.id));
    await reply(admin, 'عنوان طرح مصوب');
    admin.sendText('ab');
    await reply(admin, 'دست‌کم ۳ نویسه');
    admin.sendText('طرح کاشت نهال');
    await reply(admin, 'مبلغ مصوب');
    admin.sendText('بیست میلیون');
    await reply(admin, 'فقط با رقم');
    admin.sendText('٢٠٠٠٠٠٠٠');
    await reply(admin, 'تاریخ شروع');
    // 1404 is not a leap year: no 30 Esfand. 1403 is.
    admin.sendText('1404/12/30');
    await reply(admin, 'این روز در آن ماه وجود ندارد');
    admin.sendText('1403/12/30');
    await reply(admin, '۱۴۰۴/۰۳/۳۰');
    admin.pressButtonByText('✅ پایان در ۱۴۰۴/۰۳/۳۰');
    await reply(admin, 'این تاریخ گذشته است');
    admin.sendText('1403/12/01');
    await reply(admin, 'نمی‌تواند پیش از تاریخ شروع باشد');
    admin.sendText('1405/10/01');
    await reply(admin, 'یادآوری‌ها به طور پیش‌فرض');
    admin.sendText('۴۰۰');
    await reply(admin, 'حداکثر ۳۶۵ روز');
    admin.sendText('۱۴، ۳، ۰');
    expect(String((await reply(admin, 'پیش‌نمایش مهلت')).text)).toContain('۱۴، ۳، ۰');
    admin.pressButtonByText('✅ ثبت');
    await reply(admin, 'ثبت شد');
    const deadline = await h.db.prisma.deadline.findFirstOrThrow();
    expect(deadline.reminderDays).toEqual([14, 3, 0]);
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes(NEW_NOTICE));

    // A stranger and another NGO's manager press a forged "submit report".
    const forged = `dl_sub:${deadline.id}`;
    const strangerPress = stranger.pressButton(forged);
    const strangerAnswer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === strangerPress.update.callback_query.id);
    expect(String(strangerAnswer.params.text)).toContain('عضو هیچ سازمان مردم‌نهادی نیستید');
    const other = h.api.user(OTHER_MANAGER);
    const otherPress = other.pressButton(forged);
    const otherAnswer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === otherPress.update.callback_query.id);
    expect(String(otherAnswer.params.text)).toContain('مربوط به سازمان شما نیست');

    // A report needs text.
    const manager = h.api.user(MANAGER);
    manager.pressButtonByText(SUBMIT);
    await reply(manager, 'شرح کارهای انجام‌شده');
    manager.sendPhoto();
    await reply(manager, 'گزارش باید متن داشته باشد');
    manager.sendText('..');
    await reply(manager, 'گزارش باید متن داشته باشد');
    manager.sendCommand('cancel');
    await manager.waitForReply();

    // The 14-day reminder, caught up at 23:00 (quiet hours), waits for the morning; closing cancels it.
    await tickAt('2026-12-08T19:30:00Z');
    const queued = () => h.db.prisma.outboxDelivery.findMany({ where: { message: { dedupeKey: { startsWith: 'reminder:' } } } });
    expect((await queued()).map((d) => [d.status, d.notBefore.toISOString()])).toEqual([['PENDING', '2026-12-09T03:30:00.000Z']]);

    // Closed by the office: the old button is answered and nothing changes.
    await h.app.services.deadlines.close(BigInt(ADMIN), deadline.id);
    expect((await queued()).map((d) => d.status)).toEqual(['CANCELLED']);
    await tickAt('2026-12-09T03:31:00Z');
    expect(texts(h, MANAGER, REMINDER)).toEqual([]);
    const late = manager.pressButtonByText(SUBMIT);
    const closedAnswer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === late.update.callback_query.id);
    expect(String(closedAnswer.params.text)).toContain('بسته شده است');
    expect(await h.db.prisma.deadlineTarget.findFirstOrThrow()).toMatchObject({ status: 'PENDING', reportText: null });
    await expect(h.app.services.deadlines.submitReport(BigInt(MANAGER), deadline.id, { text: 'گزارش پس از بستن' })).rejects.toMatchObject({ code: 'deadlines.errors.closed' });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'deadline.report_submitted' } })).toBe(0);

    // From an NGO's card (a `dl_new:<id>` button): the project form starts at the title, the NGO chosen.
    const notApproved = admin.pressButton(`dl_new:${pending.id}`);
    const refused = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === notApproved.update.callback_query.id);
    expect(String(refused.params.text)).toContain('هنوز تأیید نشده');
    admin.pressButton(`dl_new:${ngo.id}`, admin.lastMessageFromBot()!.message_id);
    await reply(admin, 'عنوان طرح مصوب سازمان «<b>انجمن حامیان محیط زیست کرمان</b>»');
  });

  it('when an admin makes an announcement repeat every month, then it goes out once on its day each month until cancelled', async () => {
    const {
      audience: [ngo],
    } = await start({ audience: [{ name: 'انجمن یاوران کرمان', county: 'کرمان', fields: ['محیط زیست'], members: 1 }] });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    admin.sendCommand('recurring');
    await reply(admin, 'اطلاعیه تکرارشونده‌ای ثبت نشده است');
    admin.pressButtonByText('➕ اطلاعیه تکرارشونده جدید');
    await reply(admin, 'پیامی را که باید هر بار');
    const source = admin.sendText('یادآوری ماهانه: گزارش فعالیت‌های ماه را تا پایان هفته بفرستید.').update.message.message_id;
    await reply(admin, 'هر چند وقت');
    admin.pressButtonByText('🗓 هر ماه');
    await reply(admin, 'روز ماه را بنویسید');
    admin.sendText('۳۲');
    await reply(admin, 'این روز در آن ماه وجود ندارد');
    admin.sendText('۵');
    await reply(admin, 'ساعت ارسال');
    admin.sendText('۱۰:۳۰');
    await reply(admin, 'هر ماه، روز ۵ ساعت ۱۰:۳۰');
    admin.pressButtonByText('✅ ثبت');
    await reply(admin, 'اطلاعیه تکرارشونده شماره ۱ ثبت شد');
    expect(await h.db.prisma.auditLog.count({ where: { action: 'recurring.created', actorId: BigInt(ADMIN) } })).toBe(1);

    const copies = () => h.api.calls('copyMessage').filter((c) => c.response.ok && ngo!.userIds.includes(Number(c.chatId)));
    const fifth = (jm: number) => jalaliToDate({ jy: 1405, jm, jd: 5 }, { hour: 10, minute: 30 });
    // Thursday 1405/09/05 10:30: a minute early nothing; at the time one broadcast; the next minutes nothing more.
    await tickAt(new Date(fifth(9).getTime() - 60_000).toISOString(), 'recurring-broadcasts');
    expect(await h.db.prisma.broadcast.count()).toBe(0);
    await tickAt(fifth(9).toISOString(), 'recurring-broadcasts');
    await tickAt(new Date(fifth(9).getTime() + 60_000).toISOString(), 'recurring-broadcasts');
    expect(await h.db.prisma.broadcast.count()).toBe(1);
    expect(copies()).toHaveLength(ngo!.userIds.length);
    expect(copies()[0]!.params).toMatchObject({ from_chat_id: ADMIN, message_id: source });

    await tickAt(fifth(10).toISOString(), 'recurring-broadcasts');
    expect(await h.db.prisma.broadcast.count()).toBe(2);
    expect(copies()).toHaveLength(2 * ngo!.userIds.length);

    admin.sendCommand('recurring');
    await reply(admin, 'هر ماه، روز ۵ ساعت ۱۰:۳۰');
    const press = admin.pressButtonByText('✖️ لغو اطلاعیه ۱');
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === press.update.callback_query.id);
    expect(String(answer.params.text)).toContain('لغو شد');
    await tickAt(fifth(11).toISOString(), 'recurring-broadcasts');
    expect(await h.db.prisma.broadcast.count()).toBe(2);
  });

  it('when a county admin records a reporting deadline, then only the approved NGOs of that county get it', async () => {
    const { audience: ngos } = await start({
      staff: [{ id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان' }],
      audience: [
        { name: 'انجمن یاوران کرمان', county: 'کرمان', fields: ['محیط زیست'] },
        { name: 'کانون جوانان کرمان', county: 'کرمان', fields: ['ورزش و جوانان'] },
        { name: 'خیریه در انتظار کرمان', county: 'کرمان', fields: ['امور خیریه'], status: 'PENDING' },
        { name: 'مؤسسه سلامت رفسنجان', county: 'رفسنجان', fields: ['بهداشت و سلامت'] },
      ],
    });
    const officer = h.api.user(COUNTY_ADMIN, { first_name: 'علی' });
    officer.sendCommand('new_deadline');
    await reply(officer, 'نوع مهلت');
    officer.pressButtonByText('📋 مهلت گزارش‌دهی برای گروهی از سازمان‌ها');
    await reply(officer, 'عنوان مهلت را بنویسید');
    officer.sendText('گزارش برنامه‌های هفته تشکل‌ها');
    await reply(officer, 'توضیح مهلت');
    officer.sendText('⏭ گذر از این مرحله');
    const audience = String((await reply(officer, 'سازمان‌های مشمول این مهلت')).text);
    expect(audience).toContain('تنها برای سازمان‌های شهرستان شما');
    expect(audience).toContain('تعداد سازمان‌ها: <b>۲</b>');
    officer.pressButtonByText(t('deadlines.form.continue_button'));
    await reply(officer, 'تاریخ پایان مهلت');
    officer.sendText('۱۴۰۵/۰۹/۰۱');
    await reply(officer, 'ساعت پایان مهلت');
    // Today at 08:00 has passed (it is 10:00): the date is asked again.
    officer.sendText('۸:۰۰');
    await reply(officer, 'این تاریخ گذشته است');
    officer.sendText('۱۴۰۵/۰۹/۲۵');
    await reply(officer, 'ساعت پایان مهلت');
    officer.sendText('25:00');
    await reply(officer, 'ساعت باید میان ۰ و ۲۳ باشد');
    officer.sendText('۱۴:۰۰');
    await reply(officer, 'یادآوری‌ها به طور پیش‌فرض');
    officer.pressButtonByText('✅ یادآوری‌های پیش‌فرض');
    expect(String((await reply(officer, 'پیش‌نمایش مهلت')).text)).toContain('۱۴۰۵/۰۹/۲۵ ساعت ۱۴:۰۰');
    officer.pressButtonByText('✅ ثبت');
    expect(String((await reply(officer, 'ثبت شد')).text)).toContain('برای ۲ سازمان ثبت شد و به این سازمان‌ها اطلاع داده شد');

    const targets = await h.db.prisma.deadlineTarget.findMany({ orderBy: { ngoId: 'asc' } });
    expect(targets.map((t) => t.ngoId)).toEqual([ngos[0]!.id, ngos[1]!.id]);
    for (const ngo of ngos.slice(0, 2)) await h.api.waitForMessage(ngo.managerId, (c) => String(c.text).includes(NEW_NOTICE));
    await h.waitForIdle();
    for (const ngo of ngos.slice(2)) expect(texts(h, ngo.managerId, NEW_NOTICE)).toEqual([]);
  });
});
