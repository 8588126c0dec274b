/**
 * Announcements end to end (issue 4): an admin composes through the bot, the outbox and dispatcher
 * copy the admin's own message to every recipient once, the progress card is edited, the report and
 * the CSV of undelivered members arrive, and quiet hours, cancelling and restarts behave.
 *
 * The clock starts at a chosen Tehran time and runs on in real time: the dispatcher schedules on it
 * (a chat's next message, a retry after a server error), so a frozen clock would hold messages back.
 */
import type { Message } from 'telegraf/types';
import { describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { toAsciiDigits, toPersianDigits } from '../../src/platform/text/persian-text.js';
import { e2eStorageMode } from '../support/database.js';
import { inlineButtons, messageIdOf, NOT_ADMIN, reply, STALE_BUTTON } from '../support/conversation.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startOffice, testClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';
import { expectedRecipients, MIXED_AUDIENCE, type AudienceNgoSpec } from '../support/ngo-audience.js';

const ADMIN = 1001;
const STRANGER = 4004;
const DEMOTED = 1002;

/** Sunday 1405/09/01 10:00 Tehran: a working morning. */
const SUNDAY_MORNING = '2026-11-22T06:30:00Z';
/** Sunday 1405/09/01 23:00 Tehran: quiet hours. */
const SUNDAY_NIGHT = '2026-11-22T19:30:00Z';

const ASK_MESSAGE = 'اطلاعیه را همان‌گونه که باید';
const CONTINUE = '👁 ادامه و پیش‌نمایش';
const SEND_NOW = '📤 ارسال اکنون';
const SCHEDULE = '🗓 زمان‌بندی ارسال';
const URGENT = '⬜ فوری (بدون رعایت ساعات استراحت)';
const CANCEL = '✖️ انصراف';
const PREVIEW_TITLE = 'پیش‌نمایش اطلاعیه';
const FORMULA_NAME = '=HYPERLINK("http://evil.example","نام")';

/** The recipient count the bot shows, e.g. "تعداد گیرندگان: <b>۷</b> نفر". */
function countIn(text: string): number {
  const match = /گیرندگان: <b>([۰-۹0-9]+)<\/b>/.exec(text);
  if (!match) throw new Error(`no recipient count in: ${text}`);
  return Number(toAsciiDigits(match[1]!));
}

/** Successful copies to recipients, by chat (not the previews an admin gets of their own message). */
function copiesTo(h: Harness): Map<number, RecordedCall[]> {
  const byChat = new Map<number, RecordedCall[]>();
  for (const call of h.api.calls('copyMessage')) {
    if (!call.response.ok || Number(call.chatId) === Number(call.params.from_chat_id)) continue;
    const chat = Number(call.chatId);
    byChat.set(chat, [...(byChat.get(chat) ?? []), call]);
  }
  return byChat;
}

const sortedKeys = (m: Map<number, unknown>) => [...m.keys()].sort((a, b) => a - b);

describe(`broadcasts (${e2eStorageMode()} storage)`, () => {
  let h: Harness;

  async function setup(clockIso = SUNDAY_MORNING, specs: readonly AudienceNgoSpec[] = MIXED_AUDIENCE, env: Record<string, string> = {}) {
    const office = await startOffice({ adminIds: [ADMIN], clock: testClock(clockIso), audience: specs, env });
    h = office.h;
    return { admin: h.api.user(ADMIN, { first_name: 'مهسا' }), ngos: office.audience };
  }

  /** Presses an inline button and returns the text the bot redrew the admin's message with. */
  async function pressForEdit(admin: FakeUser, label: string): Promise<string> {
    const press = admin.pressButtonByText(label);
    const edit = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    return String(edit.params.text);
  }

  /** /broadcast, the message, then the audience step; returns the admin's message id and the audience card. */
  async function compose(admin: FakeUser, send: () => { update: { message: { message_id: number } } }) {
    admin.sendCommand('broadcast');
    await reply(admin, ASK_MESSAGE);
    const sourceId = send().update.message.message_id;
    const audience = await reply(admin, 'مخاطبان اطلاعیه');
    return { sourceId, audience };
  }

  async function composeText(admin: FakeUser) {
    return compose(admin, () =>
      admin.sendText('نشست هم‌اندیشی سازمان‌های مردم‌نهاد، سه‌شنبه ساعت ۹', {
        entities: [
          { type: 'bold', offset: 0, length: 12 },
          { type: 'italic', offset: 35, length: 7 },
        ],
      }),
    );
  }

  /** From the audience card to the preview: the copy back to the admin, then the summary with buttons. */
  async function toPreview(admin: FakeUser) {
    const press = admin.pressButtonByText(CONTINUE);
    const copy = await admin.waitForReply((c) => c.method === 'copyMessage', { after: press.mark });
    const summary = await admin.waitForReply((c) => String(c.text).includes(PREVIEW_TITLE), { after: press.mark });
    return { copy, summary };
  }

  it('when an admin sends a formatted text to the default audience, then each member gets one copy, the card is edited to finished and the report and CSV name the blocked member', async () => {
    const { admin, ngos } = await setup();
    const expected = expectedRecipients(ngos);
    const blocked = ngos[1]!; // one member of this NGO has blocked the bot
    const blockedId = blocked.memberIds[0]!;
    h.api.blockUser(blockedId);
    // A name typed as a formula must not run when staff open the file in a spreadsheet.
    await h.db.prisma.user.update({ where: { id: BigInt(blockedId) }, data: { firstName: FORMULA_NAME, lastName: null } });

    const { sourceId, audience } = await composeText(admin);
    expect(countIn(String(audience.text))).toBe(expected.length);

    const { copy, summary } = await toPreview(admin);
    expect(copy.params).toMatchObject({ chat_id: ADMIN, from_chat_id: ADMIN, message_id: sourceId });
    expect(countIn(String(summary.text))).toBe(expected.length);
    expect(inlineButtons(summary).map((b) => b.text)).toEqual([SEND_NOW, SCHEDULE, URGENT, '👥 تغییر مخاطبان', CANCEL]);

    admin.pressButtonByText(SEND_NOW);
    expect(String((await reply(admin, 'آغاز شد')).text)).toContain(`به ${toPersianDigits(expected.length)} گیرنده`);

    const card = await h.api.waitForMessage(ADMIN, (c) => c.method === 'sendMessage' && String(c.text).includes('در جریان است'));
    expect(inlineButtons(card)).toEqual([{ text: '✖️ لغو ارسال باقی‌مانده', callback_data: 'bc_cancel:1' }]);
    const reportCall = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش اطلاعیه شماره ۱'), { timeoutMs: 20_000 });
    const csv = await h.api.waitForCall('sendDocument', (c) => c.chatId === ADMIN, { timeoutMs: 10_000 });

    // Exactly one copy of the admin's own message per reachable recipient, none to anyone else.
    const copies = copiesTo(h);
    expect(sortedKeys(copies)).toEqual(expected.filter((id) => id !== blockedId));
    for (const calls of copies.values()) {
      expect(calls).toHaveLength(1);
      expect(calls[0]!.params).toMatchObject({ from_chat_id: ADMIN, message_id: sourceId });
    }
    // Formatting travels with the copy.
    const received = h.api.user(ngos[0]!.managerId).lastMessageFromBot() as Message.TextMessage;
    expect(received.entities?.map((e) => e.type)).toEqual(['bold', 'italic']);
    // The blocked member was tried once, and not again.
    expect(h.api.calls('copyMessage').filter((c) => c.chatId === blockedId)).toHaveLength(1);

    // The card was edited in place, and its last state says finished, without the cancel button.
    const edits = h.api.calls('editMessageText').filter((c) => c.chatId === ADMIN && Number(c.params.message_id) === messageIdOf(card));
    expect(edits.length).toBeGreaterThan(0);
    expect(String(edits.at(-1)!.params.text)).toContain('به پایان رسید');
    expect(String(edits.at(-1)!.params.text)).toContain(`ارسال‌شده: ${toPersianDigits(expected.length - 1)} از ${toPersianDigits(expected.length)}`);
    expect(inlineButtons(edits.at(-1)!)).toEqual([]);

    const report = String(reportCall.text);
    expect(report).toContain(`رسیده: ${toPersianDigits(expected.length - 1)}`);
    expect(report).toContain('در دسترس نبودند (ربات را مسدود کرده یا حساب خود را حذف کرده‌اند): ۱');
    expect(csv.upload?.fileName).toMatch(/\.csv$/);
    const content = csv.upload!.bytes!.toString('utf8');
    expect(content).toContain(blocked.name);
    expect(content).toContain(String(blockedId));
    expect(content).not.toContain(ngos[0]!.name);
    expect(content).toContain(`"'=HYPERLINK(""http://evil.example"",""نام"")"`);

    const b = await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } });
    expect(b).toMatchObject({ status: 'DONE', contentKind: 'text', recipientCount: expected.length });
    const audit = await h.db.prisma.auditLog.findMany({ where: { entityType: 'broadcast', entityId: '1' } });
    expect(audit.map((a) => a.action)).toContain('broadcast.created');
  });

  it('when the admin narrows the audience, then every count matches the fixture and the photo with its caption reaches exactly that audience', async () => {
    const { admin, ngos } = await setup();
    const { sourceId, audience } = await compose(admin, () => admin.sendPhoto('پوستر هفته تشکل‌ها، ۲۰ تا ۲۵ مرداد'));
    expect(countIn(String(audience.text))).toBe(expectedRecipients(ngos).length);

    // Counties, several at once.
    expect(countIn(await pressForEdit(admin, '🏙 شهرستان‌ها: همه'))).toBe(expectedRecipients(ngos).length);
    expect(countIn(await pressForEdit(admin, 'کرمان'))).toBe(expectedRecipients(ngos, { counties: ['کرمان'] }).length);
    expect(countIn(await pressForEdit(admin, 'بم'))).toBe(expectedRecipients(ngos, { counties: ['کرمان', 'بم'] }).length);
    // Listed in the office's order of counties, not in the order they were pressed.
    expect(await pressForEdit(admin, '↩️ بازگشت به مخاطبان')).toContain('شهرستان: بم، کرمان');
    // Managers only, combined with the counties.
    expect(countIn(await pressForEdit(admin, '⬜ فقط مدیران سازمان‌ها'))).toBe(
      expectedRecipients(ngos, { counties: ['کرمان', 'بم'], managersOnly: true }).length,
    );
    // A field of activity on top: all three filters together.
    await pressForEdit(admin, '🎯 حوزه‌های فعالیت: همه');
    const combined = { counties: ['کرمان', 'بم'], fields: ['محیط زیست'], managersOnly: true };
    expect(countIn(await pressForEdit(admin, 'محیط زیست'))).toBe(expectedRecipients(ngos, combined).length);
    await pressForEdit(admin, '↩️ بازگشت به مخاطبان');

    // Back to everyone, then a field alone and the NGO statuses.
    expect(countIn(await pressForEdit(admin, '⬜ همه اعضای سازمان‌های تأییدشده'))).toBe(expectedRecipients(ngos).length);
    await pressForEdit(admin, '🎯 حوزه‌های فعالیت: همه');
    expect(countIn(await pressForEdit(admin, 'ورزش و جوانان'))).toBe(expectedRecipients(ngos, { fields: ['ورزش و جوانان'] }).length);
    await pressForEdit(admin, '↩️ بازگشت به مخاطبان');
    expect(countIn(await pressForEdit(admin, '⬜ سازمان‌های تعلیق‌شده'))).toBe(
      expectedRecipients(ngos, { fields: ['ورزش و جوانان'], statuses: ['APPROVED', 'SUSPENDED'] }).length,
    );
    await pressForEdit(admin, '🎯 حوزه‌های فعالیت: ۱');
    await pressForEdit(admin, '🧹 پاک کردن انتخاب‌ها');
    await pressForEdit(admin, '↩️ بازگشت به مخاطبان');
    expect(countIn(await pressForEdit(admin, '⬜ سازمان‌های در انتظار بررسی'))).toBe(
      expectedRecipients(ngos, { statuses: ['APPROVED', 'SUSPENDED', 'PENDING'] }).length,
    );

    // Back to the combined audience, and send it.
    await pressForEdit(admin, '⬜ همه اعضای سازمان‌های تأییدشده');
    await pressForEdit(admin, '🏙 شهرستان‌ها: همه');
    await pressForEdit(admin, 'کرمان');
    await pressForEdit(admin, 'بم');
    await pressForEdit(admin, '↩️ بازگشت به مخاطبان');
    await pressForEdit(admin, '⬜ فقط مدیران سازمان‌ها');
    await pressForEdit(admin, '🎯 حوزه‌های فعالیت: همه');
    await pressForEdit(admin, 'محیط زیست');
    await pressForEdit(admin, '↩️ بازگشت به مخاطبان');
    const recipients = expectedRecipients(ngos, combined);
    const { summary } = await toPreview(admin);
    expect(countIn(String(summary.text))).toBe(recipients.length);
    expect(String(summary.text)).toContain('فقط مدیران سازمان‌ها');

    admin.pressButtonByText(SEND_NOW);
    await reply(admin, 'آغاز شد');
    await expect.poll(() => sortedKeys(copiesTo(h)), { timeout: 10_000 }).toEqual(recipients);
    for (const calls of copiesTo(h).values()) {
      expect(calls).toHaveLength(1);
      expect(calls[0]!.params).toMatchObject({ from_chat_id: ADMIN, message_id: sourceId });
    }
    const received = h.api.user(recipients[0]!).lastMessageFromBot() as Message.PhotoMessage;
    expect(received.photo.length).toBeGreaterThan(0);
    expect(received.caption).toBe('پوستر هفته تشکل‌ها، ۲۰ تا ۲۵ مرداد');
    expect(await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ contentKind: 'photo', recipientCount: recipients.length });
  });

  it('when the admin cancels at the preview or loses the role mid-way, and a stranger tries, then nothing is sent', async () => {
    const { admin } = await setup();
    const stranger = h.api.user(STRANGER, { first_name: 'Stranger' });
    stranger.sendCommand('broadcast');
    expect((await stranger.waitForReply()).params.text).toBe(NOT_ADMIN);
    // A forged button of the form, with no form open.
    const forged = stranger.pressButton('bcast:preview.send');
    await expect.poll(() => h.api.calls('answerCallbackQuery').some((c) => c.params.callback_query_id === forged.update.callback_query.id)).toBe(true);
    expect(h.api.calls('answerCallbackQuery').find((c) => c.params.callback_query_id === forged.update.callback_query.id)?.params.text).toBe(STALE_BUTTON);

    await composeText(admin);
    const { copy } = await toPreview(admin);
    expect(copy.chatId).toBe(ADMIN);
    admin.pressButtonByText(CANCEL);
    await reply(admin, 'ارسال اطلاعیه لغو شد');

    // A second admin is removed while the preview is open: the button re-checks the role.
    await h.db.prisma.user.create({ data: { id: BigInt(DEMOTED), firstName: 'Demoted' } });
    await h.db.prisma.admin.create({ data: { userId: BigInt(DEMOTED), role: 'PROVINCE_ADMIN' } });
    const demoted = h.api.user(DEMOTED, { first_name: 'Demoted' });
    await composeText(demoted);
    demoted.pressButtonByText(CONTINUE);
    await reply(demoted, PREVIEW_TITLE);
    await h.db.prisma.admin.delete({ where: { userId: BigInt(DEMOTED) } });
    demoted.pressButtonByText(SEND_NOW);
    expect((await demoted.waitForReply()).params.text).toBe(NOT_ADMIN);

    expect(await h.db.prisma.broadcast.count()).toBe(0);
    expect(await h.db.prisma.outboxDelivery.count({ where: { message: { sourceType: 'broadcast' } } })).toBe(0);
    await h.waitForIdle();
    expect(copiesTo(h).size).toBe(0);
  });

  it('when scheduled at 23:00 on a Thursday, then it waits for Saturday 07:00, bad dates are refused in Persian, and /broadcasts cancels it', async () => {
    const { admin } = await setup();
    await composeText(admin);
    await toPreview(admin);
    admin.pressButtonByText(SCHEDULE);
    await reply(admin, 'تاریخ ارسال را به تقویم شمسی');

    const answers: [string, string][] = [
      ['فردا', 'تاریخ را به شکل روز/ماه/سال وارد کنید'],
      ['1405/13/01', 'ماه باید عددی از ۱ تا ۱۲ باشد.'],
      ['۱۴۰۵/۰۷/۳۱', 'این روز در ماه انتخاب‌شده وجود ندارد'],
      ['2026/11/26', 'سال واردشده درست نیست'],
    ];
    for (const [input, error] of answers) {
      admin.sendText(input);
      expect(String((await admin.waitForReply()).text)).toContain(error);
    }
    // Today 09:00 has passed (it is 10:00): refused, and the date is asked again.
    admin.sendText('۱۴۰۵/۰۹/۰۱');
    await reply(admin, 'ساعت ارسال را به وقت تهران');
    admin.sendText('25:00');
    expect(String((await admin.waitForReply()).text)).toBe('ساعت باید عددی از ۰ تا ۲۳ باشد.');
    admin.sendText('09:00');
    expect(String((await admin.waitForReply()).text)).toBe('زمان انتخاب‌شده گذشته است. زمانی در آینده را وارد کنید.');
    await reply(admin, 'تاریخ ارسال را به تقویم شمسی');

    // Thursday 1405/09/05 23:00 is quiet; Friday is quiet all day: Saturday 07:00.
    admin.sendText('1405/09/05');
    await reply(admin, 'ساعت ارسال را به وقت تهران');
    admin.sendText('۲۳:۰۰');
    const scheduled = String((await reply(admin, 'زمان‌بندی شد')).text);
    expect(scheduled).toContain('برای ۱۴۰۵/۰۹/۰۵ ساعت ۲۳:۰۰ زمان‌بندی شد');
    expect(scheduled).toContain('ساعات استراحت');
    expect(scheduled).toContain('در ۱۴۰۵/۰۹/۰۷ ساعت ۰۷:۰۰ آغاز می‌شود');

    const b = await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } });
    expect(b).toMatchObject({ status: 'SCHEDULED', urgent: false, outboxMessageId: null });
    expect(b.requestedAt.toISOString()).toBe(jalaliToDate({ jy: 1405, jm: 9, jd: 5 }, { hour: 23, minute: 0 }).toISOString());
    expect(b.startAt.toISOString()).toBe(jalaliToDate({ jy: 1405, jm: 9, jd: 7 }, { hour: 7, minute: 0 }).toISOString());

    admin.sendCommand('broadcasts');
    const list = await reply(admin, 'اطلاعیه‌های اخیر');
    expect(String(list.text)).toContain('زمان‌بندی‌شده');
    expect(String(list.text)).toContain('زمان آغاز: ۱۴۰۵/۰۹/۰۷ ساعت ۰۷:۰۰');
    expect(inlineButtons(list)).toEqual([{ text: '✖️ لغو اطلاعیه شماره ۱', callback_data: 'bc_cancel:1' }]);

    // A stranger pressing the same callback is refused and changes nothing.
    const stranger = h.api.user(STRANGER, { first_name: 'Stranger' });
    const forged = stranger.pressButton('bc_cancel:1');
    const refusal = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === forged.update.callback_query.id);
    expect(refusal.params.text).toBe(NOT_ADMIN);
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('SCHEDULED');

    const press = admin.pressButtonByText('✖️ لغو اطلاعیه شماره ۱');
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === press.update.callback_query.id);
    expect(answer.params.text).toBe('اطلاعیه شماره ۱ لغو شد.');
    const redrawn = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: press.mark });
    expect(Number(redrawn.params.message_id)).toBe(messageIdOf(list));
    expect(String(redrawn.params.text)).toContain('لغوشده');
    expect(inlineButtons(redrawn)).toEqual([]);
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('CANCELLED');
    const audit = await h.db.prisma.auditLog.findMany({ where: { entityType: 'broadcast', entityId: '1' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['broadcast.created', 'broadcast.cancelled']);

    // Once more (an old copy of the list): refused politely.
    const again = admin.pressButton('bc_cancel:1', messageIdOf(list));
    const late = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === again.update.callback_query.id);
    expect(late.params.text).toBe('ارسال این اطلاعیه پیش‌تر به پایان رسیده یا لغو شده است.');

    await h.app.services.broadcasts.startDue();
    await h.waitForIdle();
    expect(copiesTo(h).size).toBe(0);
  });

  it('when it is 23:00, then "send now" waits for the morning, and an urgent one goes out at once', async () => {
    const { admin, ngos } = await setup(SUNDAY_NIGHT);
    await composeText(admin);
    await toPreview(admin);
    admin.pressButtonByText(SEND_NOW);
    expect(String((await reply(admin, 'ساعات استراحت')).text)).toContain('در ۱۴۰۵/۰۹/۰۲ ساعت ۰۷:۰۰ آغاز می‌شود');
    expect(await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).toMatchObject({ status: 'SCHEDULED', urgent: false });

    await composeText(admin);
    await toPreview(admin);
    const urgent = await pressForEdit(admin, URGENT);
    expect(urgent).toContain('فوری:');
    admin.pressButtonByText(SEND_NOW);
    await reply(admin, 'آغاز شد');
    const expected = expectedRecipients(ngos);
    await expect.poll(() => sortedKeys(copiesTo(h)), { timeout: 10_000 }).toEqual(expected);
    expect([...copiesTo(h).values()].every((calls) => calls.length === 1 && calls[0]!.params.message_id !== undefined)).toBe(true);
    expect(await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 2 } })).toMatchObject({ status: 'SENDING', urgent: true });
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('SCHEDULED');
  });

  it('when the admin presses cancel on the progress card, then the rows not yet sent are stopped and the report counts them', async () => {
    const { admin, ngos } = await setup();
    const expected = expectedRecipients(ngos);
    await composeText(admin);
    await toPreview(admin);
    // Every copy fails as a server error would, so the rows wait for a retry when cancel comes.
    const outage = h.api.failNext('copyMessage', { error_code: 502, times: Infinity });
    admin.pressButtonByText(SEND_NOW);
    const card = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('در جریان است'));
    const retrying = () =>
      h.db.prisma.outboxDelivery.count({ where: { status: 'PENDING', attempts: { gte: 1 }, message: { sourceType: 'broadcast' } } });
    await expect.poll(retrying, { timeout: 10_000 }).toBe(expected.length);

    const press = admin.pressButton('bc_cancel:1', messageIdOf(card));
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === press.update.callback_query.id);
    expect(answer.params.text).toBe('اطلاعیه شماره ۱ لغو شد.');
    const edit = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN && String(c.params.text).includes('لغو شد'), { after: press.mark });
    expect(Number(edit.params.message_id)).toBe(messageIdOf(card));
    const report = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش اطلاعیه شماره ۱'));
    expect(String(report.text)).toContain(`لغوشده پیش از ارسال: ${toPersianDigits(expected.length)}`);

    outage.cancel();
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('CANCELLED');
    expect(await h.db.prisma.outboxDelivery.count({ where: { status: 'CANCELLED', message: { sourceType: 'broadcast' } } })).toBe(expected.length);
    await h.waitForIdle();
    expect(copiesTo(h).size).toBe(0);
  });

  /** One NGO with `members` members besides its manager, sent to at one message a second (SEND_RATE 1): copies wait their turn in a claimed batch. */
  const slowSetup = (members: number) =>
    setup(SUNDAY_MORNING, [{ name: 'شبکه سمن‌های استان کرمان', county: 'کرمان', fields: ['آموزش'], members }], { SEND_RATE: '1' });

  it('when sending starts, then the progress card reaches the admin before any recipient gets the announcement', async () => {
    const { admin, ngos } = await slowSetup(3);
    const expected = expectedRecipients(ngos);
    await composeText(admin);
    await toPreview(admin);
    admin.pressButtonByText(SEND_NOW);
    const card = await h.api.waitForMessage(ADMIN, (c) => c.method === 'sendMessage' && String(c.text).includes('در جریان است'), { timeoutMs: 15_000 });
    await expect.poll(() => sortedKeys(copiesTo(h)), { timeout: 15_000 }).toEqual(expected);
    const firstCopy = Math.min(...[...copiesTo(h).values()].flat().map((c) => c.seq));
    expect(card.seq).toBeLessThan(firstCopy);
  });

  it('when the admin cancels while copies wait their turn in a claimed batch, then at most the one on its way still goes out and the card and report count what really happened', async () => {
    const { admin, ngos } = await slowSetup(6);
    const total = expectedRecipients(ngos).length;
    await composeText(admin);
    await toPreview(admin);
    admin.pressButtonByText(SEND_NOW);
    const card = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('در جریان است'), { timeoutMs: 15_000 });
    await expect.poll(() => copiesTo(h).size, { timeout: 15_000, interval: 10 }).toBeGreaterThan(0);
    // Every row is claimed by now: the dispatcher takes the batch whole and sends it one a second.
    expect(await h.db.prisma.outboxDelivery.count({ where: { status: 'PENDING', message: { sourceType: 'broadcast' } } })).toBe(0);

    const press = admin.pressButton('bc_cancel:1', messageIdOf(card));
    const answer = await h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === press.update.callback_query.id);
    expect(answer.params.text).toBe('اطلاعیه شماره ۱ لغو شد.');
    const edit = await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN && String(c.params.text).includes('لغو شد'), { after: press.mark });
    const report = String((await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش اطلاعیه شماره ۱'), { timeoutMs: 20_000 })).text);
    await h.waitForIdle();

    const copies = [...copiesTo(h).values()].flat();
    // At one a second, at most one copy can be on its way when the cancel is done.
    expect(copies.filter((c) => c.seq > answer.seq).length).toBeLessThanOrEqual(1);
    const delivered = copies.length;
    expect(delivered).toBeLessThan(total);
    expect(report).toContain(`رسیده: ${toPersianDigits(delivered)}`);
    expect(report).toContain(`لغوشده پیش از ارسال: ${toPersianDigits(total - delivered)}`);
    // The card as the cancel left it counts the stopped copies, not a promise that "the rest" stopped.
    expect(String(edit.params.text)).toContain('لغوشده پیش از ارسال:');
    expect(String(edit.params.text)).not.toContain('متوقف شدند');
    const lastEdit = h.api.calls('editMessageText').filter((c) => c.chatId === ADMIN && Number(c.params.message_id) === messageIdOf(card)).at(-1)!;
    expect(String(lastEdit.params.text)).toContain(`ارسال‌شده: ${toPersianDigits(delivered)} از ${toPersianDigits(total)}`);
    expect(String(lastEdit.params.text)).toContain(`لغوشده پیش از ارسال: ${toPersianDigits(total - delivered)}`);
    expect(await h.db.prisma.outboxDelivery.count({ where: { status: 'SENT', message: { sourceType: 'broadcast' } } })).toBe(delivered);
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('CANCELLED');
  });

  it('when the bot restarts in the middle of a broadcast, then it completes and every recipient has exactly one copy', async () => {
    const { admin, ngos } = await setup(SUNDAY_MORNING, [{ name: 'شبکه سمن‌های استان کرمان', county: 'کرمان', fields: ['آموزش'], members: 39 }]);
    const expected = expectedRecipients(ngos);
    h.api.setLatency('copyMessage', 50);
    await composeText(admin);
    await toPreview(admin);
    admin.pressButtonByText(SEND_NOW);
    await reply(admin, 'آغاز شد');

    const sent = () => h.db.prisma.outboxDelivery.count({ where: { status: 'SENT', message: { sourceType: 'broadcast' } } });
    await expect.poll(sent, { timeout: 10_000, interval: 20 }).toBeGreaterThanOrEqual(5);
    const before = await sent();
    await h.restart();
    const restarted = h.api.mark();
    expect(before).toBeLessThan(expected.length);

    await expect.poll(sent, { timeout: 15_000 }).toBe(expected.length);
    const copies = copiesTo(h);
    expect(sortedKeys(copies)).toEqual(expected);
    expect([...copies.values()].filter((calls) => calls.length !== 1)).toEqual([]);
    expect(h.api.calls('copyMessage').filter((c) => c.seq >= restarted).length).toBeGreaterThan(0);
    // The tick the scheduler runs every 5 s, run now rather than waited for: it closes the broadcast.
    await h.app.services.broadcasts.progressTick();
    expect((await h.db.prisma.broadcast.findUniqueOrThrow({ where: { id: 1 } })).status).toBe('DONE');
  });
});
