/**
 * /new_deadline: a project of one NGO (NGO, title, amount, start, due: three months by default) or a
 * reporting deadline for a group (title, description, audience, date, time); then the reminder days and a
 * summary to confirm. Each answer is checked through the rules; the service checks everything again.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, goto, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, refusalText, rowsOf, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { jalaliToDate, parseJalaliDate, parseTime, startOfTehranDay, type JalaliDate, type TimeOfDay } from '../../platform/text/jalali.js';
import { validateText } from '../../platform/text/persian-text.js';
import { ngoPickerStep, type NgoPickerData } from '../ngos/index.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import type { DeadlineAudience } from './service.js';
import { defaultProjectDueDate, endOfTehranDay, parseReminderDays, parseTomanAmount, DEFAULT_REMINDER_DAYS } from './rules.js';
import { summaryText } from './screens.js';

export interface NewDeadlineData extends NgoPickerData {
  kind?: 'PROJECT' | 'GENERAL';
  ngoId?: number;
  ngoName?: string;
  title?: string;
  amount?: number;
  start?: JalaliDate;
  due?: JalaliDate;
  description?: string | null;
  audience: DeadlineAudience;
  time?: TimeOfDay;
  reminderDays: number[];
}

type Step = FormStep<NewDeadlineData>;

const isProject = (data: NewDeadlineData) => data.kind !== 'GENERAL';
const button = (label: string, step: string, arg: string) => Markup.button.callback(label, newDeadlineForm.callbackData(step, arg));

export function newDeadlineData(data: Partial<NewDeadlineData> = {}): NewDeadlineData {
  return { audience: { countyIds: [], fieldIds: [] }, reminderDays: [...DEFAULT_REMINDER_DAYS], ...data };
}

/** The service's clock, not the process's: "in the past" must mean the same here and in the service. */
const today = (ctx: BotContext) => startOfTehranDay(ctx.services.deadlines.now());

/** Persian date errors: the first wrong part of what was typed. */
async function explainDate(ctx: BotContext, error: string): Promise<StepOutcome> {
  await ctx.reply(ctx.t(`deadlines.form.errors.date_${error}`));
  return stay;
}

/** Replies with the key's text and stays on the step. */
async function refuse(ctx: BotContext, key: string): Promise<StepOutcome> {
  await ctx.reply(ctx.t(key));
  return stay;
}

const kindStep: Step = {
  id: 'kind',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    const keyboard = Markup.inlineKeyboard([[button(ctx.t('deadlines.form.kind_project'), 'kind', 'project')], [button(ctx.t('deadlines.form.kind_general'), 'kind', 'general')]]);
    await ctx.reply(ctx.t('deadlines.form.ask_kind'), { parse_mode: 'HTML', ...keyboard });
    await ctx.reply(ctx.t('deadlines.form.cancel_hint'), formKeyboard(ctx, { back: false }));
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'project' && arg !== 'general') return stay;
    data.kind = arg === 'project' ? 'PROJECT' : 'GENERAL';
    await dropButtons(ctx);
    return goto(arg === 'project' ? 'ngo' : 'title');
  },
};

/** The NGO picked (pressed under a search, or named by its number): it must be one a project can be recorded for. */
async function chooseNgo(ctx: BotContext, id: number, data: NewDeadlineData): Promise<StepOutcome> {
  try {
    const ngo = await ctx.services.deadlines.projectNgo(ctx.user.id, id);
    data.ngoId = ngo.id;
    data.ngoName = ngo.name;
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await ctx.reply(refusalText(ctx, err));
    return stay;
  }
  return goto('title');
}

/** Part of a name (or a number), then one of the approved NGOs that match, from the office's one search. */
const ngoStep: Step = ngoPickerStep<NewDeadlineData>({
  id: 'ngo',
  form: () => newDeadlineForm,
  askKey: 'deadlines.form.ask_ngo',
  statuses: ['APPROVED'],
  noMatchKey: 'deadlines.form.ngo_no_match',
  pick: chooseNgo,
});

const titleStep: Step = {
  id: 'title',
  ask: async (ctx, data) => {
    const key = isProject(data) ? 'deadlines.form.ask_project_title' : 'deadlines.form.ask_general_title';
    await ctx.reply(ctx.t(key, { ngo: escapeHtml(data.ngoName ?? '') }), { parse_mode: 'HTML', ...formKeyboard(ctx) });
  },
  onText: async (ctx, text, data) => {
    const title = validateText(text, { min: 3, max: 200 });
    if (!title.ok) return refuse(ctx, `deadlines.form.errors.title_${title.error}`);
    data.title = title.value;
    return goto(isProject(data) ? 'amount' : 'description');
  },
};

const amountStep: Step = {
  id: 'amount',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_amount'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const amount = parseTomanAmount(text);
    if (!amount.ok) return refuse(ctx, `deadlines.form.errors.amount_${amount.error}`);
    data.amount = amount.value;
    return goto('start');
  },
};

const startStep: Step = {
  id: 'start',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_start'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    if (!date.ok) return explainDate(ctx, date.error);
    data.start = date.value;
    return goto('due');
  },
};

/** A project's due date must not be before its start, and not over already: the error key, or null. */
function projectDueError(ctx: BotContext, start: JalaliDate, due: JalaliDate): string | null {
  if (jalaliToDate(due).getTime() < jalaliToDate(start).getTime()) return 'deadlines.errors.due_before_start';
  if (endOfTehranDay(due).getTime() < today(ctx).getTime()) return 'deadlines.errors.due_past';
  return null;
}

async function takeDue(ctx: BotContext, data: NewDeadlineData, due: JalaliDate): Promise<StepOutcome> {
  const error = projectDueError(ctx, data.start!, due);
  if (error) return refuse(ctx, error);
  data.due = due;
  return goto('reminders');
}

const dueStep: Step = {
  id: 'due',
  ask: async (ctx, data) => {
    const suggested = ctx.fmt.date(jalaliToDate(defaultProjectDueDate(data.start!)));
    const keyboard = Markup.inlineKeyboard([[button(ctx.t('deadlines.form.due_default_button', { date: suggested }), 'due', 'default')]]);
    await ctx.reply(ctx.t('deadlines.form.ask_due', { date: suggested }), { parse_mode: 'HTML', ...keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'default') return stay;
    const outcome = await takeDue(ctx, data, defaultProjectDueDate(data.start!));
    if (outcome !== stay) await dropButtons(ctx);
    return outcome;
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    return date.ok ? takeDue(ctx, data, date.value) : explainDate(ctx, date.error);
  },
};

const descriptionStep: Step = {
  id: 'description',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_description'), formKeyboard(ctx, { skip: true }));
  },
  onText: async (ctx, text, data) => {
    if (isLabel(ctx, 'forms.skip', text)) {
      data.description = null;
      return goto('audience');
    }
    const description = validateText(text, { min: 3, max: 1000, multiline: true });
    if (!description.ok) return refuse(ctx, `deadlines.form.errors.description_${description.error}`);
    data.description = description.value;
    return goto('audience');
  },
};

type AudienceView = 'main' | 'counties' | 'fields';

async function audienceMessage(ctx: BotContext, audience: DeadlineAudience, view: AudienceView) {
  const countyScoped = (await ctx.services.admins.roleOf(ctx.user.id)) === 'COUNTY_ADMIN';
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const names = (list: { id: number; name: string }[], ids: number[]) =>
    ids.length
      ? list
          .filter((x) => ids.includes(x.id))
          .map((x) => escapeHtml(x.name))
          .join('، ')
      : ctx.t('deadlines.form.all');
  const count = await ctx.services.deadlines.countAudience(ctx.user.id, audience);
  const text = [
    ctx.t('deadlines.form.audience_title'),
    '',
    countyScoped ? ctx.t('deadlines.form.audience_county_note') : ctx.t('deadlines.form.audience_counties', { value: names(counties, audience.countyIds) }),
    ctx.t('deadlines.form.audience_fields', { value: names(fields, audience.fieldIds) }),
    ctx.t('deadlines.form.audience_count', { n: ctx.fmt.number(count) }),
  ].join('\n');
  const choice = (label: string, arg: string) => button(label, 'audience', arg);
  const back = [choice(ctx.t('deadlines.form.back_to_audience'), 'main')];
  const ticked = (chosen: number[], id: number, name: string) => `${chosen.includes(id) ? '✅ ' : ''}${name}`;
  let rows: InlineKeyboardButton[][];
  if (view === 'counties') {
    rows = [...rowsOf(counties.map((c) => choice(ticked(audience.countyIds, c.id, c.name), `c${c.id}`)), 3), back];
  } else if (view === 'fields') {
    rows = [...rowsOf(fields.map((f) => choice(ticked(audience.fieldIds, f.id, f.name), `f${f.id}`)), 2), back];
  } else {
    rows = [
      [choice(ctx.t('deadlines.form.audience_all_button'), 'all')],
      [...(countyScoped ? [] : [choice(ctx.t('deadlines.form.audience_counties_button'), 'counties')]), choice(ctx.t('deadlines.form.audience_fields_button'), 'fields')],
      [choice(ctx.t('deadlines.form.continue_button'), 'done')],
    ];
  }
  return { text, keyboard: Markup.inlineKeyboard(rows).reply_markup };
}

const toggle = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);

const audienceStep: Step = {
  id: 'audience',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const { text, keyboard } = await audienceMessage(ctx, data.audience, 'main');
    await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    const audience = data.audience;
    if (arg === 'done') {
      if ((await ctx.services.deadlines.countAudience(ctx.user.id, audience)) === 0) {
        await ctx.answerCbQuery(ctx.t('deadlines.errors.no_ngos'), { show_alert: true });
        return stay;
      }
      await dropButtons(ctx);
      return goto('gdate');
    }
    const { counties, fields } = await ctx.services.ngos.referenceLists();
    const match = /^([cf])([1-9]\d{0,8})$/.exec(arg);
    const id = Number(match?.[2]);
    let view: AudienceView = 'main';
    if (arg === 'all') data.audience = { countyIds: [], fieldIds: [] };
    else if (arg === 'counties' || arg === 'fields') view = arg;
    else if (match?.[1] === 'c' && counties.some((c) => c.id === id)) {
      data.audience = { ...audience, countyIds: toggle(audience.countyIds, id) };
      view = 'counties';
    } else if (match?.[1] === 'f' && fields.some((f) => f.id === id)) {
      data.audience = { ...audience, fieldIds: toggle(audience.fieldIds, id) };
      view = 'fields';
    } else if (arg !== 'main') {
      await staleButton(ctx);
      return stay;
    }
    const { text, keyboard } = await audienceMessage(ctx, data.audience, view);
    await editOrSend(ctx, text, keyboard);
    return stay;
  },
};

const generalDateStep: Step = {
  id: 'gdate',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_general_date'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    if (!date.ok) return explainDate(ctx, date.error);
    if (endOfTehranDay(date.value).getTime() < today(ctx).getTime()) return refuse(ctx, 'deadlines.errors.due_past');
    data.due = date.value;
    return goto('gtime');
  },
};

const generalTimeStep: Step = {
  id: 'gtime',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_general_time'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const time = parseTime(text);
    if (!time.ok) return refuse(ctx, `deadlines.form.errors.time_${time.error}`);
    if (jalaliToDate(data.due!, time.value).getTime() <= ctx.services.deadlines.now().getTime()) {
      await ctx.reply(ctx.t('deadlines.errors.due_past'));
      return goto('gdate');
    }
    data.time = time.value;
    return goto('reminders');
  },
};

const remindersStep: Step = {
  id: 'reminders',
  ask: async (ctx) => {
    const keyboard = Markup.inlineKeyboard([[button(ctx.t('deadlines.form.reminders_default_button'), 'reminders', 'default')]]);
    await ctx.reply(ctx.t('deadlines.form.ask_reminders'), { parse_mode: 'HTML', ...keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'default') return stay;
    data.reminderDays = [...DEFAULT_REMINDER_DAYS];
    await dropButtons(ctx);
    return goto('summary');
  },
  onText: async (ctx, text, data) => {
    const days = parseReminderDays(text);
    if (!days.ok) return refuse(ctx, `deadlines.form.errors.reminders_${days.error}`);
    data.reminderDays = days.value;
    return goto('summary');
  },
};

/** Refusals about a date that time may have overtaken since it was typed: the date is asked again. */
const DATE_ERRORS = new Set(['deadlines.errors.due_past', 'deadlines.errors.due_before_start', 'deadlines.errors.date_invalid']);

function createDeadline(ctx: BotContext, data: NewDeadlineData) {
  const { deadlines } = ctx.services;
  if (isProject(data)) {
    const draft = { ngoId: data.ngoId!, title: data.title!, amountToman: data.amount!, startDate: data.start!, dueDate: data.due!, reminderDays: data.reminderDays };
    return deadlines.createProject(ctx.user.id, draft);
  }
  const draft = { title: data.title!, description: data.description ?? null, audience: data.audience, dueDate: data.due!, dueTime: data.time!, reminderDays: data.reminderDays };
  return deadlines.createGeneral(ctx.user.id, draft);
}

const summaryStep: Step = {
  id: 'summary',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const audienceCount = isProject(data) ? 0 : await ctx.services.deadlines.countAudience(ctx.user.id, data.audience);
    const keyboard = Markup.inlineKeyboard([[button(ctx.t('deadlines.form.confirm_button'), 'summary', 'confirm'), button(ctx.t('deadlines.form.cancel_button'), 'summary', 'cancel')]]);
    await ctx.reply(summaryText(ctx, data, audienceCount), { parse_mode: 'HTML', ...keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    await dropButtons(ctx);
    if (arg === 'cancel') {
      await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg !== 'confirm') return stay;
    let created;
    try {
      created = await createDeadline(ctx, data);
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(refusalText(ctx, err));
      if (DATE_ERRORS.has(err.code)) return goto(isProject(data) ? 'start' : 'gdate');
      await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
      return end;
    }
    // count picks the plural form (none, one NGO, several); n is the same count in the reader's digits.
    const values = { id: ctx.fmt.digits(created.id), count: created.targetCount, n: ctx.fmt.number(created.targetCount), title: escapeHtml(created.title) };
    await ctx.reply(ctx.t('deadlines.form.created', values), { parse_mode: 'HTML', ...mainMenu(ctx) });
    return end;
  },
};

export const newDeadlineForm: FormRunner<NewDeadlineData> = new FormRunner<NewDeadlineData>({
  name: 'new_deadline',
  titleKey: 'deadlines.form.title',
  prefix: 'nd',
  steps: [kindStep, ngoStep, titleStep, amountStep, startStep, dueStep, descriptionStep, audienceStep, generalDateStep, generalTimeStep, remindersStep, summaryStep],
  guard: staffOnly,
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});
