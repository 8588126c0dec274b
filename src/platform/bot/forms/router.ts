/**
 * Sends an update to the form the user is filling in, if any. Commands pass through (so /cancel,
 * /help and /start work inside a form); a session naming a form that no longer exists is cleared.
 */
import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context.js';

export function formRouter(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const active = ctx.session?.form;
    if (!active) return next();
    const runner = ctx.forms.get(active.name);
    if (!runner) {
      ctx.session.form = undefined;
      return next();
    }
    if (!(await runner.handle(ctx))) return next();
  };
}
