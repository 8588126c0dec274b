/**
 * "A press is answered exactly once" as a property of the bot toolkit (ui.ts answerCallbackOnce and the
 * error boundary), and the boundary's log levels. Telegram refuses a second answer (400), so a second
 * answer must never reach it; once the one answer is spent, a refusal goes as a message, so the reason
 * is seen; an answer Telegram no longer takes is not a failure of the press's work; an expected Bot API
 * refusal is not an error line.
 */
import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import type { BotContext } from '../../src/platform/bot/context.js';
import { errorBoundary } from '../../src/platform/bot/middlewares/error-boundary.js';
import { UpdateDeferred } from '../../src/platform/bot/storage-outage.js';
import { answerCallbackOnce } from '../../src/platform/bot/ui.js';
import { AppError } from '../../src/platform/errors.js';
import { formatterFor } from '../../src/platform/i18n/format.js';
import { createTranslator } from '../../src/platform/i18n/index.js';

const translator = createTranslator();
const tooOld = () => new TelegramError({ error_code: 400, description: 'Bad Request: query is too old and response timeout expired or query ID is invalid' });

function press(options: { answerFails?: () => Error } = {}) {
  const answers: { text?: string; show_alert?: boolean }[] = [];
  const replies: string[] = [];
  const logs: { level: string; msg: string; reason?: string }[] = [];
  const logAt = (level: string) => (obj: { reason?: string }, msg: string) => void logs.push({ level, msg, reason: obj.reason });
  const ctx = {
    update: { update_id: 1 },
    callbackQuery: { id: 'q1', data: 'fbi_v:12' },
    chat: { id: 7, type: 'private' },
    services: { translator },
    t: (key: string, o?: Record<string, unknown>) => translator.t('fa', key, o),
    fmt: formatterFor('fa'),
    log: { info: logAt('info'), warn: logAt('warn'), error: logAt('error') },
    answerCbQuery: async (text?: string, extra?: { show_alert?: boolean }) => {
      if (options.answerFails) throw options.answerFails();
      answers.push({ text, show_alert: extra?.show_alert });
      return true as const;
    },
    reply: async (text: string) => void replies.push(text),
  } as unknown as BotContext;
  const run = (handler: (ctx: BotContext) => Promise<unknown>) =>
    answerCallbackOnce()(ctx, () => errorBoundary()(ctx, () => handler(ctx).then(() => {})) as Promise<void>);
  return { ctx, answers, replies, logs, run };
}

describe('a press is answered exactly once', () => {
  it('when a handler answers twice, then only the first answer reaches Telegram', async () => {
    const p = press();
    await p.run(async (ctx) => {
      await ctx.answerCbQuery('یک');
      await ctx.answerCbQuery('دو');
    });
    expect(p.answers).toEqual([{ text: 'یک', show_alert: undefined }]);
  });

  it('when a handler does not answer, then the press is answered once, silently', async () => {
    const p = press();
    await p.run(async () => {});
    expect(p.answers).toEqual([{ text: undefined, show_alert: undefined }]);
  });

  it('when a handler answered and then a business rule says no, then the reason goes as a message (the answer is spent)', async () => {
    const p = press();
    await p.run(async (ctx) => {
      await ctx.answerCbQuery();
      throw new AppError('common.errors.not_admin');
    });
    expect(p.answers).toHaveLength(1);
    expect(p.replies).toEqual([translator.t('fa', 'common.errors.not_admin')]);
    expect(p.logs.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('when a business rule says no before any answer, then it is the press\'s alert, and nothing else is sent', async () => {
    const p = press();
    await p.run(async () => {
      throw new AppError('common.errors.not_admin');
    });
    expect(p.answers).toEqual([{ text: translator.t('fa', 'common.errors.not_admin'), show_alert: true }]);
    expect(p.replies).toEqual([]);
  });

  it('when Telegram refuses the answer as too old, then the handler goes on with its work and it is logged at info, not error', async () => {
    const p = press({ answerFails: tooOld });
    let done = false;
    await p.run(async (ctx) => {
      await ctx.answerCbQuery();
      done = true;
    });
    expect(done).toBe(true);
    expect(p.logs).toEqual([{ level: 'info', msg: 'press answered too late', reason: 'press expired' }]);
  });

  it('when the update is given back (storage down), then the press is not answered: its copy will be', async () => {
    const p = press();
    await expect(
      p.run(async () => {
        throw new UpdateDeferred('storage unavailable');
      }),
    ).rejects.toBeInstanceOf(UpdateDeferred);
    expect(p.answers).toEqual([]);
    expect(p.replies).toEqual([]);
    expect(p.logs.map((l) => l.level)).toEqual(['warn']);
  });
});

describe('the error boundary\'s log levels', () => {
  it('when the person blocked the bot, then it is info with the reason, and no apology is attempted', async () => {
    const p = press();
    await p.run(async () => {
      throw new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' });
    });
    expect(p.logs).toEqual([{ level: 'info', msg: 'Bot API refused a call', reason: 'recipient unreachable' }]);
    expect(p.replies).toEqual([]);
  });

  it('when an edit changes nothing, then it is info and the person is not told something went wrong', async () => {
    const p = press();
    await p.run(async () => {
      throw new TelegramError({ error_code: 400, description: 'Bad Request: message is not modified' });
    });
    expect(p.logs.map((l) => [l.level, l.reason])).toEqual([['info', 'not modified']]);
    expect(p.answers).toEqual([{ text: undefined, show_alert: undefined }]);
  });

  it('when a handler has a bug, then it is an error line and the person gets the apology', async () => {
    const p = press();
    await p.run(async () => {
      throw new TypeError('x is undefined');
    });
    expect(p.logs.map((l) => [l.level, l.msg])).toEqual([['error', 'handler failed']]);
    expect(p.answers).toEqual([{ text: translator.t('fa', 'common.errors.generic'), show_alert: true }]);
  });
});
