/**
 * Any failure inside a handler: the user gets a polite answer in their language (or the business
 * rule's own message), the log gets the error with the update id, and the bot goes on.
 */
import type { MiddlewareFn } from 'telegraf';
import { AppError } from '../../errors.js';
import { errorMessage, formatterFor } from '../../i18n/format.js';
import { DEFAULT_LANGUAGE } from '../../i18n/index.js';
import type { BotContext } from '../context.js';

export function errorBoundary(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      // Before load-user ran (an error in an earlier middleware) there is no language yet: Persian.
      const t = ctx.t ?? ((key: string, o?: Record<string, unknown>) => ctx.services.translator.t(DEFAULT_LANGUAGE, key, o));
      const text = err instanceof AppError ? errorMessage(t, ctx.fmt ?? formatterFor(DEFAULT_LANGUAGE), err) : t('common.errors.generic');
      if (!(err instanceof AppError)) ctx.log.error({ err, updateId: ctx.update.update_id }, 'handler failed');
      try {
        if (ctx.callbackQuery) await ctx.answerCbQuery(text.replace(/<[^>]+>/g, '').slice(0, 200), { show_alert: true });
        else if (ctx.chat) await ctx.reply(text, { parse_mode: 'HTML' });
      } catch (replyErr) {
        ctx.log.warn({ err: replyErr, updateId: ctx.update.update_id }, 'could not send the apology');
      }
    }
  };
}
