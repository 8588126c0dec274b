/**
 * The NGO as its people see it: /profile (and the "my NGO" menu button), the manager's invite link,
 * member list and removals, a member leaving, and the manager's edits (ngo-profile-edit.ts).
 * Every button re-checks through the service who is pressing it: a message kept from when the person
 * was the manager gives no power once they are not.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { escapeHtml } from '../../platform/i18n/index.js';
import { digitsFor, jalali } from './notices.js';
import { AppError } from '../../platform/errors.js';
import type { Membership } from './service.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import { bestEffort } from '../../platform/bot/ui.js';
import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { startProfileEdit } from './profile-edit.js';
import { registrationForm, startRegistration } from './registration.js';
import { deepLink, registerDeepLink } from '../../platform/bot/deep-links.js';

export { profileEditForm } from './profile-edit.js';

const ACTIONS = {
  profile: 'prof',
  invite: 'inv',
  remove: 'mem_rm',
  page: 'mem_pg',
  leave: 'mem_leave',
} as const;

const PROFILE_ARGS = ['edit', 'invite', 'members', 'leave', 'register'] as const;
type ProfileArg = (typeof PROFILE_ARGS)[number];

const MEMBERS_PAGE_SIZE = 20;
/** Telegram user ids are positive and below 2^52. */
const USER_ID = /^[1-9]\d{0,15}$/;
const PAGE = /^\d{1,4}$/;

export const ngoProfileFeature = new Composer<BotContext>();

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

/** The argument of one of this feature's buttons, or null (answered as stale) when it is not ours or not well formed. */
function argOf(ctx: BotContext, action: string, pattern: RegExp): string | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, action);
  return arg !== null && pattern.test(arg) ? arg : null;
}

async function stale(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
}

// ---- profile --------------------------------------------------------------------------------------

async function profileCard(ctx: BotContext, membership: Membership) {
  const { ngo, role } = membership;
  const count = await ctx.services.ngos.memberCount(ngo.id);
  const text = [
    ctx.t('ngo.profile.title'),
    '',
    // The manager's phone is for the office and the manager; members see the rest.
    ctx.services.ngos.renderSummary(ctx.lang, ngo, { withPhone: role === 'MANAGER' }),
    ctx.t('ngo.profile.members', { count: digitsFor(ctx.lang, count) }),
    '',
    ctx.t('ngo.profile.your_role', { role: ctx.t(`ngo.roles.${role}`) }),
  ].join('\n');
  const button = (key: string, arg: ProfileArg) => Markup.button.callback(ctx.t(key), callbackData(ACTIONS.profile, arg));
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
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (!membership) {
    await ctx.reply(
      ctx.t('ngo.profile.no_ngo'),
      Markup.inlineKeyboard([[Markup.button.callback(ctx.t('ngo.profile.register_button'), callbackData(ACTIONS.profile, 'register'))]]),
    );
    return;
  }
  const { text, keyboard } = await profileCard(ctx, membership);
  await ctx.reply(text, { parse_mode: 'HTML', ...keyboard });
}

ngoProfileFeature.command('profile', showProfile);
ngoProfileFeature.hears(labelTrigger('menu.my_ngo'), showProfile);

// ---- invite link ----------------------------------------------------------------------------------

function inviteLink(ctx: BotContext, token: string): string {
  return deepLink(ctx, `join_${token}`);
}

const revokeKeyboard = (ctx: BotContext) =>
  Markup.inlineKeyboard([[Markup.button.callback(ctx.t('ngo.membership.revoke_button'), callbackData(ACTIONS.invite, 'revoke'))]]);

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

ngoProfileFeature.action(actionTrigger(ACTIONS.invite), async (ctx) => {
  if (argOf(ctx, ACTIONS.invite, /^revoke$/) === null) return stale(ctx);
  const token = await ctx.services.ngos.revokeInvite(ctx.user.id);
  // The old message shows a link that no longer works: its button goes with it.
  await bestEffort(() => ctx.editMessageReplyMarkup(undefined));
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.revoked', { link: inviteLink(ctx, token) }), {
    link_preview_options: { is_disabled: true },
    ...revokeKeyboard(ctx),
  });
});

async function joinWithInvite(ctx: BotContext, token: string): Promise<void> {
  const ngo = await ctx.services.ngos.joinByInvite(ctx.user.id, token);
  // A registration left half-way cannot be submitted by someone who now belongs to an NGO.
  if (ctx.session.form?.name === registrationForm.name) ctx.session.form = undefined;
  await ctx.reply(ctx.t('ngo.membership.joined', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
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
  const nameOf = (m: (typeof members)[number]) =>
    m.name.trim() || (m.username ? `@${m.username}` : ctx.t('profile.no_username', { id: String(m.userId) }));

  const lines = [
    ctx.t('ngo.membership.members_title', { name: escapeHtml(membership.ngo.name), count: digitsFor(ctx.lang, members.length) }),
    '',
    ...shown.map((m, i) =>
      ctx.t('ngo.membership.member_item', {
        n: digitsFor(ctx.lang, first + i + 1),
        // Telegram names run to 128 characters; twenty of them must still fit in one message.
        name: escapeHtml(shorten(nameOf(m), 48)),
        role: ctx.t(`ngo.roles.${m.role}`),
        date: jalali(ctx.lang, m.joinedAt),
      }),
    ),
  ];
  if (pages > 1) lines.push('', ctx.t('profile.members_page', { page: digitsFor(ctx.lang, page + 1), pages: digitsFor(ctx.lang, pages) }));

  const rows: InlineKeyboardButton[][] = shown
    .filter((m) => m.role === 'MEMBER')
    .map((m) => [
      Markup.button.callback(ctx.t('ngo.membership.remove_button', { name: shorten(nameOf(m), 24) }), callbackData(ACTIONS.remove, m.userId)),
    ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(ctx.t('profile.prev_page'), callbackData(ACTIONS.page, page - 1)));
  if (page < pages - 1) nav.push(Markup.button.callback(ctx.t('profile.next_page'), callbackData(ACTIONS.page, page + 1)));
  if (nav.length > 0) rows.push(nav);
  return { text: lines.join('\n'), keyboard: Markup.inlineKeyboard(rows), page };
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
    const page = 'callback_data' in b ? parseCallbackData(b.callback_data, ACTIONS.page) : null;
    if (page !== null && PAGE.test(page)) {
      // A "previous" button points at page - 1, a "next" at page + 1; the first one seen tells which.
      return ctx.services.translator.all('profile.prev_page').includes(b.text) ? Number(page) + 1 : Math.max(0, Number(page) - 1);
    }
  }
  return 0;
}

ngoProfileFeature.action(actionTrigger(ACTIONS.page), async (ctx) => {
  const arg = argOf(ctx, ACTIONS.page, PAGE);
  if (arg === null) return stale(ctx);
  const { text, keyboard } = await membersView(ctx, Number(arg));
  await bestEffort(() => ctx.editMessageText(text, { parse_mode: 'HTML', ...keyboard }));
  await ctx.answerCbQuery();
});

ngoProfileFeature.action(actionTrigger(ACTIONS.remove), async (ctx) => {
  const arg = argOf(ctx, ACTIONS.remove, USER_ID);
  if (arg === null) return stale(ctx);
  // The service checks that the presser manages the NGO this person belongs to.
  const name = await ctx.services.ngos.removeMember(ctx.user.id, BigInt(arg));
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.removed', { name: escapeHtml(name) }), { parse_mode: 'HTML' });
  const { text, keyboard } = await membersView(ctx, pageOfMessage(ctx));
  await bestEffort(() => ctx.editMessageText(text, { parse_mode: 'HTML', ...keyboard }));
});

// ---- leaving --------------------------------------------------------------------------------------

async function askLeave(ctx: BotContext): Promise<void> {
  const membership = await ctx.services.ngos.membershipOf(ctx.user.id);
  if (!membership) throw new AppError('ngo.errors.no_ngo');
  if (membership.role === 'MANAGER') throw new AppError('ngo.membership.manager_cannot_leave');
  await ctx.reply(ctx.t('ngo.membership.leave_confirm', { name: escapeHtml(membership.ngo.name) }), {
    parse_mode: 'HTML',
    ...Markup.inlineKeyboard([
      [
        Markup.button.callback(ctx.t('ngo.membership.leave_yes'), callbackData(ACTIONS.leave, 'yes')),
        Markup.button.callback(ctx.t('ngo.membership.leave_no'), callbackData(ACTIONS.leave, 'no')),
      ],
    ]),
  });
}

ngoProfileFeature.command('leave', askLeave);

ngoProfileFeature.action(actionTrigger(ACTIONS.leave), async (ctx) => {
  const arg = argOf(ctx, ACTIONS.leave, /^(yes|no)$/);
  if (arg === null) return stale(ctx);
  if (arg === 'no') {
    await bestEffort(() => ctx.editMessageReplyMarkup(undefined));
    await ctx.answerCbQuery();
    await ctx.reply(ctx.t('ngo.membership.leave_kept'), mainMenu(ctx));
    return;
  }
  // A second tap finds no membership and is told so by the service.
  const ngo = await ctx.services.ngos.leave(ctx.user.id);
  await bestEffort(() => ctx.editMessageReplyMarkup(undefined));
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t('ngo.membership.left', { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
});

// ---- the profile's buttons ------------------------------------------------------------------------

ngoProfileFeature.action(actionTrigger(ACTIONS.profile), async (ctx) => {
  const arg = argOf(ctx, ACTIONS.profile, new RegExp(`^(${PROFILE_ARGS.join('|')})$`)) as ProfileArg | null;
  if (arg === null) return stale(ctx);
  // Answered after the action: a refusal (no longer the manager, no NGO) is shown by the error boundary as an alert.
  const run: Record<ProfileArg, (ctx: BotContext) => Promise<void>> = {
    edit: startProfileEdit,
    invite: showInvite,
    members: showMembers,
    leave: askLeave,
    register: startRegistration,
  };
  await run[arg](ctx);
  await ctx.answerCbQuery().catch(() => {});
});
