/** Managing the office's staff: list, add (province or county), remove. Super admins only for changes. */
import { normalizeInput } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { refreshCommandMenu } from '../start/index.js';
import { AppError } from '../../platform/errors.js';
import type { AdminView } from './service.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from './guards.js';
import { parseAddAdmin, parseUserId } from './rules.js';
import { roleLabel } from './notices.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const adminsFeature = new Handlers<BotContext>();

function roleText(ctx: BotContext, admin: Pick<AdminView, 'role' | 'county'>) {
  return roleLabel(ctx.t, admin.role, admin.county);
}

adminsFeature.command('admins', requireAdmin, async (ctx) => {
  const admins = await ctx.services.admins.listAdmins(ctx.user.id);
  const lines = admins.map((a) => ctx.t('admin.list_item', { name: escapeHtml(a.name), role: roleText(ctx, a), id: String(a.userId) }));
  await ctx.reply([ctx.t('admin.list_title', { count: ctx.fmt.number(admins.length) }), ...lines].join('\n'), { parse_mode: 'HTML' });
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
