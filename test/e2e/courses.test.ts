/**
 * Training needs and courses end to end (issue 6), through the fake Bot API: an NGO declares a need,
 * the office reads the demand and publishes a course, requesters hear first and others after the
 * head start, seats run out, the waitlist fills and is promoted in order, the last seat is raced for,
 * the office reschedules and cancels, reminders go out at their times, and participants rate.
 *
 * The clock starts at a chosen Tehran time and runs on in real time; tests move it forward (the
 * head start, reminders) with `clock.advance`, and run scheduler slots at the simulated times.
 */
import { describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import type { CourseDraft } from '../../src/features/training/index.js';
import { e2eStorageMode } from '../support/database.js';
import { inlineLabels, messageIdOf, reply, t } from '../support/conversation.js';
import { courseDraft } from '../support/course-fixtures.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startOffice, testClock, type TestClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { createAudience, type AudienceNgo, type AudienceNgoSpec } from '../support/ngo-audience.js';

const ADMIN = 1001;
const H = 3_600_000;
/** Sunday 1405/09/01 10:00 Tehran: a working morning. */
const SUNDAY_MORNING = '2026-11-22T06:30:00Z';
/** Wednesday 1405/09/04 10:00 Tehran. */
const WEDNESDAY_10 = jalaliToDate({ jy: 1405, jm: 9, jd: 4 }, { hour: 10, minute: 0 });

const TOPIC = 'جذب منابع مالی';
const NOT_APPROVED = 'ثبت‌نام سازمان شما هنوز در انتظار بررسی دفتر است';

const NGOS: AudienceNgoSpec[] = [
  { name: 'انجمن حامیان محیط زیست کرمان', county: 'کرمان', fields: ['محیط زیست'] },
  { name: 'کانون جوانان رفسنجان', county: 'رفسنجان', fields: ['ورزش و جوانان'] },
  { name: 'مؤسسه سلامت بم', county: 'بم', fields: ['بهداشت و سلامت'] },
  { name: 'جمعیت یاوران سلامت کرمان', county: 'کرمان', fields: ['بهداشت و سلامت'] },
  { name: 'خیریه امید جیرفت', county: 'جیرفت', fields: ['امور خیریه'], status: 'PENDING' },
];

const text = (call: RecordedCall) => String(call.text ?? '');

describe(`training needs and courses (${e2eStorageMode()} storage)`, () => {
  let h: Harness;
  let clock: TestClock;

  async function setup(specs = NGOS) {
    clock = testClock(SUNDAY_MORNING);
    const office = await startOffice({ adminIds: [ADMIN], clock, audience: specs });
    h = office.h;
    const ngos = office.audience;
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const managers = ngos.map((n) => h.api.user(n.managerId, { first_name: 'مدیر' }));
    return { admin, ngos, managers };
  }

  async function noticeTo(user: FakeUser, includes: string, timeoutMs = 8_000): Promise<RecordedCall> {
    return h.api.waitForMessage(user.id, (c) => text(c).includes(includes), { timeoutMs });
  }

  function answerTo(press: { update: { callback_query: { id: string } } }): Promise<RecordedCall> {
    return h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === press.update.callback_query.id && c.params.text !== undefined);
  }

  const draft = (overrides: Partial<CourseDraft> = {}) => courseDraft(WEDNESDAY_10, overrides);

  async function enrolments(courseId: number) {
    const rows = await h.db.prisma.enrollment.findMany({ where: { courseId }, orderBy: { id: 'asc' } });
    return rows.map((r) => ({ ngoId: r.ngoId, status: r.status, participants: r.participants }));
  }

  /** A course's card, opened from a list (/courses or /my_courses) as a member would. */
  async function openCard(user: FakeUser, courseId: number, list: 'courses' | 'my_courses' = 'courses'): Promise<RecordedCall> {
    user.sendCommand(list);
    await reply(user, list === 'courses' ? 'دوره‌های در حال ثبت‌نام' : 'دوره‌های سازمان شما');
    user.pressButton(`crs_view:${courseId}`);
    return reply(user, 'ظرفیت باقی‌مانده');
  }

  /** Enrols through the bot: the card's enrol (or waitlist) button, then the number of participants. */
  async function enrolViaBot(user: FakeUser, courseId: number, participants: number, expect: string): Promise<string> {
    const card = await openCard(user, courseId);
    user.pressButton(`crs_enrol:${courseId}`, messageIdOf(card));
    await reply(user, 'چند نفر از سازمان شما');
    user.pressButton(`cenrol:count.${participants}`);
    return text(await reply(user, expect));
  }

  /** Gives the seat up from the card (cancel) or from the promotion notice (decline), confirming. */
  async function cancelViaBot(user: FakeUser, courseId: number, button: 'crs_cancel' | 'crs_decline'): Promise<void> {
    if (button === 'crs_cancel') {
      const card = await openCard(user, courseId, 'my_courses');
      user.pressButton(`crs_cancel:${courseId}`, messageIdOf(card));
    } else {
      user.pressButton(`crs_decline:${courseId}`);
    }
    await reply(user, 'انصراف می‌دهید');
    const press = user.pressButtonByText('بله، انصراف');
    await h.api.waitForCall('editMessageText', (c) => Number(c.chatId) === user.id && String(c.params.text).includes('لغو شد'), { after: press.mark });
  }

  it('when an NGO declares a need, then the office sees it, publishes a course, requesters hear first, seats fill, the waitlist forms and is promoted in order', async () => {
    const { admin, ngos, managers } = await setup();
    const [a, b, c, d] = managers as [FakeUser, FakeUser, FakeUser, FakeUser];

    // ---- the need, with bad answers on the way
    a.sendCommand('request_course');
    await reply(a, 'موضوع آموزشی مورد نیاز');
    a.pressButtonByText(TOPIC);
    await reply(a, 'در چند جمله');
    a.sendText('ن');
    expect(text(await a.waitForReply())).toContain('شرح باید بین ۵ تا ۵۰۰ نویسه');
    a.sendText('آموزش نوشتن طرح جذب حامی مالي برای کارکنان');
    await reply(a, 'چند نفر');
    a.sendText('۰');
    expect(text(await a.waitForReply())).toBe('تعداد شرکت‌کنندگان باید از ۱ تا ۵۰۰ نفر باشد.');
    a.sendText('۱۲');
    await reply(a, 'شیوه برگزاری');
    a.pressButtonByText('حضوری');
    expect(text(await reply(a, 'خلاصه درخواست'))).toContain('تعداد شرکت‌کنندگان: ۱۲ نفر');
    a.pressButtonByText('✅ ثبت درخواست');
    expect(text(await reply(a, 'شماره پیگیری'))).toContain('شماره پیگیری: <b>۱</b>');
    // The description is stored as typed, Arabic ي kept.
    expect((await h.db.prisma.trainingNeed.findFirstOrThrow()).description).toContain('مالي');

    // A second NGO asks for the same topic through the service; the county table shows both counties.
    await h.app.services.training.requestTraining(BigInt(ngos[1]!.managerId), { topicId: 1, description: 'آموزش روش‌های جذب حامی', participants: 4, format: 'ONLINE' });

    // ---- the demand and its drill-down
    admin.sendCommand('needs');
    const demand = text(await reply(admin, 'نیازهای آموزشی اعلام‌شده'));
    expect(demand).toContain('۲ درخواست باز از ۲ سازمان، برای ۱۶ نفر');
    expect(demand).toContain(`${TOPIC} — ۲ سازمان، ۱۶ نفر`);
    expect(demand).toContain('کرمان — ۱ سازمان، ۱۲ نفر');
    expect(demand).toContain('رفسنجان — ۱ سازمان، ۴ نفر');
    // Newest first: Rafsanjan's request came last.
    expect(demand.indexOf('رفسنجان —')).toBeLessThan(demand.indexOf('کرمان —'));
    const drill = admin.pressButtonByText(`📚 ${TOPIC}`);
    const detail = await h.api.waitForCall('editMessageText', (call) => call.chatId === ADMIN, { after: drill.mark });
    expect(String(detail.params.text)).toContain(ngos[0]!.name);
    expect(String(detail.params.text)).toContain(ngos[1]!.name);

    // ---- a course through /new_course, with bad answers on the way
    admin.sendCommand('new_course');
    await reply(admin, 'عنوان دوره');
    admin.sendText('کارگاه جذب منابع مالی');
    await reply(admin, 'شرح کوتاهی');
    admin.sendText('⏭ گذر از این مرحله');
    await reply(admin, 'موضوع دوره');
    admin.pressButtonByText(TOPIC);
    await reply(admin, 'تاریخ آغاز');
    admin.sendText('۱۴۰۵/۰۸/۲۰');
    expect(text(await admin.waitForReply())).toBe('این تاریخ گذشته است؛ تاریخی از امروز به بعد بنویسید.');
    admin.sendText('1405/09/01');
    await reply(admin, 'ساعت آغاز');
    admin.sendText('۸:۰۰');
    expect(text(await admin.waitForReply())).toBe('زمان آغاز دوره باید در آینده باشد.');
    admin.sendText(t('forms.back'));
    await reply(admin, 'تاریخ آغاز');
    admin.sendText('۱۴۰۵/۰۹/۰۴');
    await reply(admin, 'ساعت آغاز');
    admin.sendText('۱۰:۰۰');
    await reply(admin, 'مدت دوره');
    admin.sendText('۹۰');
    await reply(admin, 'شیوه برگزاری دوره');
    admin.pressButtonByText('حضوری');
    await reply(admin, 'نشانی محل');
    admin.sendText('دفتر تسهیلگری محله شهید باهنر کرمان');
    await reply(admin, 'ظرفیت دوره');
    admin.sendText('0');
    expect(text(await admin.waitForReply())).toContain('ظرفیت صفر پذیرفته نیست');
    admin.sendText('۳');
    await reply(admin, 'هر سازمان حداکثر');
    admin.sendText('۵');
    expect(text(await admin.waitForReply())).toContain('از ۱ تا ۳');
    admin.sendText('۲');
    await reply(admin, 'مهلت ثبت‌نام');
    admin.sendText('۱۴۰۵/۰۹/۰۵ ۱۰:۰۰');
    expect(text(await admin.waitForReply())).toBe('مهلت ثبت‌نام باید پیش از آغاز دوره (یا هم‌زمان با آن) باشد.');
    admin.pressButtonByText('یک روز پیش از آغاز');
    await reply(admin, 'چه سازمان‌هایی');
    admin.pressButtonByText('👁 ادامه و پیش‌نمایش');
    const preview = text(await reply(admin, 'پیش‌نمایش دوره'));
    expect(preview).toContain('چهارشنبه ۴ آذر ۱۴۰۵ ساعت ۱۰:۰۰');
    expect(preview).toContain('۱ ساعت و ۳۰ دقیقه');
    admin.pressButtonByText('📣 انتشار دوره');
    expect(text(await reply(admin, 'منتشر شد'))).toContain('۲ سازمانِ درخواست‌کننده همین حالا باخبر می‌شوند و ۲ سازمان دیگر از');

    const course = await h.db.prisma.course.findFirstOrThrow();
    expect(course.headStartUntil!.getTime() - course.createdAt.getTime()).toBe(24 * H);
    expect(course).toMatchObject({ capacity: 3, perNgoLimit: 2, startsAt: WEDNESDAY_10, registrationDeadline: new Date(WEDNESDAY_10.getTime() - 24 * H) });
    expect(await h.db.prisma.auditLog.count({ where: { action: 'course.created', actorId: BigInt(ADMIN) } })).toBe(1);

    // ---- priority: requesters now, the others when the head start ends (and the pending NGO never)
    expect(text(await noticeTo(a, 'در موضوع درخواستی شما'))).toContain('کارگاه جذب منابع مالی');
    await noticeTo(b, 'در موضوع درخواستی شما');
    const later = await h.db.prisma.outboxDelivery.findMany({ where: { message: { dedupeKey: { startsWith: `course-published:${course.id}:rest:` } } } });
    expect(later.map((r) => Number(r.chatId)).sort()).toEqual([ngos[2]!.managerId, ngos[3]!.managerId].sort());
    for (const row of later) expect(row.notBefore).toEqual(course.headStartUntil);
    await h.waitForIdle();
    expect(h.api.texts(c.id)).toEqual([]);

    // A non-requester pressing enrol before the head start ends is told when it may, and nothing changes.
    const early = c.pressButton(`crs_enrol:${course.id}`);
    expect(String((await answerTo(early)).params.text)).toContain('ویژه سازمان‌هایی است که این موضوع را درخواست کرده بودند');
    c.sendCommand('courses');
    expect(text(await reply(c, 'دوره‌های در حال ثبت‌نام'))).toContain('🔒');

    // ---- enrolment within the limit; the view button under the announcement works
    a.pressButtonByText('🔎 مشاهده و ثبت‌نام');
    expect(text(await reply(a, 'ظرفیت باقی‌مانده'))).toContain('ظرفیت باقی‌مانده: ۳ از ۳ نفر');
    a.pressButtonByText('✅ ثبت‌نام در دوره');
    await reply(a, 'چند نفر از سازمان شما');
    a.sendText('۳');
    await reply(a, 'حداکثر ۲ نفر');
    a.pressButton('cenrol:count.2');
    const enrolled = text(await reply(a, 'ثبت‌نام شد'));
    expect(enrolled).toContain('ظرفیت باقی‌مانده: ۱ نفر');
    // Two reminders, not one 26 hours before.
    expect(enrolled).toContain('دو یادآوری می‌فرستیم: یکی یک روز پیش از آغاز و دیگری دو ساعت پیش از آغاز.');

    // ---- the head start ends: the others are told and may enrol
    clock.advance(24 * H);
    await noticeTo(c, 'دوره آموزشی تازه');
    await noticeTo(d, 'دوره آموزشی تازه');
    expect(await enrolViaBot(b, course.id, 1, 'ثبت‌نام شد')).toContain('ظرفیت باقی‌مانده: ۰ نفر');
    expect(await enrolViaBot(c, course.id, 2, 'فهرست انتظار')).toContain('نوبت شما: <b>۱</b>');
    expect(await enrolViaBot(d, course.id, 1, 'فهرست انتظار')).toContain('نوبت شما: <b>۲</b>');
    const [ngoA, ngoB, ngoC, ngoD] = ngos as [AudienceNgo, AudienceNgo, AudienceNgo, AudienceNgo];
    expect(await enrolments(course.id)).toEqual([
      { ngoId: ngoA.id, status: 'ENROLLED', participants: 2 },
      { ngoId: ngoB.id, status: 'ENROLLED', participants: 1 },
      { ngoId: ngoC.id, status: 'WAITLISTED', participants: 2 },
      { ngoId: ngoD.id, status: 'WAITLISTED', participants: 1 },
    ]);

    // ---- A cancels: two seats free, the head of the line (two people) is promoted; D still waits
    await cancelViaBot(a, course.id, 'crs_cancel');
    const promoted = await noticeTo(c, 'جایی در دوره آزاد شد');
    expect(text(promoted)).toContain('با ۲ نفر ثبت‌نام شد');
    expect((await enrolments(course.id)).map((e) => e.status)).toEqual(['CANCELLED', 'ENROLLED', 'ENROLLED', 'WAITLISTED']);

    // ---- C declines the promoted seat: D, next in line, gets it
    await cancelViaBot(c, course.id, 'crs_decline');
    expect(text(await noticeTo(d, 'جایی در دوره آزاد شد'))).toContain('با ۱ نفر ثبت‌نام شد');
    expect((await enrolments(course.id)).map((e) => e.status)).toEqual(['CANCELLED', 'ENROLLED', 'CANCELLED', 'ENROLLED']);

    // The NGO's open requests: A withdraws its own.
    a.sendCommand('my_requests');
    await reply(a, 'درخواست‌های آموزشی باز');
    const withdraw = a.pressButtonByText('🗑 پس گرفتن درخواست ۱');
    await h.api.waitForCall('editMessageText', (call) => Number(call.chatId) === a.id && String(call.params.text).includes('پس گرفته شد'), { after: withdraw.mark });
    expect((await h.db.prisma.trainingNeed.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('WITHDRAWN');
  });

  it('when two NGOs press for the last seat at the same moment, then exactly one gets it and the other is waitlisted and told', async () => {
    const { admin, managers, ngos } = await setup();
    const [x, y] = managers as [FakeUser, FakeUser];
    const { course } = await h.app.services.courses.create(BigInt(ADMIN), draft({ capacity: 1, perNgoLimit: 1 }));

    for (const user of [x, y]) {
      const card = await openCard(user, course.id);
      user.pressButton(`crs_enrol:${course.id}`, messageIdOf(card));
      await reply(user, 'چند نفر از سازمان شما');
    }
    // With a limit of 1 there is no range "from 1 to 1" to name.
    x.sendText('۲');
    expect(text(await reply(x, 'فقط ۱ نفر'))).toBe('هر سازمان فقط ۱ نفر می‌تواند در این دوره ثبت‌نام کند. لطفاً عدد ۱ را بفرستید.');
    // Both presses go out together: telegraf handles the two chats' updates concurrently.
    x.pressButton('cenrol:count.1');
    y.pressButton('cenrol:count.1');
    const answers = await Promise.all([x, y].map((u) => u.waitForReply((c) => /ثبت‌نام شد|فهرست انتظار/.test(text(c)))));
    const outcomes = answers.map((c) => (text(c).includes('فهرست انتظار') ? 'WAITLISTED' : 'ENROLLED'));
    expect([...outcomes].sort()).toEqual(['ENROLLED', 'WAITLISTED']);
    expect(answers[outcomes.indexOf('WAITLISTED')]!.text).toContain('نوبت شما: <b>۱</b>');
    // What each NGO was told is what the database holds.
    const rows = await enrolments(course.id);
    expect(rows.map((r) => ({ ngoId: r.ngoId, status: r.status })).sort((p, q) => p.ngoId - q.ngoId)).toEqual([
      { ngoId: ngos[0]!.id, status: outcomes[0] },
      { ngoId: ngos[1]!.id, status: outcomes[1] },
    ]);

    // Many at once, straight at the service: the seats are never oversold.
    const crowd = await createAudience(
      h.db,
      Array.from({ length: 8 }, (_, i) => ({ name: `سمن شماره ${i + 1}`, county: 'کرمان', fields: ['محیط زیست'] })),
      { firstUserId: 800_000 },
    );
    const big = (await h.app.services.courses.create(BigInt(ADMIN), draft({ capacity: 3, perNgoLimit: 1 }))).course;
    const results = await Promise.all(crowd.map((n) => h.app.services.courses.enrol(BigInt(n.managerId), big.id, 1)));
    expect(results.filter((r) => r.status === 'ENROLLED')).toHaveLength(3);
    expect(results.filter((r) => r.status === 'WAITLISTED').map((r) => r.position).sort()).toEqual([1, 2, 3, 4, 5]);
    const stored = await enrolments(big.id);
    expect(stored.filter((r) => r.status === 'ENROLLED').reduce((s, r) => s + r.participants, 0)).toBe(3);

    // The office edits the limit of the one-seat course: "only 1", not "from 1 to 1".
    admin.sendCommand('course', String(course.id));
    await reply(admin, 'ثبت‌نام‌شده');
    admin.pressButtonByText('✏️ ویرایش');
    await reply(admin, 'کدام بخش');
    admin.pressButtonByText('سقف هر سازمان');
    expect(text(await reply(admin, 'سقف تازه'))).toBe('سقف تازه هر سازمان را بنویسید (فقط ۱):');
    admin.sendText('۲');
    expect(text(await admin.waitForReply())).toBe('با ظرفیت ۱ نفر، سقف هر سازمان فقط ۱ نفر می‌تواند باشد.');
    admin.sendText('۱');
    await reply(admin, 'تغییر ثبت شد');
  });

  it('when the office reschedules and then cancels, then every enrolled and waiting NGO is told, and old buttons change nothing', async () => {
    const { admin, managers, ngos } = await setup();
    const [a, b, c] = managers as [FakeUser, FakeUser, FakeUser];
    const { course } = await h.app.services.courses.create(BigInt(ADMIN), draft({ capacity: 2, perNgoLimit: 2 }));
    await h.app.services.courses.enrol(BigInt(a.id), course.id, 2);
    await h.app.services.courses.enrol(BigInt(b.id), course.id, 1);

    // The roster, with the managers' contact, and its CSV.
    admin.sendCommand('course', String(course.id));
    await reply(admin, 'ثبت‌نام‌شده: ۱ سازمان، ۲ نفر از ۲ نفر');
    admin.pressButtonByText('👥 فهرست شرکت‌کنندگان');
    const roster = text(await reply(admin, 'فهرست دوره'));
    expect(roster).toContain(ngos[0]!.name);
    expect(roster).toContain('۰۹۱۲');
    expect(roster).toContain(`⏳ نوبت ۱: <b>${ngos[1]!.name}</b>`);
    // A manager's name typed as a formula must not run when the office opens the file in a spreadsheet.
    await h.db.prisma.ngo.update({ where: { id: ngos[1]!.id }, data: { managerName: '=HYPERLINK("http://evil.example","نام")' } });
    admin.pressButtonByText('📥 دریافت فایل CSV');
    const csv = await admin.waitForReply((call) => call.method === 'sendDocument');
    expect(csv.upload?.fileName).toBe(`course-${course.id}-roster.csv`);
    const content = csv.upload!.bytes!.toString('utf8');
    expect(content).toContain(ngos[0]!.name);
    expect(content).toContain('در فهرست انتظار');
    expect(content).toContain(`"'=HYPERLINK(""http://evil.example"",""نام"")"`);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'course.roster_exported' } })).toBe(1);

    // A larger capacity: the waitlist moves up, and everyone holding a seat hears of the change.
    admin.pressButtonByText('✏️ ویرایش');
    await reply(admin, 'کدام بخش');
    admin.pressButtonByText('ظرفیت');
    // Adding seats moves the waitlist up in order; nobody is "replaced" or removed.
    const askCapacity = text(await reply(admin, 'ظرفیت تازه'));
    expect(askCapacity).toContain('اگر ظرفیت را بیشتر کنید، سازمان‌های فهرست انتظار به ترتیب نوبت در جاهای تازه ثبت‌نام می‌شوند؛ کسی از فهرست کنار گذاشته نمی‌شود');
    expect(askCapacity).not.toContain('جایگزین');
    admin.sendText('۰');
    expect(text(await admin.waitForReply())).toContain('ظرفیت صفر پذیرفته نیست');
    admin.sendText('۳');
    await reply(admin, 'تغییر ثبت شد');
    expect(text(await noticeTo(b, 'جایی در دوره آزاد شد'))).toContain('با ۱ نفر ثبت‌نام شد');
    for (const user of [a, b]) expect(text(await noticeTo(user, 'جزئیات دوره‌ای که در آن ثبت‌نام کرده‌اید'))).toContain('ظرفیت باقی‌مانده: ۰ از ۳ نفر');
    expect((await enrolments(course.id)).map((e) => e.status)).toEqual(['ENROLLED', 'ENROLLED']);

    // Reschedule to Thursday 16:30.
    admin.pressButtonByText('🗓 تغییر زمان');
    await reply(admin, 'تاریخ آغاز');
    admin.sendText('۱۴۰۵/۰۹/۰۵');
    await reply(admin, 'ساعت آغاز');
    admin.sendText('۱۶:۳۰');
    await reply(admin, 'زمان دوره به');
    for (const user of [a, b]) {
      const told = text(await noticeTo(user, 'زمان دوره'));
      expect(told).toContain('زمان پیشین: چهارشنبه ۴ آذر ۱۴۰۵ ساعت ۱۰:۰۰');
      expect(told).toContain('زمان تازه: پنج‌شنبه ۵ آذر ۱۴۰۵ ساعت ۱۶:۳۰');
    }
    // C only ever had the announcement: it holds no seat, so it hears of no change.
    await h.waitForIdle();
    expect(h.api.texts(c.id).filter((t) => !t.includes('دوره آموزشی تازه'))).toEqual([]);

    // Cancel, with a reason.
    admin.sendCommand('course', String(course.id));
    await reply(admin, 'ثبت‌نام‌شده');
    admin.pressButtonByText('⛔️ لغو دوره');
    await reply(admin, 'علت لغو دوره');
    admin.sendText('همزمانی با تعطیلی رسمی');
    await reply(admin, 'لغو شود؟');
    admin.pressButtonByText('⛔️ بله، لغو شود');
    expect(text(await reply(admin, 'لغو شد'))).toContain('به ۲ سازمان اطلاع داده می‌شود');
    for (const user of [a, b]) expect(text(await noticeTo(user, 'لغو شد.'))).toContain('علت: همزمانی با تعطیلی رسمی');
    expect(await h.db.prisma.auditLog.findMany({ where: { entityType: 'course', actorId: BigInt(ADMIN) }, select: { action: true } })).toEqual(
      expect.arrayContaining([{ action: 'course.rescheduled' }, { action: 'course.cancelled' }]),
    );

    // Stale buttons: enrolling, cancelling or cancelling the course again all say it is cancelled.
    const before = await enrolments(course.id);
    const enrol = c.pressButton(`crs_enrol:${course.id}`);
    expect(String((await answerTo(enrol)).params.text)).toContain('لغو شده است');
    const cancel = a.pressButton(`crs_cancel:${course.id}`);
    expect(String((await answerTo(cancel)).params.text)).toContain('لغو شده است');
    const again = admin.pressButton(`cadm_cancel:${course.id}`);
    expect(String((await answerTo(again)).params.text)).toContain('لغو شده است');
    expect(await enrolments(course.id)).toEqual(before);
    expect((await h.db.prisma.course.findUniqueOrThrow({ where: { id: course.id } })).status).toBe('CANCELLED');
  });

  it('when the office changes, then cancels a course during the head start, then the held-back announcements carry the change, and then never go out', async () => {
    const { managers, ngos } = await setup();
    const [a, b] = managers as [FakeUser, FakeUser];
    await h.app.services.training.requestTraining(BigInt(a.id), { topicId: 1, description: 'آموزش روش‌های جذب حامی', participants: 3, format: 'IN_PERSON' });
    const { course } = await h.app.services.courses.create(BigInt(ADMIN), draft({ topicId: 1 }));
    const held = () =>
      h.db.prisma.outboxDelivery.findMany({
        where: { status: 'PENDING', message: { sourceType: 'course-announcement', dedupeKey: { contains: ':rest:' } } },
        include: { message: true },
      });
    const others = [ngos[1]!, ngos[2]!, ngos[3]!].map((n) => n.managerId).sort();
    expect((await held()).map((d) => Number(d.chatId)).sort()).toEqual(others);

    await h.app.services.courses.reschedule(BigInt(ADMIN), course.id, new Date(WEDNESDAY_10.getTime() + 24 * H));
    const refreshed = await held();
    expect(refreshed.map((d) => Number(d.chatId)).sort()).toEqual(others);
    for (const d of refreshed) {
      expect(d.notBefore).toEqual(course.headStartUntil);
      expect((d.message.payload as { text: string }).text).toContain('زمان آغاز: پنج‌شنبه ۵ آذر ۱۴۰۵ ساعت ۱۰:۰۰');
    }

    await h.app.services.courses.cancelCourse(BigInt(ADMIN), course.id, 'کمبود مدرس');
    expect(await held()).toEqual([]);
    clock.advance(25 * H);
    // Past the head start: anything still held back would be due now, and sent before the bot is idle.
    await h.waitForIdle();
    expect(h.api.texts(b.id)).toEqual([]);
  });

  it('when the course approaches, then reminders go out a day and two hours before, once each; afterwards attendees rate it and the office sees the average', async () => {
    const { admin, managers } = await setup();
    const [a, b] = managers as [FakeUser, FakeUser];
    const { course } = await h.app.services.courses.create(BigInt(ADMIN), draft());
    await h.app.services.courses.enrol(BigInt(a.id), course.id, 2);
    await h.app.services.courses.enrol(BigInt(b.id), course.id, 1);
    const start = course.startsAt.getTime();
    const reminders = () => h.db.prisma.outboxMessage.findMany({ where: { dedupeKey: { startsWith: `course-reminder:${course.id}:` } }, orderBy: { id: 'asc' } });
    const tick = async (job: string, at: number) => {
      clock.set(new Date(at));
      expect(await h.app.scheduler.runSlot(job, new Date(at))).toBe('ran');
    };

    await tick('course-reminders', start - 25 * H);
    expect(await reminders()).toEqual([]);

    await tick('course-reminders', start - 24 * H);
    await tick('course-reminders', start - 23 * H);
    expect((await reminders()).map((m) => m.dedupeKey)).toEqual([`course-reminder:${course.id}:${(await ngoOf(a)).id}:1d`, `course-reminder:${course.id}:${(await ngoOf(b)).id}:1d`]);
    expect(text(await noticeTo(a, 'یادآوری'))).toContain('فردا، چهارشنبه ۴ آذر ۱۴۰۵ ساعت ۱۰:۰۰');

    await tick('course-reminders', start - 2 * H);
    await tick('course-reminders', start - 1 * H);
    expect((await reminders()).map((m) => m.dedupeKey!.split(':').at(-1))).toEqual(['1d', '1d', '2h', '2h']);
    expect(text(await noticeTo(b, 'دو ساعت دیگر'))).toContain('دوره «کارگاه نگارش طرح»');
    expect(h.api.texts(b.id).filter((t) => t.includes('یادآوری'))).toHaveLength(2);

    // After the course: finished; attendance marked, only the NGO marked present is asked to rate.
    await tick('course-follow-up', start + 2 * H);
    expect((await h.db.prisma.course.findUniqueOrThrow({ where: { id: course.id } })).status).toBe('FINISHED');
    admin.sendCommand('course', String(course.id));
    await reply(admin, 'ثبت‌نام‌شده');
    admin.pressButtonByText('🧾 ثبت حضور و غیاب');
    await reply(admin, 'حضور و غیاب');
    const mark = admin.pressButton(`cadm_mark:${course.id}-${(await ngoOf(a)).id}-y`);
    await h.api.waitForCall('editMessageText', (call) => call.chatId === ADMIN && String(call.params.text).includes('✅ '), { after: mark.mark });
    await tick('course-follow-up', start + 3 * H);
    const ask = await noticeTo(a, 'چه امتیازی می‌دهید');
    expect(await h.db.prisma.outboxMessage.count({ where: { dedupeKey: { startsWith: `course-rating:${course.id}:` } } })).toBe(1);

    // A rates 4 and comments; a forged score and B (not marked present) are refused.
    const forged = a.pressButton(`crs_rate:${course.id}-9`);
    expect(String((await answerTo(forged)).params.text)).toBe('این دکمه دیگر معتبر نیست.');
    const notAttendee = b.pressButton(`crs_rate:${course.id}-5`);
    expect(String((await answerTo(notAttendee)).params.text)).toContain('تنها سازمان‌هایی که در دوره شرکت کرده‌اند');
    a.pressButton(`crs_rate:${course.id}-4`, (ask.response as { result: { message_id: number } }).result.message_id);
    await reply(a, 'نظر یا پیشنهادی');
    a.sendText('کارگاه سودمندی بود؛ کاش نمونه‌های بیشتری داشت');
    await reply(a, 'نظر شما ثبت شد');
    expect(await h.db.prisma.courseRating.findMany({ select: { score: true, comment: true } })).toEqual([{ score: 4, comment: 'کارگاه سودمندی بود؛ کاش نمونه‌های بیشتری داشت' }]);

    admin.sendCommand('course', String(course.id));
    const page = text(await reply(admin, 'میانگین امتیاز'));
    expect(page).toContain('میانگین امتیاز: ۴ از ۵ (۱ نظر)');
    // "(۴/۵)" would read as 4.5: the score is "۴ از ۵".
    expect(page).toContain('💬 (۴ از ۵) کارگاه سودمندی بود؛ کاش نمونه‌های بیشتری داشت');
  });

  it('when an unapproved NGO or a closed course is involved, then the answers are clear and nothing changes', async () => {
    const { admin, managers, ngos } = await setup();
    const pending = managers[4]!;
    for (const command of ['request_course', 'courses', 'my_courses', 'my_requests']) {
      pending.sendCommand(command);
      expect(text(await pending.waitForReply())).toContain(NOT_APPROVED);
    }
    pending.sendText('🎓 دوره‌های آموزشی');
    expect(text(await pending.waitForReply())).toContain(NOT_APPROVED);
    const stranger = h.api.user(5005, { first_name: 'ناشناس' });
    stranger.sendCommand('courses');
    expect(text(await stranger.waitForReply())).toContain('نخست باید عضو یک سازمان مردم‌نهاد ثبت‌شده باشید');
    stranger.sendCommand('needs');
    expect(text(await stranger.waitForReply())).toBe('این فرمان ویژه کارشناسان دفتر امور اجتماعی و فرهنگی استانداری است.');

    // Members of approved NGOs and admins find their way through the menu button.
    admin.sendText('🎓 دوره‌های آموزشی');
    const adminMenu = await reply(admin, 'دوره‌های آموزشی');
    expect(inlineLabels(adminMenu)).toEqual(['📊 نیازهای اعلام‌شده', '➕ دوره جدید', '🛠 مدیریت دوره‌ها']);

    // A course for another county: not offered, not enrollable.
    const county = await h.db.prisma.county.findUniqueOrThrow({ where: { name: 'بم' } });
    const { course } = await h.app.services.courses.create(BigInt(ADMIN), draft());
    const other = (await h.app.services.courses.create(BigInt(ADMIN), draft({ eligibility: { countyIds: [county.id], fieldIds: [] } }))).course;
    const a = managers[0]!;
    expect((await h.app.services.courses.openCourses(BigInt(a.id))).map((c) => c.course.id)).toEqual([course.id]);
    expect(await h.app.services.courses.openCourses(BigInt(ngos[2]!.managerId))).toHaveLength(2);
    a.sendText('🎓 دوره‌های آموزشی');
    const menu = await reply(a, 'دوره‌های آموزشی');
    expect(inlineLabels(menu)).toEqual(['📋 دوره‌های در حال ثبت‌نام', '🗂 دوره‌های من', '📝 اعلام نیاز آموزشی', '📄 درخواست‌های من']);
    a.pressButtonByText('📋 دوره‌های در حال ثبت‌نام');
    const list = text(await reply(a, 'دوره‌های در حال ثبت‌نام'));
    expect(list).toContain('کارگاه نگارش طرح');
    expect(list).toContain('چهارشنبه ۴ آذر ۱۴۰۵ ساعت ۱۰:۰۰ — دفتر تسهیلگری محله باهنر');
    expect(list).toContain('ظرفیت باقی‌مانده: ۳ از ۳ نفر');
    const refused = a.pressButton(`crs_enrol:${other.id}`);
    expect(String((await answerTo(refused)).params.text)).toContain('سازمان شما مشمول آن نیست');

    // Registration closes at its deadline: a form left open and a button pressed later are both refused.
    const card = await openCard(a, course.id);
    a.pressButton(`crs_enrol:${course.id}`, messageIdOf(card));
    await reply(a, 'چند نفر از سازمان شما');
    clock.set(new Date(course.registrationDeadline.getTime() + 60_000));
    a.pressButton('cenrol:count.1');
    expect(text(await reply(a, 'مهلت ثبت‌نام'))).toContain('به پایان رسیده است');
    const late = managers[1]!.pressButton(`crs_enrol:${course.id}`);
    expect(String((await answerTo(late)).params.text)).toContain('به پایان رسیده است');
    expect(await enrolments(course.id)).toEqual([]);
    expect(await enrolments(other.id)).toEqual([]);
  });

  async function ngoOf(user: FakeUser) {
    return (await h.db.prisma.ngoMember.findUniqueOrThrow({ where: { userId: BigInt(user.id) }, include: { ngo: true } })).ngo;
  }
});
