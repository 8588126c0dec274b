/**
 * Long polling hands telegraf a batch of updates that it handles concurrently; two quick messages
 * from one person could then race through a form. Updates of one chat go through one at a time,
 * in arrival order; different chats still run in parallel. A stuck handler cannot block its chat
 * for longer than the timeout.
 */
import type { Context, MiddlewareFn } from 'telegraf';

const settle = () => {};

export function sequentialize<C extends Context>(timeoutMs: number): MiddlewareFn<C> {
  const tails = new Map<string, Promise<void>>();
  return (ctx, next) => {
    const key = String(ctx.chat?.id ?? ctx.from?.id ?? 'none');
    const previous = tails.get(key);
    // Most updates find their chat idle and start at once: the wait (and its timer) is only for an
    // update that arrives while an earlier one of the same chat is still being handled.
    const run = previous ? atMost(previous, timeoutMs).then(() => next()) : next();
    const tail = run.then(settle, settle);
    tails.set(key, tail);
    void tail.then(() => {
      if (tails.get(key) === tail) tails.delete(key);
    });
    return run;
  };
}

/** Resolves when `promise` settles or after `ms`, whichever is first; the timer does not outlive it. */
function atMost(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, ms);
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
}
