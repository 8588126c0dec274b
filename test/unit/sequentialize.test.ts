/**
 * One chat's updates are handled one at a time and in order (a form's answers cannot overtake each other),
 * other chats are not held up, and a stuck handler holds its chat for at most the timeout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { sequentialize } from '../../src/platform/bot/middlewares/sequentialize.js';

const ctxOf = (chatId: number) => ({ chat: { id: chatId }, from: { id: chatId } }) as unknown as Context;

describe('one update per chat at a time', () => {
  it('when two updates of one chat arrive together, then the second starts after the first ends; another chat runs alongside', async () => {
    const middleware = sequentialize<Context>(5_000);
    const events: string[] = [];
    const handler = (name: string, ms: number) => async () => {
      events.push(`${name} start`);
      await sleep(ms);
      events.push(`${name} end`);
    };
    await Promise.all([
      middleware(ctxOf(1), handler('a1', 40)),
      middleware(ctxOf(1), handler('a2', 1)),
      middleware(ctxOf(2), handler('b1', 5)),
    ]);
    expect(events.indexOf('a2 start')).toBeGreaterThan(events.indexOf('a1 end'));
    expect(events.indexOf('b1 end')).toBeLessThan(events.indexOf('a1 end'));
  });

  it('when a handler fails, then the next update of the chat still runs', async () => {
    const middleware = sequentialize<Context>(5_000);
    const failed = middleware(ctxOf(3), async () => {
      throw new Error('boom');
    });
    let ran = false;
    const second = middleware(ctxOf(3), async () => {
      ran = true;
    });
    await expect(failed).rejects.toThrow('boom');
    await second;
    expect(ran).toBe(true);
  });

  it('when a handler is stuck, then the next update of its chat starts after the timeout', async () => {
    const middleware = sequentialize<Context>(50);
    void middleware(ctxOf(4), () => new Promise<void>(() => {}));
    const started = Date.now();
    await middleware(ctxOf(4), async () => {});
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
