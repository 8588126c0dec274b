/**
 * What both sides of feedback show: numbers and Jalali times in the reader's language, type labels,
 * a thread with who wrote each message and when, packed into as few Telegram messages as fit.
 * Shared by feedback.ts (members) and inbox.ts (office) so a thread reads the same to both.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { FeedbackType } from './rules.js';
import { formatJalaliDateTime } from '../../platform/text/jalali.js';
import { formatNumber, toPersianDigits } from '../../platform/text/persian-text.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import type { ItemView } from './service.js';
import { parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { send } from '../../platform/bot/ui.js';

/** Tracking numbers: positive, within PostgreSQL's int. */
export const ITEM_ID = /^[1-9]\d{0,8}$/;
export const PAGE = /^\d{1,4}$/;
/** Telegram's limit on one message, counted on the text as shown (markup excluded). */
const MESSAGE_MAX = 4096;

const TYPE_ICONS: Record<FeedbackType, string> = { SUGGESTION: '💡', CRITICISM: '📝', COMPLAINT: '⚠️', QUESTION: '❓' };

export function digits(ctx: BotContext, n: number | string): string {
  return ctx.lang === 'fa' ? toPersianDigits(n) : String(n);
}

export function bigNumber(ctx: BotContext, n: number): string {
  return ctx.lang === 'fa' ? formatNumber(n) : n.toLocaleString('en-US');
}

export function jalaliTime(ctx: BotContext, date: Date): string {
  const fa = formatJalaliDateTime(date);
  return ctx.lang === 'fa' ? fa : fa.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(' ساعت ', ' ');
}

export function typeLabel(ctx: BotContext, type: FeedbackType): string {
  return `${TYPE_ICONS[type]} ${ctx.t(`feedback.types.${type}`)}`;
}

export function itemIdFrom(ctx: BotContext, action: string): number | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, action);
  return arg !== null && ITEM_ID.test(arg) ? Number(arg) : null;
}

export async function stale(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
}

export function appErrorText(ctx: BotContext, err: AppError): string {
  // Tracking numbers are read digit by digit; lengths and limits read better grouped (۲۰٬۰۰۰).
  const params = Object.fromEntries(
    Object.entries(err.params).map(([k, v]) => [k, typeof v === 'number' ? (k === 'id' ? digits(ctx, v) : bigNumber(ctx, v)) : escapeHtml(v)]),
  );
  return ctx.t(err.code, params);
}

/**
 * Business refusals of this feature, told with numbers in the reader's digits (the error boundary
 * would show a tracking number in ASCII digits inside a Persian sentence).
 */
export function withAppErrors<C extends BotContext>(handler: (ctx: C) => Promise<unknown>): (ctx: C) => Promise<void> {
  return async (ctx) => {
    try {
      await handler(ctx);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const text = appErrorText(ctx, err);
      if (ctx.callbackQuery) await ctx.answerCbQuery(text.replace(/<[^>]+>/g, '').slice(0, 200), { show_alert: true });
      else await send(ctx, text);
    }
  };
}

/** Visible length of a piece of Telegram HTML: what the Bot API counts against its limit. */
function visibleLength(html: string): number {
  return html.replace(/<[^>]+>/g, '').replace(/&(lt|gt|amp);/g, '_').length;
}

/** Blocks joined into as few messages as fit; a block is never cut (each stays below the limit). */
export function pack(blocks: string[], max = MESSAGE_MAX): string[] {
  const messages: string[] = [];
  let current = '';
  for (const block of blocks) {
    const joined = current ? `${current}\n\n${block}` : block;
    if (current && visibleLength(joined) > max) {
      messages.push(current);
      current = block;
    } else {
      current = joined;
    }
  }
  if (current) messages.push(current);
  return messages;
}

/** The thread, one block per message, with who wrote it and when (Jalali, Tehran time). */
export function threadBlocks(ctx: BotContext, view: ItemView, reader: 'admin' | 'owner'): string[] {
  return view.messages.map((m) => {
    let who: string;
    if (reader === 'owner') who = ctx.t(m.fromOffice ? 'feedback.thread.office' : 'feedback.thread.you');
    else if (m.fromOffice) who = ctx.t('feedback.thread.office_named', { name: escapeHtml(m.author ?? '—') });
    else who = m.author === null ? ctx.t('feedback.thread.anonymous_sender') : ctx.t('feedback.thread.sender_named', { name: escapeHtml(m.author) });
    const lines = [ctx.t('feedback.thread.header', { who, when: jalaliTime(ctx, m.createdAt) })];
    if (m.text) lines.push(escapeHtml(m.text));
    if (m.attachments.length) lines.push(ctx.t('feedback.thread.attachments', { n: digits(ctx, m.attachments.length) }));
    return lines.join('\n');
  });
}

export { send };
