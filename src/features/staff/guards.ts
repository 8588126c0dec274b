/** Guards for staff-only handlers and forms. The role comes from the database on every call, never from the session. */
import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import { mainMenu } from '../start/index.js';

async function refuse(ctx: BotContext, what: string): Promise<void> {
  ctx.log.info({ userId: String(ctx.user.id) }, `refused ${what} from a user who is not an admin`);
  if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.not_admin'), { show_alert: true });
}

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

/**
 * The `guard` of every staff form: the form router does not pass through requireAdmin, so each answer
 * re-reads the role, and someone removed from the staff half-way cannot finish the form.
 */
export async function staffOnly(ctx: BotContext): Promise<boolean> {
  const role = await ctx.services.admins.roleOf(ctx.user.id);
  if (role) {
    ctx.user.role = role;
    return true;
  }
  await refuse(ctx, 'a staff form step');
  await ctx.reply(ctx.t('common.errors.not_admin'), mainMenu(ctx));
  return false;
}
