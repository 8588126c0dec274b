/**
 * /recurring in the chat: the list of active rules with a cancel button each, and the form that makes a
 * new one (the message to repeat, yearly or monthly, the date, the time, a confirmation).
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import { ARG, callbackAction } from '../../../platform/bot/callback-data.js';
import type { BotContext } from '../../../platform/bot/context.js';
import { end, FormRunner, goto, stay, type FormStep } from '../../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, send, staleButton } from '../../../platform/bot/ui.js';
import { parseTime } from '../../../platform/text/jalali.js';
import { requireAdmin, staffOnly } from '../../staff/index.js';
import { mainMenu } from '../../start/index.js';
import { takeMessageSource, type MessageSource } from '../content-kind.js';
import { listText, ruleText } from './notices.js';
import { parseRecurrenceDate } from './rules.js';
import { Handlers } from '../../../platform/bot/handlers.js';

const CANCEL = callbackAction('rc_cancel', ARG.id);
const NEW = callbackAction('rc_new', /^go$/);

interface RecurringFormData extends MessageSource {
  rule?: 'YEARLY' | 'MONTHLY';
  month?: number | null;
  day?: number;
  hour?: number;
  minute?: number;
}

/** The rule the form has gathered (each step before the confirmation has set its part). */
function ruleOf(data: RecurringFormData) {
  return { rule: data.rule ?? 'MONTHLY', month: data.month ?? null, day: data.day ?? 1, hour: data.hour ?? 0, minute: data.minute ?? 0 };
}

const steps: FormStep<RecurringFormData>[] = [
  {
    id: 'message',
    wrongInputKey: 'recurring.unsupported_kind',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('recurring.ask_message'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
    },
    onMessage: async (ctx, message, data) => {
      return (await takeMessageSource(ctx, message, data, 'recurring.unsupported_kind')) ? goto('rule') : stay;
    },
  },
  {
    id: 'rule',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx) => {
      const button = (key: string, arg: string) => Markup.button.callback(ctx.t(key), recurringForm.callbackData('rule', arg));
      await ctx.reply(ctx.t('recurring.ask_rule'), Markup.inlineKeyboard([[button('recurring.yearly_button', 'yearly'), button('recurring.monthly_button', 'monthly')]]));
    },
    onCallback: async (ctx, arg, data) => {
      if (arg !== 'yearly' && arg !== 'monthly') return stay;
      data.rule = arg === 'yearly' ? 'YEARLY' : 'MONTHLY';
      await dropButtons(ctx);
      return goto('date');
    },
  },
  {
    id: 'date',
    ask: async (ctx, data) => {
      await ctx.reply(ctx.t(data.rule === 'YEARLY' ? 'recurring.ask_yearly_date' : 'recurring.ask_monthly_day'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const parsed = parseRecurrenceDate(text, data.rule === 'YEARLY' ? 'YEARLY' : 'MONTHLY');
      if (!parsed.ok) {
        await ctx.reply(ctx.t(`recurring.errors.date_${parsed.error}`));
        return stay;
      }
      data.month = parsed.value.month;
      data.day = parsed.value.day;
      return goto('time');
    },
  },
  {
    id: 'time',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('recurring.ask_time'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const time = parseTime(text);
      if (!time.ok) {
        await ctx.reply(ctx.t(`recurring.errors.time_${time.error}`));
        return stay;
      }
      data.hour = time.value.hour;
      data.minute = time.value.minute;
      return goto('confirm');
    },
  },
  {
    id: 'confirm',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx, data) => {
      const button = (key: string, arg: string) => Markup.button.callback(ctx.t(key), recurringForm.callbackData('confirm', arg));
      await ctx.reply(ctx.t('recurring.confirm', { rule: ruleText(ctx.t, ctx.fmt, ruleOf(data)) }), {
        parse_mode: 'HTML',
        ...Markup.inlineKeyboard([[button('recurring.form_confirm_button', 'yes'), button('recurring.form_cancel_button', 'no')]]),
      });
    },
    onCallback: async (ctx, arg, data) => {
      await dropButtons(ctx);
      if (arg !== 'yes') {
        await ctx.reply(ctx.t('recurring.form_cancelled'), mainMenu(ctx));
        return end;
      }
      const created = await ctx.services.recurring.create(ctx.user.id, {
        ...ruleOf(data),
        sourceChatId: BigInt(data.sourceChatId ?? 0),
        sourceMessageId: data.sourceMessageId ?? 0,
        contentKind: data.contentKind ?? 'text',
      });
      await ctx.reply(ctx.t('recurring.created', { id: ctx.fmt.digits(created.id), rule: ruleText(ctx.t, ctx.fmt, created) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
      return end;
    },
  },
];

export const recurringForm: FormRunner<RecurringFormData> = new FormRunner<RecurringFormData>({
  name: 'recurring',
  titleKey: 'recurring.title',
  prefix: 'rcf',
  steps,
  guard: staffOnly,
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

async function listView(ctx: BotContext) {
  const rows = await ctx.services.recurring.list(ctx.user.id);
  const buttons: InlineKeyboardButton[][] = rows.map((r) => [Markup.button.callback(ctx.t('recurring.cancel_button', { id: ctx.fmt.digits(r.id) }), CANCEL.data(r.id))]);
  buttons.push([Markup.button.callback(ctx.t('recurring.new_button'), NEW.data('go'))]);
  return { text: listText(ctx.t, ctx.fmt, rows), keyboard: Markup.inlineKeyboard(buttons).reply_markup };
}

export const recurringFeature = new Handlers<BotContext>();

recurringFeature.command('recurring', requireAdmin, async (ctx) => {
  const { text, keyboard } = await listView(ctx);
  await send(ctx, text, keyboard);
});

recurringFeature.action(NEW.trigger, requireAdmin, async (ctx) => {
  if (!NEW.parse(ctx) || !ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await recurringForm.start(ctx, {});
});

recurringFeature.action(CANCEL.trigger, requireAdmin, async (ctx) => {
  const parsed = CANCEL.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const row = await ctx.services.recurring.cancel(ctx.user.id, Number(parsed[0]));
  await ctx.answerCbQuery(ctx.t('recurring.cancelled', { id: ctx.fmt.digits(row.id) }));
  const { text, keyboard } = await listView(ctx);
  await editOrSend(ctx, text, keyboard);
});
