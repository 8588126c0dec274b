/**
 * Deadlines in the chat. NGO members: /deadlines (and the menu button) and "submit report" under every
 * notice and reminder. Office staff: /new_deadline (a project of one NGO, or a reporting deadline for a
 * group), /deadlines_admin and /deadline <id> (who is done, waiting, overdue; accept, extend, close),
 * /recurring (announcements repeated every Jalali year or month). The service decides, audits and tells
 * the people concerned; this layer asks, validates typed input through the domain, and re-checks the
 * admin's role on every answer and button.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup, Message } from 'telegraf/types';
import {
  jalaliToDate,
  parseJalaliDate,
  parseTime,
  startOfTehranDay,
  type JalaliDate,
} from '../../platform/text/jalali.js';
import { normalizeInput, toPersianDigits, validateText } from '../../platform/text/persian-text.js';
import {
  DEFAULT_REMINDER_DAYS,
  defaultProjectDueDate,
  endOfTehranDay,
  parseRecurrenceDate,
  parseReminderDays,
  parseTomanAmount,
} from './rules.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { jalali } from '../ngos/notices.js';
import { clip, DEADLINE_ACTIONS, type DeadlineAudience } from './service.js';
import { AppError } from '../../platform/errors.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, goto, stay, type FormData, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from '../start/keyboards.js';

const ACTIONS = { ...DEADLINE_ACTIONS, closeConfirm: 'dl_closeok', recurringCancel: 'rc_cancel', recurringNew: 'rc_new' } as const;
/** For a button on an NGO's card (`/ngo`): record an approved project for that NGO, its number already known. */
export const NEW_PROJECT_ACTION = 'dl_new';
const ID = /^[1-9]\d{0,8}$/;
const PAIR = /^([1-9]\d{0,8})-([1-9]\d{0,8})$/;
/** Lines of NGO names per group on a deadline's page before "and N more" (a message holds 4,096 characters). */
const PAGE_NAMES = 15;
/** How much of a report is shown in the chat; a longer one is cut (the document, if any, follows in full). */
const REPORT_VIEW_CHARS = 3000;
const PAGE_REPORT_BUTTONS = 10;

const num = (ctx: BotContext, n: number | string) => (ctx.lang === 'fa' ? toPersianDigits(n) : String(n));
const dateOf = (d: JalaliDate) => jalaliToDate(d);
const jalaliText = (ctx: BotContext, d: Date) => jalali(ctx.lang, d);

function argOf(ctx: BotContext, action: string, pattern: RegExp): RegExpExecArray | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, action);
  return arg === null ? null : pattern.exec(arg);
}

async function stale(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
}

/** Numbers in a refusal (a tracking number) read in the user's digits. */
function appErrorText(ctx: BotContext, err: AppError): string {
  return ctx.t(err.code, Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, typeof v === 'number' ? num(ctx, v) : escapeHtml(v)])));
}

/**
 * Removes the buttons under the message pressed. telegraf throws synchronously when the press carries no
 * message (too old, or forged), so a `.catch()` on the call would not catch it.
 */
async function dropButtons(ctx: BotContext): Promise<void> {
  try {
    await ctx.editMessageReplyMarkup(undefined);
  } catch {
    // nothing to edit: the answer still comes
  }
}

/** Redraws the message pressed; one that can no longer be edited gets a fresh copy. */
async function redraw(ctx: BotContext, text: string, keyboard: InlineKeyboardMarkup): Promise<void> {
  try {
    await ctx.editMessageText(text, { parse_mode: 'HTML', reply_markup: keyboard });
  } catch (err) {
    if (String((err as { description?: unknown })?.description ?? '').includes('message is not modified')) return;
    await send(ctx, text, keyboard);
  }
}

/** Replies in the private chat, also for a button on a message Telegram no longer attaches. */
async function send(ctx: BotContext, text: string, keyboard?: InlineKeyboardMarkup): Promise<void> {
  const extra = { parse_mode: 'HTML' as const, link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) };
  if (ctx.chat) await ctx.reply(text, extra);
  else await ctx.telegram.sendMessage(ctx.user.id.toString(), text, extra);
}

/** The service's clock, not the process's: "in the past" must mean the same here and in the service. */
function today(ctx: BotContext): Date {
  return startOfTehranDay(ctx.services.deadlines.now());
}

/** Persian date errors: the first wrong part of what was typed. */
async function explainDate(ctx: BotContext, error: string): Promise<StepOutcome> {
  await ctx.reply(ctx.t(`deadlines.form.errors.date_${error}`));
  return stay;
}

// ---- admin guard for forms --------------------------------------------------------------------------

async function stillAdmin(ctx: BotContext): Promise<boolean> {
  if (await ctx.services.admins.roleOf(ctx.user.id)) return true;
  ctx.log.info({ userId: String(ctx.user.id) }, 'refused a deadline form step from a user who is no longer an admin');
  if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.not_admin'), { show_alert: true });
  await ctx.reply(ctx.t('common.errors.not_admin'), mainMenu(ctx));
  return false;
}

/** The form router bypasses requireAdmin, so each answer checks the role itself. */
function adminOnly(step: FormStep): FormStep {
  const wrap =
    <A extends unknown[]>(handler: ((ctx: BotContext, ...args: A) => Promise<StepOutcome>) | undefined) =>
    handler && (async (ctx: BotContext, ...args: A): Promise<StepOutcome> => ((await stillAdmin(ctx)) ? handler(ctx, ...args) : end));
  return { ...step, onText: wrap(step.onText), onCallback: wrap(step.onCallback), onMessage: wrap(step.onMessage) };
}

// ---- /new_deadline ------------------------------------------------------------------------------------

const NEW = 'nd';
const ndCb = (step: string, arg: string) => `${NEW}:${step}.${arg}`;

interface Draft {
  kind: 'PROJECT' | 'GENERAL';
  ngoId?: number;
  ngoName?: string;
  title?: string;
  amount?: number;
  start?: JalaliDate;
  due?: JalaliDate;
  description?: string | null;
  audience: DeadlineAudience;
  time?: { hour: number; minute: number };
  reminderDays: number[];
}

function draftOf(data: FormData): Draft {
  const ints = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is number => Number.isInteger(x)) : []);
  const audience = (data.audience ?? {}) as Partial<DeadlineAudience>;
  return {
    kind: data.kind === 'GENERAL' ? 'GENERAL' : 'PROJECT',
    ngoId: typeof data.ngoId === 'number' ? data.ngoId : undefined,
    ngoName: typeof data.ngoName === 'string' ? data.ngoName : undefined,
    title: typeof data.title === 'string' ? data.title : undefined,
    amount: typeof data.amount === 'number' ? data.amount : undefined,
    start: data.start as JalaliDate | undefined,
    due: data.due as JalaliDate | undefined,
    description: typeof data.description === 'string' ? data.description : null,
    audience: { countyIds: ints(audience.countyIds), fieldIds: ints(audience.fieldIds) },
    time: data.time as Draft['time'],
    reminderDays: Array.isArray(data.reminderDays) ? ints(data.reminderDays) : [...DEFAULT_REMINDER_DAYS],
  };
}

const kindStep: FormStep = {
  id: 'kind',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_kind'), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('deadlines.form.kind_project'), ndCb('kind', 'project'))],
        [Markup.button.callback(ctx.t('deadlines.form.kind_general'), ndCb('kind', 'general'))],
      ]),
    });
    await ctx.reply(ctx.t('deadlines.form.cancel_hint'), formKeyboard(ctx, { back: false }));
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'project' && arg !== 'general') return stay;
    data.kind = arg === 'project' ? 'PROJECT' : 'GENERAL';
    await dropButtons(ctx);
    return goto(arg === 'project' ? 'ngo' : 'title');
  },
};

const ngoStep: FormStep = {
  id: 'ngo',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_ngo'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const id = normalizeInput(text).replace(/^#/, '');
    if (!ID.test(id)) {
      await ctx.reply(ctx.t('deadlines.form.errors.ngo_id'));
      return stay;
    }
    try {
      const ngo = await ctx.services.deadlines.projectNgo(ctx.user.id, Number(id));
      data.ngoId = ngo.id;
      data.ngoName = ngo.name;
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(appErrorText(ctx, err));
      return stay;
    }
    return goto('title');
  },
};

const titleStep: FormStep = {
  id: 'title',
  ask: async (ctx, data) => {
    const key = draftOf(data).kind === 'PROJECT' ? 'deadlines.form.ask_project_title' : 'deadlines.form.ask_general_title';
    await ctx.reply(ctx.t(key, { ngo: escapeHtml(String(data.ngoName ?? '')) }), { parse_mode: 'HTML', ...formKeyboard(ctx) });
  },
  onText: async (ctx, text, data) => {
    const title = validateText(text, { min: 3, max: 200 });
    if (!title.ok) {
      await ctx.reply(ctx.t(`deadlines.form.errors.title_${title.error}`));
      return stay;
    }
    data.title = title.value;
    return goto(draftOf(data).kind === 'PROJECT' ? 'amount' : 'description');
  },
};

const amountStep: FormStep = {
  id: 'amount',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_amount'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const amount = parseTomanAmount(text);
    if (!amount.ok) {
      await ctx.reply(ctx.t(`deadlines.form.errors.amount_${amount.error}`));
      return stay;
    }
    data.amount = amount.value;
    return goto('start');
  },
};

const startStep: FormStep = {
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

/** A project's due date must not be before its start, and not over already. */
async function checkProjectDue(ctx: BotContext, start: JalaliDate, due: JalaliDate): Promise<boolean> {
  if (dateOf(due).getTime() < dateOf(start).getTime()) {
    await ctx.reply(ctx.t('deadlines.errors.due_before_start'));
    return false;
  }
  if (endOfTehranDay(due).getTime() < today(ctx).getTime()) {
    await ctx.reply(ctx.t('deadlines.errors.due_past'));
    return false;
  }
  return true;
}

const dueStep: FormStep = {
  id: 'due',
  ask: async (ctx, data) => {
    const start = draftOf(data).start!;
    const suggested = defaultProjectDueDate(start);
    await ctx.reply(ctx.t('deadlines.form.ask_due', { date: jalaliText(ctx, dateOf(suggested)) }), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.form.due_default_button', { date: jalaliText(ctx, dateOf(suggested)) }), ndCb('due', 'default'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'default') return stay;
    const start = draftOf(data).start!;
    const due = defaultProjectDueDate(start);
    if (!(await checkProjectDue(ctx, start, due))) return stay;
    data.due = due;
    await dropButtons(ctx);
    return goto('reminders');
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    if (!date.ok) return explainDate(ctx, date.error);
    if (!(await checkProjectDue(ctx, draftOf(data).start!, date.value))) return stay;
    data.due = date.value;
    return goto('reminders');
  },
};

const descriptionStep: FormStep = {
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
    if (!description.ok) {
      await ctx.reply(ctx.t(`deadlines.form.errors.description_${description.error}`));
      return stay;
    }
    data.description = description.value;
    return goto('audience');
  },
};

type AudienceView = 'main' | 'counties' | 'fields';

async function audienceMessage(ctx: BotContext, audience: DeadlineAudience, view: AudienceView) {
  const countyScoped = (await ctx.services.admins.roleOf(ctx.user.id)) === 'COUNTY_ADMIN';
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const names = (list: { id: number; name: string }[], ids: number[]) =>
    list
      .filter((x) => ids.includes(x.id))
      .map((x) => escapeHtml(x.name))
      .join('، ');
  const count = await ctx.services.deadlines.countAudience(ctx.user.id, audience);
  const text = [
    ctx.t('deadlines.form.audience_title'),
    '',
    countyScoped
      ? ctx.t('deadlines.form.audience_county_note')
      : ctx.t('deadlines.form.audience_counties', { value: audience.countyIds.length ? names(counties, audience.countyIds) : ctx.t('deadlines.form.all') }),
    ctx.t('deadlines.form.audience_fields', { value: audience.fieldIds.length ? names(fields, audience.fieldIds) : ctx.t('deadlines.form.all') }),
    ctx.t('deadlines.form.audience_count', { n: num(ctx, count) }),
  ].join('\n');
  const button = (label: string, arg: string) => Markup.button.callback(label, ndCb('audience', arg));
  const rowsOf = (buttons: InlineKeyboardButton[], per: number) => {
    const rows: InlineKeyboardButton[][] = [];
    for (let i = 0; i < buttons.length; i += per) rows.push(buttons.slice(i, i + per));
    return rows;
  };
  let rows: InlineKeyboardButton[][];
  if (view === 'counties') {
    rows = [...rowsOf(counties.map((c) => button(`${audience.countyIds.includes(c.id) ? '✅ ' : ''}${c.name}`, `c${c.id}`)), 3), [button(ctx.t('deadlines.form.back_to_audience'), 'main')]];
  } else if (view === 'fields') {
    rows = [...rowsOf(fields.map((f) => button(`${audience.fieldIds.includes(f.id) ? '✅ ' : ''}${f.name}`, `f${f.id}`)), 2), [button(ctx.t('deadlines.form.back_to_audience'), 'main')]];
  } else {
    rows = [
      [button(ctx.t('deadlines.form.audience_all_button'), 'all')],
      [...(countyScoped ? [] : [button(ctx.t('deadlines.form.audience_counties_button'), 'counties')]), button(ctx.t('deadlines.form.audience_fields_button'), 'fields')],
      [button(ctx.t('deadlines.form.continue_button'), 'done')],
    ];
  }
  return { text, keyboard: Markup.inlineKeyboard(rows).reply_markup, count };
}

const audienceStep: FormStep = {
  id: 'audience',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const { text, keyboard } = await audienceMessage(ctx, draftOf(data).audience, 'main');
    await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    const audience = draftOf(data).audience;
    const toggle = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
    let view: AudienceView = 'main';
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
    if (arg === 'all') data.audience = { countyIds: [], fieldIds: [] };
    else if (arg === 'counties' || arg === 'fields') view = arg;
    else if (match?.[1] === 'c' && counties.some((c) => c.id === Number(match[2]))) {
      data.audience = { ...audience, countyIds: toggle(audience.countyIds, Number(match[2])) };
      view = 'counties';
    } else if (match?.[1] === 'f' && fields.some((f) => f.id === Number(match[2]))) {
      data.audience = { ...audience, fieldIds: toggle(audience.fieldIds, Number(match[2])) };
      view = 'fields';
    } else if (arg !== 'main') {
      await stale(ctx);
      return stay;
    }
    const { text, keyboard } = await audienceMessage(ctx, draftOf(data).audience, view);
    await redraw(ctx, text, keyboard);
    return stay;
  },
};

const generalDateStep: FormStep = {
  id: 'gdate',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_general_date'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const date = parseJalaliDate(text);
    if (!date.ok) return explainDate(ctx, date.error);
    if (endOfTehranDay(date.value).getTime() < today(ctx).getTime()) {
      await ctx.reply(ctx.t('deadlines.errors.due_past'));
      return stay;
    }
    data.due = date.value;
    return goto('gtime');
  },
};

const generalTimeStep: FormStep = {
  id: 'gtime',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_general_time'), formKeyboard(ctx));
  },
  onText: async (ctx, text, data) => {
    const time = parseTime(text);
    if (!time.ok) {
      await ctx.reply(ctx.t(`deadlines.form.errors.time_${time.error}`));
      return stay;
    }
    if (jalaliToDate(draftOf(data).due!, time.value).getTime() <= ctx.services.deadlines.now().getTime()) {
      await ctx.reply(ctx.t('deadlines.errors.due_past'));
      return goto('gdate');
    }
    data.time = time.value;
    return goto('reminders');
  },
};

const remindersStep: FormStep = {
  id: 'reminders',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('deadlines.form.ask_reminders'), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.form.reminders_default_button'), ndCb('reminders', 'default'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'default') return stay;
    data.reminderDays = [...DEFAULT_REMINDER_DAYS];
    await dropButtons(ctx);
    return goto('summary');
  },
  onText: async (ctx, text, data) => {
    const days = parseReminderDays(text);
    if (!days.ok) {
      await ctx.reply(ctx.t(`deadlines.form.errors.reminders_${days.error}`));
      return stay;
    }
    data.reminderDays = days.value;
    return goto('summary');
  },
};

async function summaryText(ctx: BotContext, draft: Draft): Promise<string> {
  const deadlines = ctx.services.deadlines;
  const days = draft.reminderDays.map((d) => num(ctx, d)).join('، ');
  if (draft.kind === 'PROJECT') {
    return [
      ctx.t('deadlines.form.summary_title'),
      '',
      ctx.t('deadlines.form.summary_kind', { value: ctx.t('deadlines.kind.PROJECT') }),
      ctx.t('deadlines.form.summary_ngo', { value: escapeHtml(draft.ngoName ?? ''), id: num(ctx, draft.ngoId ?? 0) }),
      ctx.t('deadlines.facts.title', { title: escapeHtml(draft.title ?? '') }),
      ctx.t('deadlines.facts.amount', { value: deadlines.amountText(ctx.lang, draft.amount ?? 0) }),
      ctx.t('deadlines.facts.start', { value: jalaliText(ctx, dateOf(draft.start!)) }),
      ctx.t('deadlines.form.summary_due', { value: jalaliText(ctx, dateOf(draft.due!)) }),
      ctx.t('deadlines.form.summary_reminders', { value: days }),
    ].join('\n');
  }
  const dueAt = jalaliToDate(draft.due!, draft.time!);
  const count = await deadlines.countAudience(ctx.user.id, draft.audience);
  return [
    ctx.t('deadlines.form.summary_title'),
    '',
    ctx.t('deadlines.form.summary_kind', { value: ctx.t('deadlines.kind.GENERAL') }),
    ctx.t('deadlines.facts.title', { title: escapeHtml(draft.title ?? '') }),
    draft.description ? ctx.t('deadlines.form.summary_description', { value: escapeHtml(draft.description) }) : null,
    ctx.t('deadlines.form.summary_due', { value: deadlines.dueText(ctx.lang, { kind: 'GENERAL', dueAt }) }),
    ctx.t('deadlines.form.audience_count', { n: num(ctx, count) }),
    ctx.t('deadlines.form.summary_reminders', { value: days }),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
}

const DATE_ERRORS = new Set(['deadlines.errors.due_past', 'deadlines.errors.due_before_start', 'deadlines.errors.date_invalid']);

const summaryStep: FormStep = {
  id: 'summary',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    await ctx.reply(await summaryText(ctx, draftOf(data)), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.form.confirm_button'), ndCb('summary', 'confirm')), Markup.button.callback(ctx.t('deadlines.form.cancel_button'), ndCb('summary', 'cancel'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    await dropButtons(ctx);
    if (arg === 'cancel') {
      await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
      return end;
    }
    if (arg !== 'confirm') return stay;
    const draft = draftOf(data);
    let created;
    try {
      created =
        draft.kind === 'PROJECT'
          ? await ctx.services.deadlines.createProject(ctx.user.id, {
              ngoId: draft.ngoId!,
              title: draft.title!,
              amountToman: draft.amount!,
              startDate: draft.start!,
              dueDate: draft.due!,
              reminderDays: draft.reminderDays,
            })
          : await ctx.services.deadlines.createGeneral(ctx.user.id, {
              title: draft.title!,
              description: draft.description ?? null,
              audience: draft.audience,
              dueDate: draft.due!,
              dueTime: draft.time!,
              reminderDays: draft.reminderDays,
            });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      await ctx.reply(appErrorText(ctx, err));
      // Time has passed since the date was typed: ask it again; other refusals end the form.
      if (DATE_ERRORS.has(err.code)) return goto(draft.kind === 'PROJECT' ? 'start' : 'gdate');
      await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
      return end;
    }
    await ctx.reply(
      ctx.t('deadlines.form.created', { id: num(ctx, created.id), n: num(ctx, created.targetCount), title: escapeHtml(created.title) }),
      { parse_mode: 'HTML', ...mainMenu(ctx) },
    );
    return end;
  },
};

export const newDeadlineForm = new FormRunner({
  name: 'new_deadline',
  titleKey: 'deadlines.form.title',
  prefix: NEW,
  steps: [kindStep, ngoStep, titleStep, amountStep, startStep, dueStep, descriptionStep, audienceStep, generalDateStep, generalTimeStep, remindersStep, summaryStep].map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- the NGO's report ---------------------------------------------------------------------------------

const REPORT = 'dr';

async function submit(ctx: BotContext, data: FormData, file: { fileId: string; fileName: string | null } | null): Promise<StepOutcome> {
  try {
    const result = await ctx.services.deadlines.submitReport(ctx.user.id, Number(data.deadlineId), {
      text: String(data.text ?? ''),
      fileId: file?.fileId ?? null,
      fileName: file?.fileName ?? null,
    });
    await ctx.reply(ctx.t(result.resubmitted ? 'deadlines.report.resubmitted' : 'deadlines.report.submitted', { title: escapeHtml(result.title) }), {
      parse_mode: 'HTML',
      ...mainMenu(ctx),
    });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await ctx.reply(appErrorText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
  }
  return end;
}

export const reportForm = new FormRunner({
  name: 'deadline_report',
  titleKey: 'deadlines.report.title',
  prefix: REPORT,
  steps: [
    {
      id: 'text',
      wrongInputKey: 'deadlines.report.text_required',
      ask: async (ctx, data) => {
        await ctx.reply(ctx.t('deadlines.report.ask_text', { title: escapeHtml(String(data.title ?? '')) }), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
      },
      onText: async (ctx, text, data) => {
        const report = validateText(text, { min: 3, max: 3500, multiline: true });
        if (!report.ok) {
          await ctx.reply(ctx.t(report.error === 'too_long' ? 'deadlines.errors.report_too_long' : 'deadlines.errors.report_text'));
          return stay;
        }
        data.text = report.value;
        return goto('file');
      },
    },
    {
      id: 'file',
      ask: async (ctx) => {
        await ctx.reply(ctx.t('deadlines.report.ask_file'), formKeyboard(ctx, { skip: true }));
      },
      onMessage: async (ctx, message: Message, data) => {
        if ('text' in message && isLabel(ctx, 'forms.skip', message.text)) return submit(ctx, data, null);
        if ('document' in message) return submit(ctx, data, { fileId: message.document.file_id, fileName: message.document.file_name ?? null });
        await ctx.reply(ctx.t('deadlines.report.file_expected'));
        return stay;
      },
    },
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- extension ----------------------------------------------------------------------------------------

const extendForm = new FormRunner({
  name: 'deadline_extend',
  titleKey: 'deadlines.extend.title',
  prefix: 'dx',
  steps: [
    adminOnly({
      id: 'date',
      ask: async (ctx, data) => {
        await ctx.reply(ctx.t('deadlines.extend.ask_date', { title: escapeHtml(String(data.title ?? '')), due: escapeHtml(String(data.due ?? '')) }), {
          parse_mode: 'HTML',
          ...formKeyboard(ctx, { back: false }),
        });
      },
      onText: async (ctx, text, data) => {
        const date = parseJalaliDate(text);
        if (!date.ok) return explainDate(ctx, date.error);
        try {
          const deadline = await ctx.services.deadlines.extend(ctx.user.id, Number(data.deadlineId), date.value);
          await ctx.reply(
            ctx.t('deadlines.extend.done', { title: escapeHtml(deadline.title), due: ctx.services.deadlines.dueText(ctx.lang, deadline) }),
            { parse_mode: 'HTML', ...mainMenu(ctx) },
          );
          return end;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          await ctx.reply(appErrorText(ctx, err));
          // A date in the past or not later: another date may do; anything else ends the form.
          if (err.code === 'deadlines.errors.due_past' || err.code === 'deadlines.errors.extend_not_later' || err.code === 'deadlines.errors.date_invalid') return stay;
          await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
          return end;
        }
      },
    }),
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- /recurring ---------------------------------------------------------------------------------------

const RC = 'rcf';
const rcCb = (step: string, arg: string) => `${RC}:${step}.${arg}`;

function contentKindOf(message: Message): string | null {
  if ('text' in message) return 'text';
  if ('photo' in message) return 'photo';
  if ('animation' in message || 'video' in message) return 'video';
  if ('document' in message) return 'document';
  return null;
}

function ruleText(ctx: BotContext, r: { rule: string; month: number | null; day: number; hour: number; minute: number }): string {
  const time = num(ctx, `${String(r.hour).padStart(2, '0')}:${String(r.minute).padStart(2, '0')}`);
  if (r.rule === 'YEARLY') {
    const month = ctx.t(`deadlines.months.${r.month ?? 1}`);
    return ctx.t('deadlines.recurring.rule_yearly', { day: num(ctx, r.day), month, time });
  }
  return ctx.t('deadlines.recurring.rule_monthly', { day: num(ctx, r.day), time });
}

const recurringSteps: FormStep[] = [
  {
    id: 'message',
    wrongInputKey: 'deadlines.recurring.unsupported_kind',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('deadlines.recurring.ask_message'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
    },
    onMessage: async (ctx, message, data) => {
      const kind = contentKindOf(message);
      if (!kind) {
        await ctx.reply(ctx.t('deadlines.recurring.unsupported_kind'));
        return stay;
      }
      data.sourceChatId = message.chat.id;
      data.sourceMessageId = message.message_id;
      data.contentKind = kind;
      return goto('rule');
    },
  },
  {
    id: 'rule',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx) => {
      await ctx.reply(ctx.t('deadlines.recurring.ask_rule'), {
        ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.recurring.yearly_button'), rcCb('rule', 'yearly')), Markup.button.callback(ctx.t('deadlines.recurring.monthly_button'), rcCb('rule', 'monthly'))]]),
      });
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
      await ctx.reply(ctx.t(data.rule === 'YEARLY' ? 'deadlines.recurring.ask_yearly_date' : 'deadlines.recurring.ask_monthly_day'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const rule = data.rule === 'YEARLY' ? 'YEARLY' : 'MONTHLY';
      const parsed = parseRecurrenceDate(text, rule);
      if (!parsed.ok) {
        await ctx.reply(ctx.t(`deadlines.recurring.errors.date_${parsed.error}`));
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
      await ctx.reply(ctx.t('deadlines.recurring.ask_time'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const time = parseTime(text);
      if (!time.ok) {
        await ctx.reply(ctx.t(`deadlines.form.errors.time_${time.error}`));
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
      const rule = { rule: String(data.rule), month: (data.month as number | null) ?? null, day: Number(data.day), hour: Number(data.hour), minute: Number(data.minute) };
      await ctx.reply(ctx.t('deadlines.recurring.confirm', { rule: ruleText(ctx, rule) }), {
        parse_mode: 'HTML',
        ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.form.confirm_button'), rcCb('confirm', 'yes')), Markup.button.callback(ctx.t('deadlines.form.cancel_button'), rcCb('confirm', 'no'))]]),
      });
    },
    onCallback: async (ctx, arg, data) => {
      await dropButtons(ctx);
      if (arg !== 'yes') {
        await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
        return end;
      }
      const created = await ctx.services.deadlines.createRecurring(ctx.user.id, {
        sourceChatId: BigInt(Number(data.sourceChatId)),
        sourceMessageId: Number(data.sourceMessageId),
        contentKind: String(data.contentKind),
        rule: data.rule === 'YEARLY' ? 'YEARLY' : 'MONTHLY',
        month: (data.month as number | null) ?? null,
        day: Number(data.day),
        hour: Number(data.hour),
        minute: Number(data.minute),
      });
      await ctx.reply(ctx.t('deadlines.recurring.created', { id: num(ctx, created.id), rule: ruleText(ctx, created) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
      return end;
    },
  },
];

export const recurringForm = new FormRunner({
  name: 'recurring',
  titleKey: 'deadlines.recurring.title',
  prefix: RC,
  steps: recurringSteps.map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Forms of this feature, for the form router. */
export const deadlineForms: FormRunner[] = [newDeadlineForm, reportForm, extendForm, recurringForm];

// ---- rendering ----------------------------------------------------------------------------------------

type MemberList = Awaited<ReturnType<BotContext['services']['deadlines']['listForMember']>>;

function memberListView(ctx: BotContext, list: MemberList) {
  const d = ctx.services.deadlines;
  if (list.items.length === 0) return { text: ctx.t('deadlines.ngo.empty', { ngo: escapeHtml(list.ngo.name) }), keyboard: undefined };
  const lines = list.items.map((item, i) =>
    ctx.t('deadlines.ngo.item', {
      n: num(ctx, i + 1),
      title: escapeHtml(clip(item.title, 80)),
      kind: ctx.t(`deadlines.kind.${item.kind}`),
      due: d.dueText(ctx.lang, item),
      left: d.leftText(ctx.lang, item.dueAt, list.now),
      status: ctx.t(`deadlines.ngo.status.${item.targetStatus}`),
    }),
  );
  const buttons = list.items
    .filter((item) => item.targetStatus !== 'ACCEPTED')
    .map((item) => [
      Markup.button.callback(
        ctx.t(item.targetStatus === 'SUBMITTED' ? 'deadlines.ngo.resubmit_for' : 'deadlines.ngo.submit_for', { title: clip(item.title, 40) }),
        callbackData(ACTIONS.submit, item.id),
      ),
    ]);
  return {
    text: [ctx.t('deadlines.ngo.title', { ngo: escapeHtml(list.ngo.name) }), '', ...lines].join('\n'),
    keyboard: buttons.length ? Markup.inlineKeyboard(buttons).reply_markup : undefined,
  };
}

async function adminListView(ctx: BotContext) {
  const rows = await ctx.services.deadlines.listForAdmin(ctx.user.id);
  if (rows.length === 0) return { text: ctx.t('deadlines.admin.list_empty'), keyboard: undefined };
  const d = ctx.services.deadlines;
  const lines = rows.map((r) =>
    ctx.t('deadlines.admin.list_item', {
      id: num(ctx, r.id),
      title: escapeHtml(clip(r.title, 60)),
      kind: ctx.t(`deadlines.kind.${r.kind}`),
      due: d.dueText(ctx.lang, r),
      left: d.leftText(ctx.lang, r.dueAt, r.now),
      accepted: num(ctx, r.accepted),
      submitted: num(ctx, r.submitted),
      pending: num(ctx, r.pending),
      overdue: num(ctx, r.overdue),
    }),
  );
  const buttons = rows.map((r) => [Markup.button.callback(`${num(ctx, r.id)}. ${clip(r.title, 40)}`, callbackData(ACTIONS.view, r.id))]);
  return { text: [ctx.t('deadlines.admin.list_title'), '', ...lines].join('\n\n'), keyboard: Markup.inlineKeyboard(buttons).reply_markup };
}

async function adminPageView(ctx: BotContext, deadlineId: number) {
  const page = await ctx.services.deadlines.pageForAdmin(ctx.user.id, deadlineId);
  const { deadline, targets, now, overdue } = page;
  const d = ctx.services.deadlines;
  const group = (status: 'ACCEPTED' | 'SUBMITTED' | 'PENDING') => targets.filter((x) => x.status === status);
  const names = (list: typeof targets) => {
    const shown = list.slice(0, PAGE_NAMES).map((x) => `  • ${escapeHtml(clip(x.ngo.name, 50))} (${escapeHtml(x.ngo.county.name)})`);
    if (list.length > PAGE_NAMES) shown.push(`  ${ctx.t('deadlines.admin.more', { n: num(ctx, list.length - PAGE_NAMES) })}`);
    return shown;
  };
  const section = (key: string, list: typeof targets) => (list.length ? [ctx.t(key, { n: num(ctx, list.length) }), ...names(list)] : []);
  const project = deadline.kind === 'PROJECT';
  const lines = [
    ctx.t('deadlines.admin.page_title', { id: num(ctx, deadline.id), title: escapeHtml(deadline.title) }),
    ctx.t('deadlines.admin.page_kind', { value: ctx.t(`deadlines.kind.${deadline.kind}`) }),
    project && deadline.amountToman ? ctx.t('deadlines.facts.amount', { value: d.amountText(ctx.lang, deadline.amountToman) }) : null,
    project && deadline.startsAt ? ctx.t('deadlines.facts.start', { value: jalaliText(ctx, deadline.startsAt) }) : null,
    ctx.t('deadlines.facts.due', { value: d.dueText(ctx.lang, deadline), left: d.leftText(ctx.lang, deadline.dueAt, now) }),
    deadline.description ? escapeHtml(deadline.description) : null,
    ctx.t(`deadlines.admin.page_status_${deadline.status}`),
    '',
    ...section('deadlines.admin.group_accepted', group('ACCEPTED')),
    ...section('deadlines.admin.group_submitted', group('SUBMITTED')),
    ...section(overdue ? 'deadlines.admin.group_overdue' : 'deadlines.admin.group_pending', group('PENDING')),
  ].filter((l): l is string => l !== null);
  const rows: InlineKeyboardButton[][] = group('SUBMITTED')
    .slice(0, PAGE_REPORT_BUTTONS)
    .map((x) => [Markup.button.callback(ctx.t('deadlines.admin.report_button', { ngo: clip(x.ngo.name, 40) }), callbackData(ACTIONS.report, `${deadline.id}-${x.ngoId}`))]);
  if (deadline.status === 'OPEN') {
    rows.push([
      Markup.button.callback(ctx.t('deadlines.admin.extend_button'), callbackData(ACTIONS.extend, deadline.id)),
      Markup.button.callback(ctx.t('deadlines.admin.close_button'), callbackData(ACTIONS.close, deadline.id)),
    ]);
  }
  return { text: lines.join('\n'), keyboard: rows.length ? Markup.inlineKeyboard(rows).reply_markup : undefined };
}

// ---- handlers -----------------------------------------------------------------------------------------

export const deadlinesFeature = new Composer<BotContext>();

/** Members see their NGO's deadlines; staff without an NGO get the office's list instead. */
async function showMemberDeadlines(ctx: BotContext): Promise<void> {
  if (!(await ctx.services.ngos.membershipOf(ctx.user.id)) && (await ctx.services.admins.roleOf(ctx.user.id))) {
    const { text, keyboard } = await adminListView(ctx);
    await send(ctx, text, keyboard);
    return;
  }
  const list = await ctx.services.deadlines.listForMember(ctx.user.id);
  const { text, keyboard } = memberListView(ctx, list);
  await send(ctx, text, keyboard);
}

deadlinesFeature.command('deadlines', showMemberDeadlines);
deadlinesFeature.hears(labelTrigger('menu.deadlines'), showMemberDeadlines);

deadlinesFeature.action(actionTrigger(ACTIONS.submit), async (ctx) => {
  const match = argOf(ctx, ACTIONS.submit, ID);
  if (!match) return stale(ctx);
  // Checked before the form starts, so a stranger or a closed deadline is told at once; checked again on submit.
  const target = await ctx.services.deadlines.reportable(ctx.user.id, Number(match[0]));
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await reportForm.start(ctx, { deadlineId: target.id, title: target.title });
});

deadlinesFeature.command('new_deadline', requireAdmin, async (ctx) => {
  await newDeadlineForm.start(ctx, { audience: { countyIds: [], fieldIds: [] }, reminderDays: [...DEFAULT_REMINDER_DAYS] });
});

deadlinesFeature.action(actionTrigger(NEW_PROJECT_ACTION), requireAdmin, async (ctx) => {
  const match = argOf(ctx, NEW_PROJECT_ACTION, ID);
  if (!match) return stale(ctx);
  const ngo = await ctx.services.deadlines.projectNgo(ctx.user.id, Number(match[0]));
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await newDeadlineForm.start(
    ctx,
    { kind: 'PROJECT', ngoId: ngo.id, ngoName: ngo.name, audience: { countyIds: [], fieldIds: [] }, reminderDays: [...DEFAULT_REMINDER_DAYS] },
    'title',
  );
});

deadlinesFeature.command('deadlines_admin', requireAdmin, async (ctx) => {
  const { text, keyboard } = await adminListView(ctx);
  await send(ctx, text, keyboard);
});

deadlinesFeature.command('deadline', requireAdmin, async (ctx) => {
  const id = normalizeInput(ctx.payload).replace(/^#/, '');
  if (!ID.test(id)) throw new AppError('deadlines.admin.usage');
  const { text, keyboard } = await adminPageView(ctx, Number(id));
  await send(ctx, text, keyboard);
});

deadlinesFeature.action(actionTrigger(ACTIONS.view), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.view, ID);
  if (!match) return stale(ctx);
  const { text, keyboard } = await adminPageView(ctx, Number(match[0]));
  await send(ctx, text, keyboard);
  await ctx.answerCbQuery();
});

deadlinesFeature.action(actionTrigger(ACTIONS.report), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.report, PAIR);
  if (!match) return stale(ctx);
  const { deadline, target } = await ctx.services.deadlines.reportForAdmin(ctx.user.id, Number(match[1]), Number(match[2]));
  const text = [
    ctx.t('deadlines.admin.report_title', { ngo: escapeHtml(target.ngo.name), county: escapeHtml(target.ngo.county.name), title: escapeHtml(deadline.title) }),
    target.submittedAt ? ctx.t('deadlines.admin.report_submitted_at', { value: jalaliText(ctx, target.submittedAt) }) : null,
    ctx.t(`deadlines.ngo.status.${target.status}`),
    '',
    escapeHtml(clip(target.reportText ?? '', REPORT_VIEW_CHARS)),
  ]
    .filter((l): l is string => l !== null)
    .join('\n');
  const keyboard =
    target.status === 'SUBMITTED' && deadline.status === 'OPEN'
      ? Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.admin.accept_button'), callbackData(ACTIONS.accept, `${deadline.id}-${target.ngoId}`))]]).reply_markup
      : undefined;
  await send(ctx, text, keyboard);
  if (target.reportFileId) {
    await ctx.replyWithDocument(target.reportFileId).catch((err: unknown) => ctx.log.warn({ err }, 'could not send the report document'));
  }
  await ctx.answerCbQuery();
});

deadlinesFeature.action(actionTrigger(ACTIONS.accept), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.accept, PAIR);
  if (!match) return stale(ctx);
  try {
    const { deadline, ngo } = await ctx.services.deadlines.accept(ctx.user.id, Number(match[1]), Number(match[2]));
    await dropButtons(ctx);
    await ctx.answerCbQuery(ctx.t('deadlines.admin.accepted', { ngo: ngo.name, title: deadline.title }).slice(0, 200));
    await send(ctx, ctx.t('deadlines.admin.accepted', { ngo: escapeHtml(ngo.name), title: escapeHtml(deadline.title) }));
  } catch (err) {
    // Someone else accepted it meanwhile: the button goes, the boundary says why.
    if (err instanceof AppError) await dropButtons(ctx);
    throw err;
  }
});

deadlinesFeature.action(actionTrigger(ACTIONS.extend), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.extend, ID);
  if (!match) return stale(ctx);
  const { deadline } = await ctx.services.deadlines.pageForAdmin(ctx.user.id, Number(match[0]));
  if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await extendForm.start(ctx, { deadlineId: deadline.id, title: deadline.title, due: ctx.services.deadlines.dueText(ctx.lang, deadline) });
});

deadlinesFeature.action(actionTrigger(ACTIONS.close), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.close, ID);
  if (!match) return stale(ctx);
  const { deadline } = await ctx.services.deadlines.pageForAdmin(ctx.user.id, Number(match[0]));
  if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
  await ctx.answerCbQuery();
  await send(
    ctx,
    ctx.t('deadlines.admin.close_confirm', { title: escapeHtml(deadline.title) }),
    Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.admin.close_confirm_button'), callbackData(ACTIONS.closeConfirm, deadline.id))]]).reply_markup,
  );
});

deadlinesFeature.action(actionTrigger(ACTIONS.closeConfirm), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.closeConfirm, ID);
  if (!match) return stale(ctx);
  await dropButtons(ctx);
  const closed = await ctx.services.deadlines.close(ctx.user.id, Number(match[0]));
  await ctx.answerCbQuery();
  await send(ctx, ctx.t('deadlines.admin.closed', { title: escapeHtml(closed.title) }));
});

// ---- recurring list -----------------------------------------------------------------------------------

async function recurringView(ctx: BotContext) {
  const rows = await ctx.services.deadlines.listRecurring(ctx.user.id);
  const lines = rows.map((r) => ctx.t('deadlines.recurring.item', { id: num(ctx, r.id), rule: ruleText(ctx, r), kind: ctx.t(`deadlines.recurring.kind.${r.contentKind}`, { defaultValue: r.contentKind }) }));
  const buttons: InlineKeyboardButton[][] = rows.map((r) => [Markup.button.callback(ctx.t('deadlines.recurring.cancel_button', { id: num(ctx, r.id) }), callbackData(ACTIONS.recurringCancel, r.id))]);
  buttons.push([Markup.button.callback(ctx.t('deadlines.recurring.new_button'), callbackData(ACTIONS.recurringNew, 'go'))]);
  const text = [ctx.t('deadlines.recurring.list_title'), '', ...(rows.length ? lines : [ctx.t('deadlines.recurring.list_empty')])].join('\n');
  return { text, keyboard: Markup.inlineKeyboard(buttons).reply_markup };
}

deadlinesFeature.command('recurring', requireAdmin, async (ctx) => {
  const { text, keyboard } = await recurringView(ctx);
  await send(ctx, text, keyboard);
});

deadlinesFeature.action(actionTrigger(ACTIONS.recurringNew), requireAdmin, async (ctx) => {
  if (!argOf(ctx, ACTIONS.recurringNew, /^go$/) || !ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await recurringForm.start(ctx, {});
});

deadlinesFeature.action(actionTrigger(ACTIONS.recurringCancel), requireAdmin, async (ctx) => {
  const match = argOf(ctx, ACTIONS.recurringCancel, ID);
  if (!match) return stale(ctx);
  const row = await ctx.services.deadlines.cancelRecurring(ctx.user.id, Number(match[0]));
  await ctx.answerCbQuery(ctx.t('deadlines.recurring.cancelled', { id: num(ctx, row.id) }));
  const { text, keyboard } = await recurringView(ctx);
  await redraw(ctx, text, keyboard);
});
