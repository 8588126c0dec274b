import { Context } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { chain } from '../../src/platform/bot/create-bot.js';

const ctx: Context = new Context({ update_id: 1 } as never, {} as never, {} as never) as unknown as Context;

describe("the spine's chain of middlewares", () => {
  it('when every middleware passes the update on, then they run in order, each finishing after the ones after it, then the outer next', async () => {
    const seen: string[] = [];
    const step = (name: string) => async (_ctx: Context, next: () => Promise<void>) => {
      seen.push(`${name} in`);
      await next();
      seen.push(`${name} out`);
    };
    await chain(step('a'), step('b'), step('c'))(ctx, async () => void seen.push('outer'));
    expect(seen).toEqual(['a in', 'b in', 'c in', 'outer', 'c out', 'b out', 'a out']);
  });

  it('when a middleware answers without passing it on, then the rest of the chain does not run', async () => {
    const seen: string[] = [];
    await chain(
      async () => void seen.push('answered'),
      async () => void seen.push('never'),
    )(ctx, async () => void seen.push('outer'));
    expect(seen).toEqual(['answered']);
  });

  it('when a handler further down throws, then the error reaches the middleware above it (the error boundary catches it there)', async () => {
    let caught: unknown;
    const boundary = async (_ctx: Context, next: () => Promise<void>) => {
      try {
        await next();
      } catch (err) {
        caught = err;
      }
    };
    await chain(boundary, () => {
      throw new Error('handler failed');
    })(ctx, async () => {});
    expect((caught as Error).message).toBe('handler failed');
  });
});
