/** A person (or a script) sending dozens of messages a minute is slowed down politely, once per minute. */
import type { MiddlewareFn } from 'telegraf';
import type { KeyValueStore } from '../../kv/kv.js';
import type { BotContext } from '../context.js';

export function floodLimit(kv: KeyValueStore, perMinute: number): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    const minute = Math.floor(Date.now() / 60_000);
    const count = await kv.increment(`flood:${ctx.user.id}:${minute}`, 61_000);
    if (count <= perMinute) return next();
    if (count === perMinute + 1) {
      if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.too_fast'));
      else await ctx.reply(ctx.t('common.errors.too_fast'));
    }
  };
}
