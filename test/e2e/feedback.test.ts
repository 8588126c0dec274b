/**
 * Feedback end to end (issue 7): a member sends a suggestion, criticism, complaint or question with
 * or without their name, gets a tracking number, follows it up; the office reads the inbox, answers,
 * closes, reopens and assigns; notices go out at once or in a daily digest; unanswered items are
 * reminded on working days. Everything through the fake Bot API, the outbox and the scheduler.
 *
 * The clock starts at a chosen Tehran time and runs on in real time (the dispatcher spaces a chat's
 * messages on it); `clock.set` jumps it to another day, as the reminder and digest jobs need.
 */
import { describe, expect, it } from 'vitest';
import { splitText, type FeedbackType } from '../../src/features/feedback/rules.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { toAsciiDigits, toPersianDigits } from '../../src/platform/text/persian-text.js';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, inlineButtons, NOT_ADMIN, reply, replyLabels, replyText, t } from '../support/conversation.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startOffice, testClock, type TestClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { createNgo } from '../support/ngo-fixtures.js';

const ADMIN = 1001; // super admin from the configuration
const PROVINCE = 1002;
const COUNTY_ADMIN = 3003; // کرمان
const OTHER_COUNTY_ADMIN = 3004; // رفسنجان
const MEMBER = 2002; // manager of an approved NGO in کرمان
const OTHER_MEMBER = 2003; // manager of an approved NGO in رفسنجان
const REJECTED_MEMBER = 2004;
const STRANGER = 4004;

const NGO_NAME = 'انجمن حامیان محیط زیست کرمان';
const OTHER_NGO = 'کانون جوانان رفسنجان';

const TYPE_BUTTONS: Record<FeedbackType, string> = { SUGGESTION: '💡 پیشنهاد', CRITICISM: '📝 انتقاد', COMPLAINT: '⚠️ شکایت', QUESTION: '❓ پرسش' };
const TYPE_NAMES: Record<FeedbackType, string> = { SUGGESTION: 'پیشنهاد', CRITICISM: 'انتقاد', COMPLAINT: 'شکایت', QUESTION: 'پرسش' };
const ASK_TEXT = 'خود را بنویسید';
const ASK_ATTACHMENTS = 'اگر عکس یا فایلی';
const SUMMARY = 'پیش از ارسال';
const CONTINUE = t('feedback.form.continue');
const SEND_NAMED = '📨 ارسال با نام من';
const SEND_ANONYMOUS = '🕶 ارسال بدون نام';
const FOLLOW_UP = '➕ افزودن پیام تکمیلی';

/** Tehran wall-clock time in Azar 1405: 09/01 is Sunday 22 November 2026, 09/04 Wednesday, 09/06 Friday. */
const tehran = (jd: number, hour = 10, minute = 0) => jalaliToDate({ jy: 1405, jm: 9, jd }, { hour, minute });

const fa = (n: number) => toPersianDigits(n);

/** Everything the bot showed a chat after a mark: texts, captions and buttons. */
function shownTo(h: Harness, chatId: number, after: number): string {
  return h.api
    .calls()
    .filter((c) => c.seq >= after && Number(c.chatId) === chatId && c.response.ok)
    .map((c) => `${c.text ?? ''} ${JSON.stringify(c.params.reply_markup ?? '')}`)
    .join('\n');
}

function trackingNumber(text: string): number {
  const match = /شماره پیگیری: <b>([۰-۹]+)<\/b>/.exec(text);
  if (!match) throw new Error(`no tracking number in: ${text}`);
  return Number(toAsciiDigits(match[1]!));
}

describe(`feedback (${e2eStorageMode()} storage)`, () => {
  let h: Harness;
  let clock: TestClock;

  async function setup(start = tehran(1)) {
    clock = testClock(start);
    ({ h } = await startOffice({
      adminIds: [ADMIN],
      clock,
      staff: [
        { id: PROVINCE, role: 'PROVINCE_ADMIN', firstName: 'رضا' },
        { id: COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'کرمان', firstName: 'علی' },
        { id: OTHER_COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'رفسنجان', firstName: 'حسن' },
      ],
      ngos: [
        { managerId: MEMBER, name: NGO_NAME, status: 'APPROVED', managerFirstName: 'زهرا' },
        { managerId: OTHER_MEMBER, name: OTHER_NGO, countyName: 'رفسنجان', status: 'APPROVED' },
      ],
    }));
    return {
      admin: h.api.user(ADMIN, { first_name: 'مهسا' }),
      member: h.api.user(MEMBER, { first_name: 'زهرا', last_name: 'احمدی' }),
    };
  }

  /** The whole form through the bot; returns the tracking number the member was given. */
  async function sendViaBot(
    user: FakeUser,
    type: FeedbackType,
    text: string,
    options: { anonymous?: boolean; attach?: () => Promise<void> } = {},
  ): Promise<number> {
    await untilAttachments(user, type, text);
    await options.attach?.();
    return confirmAndSend(user, options.anonymous);
  }

  /** /feedback, the type and the text: returns the question of the attachment step. */
  async function untilAttachments(user: FakeUser, type: FeedbackType, text: string): Promise<RecordedCall> {
    user.sendCommand('feedback');
    await replyText(user, 'نوع پیام خود را انتخاب کنید');
    user.pressButtonByText(TYPE_BUTTONS[type]);
    await replyText(user, ASK_TEXT);
    user.sendText(text);
    return reply(user, ASK_ATTACHMENTS);
  }

  /** From the attachment step on: continue, the summary, send with or without the name; returns the tracking number. */
  async function confirmAndSend(user: FakeUser, anonymous = false): Promise<number> {
    user.sendText(CONTINUE);
    await replyText(user, SUMMARY);
    user.pressButtonByText(anonymous ? SEND_ANONYMOUS : SEND_NAMED);
    return trackingNumber(await replyText(user, 'شماره پیگیری'));
  }

  function submit(userId: number, type: FeedbackType, text: string, anonymous = false) {
    return h.app.services.feedback.submit(BigInt(userId), { type, parts: [text], attachments: [], anonymous });
  }

  it('when a member sends each type with their name, then each is stored with a Persian tracking number and the admins of the NGO\'s county and province are told at once', async () => {
    const { member } = await setup();
    const ids: number[] = [];
    for (const type of ['SUGGESTION', 'CRITICISM', 'COMPLAINT', 'QUESTION'] as const) {
      const id = await sendViaBot(member, type, `متن ${TYPE_NAMES[type]} درباره برگزاری جلسات هم‌اندیشی`);
      // Stored (with its first message) by the time "received" was said.
      const item = await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id }, include: { messages: true } });
      expect(item).toMatchObject({ type, status: 'RECEIVED', anonymous: false, userId: BigInt(MEMBER) });
      expect(item.messages.map((m) => m.text)).toEqual([`متن ${TYPE_NAMES[type]} درباره برگزاری جلسات هم‌اندیشی`]);
      ids.push(id);
    }
    expect(h.api.texts(MEMBER).at(-1)).toContain(`شماره پیگیری: <b>${fa(ids[3]!)}</b>`);

    for (const chat of [ADMIN, COUNTY_ADMIN, PROVINCE]) {
      for (const [i, type] of (['SUGGESTION', 'CRITICISM', 'COMPLAINT', 'QUESTION'] as const).entries()) {
        const notice = await h.api.waitForMessage(chat, (c) => String(c.text).includes(`شماره پیگیری ${fa(ids[i]!)}`), { timeoutMs: 15_000 });
        expect(String(notice.text)).toContain(`${TYPE_NAMES[type]} تازه`);
        expect(String(notice.text)).toContain(`از: زهرا احمدی — ${NGO_NAME} (شهرستان کرمان)`);
        expect(inlineButtons(notice)).toEqual([{ text: '👁 مشاهده و پاسخ', callback_data: `fbi_v:${ids[i]}` }]);
      }
    }
    await h.waitForIdle();
    // Another county's admin hears nothing of this county's NGOs.
    expect(h.api.sentMessages(OTHER_COUNTY_ADMIN)).toHaveLength(0);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'feedback.submitted', actorId: BigInt(MEMBER) } })).toBe(4);
  });

  it('when a member sends anonymously, then no admin sees their name, id or NGO, the county admin is not told, and the admin\'s reply still reaches them with the tracking number', async () => {
    const { admin, member } = await setup();
    const mark = h.api.mark();
    const id = await sendViaBot(member, 'COMPLAINT', 'در جلسه اخیر به پرسش‌های سازمان‌ها پاسخ داده نشد.', { anonymous: true });
    expect(h.api.texts(MEMBER).at(-1)).toContain('بدون نام دریافت و ثبت شد');
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ anonymous: true, userId: BigInt(MEMBER) });

    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(`شماره پیگیری ${fa(id)}`));
    // The admin opens it from the notice and answers.
    admin.pressButtonByText('👁 مشاهده و پاسخ');
    await admin.waitForReply((c) => inlineButtons(c).some((b) => b.text === '✍️ پاسخ'));
    admin.pressButtonByText('✍️ پاسخ');
    await replyText(admin, `پاسخ خود به پیام شماره ${fa(id)}`);
    admin.sendText('از گزارش شما سپاسگزاریم؛ در جلسه بعد وقت پرسش و پاسخ بیشتر خواهد بود.');
    expect(await replyText(admin, 'ثبت شد')).toContain(`پیام شماره <b>${fa(id)}</b>`);

    const answer = await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes('پاسخ دفتر امور اجتماعی'));
    expect(String(answer.text)).toContain(`شماره پیگیری <b>${fa(id)}</b>`);
    expect(String(answer.text)).toContain('در جلسه بعد وقت پرسش و پاسخ بیشتر خواهد بود.');
    expect(inlineButtons(answer)).toEqual([{ text: FOLLOW_UP, callback_data: `fb_fu:${id}` }]);

    await h.waitForIdle();
    for (const chat of [ADMIN, PROVINCE]) {
      const seen = shownTo(h, chat, mark);
      expect(seen).toContain('فرستنده ناشناس');
      for (const secret of ['زهرا', 'احمدی', String(MEMBER), fa(MEMBER), NGO_NAME, 'کرمان']) expect(seen, `${chat} saw ${secret}`).not.toContain(secret);
    }
    // A county admin could guess the sender among the county's few NGOs: anonymous items stay at the province.
    expect(shownTo(h, COUNTY_ADMIN, mark)).toBe('');
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'ANSWERED', waitingSince: null });
    expect((await h.db.prisma.auditLog.findMany({ where: { entityType: 'feedback', entityId: String(id), actorId: BigInt(ADMIN) }, orderBy: { id: 'asc' } })).map((a) => a.action)).toEqual([
      'feedback.viewed',
      'feedback.replied',
    ]);
    // Nothing in the audit log names the anonymous sender either.
    expect(await h.db.prisma.auditLog.count({ where: { entityType: 'feedback', actorId: BigInt(MEMBER) } })).toBe(0);
  });

  it('when a member has nothing to attach, then one press of "no attachment" leads to the summary and no "attachments: 0" line is sent', async () => {
    const { member } = await setup();
    const ask = await untilAttachments(member, 'QUESTION', 'آیا مهلت گزارش سال ۱۴۰۵ تمدید می‌شود؟');
    expect(String(ask.text)).toContain('اگر پیوستی ندارید، «بدون پیوست، مرحله بعد» را بزنید.');
    // With nothing attached there is no count to give: no "so far: 0".
    expect(String(ask.text)).not.toContain('تاکنون');
    expect(replyLabels(ask)).toEqual(['⏭ بدون پیوست، مرحله بعد', t('forms.back'), '✖️ انصراف']);
    const mark = h.api.mark();
    member.sendText('⏭ بدون پیوست، مرحله بعد');
    const summary = await replyText(member, SUMMARY);
    expect(summary).not.toContain('پیوست‌ها');
    expect(shownTo(h, MEMBER, mark)).not.toContain('پیوست‌ها: ۰');
    member.pressButtonByText(SEND_NAMED);
    expect(await replyText(member, 'شماره پیگیری')).toContain('پرسش شما دریافت و ثبت شد');
  });

  it('when a member attaches a photo, then the button under it becomes "continue" and the summary counts the attachment', async () => {
    const { member } = await setup();
    await untilAttachments(member, 'SUGGESTION', 'پیشنهاد برگزاری نمایشگاه');
    member.sendPhoto();
    expect(replyLabels(await reply(member, 'پیوست ۱ دریافت شد'))).toEqual([CONTINUE, t('forms.back'), '✖️ انصراف']);
    member.sendText(CONTINUE);
    expect(await replyText(member, SUMMARY)).toContain('پیوست‌ها: ۱');
  });

  it('when a member sends a photo before the text, then the attachment question counts it and points to "continue"', async () => {
    const { member } = await setup();
    member.sendCommand('feedback');
    await replyText(member, 'نوع پیام خود را انتخاب کنید');
    member.pressButtonByText(TYPE_BUTTONS.SUGGESTION);
    await replyText(member, ASK_TEXT);
    member.sendPhoto();
    await replyText(member, 'اکنون متن پیام را بنویسید');
    member.sendText('پیشنهاد برگزاری نمایشگاه');
    const ask = await reply(member, 'اگر عکس یا فایل دیگری');
    expect(String(ask.text)).toContain('(حداکثر ۱۰ پیوست؛ تاکنون ۱)');
    expect(String(ask.text)).toContain('سپس «ادامه» را بزنید.');
    expect(replyLabels(ask)).toEqual([CONTINUE, t('forms.back'), '✖️ انصراف']);
  });

  it('when a member attaches a photo and a document, then they are stored by file id and the admin receives the files themselves', async () => {
    const { admin, member } = await setup();
    let photoId = '';
    let documentId = '';
    const id = await sendViaBot(member, 'SUGGESTION', 'پیشنهاد برگزاری نمایشگاه؛ طرح و پوستر پیوست است.', {
      attach: async () => {
        const photo = member.sendPhoto();
        photoId = photo.update.message.photo.at(-1)!.file_id;
        await replyText(member, 'پیوست ۱ دریافت شد');
        const document = member.sendDocument('طرح-نمایشگاه.pdf', 'جزئیات هزینه‌ها در این فایل است');
        documentId = document.update.message.document.file_id;
        await replyText(member, 'پیوست ۲ دریافت شد');
        // A sticker is neither: refused, and nothing is added.
        member.sendSticker();
        await replyText(member, 'فقط عکس یا فایل');
      },
    });
    const [message] = await h.db.prisma.feedbackMessage.findMany({ where: { itemId: id } });
    expect(message!.attachments).toEqual([
      { kind: 'photo', fileId: photoId },
      { kind: 'document', fileId: documentId, fileName: 'طرح-نمایشگاه.pdf' },
    ]);
    // The document's caption joined the text rather than being dropped.
    expect(message!.text).toBe('پیشنهاد برگزاری نمایشگاه؛ طرح و پوستر پیوست است.\n\nجزئیات هزینه‌ها در این فایل است');

    const before = h.api.mark();
    admin.sendCommand('inbox', fa(id));
    const photo = await h.api.waitForCall('sendPhoto', (c) => c.chatId === ADMIN, { after: before });
    const document = await h.api.waitForCall('sendDocument', (c) => c.chatId === ADMIN, { after: before });
    expect(photo.params.photo).toBe(photoId);
    expect(document.params.document).toBe(documentId);
    expect(String(photo.text)).toContain(`گفت‌وگوی شماره ${fa(id)}`);
    const thread = h.api.texts(ADMIN).find((t) => t.includes(`پیام شماره ${fa(id)}`))!;
    expect(thread).toContain('📎 ۲ پیوست');
    expect(thread).toContain('فرستنده (زهرا احمدی)');
    const actions = await admin.waitForReply((c) => String(c.text).includes('اقدام درباره پیام'));
    expect(inlineButtons(actions).map((b) => b.text)).toEqual(['✍️ پاسخ', '🔒 بستن', '👤 ارجاع', '📥 صندوق پیام‌ها']);
  });

  it('when the member follows the status and adds follow-ups, then closing stops them, reopening allows them again, and another member\'s tracking number is refused', async () => {
    const { admin, member } = await setup();
    const other = h.api.user(OTHER_MEMBER, { first_name: 'کاوه' });
    const { id } = await submit(MEMBER, 'QUESTION', 'زمان ثبت طرح‌های سال آینده کی است؟');

    member.sendCommand('my_feedback');
    const list = await replyText(member, 'پیام‌های شما به دفتر');
    expect(list).toContain(`شماره <b>${fa(id)}</b> — ❓ پرسش`);
    expect(list).toContain('دریافت شد، در انتظار پاسخ');

    await h.app.services.feedback.reply(BigInt(ADMIN), id, 'فراخوان در دی ماه منتشر می‌شود.');
    await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes('فراخوان در دی ماه'));
    member.sendCommand('my_feedback', fa(id));
    const thread = await replyText(member, `پیام شماره ${fa(id)}`);
    expect(thread).toContain('وضعیت: پاسخ داده شد');
    expect(thread.indexOf('زمان ثبت طرح‌ها')).toBeLessThan(thread.indexOf('فراخوان در دی ماه'));
    expect(thread).toContain('— دفتر امور اجتماعی و فرهنگی');
    expect(thread).not.toContain('مهسا');

    // A follow-up from the button under the answer: back to waiting for the office, and the office is told.
    member.pressButtonByText(FOLLOW_UP);
    await replyText(member, 'پیام تکمیلی خود را');
    member.sendText('آیا طرح‌های مشترک دو سازمان هم پذیرفته می‌شود؟');
    expect(await replyText(member, 'ثبت شد')).toContain(`شماره پیگیری <b>${fa(id)}</b>`);
    const followUp = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('پیام تکمیلی'));
    expect(String(followUp.text)).toContain('طرح‌های مشترک دو سازمان');
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'RECEIVED' });
    expect(await h.db.prisma.feedbackMessage.count({ where: { itemId: id } })).toBe(3);

    // Another member cannot read it or add to it, by number or by a forged button.
    other.sendCommand('my_feedback', fa(id));
    expect(await replyText(other, 'در میان پیام‌های شما نیست')).toContain(`شماره پیگیری ${fa(id)}`);
    const forged = other.pressButton(`fb_fu:${id}`);
    expect(String((await answerTo(h, forged)).params.text)).toContain('در میان پیام‌های شما نیست');

    // The admin closes it from the item view.
    admin.sendCommand('inbox', fa(id));
    await admin.waitForReply((c) => inlineButtons(c).some((b) => b.text === '🔒 بستن'));
    admin.pressButtonByText('🔒 بستن');
    await replyText(admin, `پیام شماره ${fa(id)} بسته شد`);
    await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes('بسته شد'));
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'CLOSED' });

    // The old follow-up button no longer works; a reply to the closed item is refused too.
    const late = member.pressButtonByText(FOLLOW_UP);
    expect(String((await answerTo(h, late)).params.text)).toContain('بسته شده است و پیام تکمیلی نمی‌پذیرد');
    const reply = admin.pressButton(`fbi_re:${id}`);
    expect(String((await answerTo(h, reply)).params.text)).toContain('بسته شده است؛ برای پاسخ دادن، نخست آن را بازگشایی کنید');
    await expect(h.app.services.feedback.addFollowUp(BigInt(MEMBER), id, { parts: ['باز هم'], attachments: [] })).rejects.toMatchObject({ code: 'feedback.errors.closed' });
    expect(await h.db.prisma.feedbackMessage.count({ where: { itemId: id } })).toBe(3);
    member.sendCommand('my_feedback');
    expect(await replyText(member, 'پیام‌های شما به دفتر')).toContain('بسته شد');

    // Reopened: the sender is told and may write again.
    admin.pressButtonByText('🔓 بازگشایی');
    await replyText(admin, `پیام شماره ${fa(id)} بازگشایی شد`);
    await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes('دوباره باز شد'));
    await h.app.services.feedback.addFollowUp(BigInt(MEMBER), id, { parts: ['سپاس از بازگشایی'], attachments: [] });
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'RECEIVED' });
    const actions = (await h.db.prisma.auditLog.findMany({ where: { entityType: 'feedback', entityId: String(id), actorId: { in: [BigInt(ADMIN)] } }, orderBy: { id: 'asc' } })).map((a) => a.action);
    expect(actions).toEqual(['feedback.replied', 'feedback.viewed', 'feedback.closed', 'feedback.reopened']);
  });

  it('when an admin browses the inbox and assigns an item, then the list is oldest first, filtered and paged, the assignee is told and gets the follow-ups alone', async () => {
    const { admin } = await setup();
    const ids: number[] = [];
    for (const [user, type] of [
      [MEMBER, 'SUGGESTION'],
      [MEMBER, 'COMPLAINT'],
      [MEMBER, 'QUESTION'],
      [OTHER_MEMBER, 'CRITICISM'],
      [OTHER_MEMBER, 'SUGGESTION'],
      [OTHER_MEMBER, 'QUESTION'],
    ] as const) {
      ids.push((await submit(user, type, `موضوع ${ids.length + 1}`)).id);
      clock.set(new Date(clock.now().getTime() + 60_000));
    }

    admin.sendCommand('inbox');
    const first = await admin.waitForReply((c) => String(c.text).includes('صندوق پیام‌های سازمان‌ها'));
    expect(String(first.text)).toContain(`(${fa(6)} مورد)`);
    expect(String(first.text)).toContain('صفحه ۱ از ۲');
    const shown = inlineButtons(first).filter((b) => b.callback_data?.startsWith('fbi_v:'));
    expect(shown.map((b) => b.callback_data)).toEqual(ids.slice(0, 5).map((id) => `fbi_v:${id}`));

    let press = admin.pressButtonByText(t('feedback.next_page'));
    let page = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    expect(inlineButtons(page).filter((b) => b.callback_data?.startsWith('fbi_v:')).map((b) => b.callback_data)).toEqual([`fbi_v:${ids[5]}`]);

    // Type filter: open → suggestions only.
    press = admin.pressButtonByText('🔄 نوع');
    page = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    expect(String(page.params.text)).toContain('نوع: پیشنهاد');
    expect(inlineButtons(page).filter((b) => b.callback_data?.startsWith('fbi_v:')).map((b) => b.callback_data)).toEqual([`fbi_v:${ids[0]}`, `fbi_v:${ids[4]}`]);
    // County filter: رفسنجان.
    admin.pressButtonByText('🏙 شهرستان');
    await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN && String(c.params.text).includes('کدام شهرستان'));
    press = admin.pressButtonByText('رفسنجان');
    page = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    expect(String(page.params.text)).toContain('شهرستان: رفسنجان');
    expect(inlineButtons(page).filter((b) => b.callback_data?.startsWith('fbi_v:')).map((b) => b.callback_data)).toEqual([`fbi_v:${ids[4]}`]);
    // Status filter: open → awaiting an answer → answered (none yet).
    admin.pressButtonByText('🔄 وضعیت');
    await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN && String(c.params.text).includes('وضعیت: در انتظار پاسخ'));
    press = admin.pressButtonByText('🔄 وضعیت');
    page = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    expect(String(page.params.text)).toContain('پیامی با این فیلترها نیست');

    // A county admin sees their county's items only, and nothing of another county even by number.
    const county = h.api.user(OTHER_COUNTY_ADMIN, { first_name: 'حسن' });
    county.sendCommand('inbox');
    const own = await county.waitForReply((c) => String(c.text).includes('صندوق پیام‌های سازمان‌ها'));
    expect(inlineButtons(own).filter((b) => b.callback_data?.startsWith('fbi_v:')).map((b) => b.callback_data)).toEqual(ids.slice(3).map((id) => `fbi_v:${id}`));
    county.sendCommand('inbox', fa(ids[0]!));
    expect(await replyText(county, 'در صندوق شما نیست')).toContain(`شماره ${fa(ids[0]!)}`);

    // Assignment: only admins who may read the item are offered.
    const complaint = ids[1]!;
    admin.sendCommand('inbox', fa(complaint));
    await admin.waitForReply((c) => inlineButtons(c).some((b) => b.text === '👤 ارجاع'));
    admin.pressButtonByText('👤 ارجاع');
    const offered = await admin.waitForReply((c) => String(c.text).includes('به کدام کارشناس ارجاع شود'));
    expect(String(offered.text)).toContain(`پیام شماره ${fa(complaint)}`);
    const choices = inlineButtons(offered).map((b) => b.callback_data);
    expect(choices).toEqual([`fbi_at:${complaint}-${ADMIN}`, `fbi_at:${complaint}-${PROVINCE}`, `fbi_at:${complaint}-${COUNTY_ADMIN}`]);
    const outOfScope = admin.pressButton(`fbi_at:${complaint}-${OTHER_COUNTY_ADMIN}`);
    expect(String((await answerTo(h, outOfScope)).params.text)).toContain('دسترسی به این پیام ندارد');
    press = admin.pressButtonByText('علی');
    await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN && String(c.params.text).includes('به علی ارجاع شد'), { after: press.mark });
    const told = await h.api.waitForMessage(COUNTY_ADMIN, (c) => String(c.text).includes('به شما ارجاع داد'));
    expect(String(told.text)).toContain(`شکایت شماره ${fa(complaint)}`);
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id: complaint } })).toMatchObject({ assignedTo: BigInt(COUNTY_ADMIN) });
    expect(await h.db.prisma.auditLog.findFirst({ where: { action: 'feedback.assigned' } })).toMatchObject({
      actorId: BigInt(ADMIN),
      entityId: String(complaint),
      details: { from: null, to: String(COUNTY_ADMIN) },
    });

    // The sender's follow-up now goes to the assignee alone.
    await h.app.services.feedback.addFollowUp(BigInt(MEMBER), complaint, { parts: ['توضیح بیشتر درباره شکایت'], attachments: [] });
    const deliveries = await h.db.prisma.outboxDelivery.findMany({ where: { message: { dedupeKey: { startsWith: 'feedback-followup:' } } } });
    expect(deliveries.map((d) => Number(d.chatId))).toEqual([COUNTY_ADMIN]);
  });

  it('when an admin chooses the daily digest, then only complaints come at once, and the next working morning brings one digest of the rest', async () => {
    await setup(tehran(1, 10));
    const digestAdmin = h.api.user(PROVINCE, { first_name: 'رضا' });
    digestAdmin.sendCommand('feedback_settings');
    expect(await replyText(digestAdmin, 'اطلاع‌رسانی پیام‌های سازمان‌ها')).toContain('روش کنونی: بی‌درنگ');
    const choose = digestAdmin.pressButtonByText('🗞 خلاصه روزانه');
    expect((await answerTo(h, choose)).params.text).toBe('تنظیم ذخیره شد.');
    expect(await h.app.services.feedback.digestSetting(BigInt(PROVINCE))).toBe(true);

    const suggestion = (await submit(MEMBER, 'SUGGESTION', 'پیشنهاد کارگاه مشترک')).id;
    const complaint = (await submit(MEMBER, 'COMPLAINT', 'شکایت از تأخیر در پاسخ')).id;
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(`شماره پیگیری ${fa(suggestion)}`));
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes(`شماره پیگیری ${fa(complaint)}`));
    await h.api.waitForMessage(PROVINCE, (c) => String(c.text).includes(`شماره پیگیری ${fa(complaint)}`));
    await h.waitForIdle();
    expect(h.api.texts(PROVINCE).filter((t) => t.includes(`شماره پیگیری ${fa(suggestion)}`))).toEqual([]);

    // Monday 08:30: the digest job runs once; the admin who gets notices at once gets no digest.
    const monday = tehran(2, 8, 30);
    clock.set(monday);
    expect(await h.app.scheduler.runSlot('feedback-digest', monday)).toBe('ran');
    const digest = await h.api.waitForMessage(PROVINCE, (c) => String(c.text).includes('خلاصه روزانه پیام‌های سازمان‌ها'));
    expect(String(digest.text)).toContain('پیام‌های تازه (۲)');
    expect(String(digest.text)).toContain(`• شماره ${fa(suggestion)} — پیشنهاد`);
    expect(String(digest.text)).toContain(`• شماره ${fa(complaint)} — شکایت`);
    expect(String(digest.text)).toContain('از ۱۴۰۵/۰۹/۰۱ ساعت ۰۸:۳۰ تا ۱۴۰۵/۰۹/۰۲ ساعت ۰۸:۳۰');
    expect(await h.app.scheduler.runSlot('feedback-digest', monday)).toBe('skipped');
    // Friday: no digest at all.
    const friday = tehran(6, 8, 30);
    clock.set(friday);
    expect(await h.app.scheduler.runSlot('feedback-digest', friday)).toBe('ran');
    await h.waitForIdle();
    const digests = await h.db.prisma.outboxMessage.findMany({ where: { dedupeKey: { startsWith: 'feedback-digest:' } }, include: { deliveries: true } });
    expect(digests.flatMap((d) => d.deliveries.map((x) => Number(x.chatId)))).toEqual([PROVINCE]);
    expect(h.api.texts(ADMIN).some((t) => t.includes('خلاصه روزانه'))).toBe(false);

    // Back to notices at once (on a working morning): the next question reaches this admin immediately.
    clock.set(tehran(7, 10));
    await h.app.services.feedback.setDigest(BigInt(PROVINCE), false);
    const later = (await submit(OTHER_MEMBER, 'QUESTION', 'پرسش تازه')).id;
    await h.api.waitForMessage(PROVINCE, (c) => String(c.text).includes(`شماره پیگیری ${fa(later)}`));
    expect((await h.db.prisma.auditLog.findMany({ where: { action: 'feedback.digest_set', actorId: BigInt(PROVINCE) } })).length).toBe(2);
  });

  it('when an item stays unanswered, then admins are reminded once a day from the third working day, Fridays not counted, until it is answered', async () => {
    // Wednesday 1405/09/04 10:00.
    await setup(tehran(4, 10));
    const { id } = await submit(MEMBER, 'QUESTION', 'پرسش درباره مدارک لازم برای تمدید مجوز');
    const answered = (await submit(MEMBER, 'SUGGESTION', 'پیشنهادی که پاسخ می‌گیرد')).id;
    await h.app.services.feedback.reply(BigInt(ADMIN), answered, 'سپاس از پیشنهاد شما.');
    const reminders = () => h.db.prisma.outboxMessage.count({ where: { dedupeKey: { startsWith: 'feedback-reminder:' } } });
    const runAt = async (at: Date) => {
      clock.set(at);
      expect(await h.app.scheduler.runSlot('feedback-reminders', at)).toBe('ran');
    };

    await runAt(tehran(5, 9)); // Thursday: 1 working day
    await runAt(tehran(6, 9)); // Friday: no reminders on the day off (and it does not count)
    await runAt(tehran(7, 9)); // Saturday: 2 working days, although 3 calendar days
    expect(await reminders()).toBe(0);

    await runAt(tehran(8, 9)); // Sunday: 3 working days
    const first = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('یادآوری'));
    expect(String(first.text)).toContain('۱ پیام بیش از ۳ روز کاری بی‌پاسخ مانده است');
    expect(String(first.text)).toContain(`• شماره ${fa(id)} — پرسش · در انتظار از ۱۴۰۵/۰۹/۰۴ (۳ روز کاری)`);
    expect(String(first.text)).not.toContain(`شماره ${fa(answered)} `);
    await h.api.waitForMessage(COUNTY_ADMIN, (c) => String(c.text).includes('یادآوری'));
    expect(await reminders()).toBe(3); // the super admin, the province admin and the county's admin

    await runAt(tehran(8, 15)); // later the same day: nothing again
    expect(await reminders()).toBe(3);
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ lastReminderAt: tehran(8, 9) });

    await runAt(tehran(9, 9)); // Monday: once more
    expect(await reminders()).toBe(6);
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('(۴ روز کاری)'));

    await h.app.services.feedback.reply(BigInt(ADMIN), id, 'فهرست مدارک در پایگاه اینترنتی استانداری آمده است.');
    await runAt(tehran(10, 9)); // Tuesday: answered, nothing to remind
    expect(await reminders()).toBe(6);
    await h.waitForIdle();
    expect(h.api.sentMessages(OTHER_COUNTY_ADMIN)).toHaveLength(0);
  });

  it('when a member reaches the daily limit, then a polite message comes and nothing is stored, and the next day they may write again', async () => {
    const { member } = await setup(tehran(1, 10));
    for (let i = 0; i < 5; i++) await submit(MEMBER, 'SUGGESTION', `پیشنهاد ${i + 1}`);
    member.sendCommand('feedback');
    const refused = await member.waitForReply();
    expect(String(refused.text)).toBe(
      'شما امروز ۵ پیام فرستاده‌اید که بیشترین تعداد مجاز در یک روز است. از توجه شما سپاسگزاریم؛ لطفاً فردا دوباره اقدام کنید. برای افزودن توضیح به پیام‌های پیشین، از \u200E/my_feedback پیام تکمیلی بفرستید.',
    );
    await expect(submit(MEMBER, 'SUGGESTION', 'ششمی')).rejects.toMatchObject({ code: 'feedback.errors.daily_limit' });
    expect(await h.db.prisma.feedbackItem.count()).toBe(5);

    clock.set(tehran(2, 8));
    member.sendCommand('feedback');
    await replyText(member, 'نوع پیام خود را انتخاب کنید');
  });

  it('when input is bad (non-member, rejected NGO, empty, emoji, a 20,000-character paste, a longer one), then each gets a clear Persian answer and nothing is lost', async () => {
    const { member } = await setup();
    const stranger = h.api.user(STRANGER, { first_name: 'ناشناس' });
    stranger.sendCommand('feedback');
    expect(await replyText(stranger, 'ویژه اعضای سازمان‌های مردم‌نهاد')).toContain('/register');
    await createNgo(h.db, { managerId: REJECTED_MEMBER, name: 'انجمن ردشده', status: 'REJECTED' });
    const rejected = h.api.user(REJECTED_MEMBER);
    rejected.sendText('💬 پیشنهاد و انتقاد');
    expect(await replyText(rejected, 'رد شده است')).toContain('«انجمن ردشده»');

    member.sendText('💬 پیشنهاد و انتقاد');
    await replyText(member, 'نوع پیام خود را انتخاب کنید');
    member.sendText('پیام بدون انتخاب نوع');
    await replyText(member, 'نوع پیام را با یکی از دکمه‌های');
    member.pressButtonByText(TYPE_BUTTONS.CRITICISM);
    await replyText(member, ASK_TEXT);
    member.sendText('\u200c\u200f \u200b');
    expect(await member.waitForReply().then((c) => c.text)).toBe('متن پیام خالی است. لطفاً پیام خود را بنویسید.');
    member.sendText('👍🙏🌹');
    expect(await replyText(member, 'فقط از نشانه یا شکلک')).toContain('چند کلمه');
    member.sendText('ب'.repeat(20_001));
    expect(await replyText(member, 'کوتاه‌تر کنید')).toContain('متن شما ۲۰٬۰۰۱ نویسه است و بیشترین اندازه مجاز برای یک پیام، در همه بخش‌ها روی هم، ۲۰٬۰۰۰ نویسه است.');

    // A 20,000-character paste is split, not cut.
    const paste = Array.from({ length: 4000 }, (_, i) => `واژه${i % 10}`).join(' ').slice(0, 20_000).trim();
    member.sendText(paste);
    expect(await replyText(member, 'بخش پشت سر هم ثبت می‌شود')).toMatch(/متن شما ۲۰٬۰۰۰ نویسه است .* در [۰-۹]+ بخش/);
    await replyText(member, ASK_ATTACHMENTS);
    // More text than the total allows at the attachment step is refused out loud.
    member.sendText('ادامه متن');
    expect(await replyText(member, 'این بخش افزوده نشد')).toContain('۲۰٬۰۰۰');
    const id = await confirmAndSend(member);
    const parts = (await h.db.prisma.feedbackMessage.findMany({ where: { itemId: id }, orderBy: { id: 'asc' } })).map((p) => p.text);
    expect(parts).toEqual(splitText(paste, 4000));
    expect(parts.length).toBeGreaterThanOrEqual(5);
    expect(parts.join(' ')).toBe(paste);

    // A paste the client split into two messages: the second lands at the attachment step and is kept.
    const half = 'ج'.repeat(3000);
    member.sendCommand('feedback');
    await replyText(member, 'نوع پیام خود را انتخاب کنید');
    member.pressButtonByText(TYPE_BUTTONS.QUESTION);
    await replyText(member, ASK_TEXT);
    member.sendText(half);
    await replyText(member, ASK_ATTACHMENTS);
    member.sendText(`د${half}`);
    expect(await replyText(member, 'به ادامه پیام شما افزوده شد')).toContain('اکنون ۶٬۰۰۳ نویسه');
    const second = await confirmAndSend(member, true);
    const texts = (await h.db.prisma.feedbackMessage.findMany({ where: { itemId: second }, orderBy: { id: 'asc' } })).map((m) => m.text);
    expect(texts.join('\n\n')).toBe(`${half}\n\nد${half}`);
  });

  it('when someone who is not an admin tries the inbox, a reply, a close or the settings, then they are refused and nothing changes', async () => {
    const { member } = await setup();
    const { id } = await submit(MEMBER, 'COMPLAINT', 'شکایت آزمایشی');
    member.sendCommand('inbox');
    expect((await member.waitForReply()).text).toBe(NOT_ADMIN);
    member.sendCommand('feedback_settings');
    expect((await member.waitForReply()).text).toBe(NOT_ADMIN);
    for (const data of [`fbi_v:${id}`, `fbi_re:${id}`, `fbi_cl:${id}`, `fbi_at:${id}-${MEMBER}`, 'fbi_ls:o-x-0-0']) {
      const press = member.pressButton(data);
      expect((await answerTo(h, press)).params.text, data).toBe(NOT_ADMIN);
    }
    await expect(h.app.services.feedback.reply(BigInt(MEMBER), id, 'پاسخ جعلی')).rejects.toMatchObject({ code: 'common.errors.not_admin' });

    // An admin removed while the reply form is open cannot finish it.
    const province = h.api.user(PROVINCE, { first_name: 'رضا' });
    await h.api.waitForMessage(PROVINCE, (c) => String(c.text).includes(`شماره پیگیری ${fa(id)}`));
    province.pressButtonByText('👁 مشاهده و پاسخ');
    await province.waitForReply((c) => inlineButtons(c).some((b) => b.text === '✍️ پاسخ'));
    province.pressButtonByText('✍️ پاسخ');
    await replyText(province, `پاسخ خود به پیام شماره ${fa(id)}`);
    await h.db.prisma.admin.delete({ where: { userId: BigInt(PROVINCE) } });
    province.sendText('پاسخی که نباید برود');
    expect(await replyText(province, 'ویژه کارشناسان')).toBe(NOT_ADMIN);

    expect(await h.db.prisma.feedbackMessage.count({ where: { itemId: id, fromOffice: true } })).toBe(0);
    expect(await h.db.prisma.feedbackItem.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: 'RECEIVED', assignedTo: null });
    expect(await h.db.prisma.auditLog.count({ where: { action: { in: ['feedback.replied', 'feedback.closed', 'feedback.reopened', 'feedback.assigned'] } } })).toBe(0);
  });
});
