/**
 * Sends an update to the form the user is filling in, if any. Commands pass through (so /cancel,
 * /help and /start work inside a form); a session naming a form that no longer exists is cleared.
 */
import type { MiddlewareFn } from 'telegraf';
import type { BotContext } from '../context.js';
import type { FormRunner } from './engine.js';

export function formRouter(forms: FormRunner[]): MiddlewareFn<BotContext> {
  const byName = new Map(forms.map((f) => [f.name, f]));
  return async (ctx, next) => {
    const active = ctx.session?.form;
    if (!active) return next();
    const runner = byName.get(active.name);
    if (!runner) {
      ctx.session.form = undefined;
      return next();
    }
    if (!(await runner.handle(ctx))) return next();
  };
}

/** For /start: a user who comes back to a half-filled form continues it. */
export function findForm(forms: FormRunner[], name: string | undefined): FormRunner | undefined {
  return forms.find((f) => f.name === name);
}
