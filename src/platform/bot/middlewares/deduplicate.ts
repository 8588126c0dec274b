/**
 * Telegram re-sends an update when it did not see our answer in time (webhooks), and a restart can
 * fetch a batch again (polling): an update_id is handled once. Shared through Redis when present.
 */
import type { Context, MiddlewareFn } from 'telegraf';
import type { KeyValueStore } from '../../kv/kv.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export function deduplicate<C extends Context>(kv: KeyValueStore): MiddlewareFn<C> {
  return async (ctx, next) => {
    if (!(await kv.setIfAbsent(`update:${ctx.update.update_id}`, '1', DAY_MS))) return;
    return next();
  };
}
