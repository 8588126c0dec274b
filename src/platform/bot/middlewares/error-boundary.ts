/**
 * Any failure inside a handler: the user gets a polite answer in their language (or the business
 * rule's own message), the log gets the error with the update id, and the bot goes on.
 * Log levels mean something: error is for a fault a person should look at; a Bot API refusal that is
 * part of normal life (blocked, a press answered too late, an unchanged edit) is info or warn with its
 * reason; an update given back because storage is down goes on out to be delivered again.
 */
import type { MiddlewareFn } from 'telegraf';
import { AppError } from '../../errors.js';
import { expectedApiError } from '../../delivery/telegram-errors.js';
import { errorMessage, formatterFor } from '../../i18n/format.js';
import { DEFAULT_LANGUAGE } from '../../i18n/index.js';
import type { BotContext } from '../context.js';
import { isDeferred } from '../storage-outage.js';
import { alertText, pressAnswered } from '../ui.js';

export function errorBoundary(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    try {
      await next();
    } catch (err) {
      if (isDeferred(err)) {
        ctx.log.warn({ reason: err.reason }, 'update given back to be delivered again');
        throw err;
      }
      const expected = expectedApiError(err);
      if (expected) {
        const method = (err as { on?: { method?: unknown } }).on?.method;
        ctx.log[expected.level]({ reason: expected.reason, method }, 'Bot API refused a call');
        // Whoever cannot be reached cannot be told either; an unchanged edit or a late answer lost nothing.
        if (expected.reason !== 'message gone' && expected.reason !== 'rate limited') return;
      } else if (!(err instanceof AppError)) {
        ctx.log.error({ err, updateId: ctx.update.update_id }, 'handler failed');
      }
      // Before load-user ran (an error in an earlier middleware) there is no language yet: Persian.
      const t = ctx.t ?? ((key: string, o?: Record<string, unknown>) => ctx.services.translator.t(DEFAULT_LANGUAGE, key, o));
      const text = err instanceof AppError ? errorMessage(t, ctx.fmt ?? formatterFor(DEFAULT_LANGUAGE), err) : t('common.errors.generic');
      try {
        // A press has one answer: once spent (the handler answered, then failed), the reason goes as a message.
        if (ctx.callbackQuery && !pressAnswered(ctx)) await ctx.answerCbQuery(alertText(text), { show_alert: true });
        else if (ctx.chat) await ctx.reply(text, { parse_mode: 'HTML' });
      } catch (replyErr) {
        const why = expectedApiError(replyErr);
        ctx.log[why?.level ?? 'warn']({ err: replyErr, reason: why?.reason, updateId: ctx.update.update_id }, 'could not send the apology');
      }
    }
  };
}
