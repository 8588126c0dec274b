/**
 * Managing the office's staff, super admins only: /admins lists the staff with a card per person
 * (change role, remove with a confirmation) and staff invites; /add_admin and /remove_admin stay for
 * those who type. Every handler passes requireAdmin, and every use case checks for a super admin again
 * (the role read from the database), so a county admin's press on a forwarded or forged button changes nothing.
 */
import { normalizeInput } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { refreshCommandMenu } from '../start/index.js';
import { AppError } from '../../platform/errors.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from './guards.js';
import { parseAddAdmin, parseUserId, type Placement } from './rules.js';
import { roleLabel } from './notices.js';
import { Handlers } from '../../platform/bot/handlers.js';
import { staffButtons } from './callbacks.js';
import { removeConfirmation, rolePicker, staffCard, staffList } from './screens.js';
import type { AdminView } from './store.js';

export const adminsFeature = new Handlers<BotContext>();

function roleText(ctx: BotContext, admin: Pick<AdminView, 'role' | 'county'>) {
  return roleLabel(ctx.t, admin.role, admin.county);
}

async function listScreen(ctx: BotContext) {
  return staffList(ctx, await ctx.services.admins.listAdmins(ctx.user.id));
}

adminsFeature.command('admins', requireAdmin, async (ctx) => {
  const { text, keyboard } = await listScreen(ctx);
  await send(ctx, text, keyboard);
});

adminsFeature.action(staffButtons.list.trigger, requireAdmin, async (ctx) => {
  if (!staffButtons.list.parse(ctx)) return staleButton(ctx);
  const { text, keyboard } = await listScreen(ctx);
  await editOrSend(ctx, text, keyboard);
});

/** A button that names a staff member: the handler gets their id, a forged or malformed press is stale. */
function onStaffButton(action: (typeof staffButtons)['card'], handler: (ctx: BotContext, targetId: bigint) => Promise<void>) {
  adminsFeature.action(action.trigger, requireAdmin, async (ctx) => {
    const parsed = action.parse(ctx);
    if (!parsed) return staleButton(ctx);
    await handler(ctx, BigInt(parsed[0]));
  });
}

onStaffButton(staffButtons.card, async (ctx, targetId) => {
  const { text, keyboard } = staffCard(ctx, await ctx.services.admins.adminCard(ctx.user.id, targetId));
  await editOrSend(ctx, text, keyboard);
});

onStaffButton(staffButtons.roles, async (ctx, targetId) => {
  const admin = await ctx.services.admins.adminCard(ctx.user.id, targetId);
  const { counties } = await ctx.services.ngos.referenceLists();
  const { text, keyboard } = rolePicker(ctx, admin, counties);
  await editOrSend(ctx, text, keyboard);
});

async function changeRole(ctx: BotContext, targetId: bigint, placement: Placement): Promise<void> {
  const changed = await ctx.services.admins.changeRole(ctx.user.id, targetId, placement);
  await refreshCommandMenu(ctx, targetId);
  await ctx.answerCbQuery(ctx.t('admin.role_changed_done'));
  const { text, keyboard } = staffCard(ctx, changed);
  await editOrSend(ctx, `${ctx.t('admin.role_changed', { name: escapeHtml(changed.name), role: roleText(ctx, changed) })}\n\n${text}`, keyboard);
}

onStaffButton(staffButtons.toProvince, (ctx, targetId) => changeRole(ctx, targetId, { role: 'PROVINCE_ADMIN', countyId: null }));

adminsFeature.action(staffButtons.toCounty.trigger, requireAdmin, async (ctx) => {
  const parsed = staffButtons.toCounty.parse(ctx);
  if (!parsed) return staleButton(ctx);
  await changeRole(ctx, BigInt(parsed[0]), { role: 'COUNTY_ADMIN', countyId: Number(parsed[1]) });
});

onStaffButton(staffButtons.remove, async (ctx, targetId) => {
  const { text, keyboard } = removeConfirmation(ctx, await ctx.services.admins.adminCard(ctx.user.id, targetId));
  await editOrSend(ctx, text, keyboard);
});

onStaffButton(staffButtons.removeConfirmed, async (ctx, targetId) => {
  const removed = await ctx.services.admins.removeAdmin(ctx.user.id, targetId);
  await refreshCommandMenu(ctx, targetId);
  await ctx.answerCbQuery();
  const done = ctx.t('admin.removed', { name: escapeHtml(removed.name) });
  // A super admin who removed themselves may no longer list the staff.
  if (targetId === ctx.user.id) return editOrSend(ctx, done);
  const { text, keyboard } = await listScreen(ctx);
  await editOrSend(ctx, `${done}\n\n${text}`, keyboard);
});

adminsFeature.command('add_admin', requireAdmin, async (ctx) => {
  const request = parseAddAdmin(ctx.payload);
  if (!request) throw new AppError('admin.add_usage');
  const { targetId } = request;
  const added = await ctx.services.admins.addAdmin(ctx.user.id, request);
  await refreshCommandMenu(ctx, targetId);
  await ctx.reply(ctx.t('admin.added', { name: escapeHtml(added.name), role: roleText(ctx, added) }), { parse_mode: 'HTML' });
});

adminsFeature.command('remove_admin', requireAdmin, async (ctx) => {
  const targetId = parseUserId(normalizeInput(ctx.payload).split(' ')[0]);
  if (!targetId) throw new AppError('admin.remove_usage');
  const removed = await ctx.services.admins.removeAdmin(ctx.user.id, targetId);
  await refreshCommandMenu(ctx, targetId);
  await ctx.reply(ctx.t('admin.removed', { name: escapeHtml(removed.name) }), { parse_mode: 'HTML' });
});
