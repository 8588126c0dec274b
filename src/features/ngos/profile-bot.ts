/**
 * The NGO as its people see it: /profile (and the "my NGO" menu button), the manager's invite link,
 * member list and removals, a member leaving, and the manager's edits (profile-edit-form.ts).
 * Every button re-checks through the service who is pressing it: a message kept from when the person
 * was the manager gives no power once they are not.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { deepLink, registerDeepLink } from '../../platform/bot/deep-links.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { bestEffort, dropButtons, shorten, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { mainMenu, refreshCommandMenu } from '../start/index.js';
import { PROFILE_CHOICES, profileButtons, type ProfileChoice } from './callbacks.js';
import { memberName, membersList, profileText } from './notices.js';
import { startProfileEdit } from './profile-edit-form.js';
import { registrationForm, startRegistration } from './registration-form.js';
import type { Membership } from './rules.js';
import { officeContactParams } from '../staff/index.js';
import { Handlers } from '../../platform/bot/handlers.js';

const MEMBERS_PAGE_SIZE = 20;

export const ngoProfileFeature = new Handlers<BotContext>();

// ---- profile --------------------------------------------------------------------------------------

function profileCard(ctx: BotContext, membership: Membership, memberCount: number) {
  const { ngo, role } = membership;
  const text = profileText(ctx, membership, memberCount);
  const button = (key: string, choice: ProfileChoice) => Markup.button.callback(ctx.t(key), profileButtons.open.data(choice));
  const rows: InlineKeyboardButton[][] =
    role === 'MANAGER'
      ? [
          ...(ngo.status === 'SUSPENDED' ? [] : [[button('ngo.profile.edit_button', 'edit')]]),
          [button('ngo.profile.invite_button', 'invite'), button('ngo.profile.members_button', 'members')],
        ]
      : [[button('ngo.profile.leave_button', 'leave')]];
  return { text, keyboard: Markup.inlineKeyboard(rows) };
}

async function showProfile(ctx: BotContext): Promise<void> {
  const profile = await ctx.services.ngos.profileOf(ctx.user.id);
  if (!profile) {
    await ctx.reply(
      ctx.t('ngo.profile.no_ngo'),
      Markup.inlineKeyboard([[Markup.button.callback(ctx.t('ngo.profile.register_button'), profileButtons.open.data('register'))]]),
    );
    return;
  }
  const { text, keyboard } = profileCard(ctx, profile.membership, profile.memberCount);
  await ctx.reply(text, { parse_mode: 'HTML', ...keyboard });
}

ngoProfileFeature.command('profile', showProfile);
ngoProfileFeature.hears(labelTrigger('menu.my_ngo'), showProfile);

// ---- invite link ----------------------------------------------------------------------------------

function inviteLink(ctx: BotContext, token: string): string {
  return deepLink(ctx, `join_${token}`);
}

const revokeKeyboard = (ctx: BotContext) =>
  Markup.inlineKeyboard([[Markup.button.callback(ctx.t('ngo.membership.revoke_button'), profileButtons.revokeInvite.data('revoke'))]]);

async function showInvite(ctx: BotContext): Promise<void> {
  const token = await ctx.services.ngos.inviteToken(ctx.user.id);
  const membership = (await ctx.services.ngos.membershipOf(ctx.user.id))!;
  await ctx.reply(ctx.t('ngo.membership.invite', { name: escapeHtml(membership.ngo.name), link: inviteLink(ctx, token) }), {
    parse_mode: 'HTML',
    link_preview_options: { is_disabled: true },
    ...revokeKeyboard(ctx),
  });
}

ngoProfileFeature.command('invite', showInvite);

ngoProfileFeature.action(profileButtons.revokeInvite.trigger, async (ctx) => {
  if (profileButtons.revokeInvite.parse(ctx) === null) return staleButton(ctx);
  const token = await ctx.services.ngos.revokeInvite(ctx.user.id);
  // The old message shows a link that no longer works: its button goes with it.
  await dropButtons(ctx);
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.revoked', { link: inviteLink(ctx, token) }), {
    link_preview_options: { is_disabled: true },
    ...revokeKeyboard(ctx),
  });
});

async function joinWithInvite(ctx: BotContext, token: string): Promise<void> {
  const ngo = await ctx.services.ngos.joinByInvite(ctx.user.id, token);
  // A registration left half-way cannot be submitted by someone who now belongs to an NGO.
  if (registrationForm.isActive(ctx)) ctx.session.form = undefined;
  await ctx.reply(ctx.t('ngo.membership.joined', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
  await refreshCommandMenu(ctx);
}

registerDeepLink(/^join_([A-Za-z0-9_-]{8,64})$/, joinWithInvite);

// ---- members --------------------------------------------------------------------------------------

async function membersView(ctx: BotContext, requestedPage: number) {
  const members = await ctx.services.ngos.listMembers(ctx.user.id);
  const membership = (await ctx.services.ngos.membershipOf(ctx.user.id))!;
  const pages = Math.max(1, Math.ceil(members.length / MEMBERS_PAGE_SIZE));
  const page = Math.min(requestedPage, pages - 1);
  const first = page * MEMBERS_PAGE_SIZE;
  const shown = members.slice(first, first + MEMBERS_PAGE_SIZE);
  const text = membersList(ctx, membership.ngo.name, { total: members.length, shown, first, page, pages });

  const rows: InlineKeyboardButton[][] = shown
    .filter((m) => m.role === 'MEMBER')
    .map((m) => [
      Markup.button.callback(ctx.t('ngo.membership.remove_button', { name: shorten(memberName(ctx, m), 24) }), profileButtons.removeMember.data(m.userId)),
    ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(ctx.t('profile.prev_page'), profileButtons.membersPage.data(page - 1)));
  if (page < pages - 1) nav.push(Markup.button.callback(ctx.t('profile.next_page'), profileButtons.membersPage.data(page + 1)));
  if (nav.length > 0) rows.push(nav);
  return { text, keyboard: Markup.inlineKeyboard(rows), page };
}

async function showMembers(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await membersView(ctx, 0);
  await ctx.reply(text, { parse_mode: 'HTML', ...keyboard });
}

ngoProfileFeature.command('members', showMembers);

/** The page the pressed list message was showing, read from its keyboard; 0 when unknown. */
function pageOfMessage(ctx: BotContext): number {
  const message = ctx.callbackQuery?.message;
  const buttons = message && 'reply_markup' in message ? (message.reply_markup?.inline_keyboard.flat() ?? []) : [];
  for (const b of buttons) {
    const [page] = ('callback_data' in b ? profileButtons.membersPage.parse({ callbackQuery: { data: b.callback_data } }) : null) ?? [];
    if (page !== undefined) {
      // A "previous" button points at page - 1, a "next" at page + 1; the first one seen tells which.
      return ctx.services.translator.all('profile.prev_page').includes(b.text) ? Number(page) + 1 : Math.max(0, Number(page) - 1);
    }
  }
  return 0;
}

ngoProfileFeature.action(profileButtons.membersPage.trigger, async (ctx) => {
  const [page] = profileButtons.membersPage.parse(ctx) ?? [];
  if (page === undefined) return staleButton(ctx);
  const { text, keyboard } = await membersView(ctx, Number(page));
  await bestEffort(() => ctx.editMessageText(text, { parse_mode: 'HTML', ...keyboard }));
});

// A removal is asked about first, as leaving is: one tap on the wrong row must not end someone's
// membership. The list message itself becomes the question, and "no" shows the same page again.
ngoProfileFeature.action(profileButtons.removeMember.trigger, async (ctx) => {
  const [userId] = profileButtons.removeMember.parse(ctx) ?? [];
  if (userId === undefined) return staleButton(ctx);
  // listMembers checks that the presser manages the NGO; the service checks again on removal.
  const member = (await ctx.services.ngos.listMembers(ctx.user.id)).find((m) => m.userId === BigInt(userId));
  if (member?.role === 'MANAGER') throw new AppError('ngo.membership.manager_cannot_leave', officeContactParams());
  if (!member) throw new AppError('ngo.membership.not_a_member');
  const page = pageOfMessage(ctx);
  await ctx.answerCbQuery();
  const text = ctx.t('ngo.membership.remove_confirm', { name: escapeHtml(memberName(ctx, member)) });
  const keyboard = Markup.inlineKeyboard([
    [
      Markup.button.callback(ctx.t('ngo.membership.remove_yes'), profileButtons.removeConfirm.data(userId, page)),
      Markup.button.callback(ctx.t('ngo.membership.leave_no'), profileButtons.membersPage.data(page)),
    ],
  ]);
  await bestEffort(() => ctx.editMessageText(text, { parse_mode: 'HTML', ...keyboard }));
});

ngoProfileFeature.action(profileButtons.removeConfirm.trigger, async (ctx) => {
  const [userId, page] = profileButtons.removeConfirm.parse(ctx) ?? [];
  if (userId === undefined || page === undefined) return staleButton(ctx);
  // The service checks that the presser manages the NGO this person belongs to; a second tap is refused there.
  const name = await ctx.services.ngos.removeMember(ctx.user.id, BigInt(userId));
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.removed', { name: escapeHtml(name) }), { parse_mode: 'HTML' });
  const { text, keyboard } = await membersView(ctx, Number(page));
  await bestEffort(() => ctx.editMessageText(text, { parse_mode: 'HTML', ...keyboard }));
  await refreshCommandMenu(ctx, BigInt(userId));
});

// ---- leaving --------------------------------------------------------------------------------------

async function askLeave(ctx: BotContext): Promise<void> {
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (!membership) throw new AppError('ngo.errors.no_ngo');
  if (membership.role === 'MANAGER') throw new AppError('ngo.membership.manager_cannot_leave', officeContactParams());
  await ctx.reply(ctx.t('ngo.membership.leave_confirm', { name: escapeHtml(membership.ngo.name) }), {
    parse_mode: 'HTML',
    ...Markup.inlineKeyboard([
      [
        Markup.button.callback(ctx.t('ngo.membership.leave_yes'), profileButtons.leave.data('yes')),
        Markup.button.callback(ctx.t('ngo.membership.leave_no'), profileButtons.leave.data('no')),
      ],
    ]),
  });
}

ngoProfileFeature.command('leave', askLeave);

ngoProfileFeature.action(profileButtons.leave.trigger, async (ctx) => {
  const [answer] = profileButtons.leave.parse(ctx) ?? [];
  if (answer === undefined) return staleButton(ctx);
  if (answer === 'no') {
    await dropButtons(ctx);
    await ctx.answerCbQuery();
    await ctx.reply(ctx.t('ngo.membership.leave_kept'), mainMenu(ctx));
    return;
  }
  // A second tap finds no membership and is told so by the service.
  const ngo = await ctx.services.ngos.leave(ctx.user.id);
  await dropButtons(ctx);
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.left', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
  await refreshCommandMenu(ctx);
});

// ---- the profile's buttons ------------------------------------------------------------------------

/** Answered after the action: a refusal (no longer the manager, no NGO) is shown by the error boundary as an alert. */
const OPEN: Record<ProfileChoice, (ctx: BotContext) => Promise<void>> = {
  edit: startProfileEdit,
  invite: showInvite,
  members: showMembers,
  leave: askLeave,
  register: startRegistration,
};

ngoProfileFeature.action(profileButtons.open.trigger, async (ctx) => {
  const [arg] = profileButtons.open.parse(ctx) ?? [];
  const choice = PROFILE_CHOICES.find((c) => c === arg);
  if (choice === undefined) return staleButton(ctx);
  await OPEN[choice](ctx);
});
