/** Guards for handlers. The role comes from the database on every call, never from the session. */
import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from './context.js';

export const requireAdmin: MiddlewareFn<BotContext> = async (ctx, next) => {
  const role = await ctx.services.admins.roleOf(ctx.user.id);
  if (!role) {
    ctx.log.info({ userId: String(ctx.user.id) }, 'refused an admin command from a non-admin');
    if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.not_admin'));
    else await ctx.reply(ctx.t('common.errors.not_admin'));
    return;
  }
  ctx.user.role = role;
  return next();
};
