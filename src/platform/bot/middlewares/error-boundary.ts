/**
 * Any failure inside a handler: the user gets a polite answer in their language (or the business
 * rule's own message), the log gets the error with the update id, and the bot goes on.
 */
import type { MiddlewareFn } from 'telegraf';
import { toPersianDigits } from '../../text/index.js';
import { AppError } from '../../errors.js';
import { DEFAULT_LANGUAGE, escapeHtml } from '../../i18n/index.js';
import type { BotContext } from '../context.js';

/** A value put into a message: escaped for HTML, and numbers in Persian digits for Persian readers. */
function shown(ctx: BotContext, value: unknown): string {
  if (typeof value === 'number' && (ctx.lang ?? DEFAULT_LANGUAGE) === 'fa') return toPersianDigits(value);
  return escapeHtml(value);
}

export function errorBoundary(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      const t = ctx.t ?? ((key: string, o?: Record<string, unknown>) => ctx.services.translator.t(DEFAULT_LANGUAGE, key, o));
      const text =
        err instanceof AppError
          ? t(err.code, Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, shown(ctx, v)])))
          : t('common.errors.generic');
      if (!(err instanceof AppError)) ctx.log.error({ err, updateId: ctx.update.update_id }, 'handler failed');
      try {
        if (ctx.callbackQuery) await ctx.answerCbQuery(text.slice(0, 200), { show_alert: true });
        else if (ctx.chat) await ctx.reply(text, { parse_mode: 'HTML' });
      } catch (replyErr) {
        ctx.log.warn({ err: replyErr, updateId: ctx.update.update_id }, 'could not send the apology');
      }
    }
  };
}
