/**
 * An NGO's people end to end, through the fake Bot API: the invite link, joining, the member list and
 * removal, revoking the link, leaving, one NGO per person, /profile, and the manager's edits (some of
 * which send the NGO back to review).
 */
import { describe, expect, it } from 'vitest';
import { formatJalaliDate } from '../../src/platform/text/jalali.js';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import type { RegistrationDraft } from '../../src/features/ngos/service.js';
import { e2eStorageMode } from '../support/database.js';
import { answerTo, command, inlineButtons, inlineLabels, messageIdOf, press, replyLabels, say, STALE_BUTTON, t } from '../support/conversation.js';
import type { FakeUser, RecordedCall } from '../support/fake-bot-api/index.js';
import { startHarness, type Harness } from '../support/harness.js';
import { registrationDraft } from '../support/ngo-fixtures.js';

const ADMIN = 1001;
const MANAGER = 2002;
const MEMBER = 3003;
const OTHER_MANAGER = 4004;
const NEWCOMER = 5005;

/** A user who has written to the bot (so they have a record) and manages a registered NGO. */
async function ngoOf(h: Harness, user: FakeUser, overrides: Partial<RegistrationDraft> = {}) {
  await command(user, 'start');
  return h.app.services.ngos.register(
    BigInt(user.id),
    await registrationDraft(h.app.services.ngos, {
      name: 'انجمن حامیان محیط زیست کرمان',
      registrationNumber: '1234',
      authorityOther: null,
      countyName: 'انار',
      foundedYear: 1398,
      memberCount: 25,
      managerName: 'مریم احمدی',
      managerPhone: '+989121234567',
      description: null,
      ...overrides,
    }),
  );
}

async function inviteTokenFor(manager: FakeUser): Promise<{ call: RecordedCall; token: string }> {
  const call = await command(manager, 'invite');
  const token = /https:\/\/t\.me\/ngo_test_bot\?start=join_([A-Za-z0-9_-]+)/.exec(String(call.text))?.[1];
  expect(token).toBeDefined();
  return { call, token: token! };
}

async function join(user: FakeUser, token: string): Promise<RecordedCall> {
  return command(user, 'start', `join_${token}`);
}

/** A manager's NGO and a member who joined through the invite link (the manager's notice of it received). */
async function ngoWithMember() {
  const h = await startHarness();
  const manager = h.api.user(MANAGER, { first_name: 'مریم' });
  await ngoOf(h, manager);
  const { token } = await inviteTokenFor(manager);
  const member = h.api.user(MEMBER, { first_name: 'علی' });
  await join(member, token);
  await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('با لینک دعوت'));
  return { h, manager, member, token };
}

describe(`NGO membership (${e2eStorageMode()} storage)`, () => {
  it('when a colleague opens the manager\'s invite link, then they become a member, and the manager is told', async () => {
    const h = await startHarness();
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    const ngo = await ngoOf(h, manager);

    const { call, token } = await inviteTokenFor(manager);
    expect(call.text).toContain('لینک دعوت اعضای «انجمن حامیان محیط زیست کرمان»');
    expect(inlineLabels(call)).toEqual([t('ngo.membership.revoke_button')]);
    // The same link until it is revoked.
    expect((await inviteTokenFor(manager)).token).toBe(token);

    const member = h.api.user(MEMBER, { first_name: 'علی' });
    const joined = await join(member, token);
    expect(joined.text).toBe('شما به‌عنوان عضو «انجمن حامیان محیط زیست کرمان» به سامانه پیوستید. اطلاعیه‌ها و یادآوری‌های سازمان از همین‌جا به شما می‌رسد.');
    expect(replyLabels(joined)).toContain('🏢 سازمان من');
    expect(await h.db.prisma.ngoMember.findUnique({ where: { userId: BigInt(MEMBER) } })).toMatchObject({ ngoId: ngo.id, role: 'MEMBER' });
    const notice = await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('با لینک دعوت'));
    expect(notice.text).toBe('علی با لینک دعوت به اعضای سازمان شما پیوست. فهرست اعضا: \u200E/members');

    // Opening the link again, a made-up token, a token of the right shape that is not anyone's.
    expect((await join(member, token)).text).toBe(t('ngo.membership.already_in_this', { name: 'انجمن حامیان محیط زیست کرمان' }));
    const stranger = h.api.user(NEWCOMER, { first_name: 'Guest' });
    expect((await join(stranger, 'AAAAAAAAAAAAAAAA')).text).toBe('این لینک دعوت معتبر نیست یا باطل شده است. لینک تازه را از مدیر سازمان بخواهید.');
    // A payload that is not a well-formed invite is an ordinary /start.
    expect(String((await join(stranger, `${token}<b>`)).text)).toContain('خوش آمدید');
    expect(await h.db.prisma.ngoMember.count()).toBe(2);

    // Members cannot hand out links; only the manager can.
    expect((await command(member, 'invite')).text).toBe(t('ngo.errors.manager_only'));
    expect((await command(stranger, 'invite')).text).toBe(t('ngo.errors.no_ngo'));
  });

  it('when the manager revokes the link, then the old link is refused and the new one works', async () => {
    const h = await startHarness();
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    await ngoOf(h, manager);
    const { call, token: oldToken } = await inviteTokenFor(manager);

    manager.pressButton('inv:revoke', messageIdOf(call));
    const revoked = await manager.waitForReply();
    const newToken = /start=join_([A-Za-z0-9_-]+)/.exec(String(revoked.text))?.[1];
    expect(revoked.text).toContain('لینک قبلی باطل شد');
    expect(newToken).toBeDefined();
    expect(newToken).not.toBe(oldToken);
    // The old message no longer offers to revoke a link that is already dead.
    const edit = await h.api.waitForCall('editMessageReplyMarkup', (c) => c.params.message_id === messageIdOf(call));
    expect(inlineButtons(edit)).toEqual([]);
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.invite_revoked' } })).toBe(1);

    const member = h.api.user(MEMBER, { first_name: 'علی' });
    expect((await join(member, oldToken)).text).toBe(t('ngo.membership.invalid_invite'));
    expect(await h.db.prisma.ngoMember.count()).toBe(1);
    expect((await join(member, newToken!)).text).toContain('به سامانه پیوستید');
    expect(await h.db.prisma.ngoMember.count()).toBe(2);
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).includes('با لینک دعوت'));

    // A forged argument is not a revocation.
    const forged = manager.pressButton('inv:revoke_all');
    expect((await answerTo(h, forged)).params.text).toBe(STALE_BUTTON);
    // A member pressing the manager's button (e.g. from a forwarded message) is refused.
    const byMember = member.pressButton('inv:revoke');
    expect((await answerTo(h, byMember)).params).toMatchObject({ text: t('ngo.errors.manager_only'), show_alert: true });
    expect((await inviteTokenFor(manager)).token).toBe(newToken);
  });

  it('when the manager lists members and removes one, then the list shows Jalali dates and the removed member is told', async () => {
    const h = await startHarness();
    const manager = h.api.user(MANAGER, { first_name: 'مریم', last_name: 'احمدی' });
    await ngoOf(h, manager);
    const { token } = await inviteTokenFor(manager);
    const member = h.api.user(MEMBER, { first_name: 'علی', last_name: '<رضایی>' });
    await join(member, token);
    const second = h.api.user(NEWCOMER, { first_name: 'سارا' });
    await join(second, token);
    // The manager's join notices come through the outbox; wait so they are not taken for replies below.
    await h.api.waitForMessage(MANAGER, (c) => String(c.text).startsWith('سارا با لینک دعوت'));

    const list = await command(manager, 'members');
    const today = formatJalaliDate(new Date());
    expect(list.text).toContain('<b>اعضای «انجمن حامیان محیط زیست کرمان»</b> (۳ نفر):');
    expect(list.text).toContain(`۱. مریم احمدی — مدیر سازمان — عضویت از ${today}`);
    expect(list.text).toContain(`۲. علی &lt;رضایی&gt; — عضو — عضویت از ${today}`);
    expect(list.text).toContain(`۳. سارا — عضو — عضویت از ${today}`);
    // One remove button per member, none for the manager.
    expect(inlineButtons(list)).toEqual([
      { text: 'حذف علی <رضایی>', callback_data: `mem_rm:${MEMBER}` },
      { text: 'حذف سارا', callback_data: `mem_rm:${NEWCOMER}` },
    ]);

    // Forged and foreign presses change nothing.
    for (const data of ['mem_rm:abc', 'mem_rm:-5', `mem_rm:${MEMBER};drop`, 'mem_rm:']) {
      expect((await answerTo(h, manager.pressButton(data))).params.text).toBe(STALE_BUTTON);
    }
    expect((await answerTo(h, manager.pressButton(`mem_rm:${MANAGER}`))).params.text).toBe(t('ngo.membership.manager_cannot_leave'));
    expect((await answerTo(h, manager.pressButton('mem_rm:777777'))).params.text).toBe(t('ngo.membership.not_a_member'));
    // A member pressing a remove button (say, forwarded to them) is refused by the service.
    expect((await answerTo(h, member.pressButton(`mem_rm:${NEWCOMER}`))).params.text).toBe(t('ngo.errors.manager_only'));
    expect(await h.db.prisma.ngoMember.count()).toBe(3);

    // The first press only asks; "no" shows the list again and nobody is removed.
    manager.pressButton(`mem_rm:${MEMBER}`, messageIdOf(list));
    const asked = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(list));
    expect(asked.text).toBe('آیا «علی &lt;رضایی&gt;» از اعضای سازمان حذف شود؟ پس از حذف، اطلاعیه‌ها و یادآوری‌های سازمان به او نمی‌رسد.');
    expect(inlineButtons(asked)).toEqual([
      { text: 'بله، حذف شود', callback_data: `mem_rmy:${MEMBER}-0` },
      { text: 'خیر', callback_data: 'mem_pg:0' },
    ]);
    let mark = h.api.mark();
    manager.pressButtonByText('خیر');
    const kept = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(list), { after: mark });
    expect(kept.text).toContain('(۳ نفر)');
    expect(await h.db.prisma.ngoMember.count()).toBe(3);

    mark = h.api.mark();
    manager.pressButton(`mem_rm:${MEMBER}`, messageIdOf(list));
    await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(list), { after: mark });
    mark = h.api.mark();
    manager.pressButtonByText('بله، حذف شود');
    expect((await manager.waitForReply()).text).toBe('علی از اعضای سازمان حذف شد.');
    const edited = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(list), { after: mark });
    expect(edited.text).toContain('(۲ نفر)');
    expect(inlineButtons(edited)).toEqual([{ text: 'حذف سارا', callback_data: `mem_rm:${NEWCOMER}` }]);
    expect(await h.db.prisma.ngoMember.findUnique({ where: { userId: BigInt(MEMBER) } })).toBeNull();
    const told = await h.api.waitForMessage(MEMBER, (c) => String(c.text).includes('پایان یافت'));
    expect(told.text).toBe('عضویت شما در «انجمن حامیان محیط زیست کرمان» به تصمیم مدیر سازمان پایان یافت.');
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.member_removed' } })).toBe(1);

    // A second press of either button: already gone.
    expect((await answerTo(h, manager.pressButton(`mem_rm:${MEMBER}`, messageIdOf(list)))).params.text).toBe(t('ngo.membership.not_a_member'));
    expect((await answerTo(h, manager.pressButton(`mem_rmy:${MEMBER}-0`, messageIdOf(list)))).params.text).toBe(t('ngo.membership.not_a_member'));
    // The removed member is no longer in the NGO and can be invited again.
    expect((await command(member, 'profile')).text).toBe(t('ngo.profile.no_ngo'));
    expect((await command(member, 'members')).text).toBe(t('ngo.errors.no_ngo'));
  });

  it('when the NGO has more members than fit in one message, then the list is paged and a removal keeps the page', async () => {
    const h = await startHarness();
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    const ngo = await ngoOf(h, manager);
    const ids = Array.from({ length: 24 }, (_, i) => 10_000 + i);
    await h.db.prisma.user.createMany({ data: ids.map((id, i) => ({ id: BigInt(id), firstName: `عضو ${toPersianDigits(i + 1)}` })) });
    await h.db.prisma.ngoMember.createMany({
      data: ids.map((id, i) => ({ userId: BigInt(id), ngoId: ngo.id, role: 'MEMBER' as const, joinedAt: new Date(Date.now() + i * 1000) })),
    });

    const first = await command(manager, 'members');
    expect(first.text).toContain('(۲۵ نفر)');
    expect(first.text).toContain('صفحه ۱ از ۲');
    expect(first.text).toContain('۲۰. عضو ۱۹ — عضو');
    expect(first.text).not.toContain('۲۱. ');
    expect(inlineLabels(first)).toContain('بعدی »');
    expect(inlineLabels(first)).not.toContain('« قبلی');

    manager.pressButtonByText('بعدی »');
    const second = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(first));
    expect(second.text).toContain('صفحه ۲ از ۲');
    expect(second.text).toContain('۲۵. عضو ۲۴ — عضو');
    expect(inlineLabels(second)).toEqual(['حذف عضو ۲۰', 'حذف عضو ۲۱', 'حذف عضو ۲۲', 'حذف عضو ۲۳', 'حذف عضو ۲۴', '« قبلی']);

    manager.pressButtonByText('حذف عضو ۲۴');
    await h.api.waitForCall('editMessageText', (c) => String(c.params.text).startsWith('آیا «عضو ۲۴»'));
    const mark = h.api.mark();
    manager.pressButtonByText('بله، حذف شود');
    const redrawn = await h.api.waitForCall('editMessageText', (c) => c.params.message_id === messageIdOf(first), { after: mark });
    expect(redrawn.text).toContain('(۲۴ نفر)');
    expect(redrawn.text).toContain('صفحه ۲ از ۲');
    expect(inlineLabels(redrawn)).not.toContain('حذف عضو ۲۴');
    expect((await answerTo(h, manager.pressButton('mem_pg:x1'))).params.text).toBe(STALE_BUTTON);
  });

  it('when a member joins and later leaves, then /help and their command menu follow their place: no /register, /invite or /members for a member, /invite and /members for the manager only', async () => {
    const { h, manager, member } = await ngoWithMember();
    const menuOf = (id: number) => h.api.commands({ scope: { type: 'chat', chat_id: id } })?.map((c) => c.command) ?? [];
    await expect.poll(() => menuOf(MEMBER)).toContain('leave');
    expect(menuOf(MEMBER).filter((c) => ['register', 'invite', 'members'].includes(c))).toEqual([]);
    const memberHelp = String((await command(member, 'help')).text);
    expect(memberHelp).toContain('/leave — خروج از سازمان');
    for (const absent of ['/register', '/invite', '/members', 'لینک دعوت را از مدیر سازمان بخواهید']) expect(memberHelp).not.toContain(absent);

    const managerHelp = String((await command(manager, 'help')).text);
    expect(managerHelp).toContain('/invite — لینک دعوت اعضای سازمان');
    expect(managerHelp).toContain('/members — اعضای سازمان');
    expect(managerHelp).not.toContain('/register');
    expect(managerHelp).not.toContain('/leave');
    await command(manager, 'start');
    await expect.poll(() => menuOf(MANAGER)).toEqual(expect.arrayContaining(['invite', 'members']));
    expect(menuOf(MANAGER)).not.toContain('register');

    const ask = await command(member, 'leave');
    member.pressButton('mem_leave:yes', messageIdOf(ask));
    await member.waitForReply();
    await expect.poll(() => menuOf(MEMBER)).toContain('register');
    expect(menuOf(MEMBER)).not.toContain('leave');
  });

  it('when a member leaves, then they are asked to confirm first; the manager cannot leave', async () => {
    const { h, manager, member } = await ngoWithMember();

    const ask = await command(member, 'leave');
    expect(ask.text).toBe(t('ngo.membership.leave_confirm', { name: 'انجمن حامیان محیط زیست کرمان' }));
    expect(inlineLabels(ask)).toEqual(['بله، خارج می‌شوم', 'خیر']);
    expect((await press(member, 'خیر')).text).toBe('عضویت شما باقی ماند.');
    expect(await h.db.prisma.ngoMember.count()).toBe(2);
    // Text instead of the buttons is not a "yes".
    expect(String((await say(member, 'بله')).text)).toContain('این پیام در این بخش شناخته نشد');
    expect(await h.db.prisma.ngoMember.count()).toBe(2);

    const again = await command(member, 'leave');
    member.pressButton('mem_leave:yes', messageIdOf(again));
    expect((await member.waitForReply()).text).toBe('شما از «انجمن حامیان محیط زیست کرمان» خارج شدید.');
    expect(await h.db.prisma.ngoMember.findUnique({ where: { userId: BigInt(MEMBER) } })).toBeNull();
    expect(await h.db.prisma.auditLog.count({ where: { action: 'ngo.member_left' } })).toBe(1);
    // The first confirmation's "yes", pressed late, finds no membership.
    const late = member.pressButton('mem_leave:yes', messageIdOf(ask));
    expect((await answerTo(h, late)).params).toMatchObject({ text: t('ngo.errors.no_ngo'), show_alert: true });
    const forged = member.pressButton('mem_leave:maybe');
    expect((await answerTo(h, forged)).params.text).toBe(STALE_BUTTON);

    expect((await command(manager, 'leave')).text).toBe(t('ngo.membership.manager_cannot_leave'));
    expect(await h.db.prisma.ngoMember.count()).toBe(1);
  });

  it('when a person already belongs to an NGO, then they cannot join another or register one', async () => {
    const h = await startHarness();
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    const first = await ngoOf(h, manager);
    const otherManager = h.api.user(OTHER_MANAGER, { first_name: 'حسن' });
    await ngoOf(h, otherManager, { name: 'کانون ورزش جوانان', registrationNumber: '9999' });
    const { token } = await inviteTokenFor(manager);
    const { token: otherToken } = await inviteTokenFor(otherManager);

    const member = h.api.user(MEMBER, { first_name: 'علی' });
    await join(member, token);
    expect((await join(member, otherToken)).text).toBe(t('ngo.errors.already_member'));
    expect((await join(otherManager, token)).text).toBe(t('ngo.errors.already_member'));
    expect((await command(member, 'register')).text).toBe(t('ngo.errors.already_member'));
    expect(await h.db.prisma.ngoMember.findUnique({ where: { userId: BigInt(MEMBER) } })).toMatchObject({ ngoId: first.id });
    expect(await h.db.prisma.ngoMember.count()).toBe(3);

    // A half-filled registration is dropped when its author joins an NGO through a link.
    const newcomer = h.api.user(NEWCOMER, { first_name: 'سارا' });
    await command(newcomer, 'register');
    await newcomer.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    expect((await join(newcomer, otherToken)).text).toContain('کانون ورزش جوانان');
    expect(String((await say(newcomer, 'انجمن من')).text)).toContain('این پیام در این بخش شناخته نشد');
  });

  it('when the manager and a member open /profile, then each sees the NGO with their role and their own buttons', async () => {
    const { h, manager, member, token } = await ngoWithMember();

    const own = await command(manager, 'profile');
    const ownText = String(own.text);
    expect(ownText).toContain('<b>مشخصات سازمان</b>');
    expect(ownText).toContain('نام سازمان: <b>انجمن حامیان محیط زیست کرمان</b>');
    expect(ownText).toContain('وضعیت: در انتظار بررسی');
    expect(ownText).toContain('شهرستان: انار');
    expect(ownText).toContain(`تاریخ ثبت درخواست: ${formatJalaliDate(new Date())}`);
    expect(ownText).toContain('اعضایی که در سامانه به سازمان پیوسته‌اند: ۲ نفر');
    expect(ownText).toContain('تعداد اعضای اعلام‌شده: ۲۵');
    expect(ownText).toContain('تلفن همراه مدیر: ۰۹۱۲\u00A0۱۲۳\u00A0۴۵۶۷');
    expect(ownText).toContain('نقش شما: مدیر سازمان');
    expect(inlineLabels(own)).toEqual(['✏️ ویرایش مشخصات', '🔗 لینک دعوت اعضا', '👥 اعضا']);

    // The menu button shows the same to a member, without the manager's phone, with "leave".
    const theirs = await say(member, '🏢 سازمان من');
    const theirText = String(theirs.text);
    expect(theirText).toContain('نام سازمان: <b>انجمن حامیان محیط زیست کرمان</b>');
    expect(theirText).toContain('نقش شما: عضو');
    expect(theirText).not.toContain('تلفن همراه مدیر');
    expect(theirText).not.toContain('۴۵۶۷');
    expect(inlineLabels(theirs)).toEqual(['🚪 خروج از سازمان']);

    // The profile's buttons do what they say, for the person entitled to them.
    expect(String((await press(manager, '👥 اعضا')).text)).toContain('(۲ نفر)');
    expect(String((await press(manager, '🔗 لینک دعوت اعضا')).text)).toContain(`start=join_${token}`);
    expect((await press(member, '🚪 خروج از سازمان')).text).toBe(t('ngo.membership.leave_confirm', { name: 'انجمن حامیان محیط زیست کرمان' }));
    for (const data of ['prof:edit', 'prof:members', 'prof:invite']) {
      expect((await answerTo(h, member.pressButton(data))).params).toMatchObject({ text: t('ngo.errors.manager_only'), show_alert: true });
    }
    expect((await answerTo(h, member.pressButton('prof:delete'))).params.text).toBe(STALE_BUTTON);

    // Someone without an NGO is offered to register it, and the button starts the form.
    const newcomer = h.api.user(NEWCOMER, { first_name: 'سارا' });
    const none = await say(newcomer, '🏢 سازمان من');
    expect(none.text).toBe(t('ngo.profile.no_ngo'));
    expect(inlineLabels(none)).toEqual(['🏢 ثبت‌نام سازمان']);
    expect((await press(newcomer, '🏢 ثبت‌نام سازمان')).text).toBe(t('ngo.form.intro'));
    await newcomer.waitForReply((c) => c.text === t('ngo.form.ask_name'));
  });

  it('when the manager edits an approved NGO, then the name sends it back to review and the member count applies at once', async () => {
    const h = await startHarness({ adminIds: [ADMIN] });
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    const ngo = await ngoOf(h, manager);
    const approve = () => h.db.prisma.ngo.update({ where: { id: ngo.id }, data: { status: 'APPROVED', approvedAt: new Date(), reviewedBy: BigInt(ADMIN) } });
    await approve();
    await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('درخواست ثبت‌نام سازمان جدید'));

    // The member count: applied at once, still approved, nobody bothered.
    await command(manager, 'profile');
    const title = await press(manager, '✏️ ویرایش مشخصات');
    expect(title.text).toBe(t('ngo.profile.edit_title'));
    expect(replyLabels(title)).toEqual(['✖️ انصراف']);
    const choose = await manager.waitForReply((c) => c.text === t('ngo.profile.edit_choose'));
    expect(inlineLabels(choose)).toEqual(expect.arrayContaining(['نام سازمان', 'تعداد اعضای اعلام‌شده', 'حوزه‌های فعالیت', '✖️ انصراف از ویرایش']));
    expect((await press(manager, 'تعداد اعضای اعلام‌شده')).text).toBe('مقدار فعلی: ۲۵');
    await manager.waitForReply((c) => c.text === t('ngo.form.ask_member_count'));
    expect((await say(manager, 'صفر')).text).toBe(t('ngo.errors.member_count.format'));
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ memberCount: 25 });
    const saved = await say(manager, '۴۰');
    expect(String(saved.text)).toContain('تغییرات ذخیره شد.');
    expect(String(saved.text)).not.toContain('بررسی دوباره');
    expect(String(saved.text)).toContain('تعداد اعضای اعلام‌شده: ۴۰');
    expect(replyLabels(saved)).toContain('🏢 سازمان من');
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ memberCount: 40, status: 'APPROVED' });
    // The form is over: its old buttons are stale, text is not an answer.
    const stale = manager.pressButton('pedit:choose.name', messageIdOf(choose));
    expect((await answerTo(h, stale)).params.text).toBe(STALE_BUTTON);
    expect(String((await say(manager, '۵۰')).text)).toContain('این پیام در این بخش شناخته نشد');

    // The name: a bad answer first, then back to the menu, then the name again.
    await command(manager, 'profile');
    await press(manager, '✏️ ویرایش مشخصات');
    await manager.waitForReply((c) => c.text === t('ngo.profile.edit_choose'));
    expect((await press(manager, 'نام سازمان')).text).toBe('مقدار فعلی: انجمن حامیان محیط زیست کرمان');
    const askName = await manager.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    expect(replyLabels(askName)).toEqual([t('forms.back'), '✖️ انصراف']);
    expect((await say(manager, '🌱🌱🌱')).text).toBe(t('ngo.errors.name.no_letters'));
    expect((await say(manager, 'ن'.repeat(10_000))).text).toBe(t('ngo.errors.name.too_long'));
    expect((await say(manager, t('forms.back'))).text).toBe(t('ngo.profile.edit_choose'));
    await press(manager, 'نام سازمان');
    await manager.waitForReply((c) => c.text === t('ngo.form.ask_name'));
    const review = await say(manager, 'انجمن سبز كرمان');
    expect(String(review.text)).toContain(t('ngo.profile.edited_review'));
    // The new name is kept as typed (Arabic kaf), in the record and in the reviewers' notice.
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ name: 'انجمن سبز كرمان', status: 'PENDING', reviewedBy: null });
    const notice = await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('دوباره منتظر بررسی است'));
    expect(notice.text).toContain('انجمن سبز كرمان');
    expect(inlineButtons(notice).map((b) => b.callback_data)).toEqual([
      expect.stringMatching(new RegExp(`^ngo_ok:${ngo.id}(-|$)`)),
      expect.stringMatching(new RegExp(`^ngo_no:${ngo.id}(-|$)`)),
    ]);
  });

  it('when the manager edits fields, the authority or the number, then the same checks as the registration apply', async () => {
    const h = await startHarness({ adminIds: [ADMIN] });
    const manager = h.api.user(MANAGER, { first_name: 'مریم' });
    const ngo = await ngoOf(h, manager);
    const other = h.api.user(OTHER_MANAGER, { first_name: 'حسن' });
    await ngoOf(h, other, { name: 'کانون دیگر', registrationNumber: '9999', authority: 'GOVERNORATE' });
    await h.db.prisma.ngo.update({ where: { id: ngo.id }, data: { status: 'APPROVED' } });
    const { fields } = await h.app.services.ngos.referenceLists();

    const openEdit = async () => {
      await command(manager, 'profile');
      await press(manager, '✏️ ویرایش مشخصات');
      await manager.waitForReply((c) => c.text === t('ngo.profile.edit_choose'));
    };

    // Fields: the current choice is already checked; one more is added.
    await openEdit();
    const ask = await press(manager, 'حوزه‌های فعالیت');
    expect(ask.text).toBe(t('ngo.form.ask_fields'));
    expect(inlineLabels(ask)).toContain(`✅ ${fields[0]!.name}`);
    const mark = h.api.mark();
    manager.pressButtonByText(fields[1]!.name);
    await h.api.waitForCall('editMessageReplyMarkup', undefined, { after: mark });
    expect(String((await press(manager, t('ngo.form.fields_done'))).text)).toContain(t('ngo.profile.edited'));
    const stored = await h.db.prisma.ngoField.findMany({ where: { ngoId: ngo.id } });
    expect(stored.map((f) => f.fieldId).sort()).toEqual([fields[0]!.id, fields[1]!.id].sort());
    expect((await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } }))?.status).toBe('APPROVED');

    // The number of another NGO from the same authority is refused before anything is saved.
    await h.db.prisma.ngo.updateMany({ where: { registrationNumber: '9999' }, data: { authority: 'WELFARE', authorityKey: 'WELFARE' } });
    await openEdit();
    await press(manager, 'شماره ثبت');
    await manager.waitForReply((c) => c.text === t('ngo.form.ask_registration_number'));
    expect((await say(manager, '۹۹۹۹')).text).toBe(t('profile.duplicate_identity'));
    expect((await say(manager, 'abc')).text).toBe(t('ngo.errors.registration_number.format'));
    expect((await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } }))?.registrationNumber).toBe('1234');
    expect(String((await say(manager, '٤٣٢١')).text)).toContain(t('ngo.profile.edited_review'));
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ registrationNumber: '4321', status: 'PENDING' });

    // The authority, through "other" with its text: back to review again.
    await h.db.prisma.ngo.update({ where: { id: ngo.id }, data: { status: 'APPROVED' } });
    await openEdit();
    expect((await press(manager, 'مرجع صدور مجوز')).text).toBe('مقدار فعلی: سازمان بهزیستی');
    await manager.waitForReply((c) => c.text === t('ngo.form.ask_authority'));
    expect((await say(manager, 'سایر')).text).toBe(t('forms.use_buttons'));
    await manager.waitForReply((c) => c.text === t('ngo.form.ask_authority'));
    expect((await press(manager, 'سایر مراجع')).text).toBe(t('ngo.form.ask_authority_other'));
    expect((await say(manager, '🏛')).text).toBe(t('ngo.errors.authority_other.no_letters'));
    expect(String((await say(manager, 'دهیاری')).text)).toContain(t('ngo.profile.edited_review'));
    expect(await h.db.prisma.ngo.findUnique({ where: { id: ngo.id } })).toMatchObject({ authority: 'OTHER', authorityOther: 'دهیاری', status: 'PENDING' });

    // The cancel button of the menu leaves without a change.
    await openEdit();
    expect((await press(manager, '✖️ انصراف از ویرایش')).text).toBe(t('profile.edit_cancelled'));
    // A suspended NGO cannot be edited, and its profile offers no edit button.
    await h.db.prisma.ngo.update({ where: { id: ngo.id }, data: { status: 'SUSPENDED' } });
    const profile = await command(manager, 'profile');
    expect(inlineLabels(profile)).not.toContain('✏️ ویرایش مشخصات');
    expect((await answerTo(h, manager.pressButton('prof:edit'))).params.text).toBe(t('ngo.errors.suspended'));
  });
});
