/**
 * Long polling hands telegraf a batch of updates that it handles concurrently; two quick messages
 * from one person could then race through a form. Updates of one chat go through one at a time,
 * in arrival order; different chats still run in parallel. A stuck handler cannot block its chat
 * for longer than the timeout.
 */
import type { Context, MiddlewareFn } from 'telegraf';

export function sequentialize<C extends Context>(timeoutMs: number): MiddlewareFn<C> {
  const tails = new Map<string, Promise<void>>();
  return (ctx, next) => {
    const key = String(ctx.chat?.id ?? ctx.from?.id ?? 'none');
    const previous = tails.get(key) ?? Promise.resolve();
    const run = previous.then(() => next());
    let timer: NodeJS.Timeout | undefined;
    const settled = Promise.race([
      run.catch(() => {}),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
        timer.unref();
      }),
    ]).then(() => {
      // Cleared, not left to fire: at hundreds of updates a second, thousands of idle timers would pile up.
      clearTimeout(timer);
      if (tails.get(key) === settled) tails.delete(key);
    });
    tails.set(key, settled);
    return run;
  };
}
