/** The bot core end to end: real telegraf, long polling over HTTP against the fake Bot API. */
import { describe, expect, it } from 'vitest';
import { memberCommands } from '../../src/platform/bot/feature.js';
import { FEATURES } from '../../src/features/index.js';
import { smokeStorageModes } from '../support/database.js';
import { NOT_ADMIN, replyLabels, STALE_BUTTON } from '../support/conversation.js';
import { startHarness } from '../support/harness.js';

const ADMIN = 1001;
const MEMBER = 2002;

describe.each(smokeStorageModes())('bot core (%s storage)', (mode) => {
  it('when a person sends /start, then they are welcomed in Persian with a Persian main menu', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'مریم' });
    user.sendCommand('start');
    const reply = await user.waitForReply();
    expect(String(reply.params.text)).toContain('مریم گرامی، سلام');
    expect(String(reply.params.text)).toContain('خوش آمدید');
    expect(replyLabels(reply)).toEqual(['🏢 سازمان من', '📅 مهلت‌ها', '🎓 دوره‌های آموزشی', '💬 پیشنهاد و انتقاد', '📖 راهنما', '🌐 زبان / Language']);
    const stored = await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } });
    expect(stored).toMatchObject({ firstName: 'مریم', reachable: true });
  });

  it('when a name or an answer carries a NUL character, then the person is answered and a half-filled form survives a restart', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'علی\u0000رضا', last_name: 'احمدی\u0000' });
    user.sendCommand('start');
    expect(String((await user.waitForReply()).params.text)).toContain('علیرضا گرامی، سلام');
    expect(await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } })).toMatchObject({ firstName: 'علیرضا', lastName: 'احمدی' });

    user.sendCommand('register');
    await user.waitForReply((c) => String(c.params.text).includes('نام کامل سازمان'));
    user.sendText('انجمن\u0000 نمونه');
    await user.waitForReply((c) => String(c.params.text).includes('شماره ثبت'));
    await h.restart();
    user.sendCommand('start');
    // The form goes on where it was: its progress was stored without the NUL.
    await user.waitForReply((c) => String(c.params.text).includes('شماره ثبت'));
  });

  it('when a deep-link payload comes with /start, then it is ignored safely and the welcome still comes', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Ali' });
    user.sendCommand('start', 'join-<script>-\u0000'.replace('\u0000', ''));
    const reply = await user.waitForReply();
    expect(String(reply.params.text)).toContain('خوش آمدید');
  });

  it('when the user switches to English and back, then texts and menu follow, and the choice is remembered', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Sara' });
    user.sendCommand('language');
    const choice = await user.waitForReply();
    expect(String(choice.params.text)).toContain('Please choose your language');

    user.pressButtonByText('English');
    const changed = await user.waitForReply();
    expect(changed.params.text).toBe('The bot now speaks English.');
    expect(replyLabels(changed)).toEqual(['🏢 My NGO', '📅 Deadlines', '🎓 Training courses', '💬 Suggestions and criticism', '📖 Help', '🌐 زبان / Language']);
    expect((await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } }))?.language).toBe('en');

    // The English "Help" button works, and so would the Persian one.
    user.sendText('📖 Help');
    expect(String((await user.waitForReply()).params.text)).toContain('Commands you can use');

    await h.restart();
    user.sendCommand('help');
    expect(String((await user.waitForReply()).params.text)).toContain('Commands you can use');

    user.sendText('🌐 زبان / Language');
    await user.waitForReply();
    user.pressButtonByText('فارسی');
    const back = await user.waitForReply();
    expect(back.params.text).toBe('زبان ربات فارسی شد.');
    expect(replyLabels(back)).toEqual(['🏢 سازمان من', '📅 مهلت‌ها', '🎓 دوره‌های آموزشی', '💬 پیشنهاد و انتقاد', '📖 راهنما', '🌐 زبان / Language']);
  });

  it('when /cancel is sent with a half-filled form, then the form is gone, also after a restart', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Reza' });
    user.sendCommand('cancel');
    expect((await user.waitForReply()).params.text).toBe('هیچ فرم نیمه‌کاره‌ای برای لغو وجود ندارد. به منوی اصلی بازگشتید.');

    // A form left half-way is in the session store; the session survives a restart.
    const key = `${MEMBER}:${MEMBER}`;
    const form = { form: { name: 'test', step: 'name', data: { a: 1 }, startedAt: new Date().toISOString() } };
    if (mode === 'server') await h.app.kv.set(`session:${key}`, JSON.stringify(form), 60_000);
    else await h.db.prisma.session.create({ data: { key, data: form } });
    await h.restart();

    user.sendCommand('cancel');
    const reply = await user.waitForReply();
    expect(reply.params.text).toBe('فرم نیمه‌کاره لغو شد. به منوی اصلی بازگشتید.');
    expect(replyLabels(reply)).toContain('📖 راهنما');
    user.sendCommand('cancel');
    expect((await user.waitForReply()).params.text).toBe('هیچ فرم نیمه‌کاره‌ای برای لغو وجود ندارد. به منوی اصلی بازگشتید.');
  });

  it('when a message matches nothing, then a short Persian hint comes, for text, commands, media and huge text', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Nima' });
    user.sendText('سلام، وقت بخیر');
    expect((await user.waitForReply()).params.text).toContain('این پیام در این بخش شناخته نشد');
    user.sendCommand('no_such_command');
    expect((await user.waitForReply()).params.text).toContain('این فرمان شناخته نشد');
    user.sendSticker();
    expect((await user.waitForReply()).params.text).toContain('این نوع پیام در اینجا پذیرفته نمی‌شود');
    user.sendText('ي'.repeat(10_000));
    expect((await user.waitForReply()).params.text).toContain('این پیام در این بخش شناخته نشد');
  });

  it('when a stranger sends admin commands or forged buttons, then they are refused and nothing changes', async () => {
    const h = await startHarness({ mode, adminIds: [ADMIN] });
    const stranger = h.api.user(MEMBER, { first_name: 'Stranger' });
    stranger.sendCommand('add_admin', `${MEMBER} province`);
    expect((await stranger.waitForReply()).params.text).toBe(NOT_ADMIN);
    stranger.sendCommand('admins');
    expect((await stranger.waitForReply()).params.text).toBe(NOT_ADMIN);
    expect(await h.db.prisma.admin.count()).toBe(1);

    const mark = h.api.mark();
    stranger.pressButton('lang:xx');
    stranger.pressButton('approve:1;DROP TABLE');
    stranger.pressButton('x'.repeat(64));
    await expect.poll(() => h.api.calls('answerCallbackQuery').filter((c) => c.seq >= mark).length).toBe(3);
    const answers = h.api.calls('answerCallbackQuery').filter((c) => c.seq >= mark);
    expect(answers.every((c) => c.params.text === STALE_BUTTON)).toBe(true);
    expect((await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } }))?.language).toBeNull();
  });

  it('when a handler fails, then the user gets a polite apology, the log has the update id, and the next update works', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Hamid' });
    h.api.failNext('sendMessage', { error_code: 500, description: 'Internal Server Error', times: 1 });
    const sent = user.sendCommand('help');
    const apology = await user.waitForReply((c) => String(c.params.text).includes('پوزش'));
    expect(apology.params.text).toBe('پوزش می‌خواهیم؛ در انجام درخواست شما خطایی رخ داد. لطفاً چند لحظه دیگر دوباره تلاش کنید.');
    const errorLine = h.logs.find((l) => l.includes('handler failed'));
    expect(errorLine).toBeDefined();
    expect(JSON.parse(errorLine!).updateId).toBe(sent.update.update_id);

    user.sendCommand('start');
    expect(String((await user.waitForReply()).params.text)).toContain('خوش آمدید');
  });

  it('when the same update is delivered twice, then it is handled once', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Leila' });
    const first = user.sendText('چیزی نامفهوم');
    await user.waitForReply();
    h.api.enqueueDuplicate(first.update);
    user.sendCommand('help');
    await user.waitForReply((c) => String(c.params.text).includes('راهنمای سامانه'));
    const hints = h.api.texts(MEMBER).filter((t) => t.includes('این پیام در این بخش شناخته نشد'));
    expect(hints).toHaveLength(1);
  });

  it('when a user blocks the bot and later sends /start, then they are unreachable and then reachable again', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Omid' });
    user.sendCommand('start');
    await user.waitForReply();
    const blocked = user.blockBot();
    await h.api.waitForConfirmed(blocked);
    await expect.poll(async () => (await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } }))?.reachable).toBe(false);
    user.unblockBot();
    user.sendCommand('start');
    await user.waitForReply();
    expect((await h.db.prisma.user.findUnique({ where: { id: BigInt(MEMBER) } }))?.reachable).toBe(true);
  });

  it('when the bot starts, then the command menus are published with Persian and English descriptions', async () => {
    const h = await startHarness({ mode, adminIds: [ADMIN] });
    const defaults = h.api.commands();
    expect(defaults?.map((c) => c.command)).toEqual(memberCommands(FEATURES));
    expect(defaults?.every((c) => c.description.length > 0 && c.description.length <= 256)).toBe(true);
    expect(defaults?.find((c) => c.command === 'help')?.description).toBe('راهنما');
    expect(h.api.commands({ language_code: 'en' })?.find((c) => c.command === 'cancel')?.description).toBe('Leave the current form');
    const adminMenu = h.api.commands({ scope: { type: 'chat', chat_id: ADMIN } });
    expect(adminMenu?.map((c) => c.command)).toContain('add_admin');
  });

  it('when a newcomer sends /start and /help, then they are told to register their NGO or ask for the invite link, see their own id, and get a menu without manager commands', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'مریم' });
    user.sendCommand('start');
    const welcome = String((await user.waitForReply()).params.text);
    expect(welcome).toContain('اگر مدیر یک سازمان مردم‌نهاد هستید، سازمان خود را با فرمان \u200E/register ثبت کنید.');
    expect(welcome).toContain('اگر عضو سازمانی هستید، لینک دعوت را از مدیر سازمان بخواهید و آن را باز کنید.');
    // The chat's own menu is set just after the welcome.
    await expect.poll(() => h.api.commands({ scope: { type: 'chat', chat_id: MEMBER } })?.map((c) => c.command) ?? []).toContain('register');
    const menu = h.api.commands({ scope: { type: 'chat', chat_id: MEMBER } })?.map((c) => c.command);
    expect(menu?.filter((c) => ['invite', 'members', 'leave', 'pending'].includes(c))).toEqual([]);

    user.sendCommand('help');
    const help = String((await user.waitForReply()).params.text);
    expect(help).toContain('/register — ثبت‌نام سازمان');
    expect(help).not.toContain('/invite');
    expect(help).not.toContain('/members');
    expect(help).not.toContain('/pending');
    expect(help).toContain('لینک دعوت را از مدیر سازمان بخواهید');
    expect(help).toContain(`شناسه عددی شما در سامانه: <code>${MEMBER}</code>`);
  });

  it('when the user switches the language, then their chat command menu is set again in that language', async () => {
    const h = await startHarness({ mode });
    const user = h.api.user(MEMBER, { first_name: 'Sara' });
    const helpDescription = () => h.api.commands({ scope: { type: 'chat', chat_id: MEMBER } })?.find((c) => c.command === 'help')?.description;
    for (const [choice, description] of [['English', 'Help'], ['فارسی', 'راهنما']] as const) {
      user.sendCommand('language');
      await user.waitForReply();
      user.pressButtonByText(choice);
      await user.waitForReply();
      await expect.poll(helpDescription).toBe(description);
    }
  });
});
