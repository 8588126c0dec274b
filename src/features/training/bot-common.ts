/** Small helpers shared by the training-need and course features (transport only, no rules). */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import { describeTime, digits } from './courses-service.js';
import { parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { mainMenu } from '../start/keyboards.js';

export const ID = /^[1-9]\d{0,8}$/;

export const num = (ctx: BotContext, n: number | string) => digits(ctx.lang, n);
export const when = (ctx: BotContext, date: Date) => describeTime(ctx.lang, date);

/**
 * Services put raw values in an AppError (a Date, a count); here they are written the way this user
 * reads them (Jalali, Persian digits) before the message is built.
 */
export function localized(ctx: BotContext, err: AppError): AppError {
  const params = Object.fromEntries(
    Object.entries(err.params).map(([k, v]) => [k, v instanceof Date ? when(ctx, v) : typeof v === 'number' ? num(ctx, v) : v]),
  );
  return new AppError(err.code, params);
}

/** Runs a use case; a refusal comes out ready for the error boundary in the user's language. */
export async function call<T>(ctx: BotContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError) throw localized(ctx, err);
    throw err;
  }
}

export function errorText(ctx: BotContext, err: AppError): string {
  const e = localized(ctx, err);
  return ctx.t(e.code, Object.fromEntries(Object.entries(e.params).map(([k, v]) => [k, escapeHtml(v)])));
}

/** In a form: a refused use case is explained and the form goes on or ends, instead of an alert. */
export async function replyRefusal(ctx: BotContext, err: unknown, options: { endForm?: boolean } = {}): Promise<void> {
  if (!(err instanceof AppError)) throw err;
  await ctx.reply(errorText(ctx, err), { parse_mode: 'HTML', ...(options.endForm ? mainMenu(ctx) : {}) });
}

export function argOf(ctx: BotContext, action: string, pattern: RegExp): string | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, action);
  return arg !== null && pattern.test(arg) ? arg : null;
}

export async function stale(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
}

function isNotModified(err: unknown): boolean {
  return String((err as { description?: unknown })?.description ?? '').includes('message is not modified');
}

/** Redraws the message a button was on; one that can no longer be edited gets a fresh copy. */
export async function redraw(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(text, extra);
      return;
    } catch (err) {
      if (isNotModified(err)) return;
      ctx.log.warn({ err }, 'could not edit a course message; sending it again');
    }
  }
  // A press that names no message has no chat either; in a private chat the chat is the user.
  if (ctx.chat) await ctx.reply(text, extra);
  else await ctx.telegram.sendMessage(String(ctx.user.id), text, extra);
}

export function rowsOf(buttons: InlineKeyboardButton[], perRow: number): InlineKeyboardButton[][] {
  const rows: InlineKeyboardButton[][] = [];
  for (let i = 0; i < buttons.length; i += perRow) rows.push(buttons.slice(i, i + perRow));
  return rows;
}

export function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

async function stillAdmin(ctx: BotContext): Promise<boolean> {
  if (await ctx.services.admins.roleOf(ctx.user.id)) return true;
  ctx.log.info({ userId: String(ctx.user.id) }, 'refused a course form step from a user who is no longer an admin');
  if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.not_admin'), { show_alert: true });
  await ctx.reply(ctx.t('common.errors.not_admin'), mainMenu(ctx));
  return false;
}

/** The form router bypasses requireAdmin, so each answer to an admin form re-reads the role. */
export function adminOnly(step: FormStep): FormStep {
  const wrap =
    <A extends unknown[]>(handler: ((ctx: BotContext, ...args: A) => Promise<StepOutcome>) | undefined) =>
    handler && (async (ctx: BotContext, ...args: A): Promise<StepOutcome> => ((await stillAdmin(ctx)) ? handler(ctx, ...args) : end));
  return { ...step, onText: wrap(step.onText), onCallback: wrap(step.onCallback), onMessage: wrap(step.onMessage) };
}
