/**
 * Staff invites from /admins: a super admin picks the role (province, or a county) and gets a link
 * `https://t.me/<bot>?start=staff-<token>` to hand to the person; whoever opens it first becomes staff.
 * Open invites are listed (without their links, which are not kept) and can be revoked.
 */
import { deepLink, registerDeepLink } from '../../platform/bot/deep-links.js';
import type { BotContext } from '../../platform/bot/context.js';
import { editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { Handlers } from '../../platform/bot/handlers.js';
import { mainMenu, refreshCommandMenu } from '../start/index.js';
import { staffButtons } from './callbacks.js';
import { requireAdmin } from './guards.js';
import { roleLabel } from './notices.js';
import type { Placement } from './rules.js';
import { inviteCreated, invitePicker, openInvites } from './screens.js';

export const invitesFeature = new Handlers<BotContext>();

invitesFeature.action(staffButtons.invite.trigger, requireAdmin, async (ctx) => {
  if (!staffButtons.invite.parse(ctx)) return staleButton(ctx);
  await ctx.services.admins.requireSuperAdmin(ctx.user.id);
  const { counties } = await ctx.services.ngos.referenceLists();
  const { text, keyboard } = invitePicker(ctx, counties);
  await editOrSend(ctx, text, keyboard);
});

async function createInvite(ctx: BotContext, placement: Placement): Promise<void> {
  const invite = await ctx.services.admins.createInvite(ctx.user.id, placement);
  await ctx.answerCbQuery();
  const { text, keyboard } = inviteCreated(ctx, invite, deepLink(ctx, `staff-${invite.token}`));
  // A new message, so that the link can be forwarded on its own.
  await send(ctx, text, keyboard);
}

invitesFeature.action(staffButtons.inviteProvince.trigger, requireAdmin, async (ctx) => {
  if (!staffButtons.inviteProvince.parse(ctx)) return staleButton(ctx);
  await createInvite(ctx, { role: 'PROVINCE_ADMIN', countyId: null });
});

invitesFeature.action(staffButtons.inviteCounty.trigger, requireAdmin, async (ctx) => {
  const parsed = staffButtons.inviteCounty.parse(ctx);
  if (!parsed) return staleButton(ctx);
  await createInvite(ctx, { role: 'COUNTY_ADMIN', countyId: Number(parsed[0]) });
});

invitesFeature.action(staffButtons.invites.trigger, requireAdmin, async (ctx) => {
  if (!staffButtons.invites.parse(ctx)) return staleButton(ctx);
  const { text, keyboard } = openInvites(ctx, await ctx.services.admins.openInvites(ctx.user.id));
  await editOrSend(ctx, text, keyboard);
});

invitesFeature.action(staffButtons.revokeInvite.trigger, requireAdmin, async (ctx) => {
  const parsed = staffButtons.revokeInvite.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const revoked = await ctx.services.admins.revokeInvite(ctx.user.id, Number(parsed[0]));
  await ctx.answerCbQuery();
  const done = ctx.t('admin.invite.revoked', { id: ctx.fmt.digits(revoked.id), role: roleLabel(ctx.t, revoked.role, revoked.county) });
  const { text, keyboard } = openInvites(ctx, await ctx.services.admins.openInvites(ctx.user.id));
  await editOrSend(ctx, `${done}\n\n${text}`, keyboard);
});

/** The person who opened the link: told their new role in Persian, and given the staff menu. */
async function acceptInvite(ctx: BotContext, token: string): Promise<void> {
  const joined = await ctx.services.admins.acceptInvite(ctx.user.id, token);
  ctx.user.role = joined.role;
  await ctx.reply(ctx.t('admin.invite.welcome', { role: roleLabel(ctx.t, joined.role, joined.county), name: escapeHtml(joined.name) }), {
    parse_mode: 'HTML',
    ...mainMenu(ctx),
  });
  await refreshCommandMenu(ctx);
}

// Any staff- payload is claimed, so that a forged or cut link gets the invite's own message, not the welcome.
registerDeepLink(/^staff-([A-Za-z0-9_-]{0,64})$/, acceptInvite);
