/**
 * The official holidays from the bot: every admin lists the coming ones (/holidays); super admins add or
 * rename (/add_holiday 1406/01/01 name) and remove (/remove_holiday 1406/01/01) a day. The use cases
 * check the role and write the audit row; these handlers parse and reply.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { parseJalaliDate, type JalaliDate } from '../../platform/text/jalali.js';
import { requireAdmin } from './guards.js';
import type { HolidayView } from './holidays-service.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const holidaysFeature = new Handlers<BotContext>();

/** The date that starts a command's text, and the rest as typed (a holiday's name). */
function dateAndRest(payload: string, usageKey: string): { day: JalaliDate; rest: string } {
  const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(payload);
  if (!match) throw new AppError(usageKey);
  const parsed = parseJalaliDate(match[1]!);
  if (!parsed.ok) throw new AppError(`holidays.errors.date_${parsed.error}`);
  return { day: parsed.value, rest: match[2]! };
}

function listText(ctx: BotContext, holidays: readonly HolidayView[], more: number): string {
  if (holidays.length === 0) return ctx.t('holidays.list_empty');
  const lines = holidays.map((h) => ctx.t('holidays.list_item', { date: ctx.fmt.date(h.at), name: escapeHtml(h.name) }));
  if (more > 0) lines.push(ctx.t('holidays.list_more', { days: ctx.fmt.number(more) }));
  return [ctx.t('holidays.list_title', { days: ctx.fmt.number(holidays.length + more) }), ...lines, '', ctx.t('holidays.list_note')].join('\n');
}

holidaysFeature.command('holidays', requireAdmin, async (ctx) => {
  const { holidays, more } = await ctx.services.holidays.upcoming(ctx.user.id);
  await ctx.reply(listText(ctx, holidays, more), { parse_mode: 'HTML' });
});

holidaysFeature.command('add_holiday', requireAdmin, async (ctx) => {
  if (!ctx.payload.trim()) throw new AppError('holidays.add_usage');
  const { day, rest } = dateAndRest(ctx.payload, 'holidays.add_usage');
  const added = await ctx.services.holidays.add(ctx.user.id, day, rest);
  const params = { date: ctx.fmt.date(added.at), name: escapeHtml(added.name), previous: escapeHtml(added.replaced ?? '') };
  await ctx.reply(ctx.t(added.replaced === null ? 'holidays.added' : 'holidays.renamed', params), { parse_mode: 'HTML' });
});

holidaysFeature.command('remove_holiday', requireAdmin, async (ctx) => {
  if (!ctx.payload.trim()) throw new AppError('holidays.remove_usage');
  const { day } = dateAndRest(ctx.payload, 'holidays.remove_usage');
  const removed = await ctx.services.holidays.remove(ctx.user.id, day);
  await ctx.reply(ctx.t('holidays.removed', { date: ctx.fmt.date(removed.at), name: escapeHtml(removed.name) }), { parse_mode: 'HTML' });
});
