/** Replying and redrawing for button handlers: one way to do it, so every feature behaves the same. */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { BotContext } from './context.js';

/** Replies in the user's private chat, also for a button whose message Telegram no longer includes. */
export async function send(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (ctx.chat) await ctx.reply(text, extra);
  else await ctx.telegram.sendMessage(ctx.user.id.toString(), text, extra);
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
      await ctx.editMessageText(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
      return;
    } catch (err) {
      if (isNotModified(err)) return;
      ctx.log.warn({ err }, 'could not edit a message; sending it again');
    }
  }
  await send(ctx, text, keyboard);
}
