/**
 * The bot's UI toolkit: replying, redrawing a message a button was on, answering a press, explaining a
 * refusal. One way to do each, so every feature behaves the same.
 */
import type { MiddlewareFn } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { AppError } from '../errors.js';
import { expectedApiError } from '../delivery/telegram-errors.js';
import { errorMessage } from '../i18n/format.js';
import type { BotContext } from './context.js';
import { isDeferred } from './storage-outage.js';

const htmlExtra = (keyboard?: InlineKeyboardMarkup) => ({
  parse_mode: 'HTML' as const,
  link_preview_options: { is_disabled: true },
  ...(keyboard ? { reply_markup: keyboard } : {}),
});

/** Replies in the user's private chat, also for a button whose message Telegram no longer includes. */
export async function send(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  if (ctx.chat) await ctx.reply(text, htmlExtra(keyboard));
  else await ctx.telegram.sendMessage(ctx.user.id.toString(), text, htmlExtra(keyboard));
}

export function isNotModified(err: unknown): boolean {
  return String((err as { description?: unknown })?.description ?? '').includes('message is not modified');
}

/**
 * Rewrites the message a button was pressed on; one that can no longer be edited (too old, deleted)
 * gets the same text as a new message, so the outcome is always seen.
 */
export async function editOrSend(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  if (ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(text, htmlExtra(keyboard));
      return;
    } catch (err) {
      if (isNotModified(err)) return;
      ctx.log.warn({ err }, 'could not edit a message; sending it again');
    }
  }
  await send(ctx, text, keyboard);
}

/**
 * For edits that may fail without harm (the message is too old, unchanged, or a press came without
 * its message). telegraf throws synchronously when the press has no message, which `.catch()` on the
 * returned promise would not catch.
 */
export async function bestEffort(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch {
    // nothing to do: the edit was a courtesy
  }
}

/** Removes the buttons under the message pressed, so a decision cannot be pressed twice. */
export async function dropButtons(ctx: BotContext): Promise<void> {
  await bestEffort(() => ctx.editMessageReplyMarkup(undefined));
}

/** A press on a button that no longer means anything (an old message, a forged or outdated one). */
export async function staleButton(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
}

/** The text of a refusal, in the reader's language with values in their digits and dates. */
export function refusalText(ctx: BotContext, err: AppError): string {
  return errorMessage(ctx.t, ctx.fmt, err);
}

/** An alert shows plain text of at most 200 characters. */
export function alertText(html: string): string {
  return html.replace(/<[^>]+>/g, '').slice(0, 200);
}

/** Tells a refusal where the user is: an alert for a press, a message otherwise. Other errors go on up. */
export async function explainRefusal(ctx: BotContext, err: unknown, keyboard?: InlineKeyboardMarkup): Promise<void> {
  if (!(err instanceof AppError)) throw err;
  const text = refusalText(ctx, err);
  if (ctx.callbackQuery && !pressAnswered(ctx)) await ctx.answerCbQuery(alertText(text), { show_alert: true });
  else await send(ctx, text, keyboard);
}

export function rowsOf(buttons: InlineKeyboardButton[], perRow: number): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

/** Cuts text shown on a button or in a list to `max` characters (not UTF-16 units), with an ellipsis. */
export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

const answeredPresses = new WeakSet<BotContext>();

/** Whether this update's press has been answered already (its one answer is spent: say more as a message). */
export function pressAnswered(ctx: BotContext): boolean {
  return answeredPresses.has(ctx);
}

/**
 * Every press is answered exactly once: a handler's own answer goes through, a second one is dropped
 * (Telegram refuses it), and a press nobody answered is answered silently so the client stops its spinner.
 * An answer Telegram no longer takes (the press is older than about 15 s: redelivered, or after a restart)
 * is a courtesy lost, not a failure: the handler goes on with the work the press asked for.
 * An update given back for redelivery (storage down) is not answered: its copy will be.
 */
export function answerCallbackOnce(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (!ctx.callbackQuery) return next();
    const answer = ctx.answerCbQuery.bind(ctx);
    ctx.answerCbQuery = async (...args: Parameters<typeof answer>) => {
      if (answeredPresses.has(ctx)) return true;
      answeredPresses.add(ctx);
      try {
        return await answer(...args);
      } catch (err) {
        const expected = expectedApiError(err);
        if (expected?.reason !== 'press expired') throw err;
        ctx.log[expected.level]({ reason: expected.reason }, 'press answered too late');
        return true;
      }
    };
    let deferred = false;
    try {
      await next();
    } catch (err) {
      deferred = isDeferred(err);
      throw err;
    } finally {
      if (!deferred && !answeredPresses.has(ctx)) await ctx.answerCbQuery().catch(() => {});
    }
  };
}
