/** Pieces shared by the training forms: a refusal told inside a form, the topic list, and a course's start date and time. */
import { Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { mainMenu } from '../start/index.js';
import type { BotContext } from '../../platform/bot/context.js';
import { goto, next, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard } from '../../platform/bot/forms/keyboards.js';
import { refusalText, rowsOf, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { jalaliToDate, parseJalaliDate, parseJalaliDateTime, startOfTehranDay } from '../../platform/text/jalali.js';
import { normalizeInput } from '../../platform/text/persian-text.js';

/**
 * In a form a refusal is a message (also for a press: the form's next question follows it), and a
 * form that ends puts the main menu back.
 */
export async function replyRefusal(ctx: BotContext, err: unknown, options: { endForm?: boolean } = {}): Promise<void> {
  if (!(err instanceof AppError)) throw err;
  await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...(options.endForm ? mainMenu(ctx) : {}) });
}

/** A date and time typed in one message ('1405/09/10 18:00'); a bare date means the end of that day. */
export function parseDateTimeLine(text: string): { ok: true; value: Date } | { ok: false } {
  const parts = normalizeInput(text).split(' ');
  if (parts.length === 1) {
    const date = parseJalaliDate(parts[0]!);
    return date.ok ? { ok: true, value: jalaliToDate(date.value, { hour: 23, minute: 59 }) } : { ok: false };
  }
  if (parts.length !== 2) return { ok: false };
  const parsed = parseJalaliDateTime(parts[0]!, parts[1]!);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
}

/** What the start steps keep: the day as typed ('1405/9/2'), then the instant (ISO, as sessions hold JSON). */
export interface StartFields {
  startDate?: string;
  startsAt?: string;
}

/** The day a course starts; used by the new-course form and by rescheduling. */
export function startDateStep<D extends StartFields>(): FormStep<D> {
  return {
    id: 'date',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('courses.form.ask_date'), { parse_mode: 'HTML', ...formKeyboard(ctx) });
    },
    onText: async (ctx, text, data) => {
      const date = parseJalaliDate(text);
      if (!date.ok) {
        await ctx.reply(ctx.t(`courses.form.errors.date_${date.error}`));
        return stay;
      }
      // A day that is already over can have no start time left in it.
      if (jalaliToDate(date.value).getTime() < startOfTehranDay(ctx.services.courses.now()).getTime()) {
        await ctx.reply(ctx.t('courses.form.errors.date_past'));
        return stay;
      }
      data.startDate = `${date.value.jy}/${date.value.jm}/${date.value.jd}`;
      return next;
    },
  };
}

/** The time on that day; a time already past is refused. `after` decides what follows (next step by default). */
export function startTimeStep<D extends StartFields>(after?: (ctx: BotContext, startsAt: Date, data: D) => Promise<StepOutcome>): FormStep<D> {
  return {
    id: 'time',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('courses.form.ask_time'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const parsed = parseJalaliDateTime(data.startDate ?? '', text);
      if (!parsed.ok) {
        if (parsed.field === 'date') return goto('date');
        await ctx.reply(ctx.t(`courses.form.errors.time_${parsed.error}`));
        return stay;
      }
      if (parsed.value.getTime() <= ctx.services.courses.now().getTime()) {
        await ctx.reply(ctx.t('courses.errors.start_past'));
        return stay;
      }
      data.startsAt = parsed.value.toISOString();
      return after ? after(ctx, parsed.value, data) : next;
    },
  };
}

/** The active topics as buttons (`t<id>`), two a row, and one more choice (other, none) at the end. */
export async function topicKeyboard(ctx: BotContext, data: (arg: string) => string, last: { labelKey: string; arg: string }): Promise<InlineKeyboardMarkup> {
  const topics = await ctx.services.training.topics();
  const buttons = topics.map((t) => Markup.button.callback(t.name, data(`t${t.id}`)));
  buttons.push(Markup.button.callback(ctx.t(last.labelKey), data(last.arg)));
  return Markup.inlineKeyboard(rowsOf(buttons, 2)).reply_markup;
}

/** The topic a `t<id>` button names, while it is still on the list; a press on any other is answered as stale. */
export async function pickedTopic(ctx: BotContext, arg: string): Promise<{ id: number; name: string } | undefined> {
  const id = /^t([1-9]\d{0,8})$/.exec(arg)?.[1];
  const topic = id ? (await ctx.services.training.topics()).find((t) => t.id === Number(id)) : undefined;
  if (!topic) await staleButton(ctx);
  return topic;
}
