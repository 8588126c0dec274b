/**
 * The main flows on Bale (بله): the fake Bot API answers as Bale does (no command menu, parse_mode
 * ignored so markup would reach the user raw), and the app is configured for Bale. No text a person
 * receives may show an HTML tag or entity, and the methods Bale lacks are skipped without an error.
 */
import { Telegram } from 'telegraf';
import { describe, expect, it, onTestFinished } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { command, inlineButtons, press, reply, replyLabels, replyText, say, t } from '../support/conversation.js';
import { BALE_MISSING_METHODS, FakeBotApi, type FakeUser } from '../support/fake-bot-api/index.js';
import { startOffice, testClock } from '../support/fixtures.js';
import type { Harness } from '../support/harness.js';

const ADMIN = 1001;
const MANAGER = 2002;

/** Sunday 1405/09/01 10:00 Tehran: a working morning, outside quiet hours. */
const SUNDAY_MORNING = '2026-11-22T06:30:00Z';

const TAG = /<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>/i;
const ENTITY = /&(#x?[0-9a-f]+|[a-z]+);/i;

/** Every text, caption and callback answer the bot sent: what people see. */
function everythingShown(h: Harness): string[] {
  return h.api
    .calls()
    .filter((c) => c.text !== undefined)
    .map((c) => String(c.text));
}

/**
 * What Bale's users would see raw: tags, entities, a parse_mode Bale ignores; and no warning or error
 * logged (a skipped method must not log one). `typed`: text a person wrote, shown as written.
 */
function expectBaleClean(h: Harness, typed?: string): void {
  const shown = everythingShown(h);
  expect(shown.length).toBeGreaterThan(0);
  for (const text of shown.map((t) => (typed ? t.replaceAll(typed, '') : t))) {
    expect(text, text).not.toMatch(TAG);
    expect(text, text).not.toMatch(ENTITY);
  }
  for (const call of h.api.calls()) expect(call.params, call.method).not.toHaveProperty('parse_mode');
  for (const method of BALE_MISSING_METHODS) expect(h.api.calls(method), method).toHaveLength(0);
  const problems = h.logs.filter((line) => /"level":(40|50|60)/.test(line));
  expect(problems).toEqual([]);
}

describe('the fake Bot API in Bale mode', () => {
  it('when a bot calls a method Bale lacks, then it gets 404; when it sends HTML, then the markup reaches the user raw', async () => {
    const api = await FakeBotApi.start({ dialect: 'bale' });
    onTestFinished(() => api.close());
    const telegram = new Telegram(api.token, { apiRoot: api.apiRoot } as Partial<Telegram['options']>);
    await expect(telegram.setMyCommands([{ command: 'help', description: 'راهنما' }])).rejects.toMatchObject({
      response: { error_code: 404, description: 'Not Found: method not found' },
    });
    const user = api.user(MANAGER);
    await telegram.sendMessage(MANAGER, '<b>سلام</b>', { parse_mode: 'HTML' });
    expect(user.lastMessageFromBot()).toMatchObject({ text: '<b>سلام</b>' });
    expect(user.lastMessageFromBot()).not.toHaveProperty('entities');
  });
});

describe(`on Bale (${e2eStorageMode()} storage)`, () => {
  it('when a newcomer starts, asks for help, registers an NGO and the admin approves it, then every message reads as plain text and the invite link is on ble.ir', async () => {
    const { h } = await startOffice({ adminIds: [ADMIN], platform: 'bale' });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const user = h.api.user(MANAGER, { first_name: 'مریم' });
    expect((await command(user, 'start')).text).toContain('خوش آمدید');
    expect((await command(user, 'help')).text).not.toBe('');

    user.sendCommand('register');
    await user.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    await say(user, 'انجمن حامیان محیط زیست کرمان');
    await say(user, '۱۲۳۴/۵۶');
    await press(user, 'سازمان بهزیستی');
    const mark = h.api.mark();
    user.pressButtonByText('محیط زیست');
    await h.api.waitForCall('editMessageReplyMarkup', undefined, { after: mark });
    await press(user, t('ngo.form.fields_done'));
    await press(user, 'کرمان');
    await say(user, '۱۳۹۸');
    await say(user, '۲۵');
    await say(user, 'مریم احمدی');
    user.shareContact({ phone_number: '989121234567' });
    await user.waitForReply();
    const description = 'آموزش <کودکان> & نوجوانان';
    const summary = await say(user, description);
    // What the person typed is shown as typed, not as escaped markup.
    expect(summary.text).toContain(description);
    const submitted = await press(user, '✅ تأیید و ارسال');
    expect(submitted.text).toMatch(/شماره پیگیری: [۰-۹]+/);

    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('درخواست ثبت‌نام سازمان جدید'));
    expect(notice.text).toContain('انجمن حامیان محیط زیست کرمان');
    expect(notice.text).not.toMatch(TAG);
    const approve = admin.pressButtonByText('✅ تأیید');
    await h.api.waitForCall('editMessageText', (c) => c.chatId === ADMIN, { after: approve.mark });
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('تأیید شد'));

    const invite = await command(user, 'invite');
    expect(invite.text).toMatch(/https:\/\/ble\.ir\/ngo_test_bot\?start=join_/);
    expect(invite.text).not.toContain('t.me');
    await h.waitForIdle();
    expectBaleClean(h, description);
  });

  it('when an admin sends an announcement and a member sends feedback that the admin answers, then everyone gets plain text', async () => {
    const { h } = await startOffice({
      adminIds: [ADMIN],
      platform: 'bale',
      clock: testClock(SUNDAY_MORNING),
      ngos: [{ managerId: MANAGER, name: 'انجمن حامیان محیط زیست کرمان', status: 'APPROVED', managerFirstName: 'زهرا' }],
    });
    const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
    const manager = h.api.user(MANAGER, { first_name: 'زهرا' });

    await announce(admin);
    await h.api.waitForCall('copyMessage', (c) => c.chatId === MANAGER && c.response.ok, { timeoutMs: 15_000 });
    const report = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش اطلاعیه شماره ۱'), { timeoutMs: 20_000 });
    expect(report.text).toMatch(/رسیده: ۱/);

    const id = await sendFeedback(manager);
    await h.api.waitForMessage(ADMIN, (c) => inlineButtons(c).some((b) => b.callback_data === `fbi_v:${id}`));
    admin.pressButtonByText('👁 مشاهده و پاسخ');
    await admin.waitForReply((c) => inlineButtons(c).some((b) => b.text === '✍️ پاسخ'));
    admin.pressButtonByText('✍️ پاسخ');
    await replyText(admin, 'پاسخ خود');
    const typed = 'سپاسگزاریم؛ <جلسه> بعدی & زودتر برگزار می‌شود.';
    admin.sendText(typed);
    await replyText(admin, 'ثبت شد');
    const answer = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('پاسخ دفتر امور اجتماعی'));
    expect(answer.text).toContain(typed);
    await h.waitForIdle();
    // The reply as typed carries "<" and "&": allowed there, nowhere else.
    expectBaleClean(h, typed);
  });
});

/** /broadcast with a plain text to the default audience, sent at once. */
async function announce(admin: FakeUser): Promise<void> {
  admin.sendCommand('broadcast');
  await reply(admin, 'اطلاعیه را همان‌گونه که باید');
  admin.sendText('نشست هم‌اندیشی سازمان‌های مردم‌نهاد، سه‌شنبه ساعت ۹');
  await reply(admin, 'مخاطبان اطلاعیه');
  admin.pressButtonByText('👁 ادامه و پیش‌نمایش');
  await admin.waitForReply((c) => String(c.text).includes('پیش‌نمایش اطلاعیه'));
  admin.pressButtonByText('📤 ارسال اکنون');
  await reply(admin, 'آغاز شد');
}

/** /feedback: a question with the member's name; returns its tracking number. */
async function sendFeedback(user: FakeUser): Promise<number> {
  user.sendCommand('feedback');
  await replyText(user, 'نوع پیام خود را انتخاب کنید');
  user.pressButtonByText('❓ پرسش');
  await replyText(user, 'خود را بنویسید');
  user.sendText('زمان ثبت طرح‌های سال ۱۴۰۶ کی است؟');
  const ask = await reply(user, 'اگر');
  // The first button goes on without an attachment, whatever its wording.
  user.sendText(replyLabels(ask)[0]!);
  await replyText(user, 'پیش از ارسال');
  user.pressButtonByText('📨 ارسال با نام من');
  const text = await replyText(user, 'شماره پیگیری');
  const digits = /شماره پیگیری: ([۰-۹]+)/.exec(text)?.[1];
  if (!digits) throw new Error(`no tracking number in: ${text}`);
  return Number(digits.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d))));
}
