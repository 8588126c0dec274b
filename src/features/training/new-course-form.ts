/**
 * /new_course: the office's form that ends in publication. Each answer is checked by the same rules
 * the use case applies; the summary shows the course as NGOs will read it before it is published.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, goto, next, stay, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, editOrSend, rowsOf, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { mainMenu } from '../start/index.js';
import { staffOnly } from '../staff/index.js';
import {
  checkSchedule,
  COURSE_DESCRIPTION_MAX,
  COURSE_TITLE_LIMITS,
  DURATION_LIMITS,
  FORMATS,
  isFormat,
  MAX_CAPACITY,
  parseDuration,
  parseEligibility,
  validateCapacity,
  validateCourseDescription,
  validateCourseTitle,
  validateOnlineLink,
  validatePerNgoLimit,
  validatePlace,
  type Eligibility,
  type TrainingFormat,
} from './rules.js';
import { courseCard } from './course-notices.js';
import type { CourseDraft, CourseView } from './course-store.js';
import { parseDateTimeLine, pickedTopic, replyRefusal, startDateStep, topicKeyboard, startTimeStep, type StartFields } from './form-steps.js';

const DAY_MS = 86_400_000;

interface NewCourseData extends StartFields {
  title?: string;
  description?: string | null;
  topicId?: number | null;
  topicName?: string | null;
  durationMinutes?: number;
  format?: TrainingFormat;
  place?: string;
  onlineLink?: string;
  capacity?: number;
  perNgoLimit?: number;
  /** ISO instant */
  registrationDeadline?: string;
  eligibility?: Eligibility;
}

type Step = FormStep<NewCourseData>;
const cb = (step: string, arg: string) => newCourseForm.callbackData(step, arg);

/** Every bound a field's question or error message may name. */
export function limitParams(ctx: BotContext, capacity: number): Record<string, string> {
  const { digits } = ctx.fmt;
  return {
    min: digits(COURSE_TITLE_LIMITS.min),
    max: digits(COURSE_TITLE_LIMITS.max),
    description_max: digits(COURSE_DESCRIPTION_MAX),
    capacity_max: digits(MAX_CAPACITY),
    capacity: digits(capacity),
    limit_range: oneToMax(ctx, capacity),
    duration_min: digits(DURATION_LIMITS.min),
    duration_max: digits(DURATION_LIMITS.max),
  };
}

/** 'from 1 to n' as a question or refusal says it; when n is 1 there is no range, only the one number. */
export function oneToMax(ctx: BotContext, max: number): string {
  return max === 1 ? ctx.t('courses.range.only') : ctx.t('courses.range.span', { max: ctx.fmt.digits(max) });
}

/** A question answered by typing: asked with its bounds, refused with them, stored through `store`. */
function textStep<V>(
  id: string,
  validate: (text: string, data: NewCourseData) => { ok: true; value: V } | { ok: false },
  store: (data: NewCourseData, value: V | null) => void,
  options: { skip?: boolean; after?: StepOutcome } = {},
): Step {
  const params = (ctx: BotContext, data: NewCourseData) => limitParams(ctx, data.capacity ?? 0);
  return {
    id,
    ask: async (ctx, data) => {
      await ctx.reply(ctx.t(`courses.form.ask_${id}`, params(ctx, data)), { parse_mode: 'HTML', ...formKeyboard(ctx, { skip: options.skip }) });
    },
    onText: async (ctx, text, data) => {
      if (options.skip && isLabel(ctx, 'forms.skip', text)) {
        store(data, null);
        return options.after ?? next;
      }
      const result = validate(text, data);
      if (!result.ok) {
        await ctx.reply(ctx.t(`courses.form.errors.${id}`, params(ctx, data)), { parse_mode: 'HTML' });
        return stay;
      }
      store(data, result.value);
      return options.after ?? next;
    },
  };
}

const topicStep: Step = {
  id: 'topic',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    const keyboard = await topicKeyboard(ctx, (arg) => cb('topic', arg), { labelKey: 'courses.form.no_topic_button', arg: 'none' });
    await ctx.reply(ctx.t('courses.form.ask_topic'), { reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg === 'none') {
      data.topicId = null;
      data.topicName = null;
    } else {
      const topic = await pickedTopic(ctx, arg);
      if (!topic) return stay;
      data.topicId = topic.id;
      data.topicName = topic.name;
    }
    await dropButtons(ctx);
    return next;
  },
};

const formatStep: Step = {
  id: 'format',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.form.ask_format'), Markup.inlineKeyboard([FORMATS.map((f) => Markup.button.callback(ctx.t(`courses.format.${f}`), cb('format', f)))]));
  },
  onCallback: async (ctx, arg, data) => {
    if (!isFormat(arg)) return stay;
    data.format = arg;
    await dropButtons(ctx);
    return goto(arg === 'ONLINE' ? 'link' : 'place');
  },
};

const startsAtOf = (data: NewCourseData) => new Date(data.startsAt ?? '');

async function acceptDeadline(ctx: BotContext, data: NewCourseData, deadline: Date): Promise<StepOutcome> {
  const err = checkSchedule(ctx.services.courses.now(), startsAtOf(data), deadline);
  if (err) {
    await ctx.reply(ctx.t(`courses.errors.${err}`));
    return err === 'start_past' ? goto('date') : stay;
  }
  data.registrationDeadline = deadline.toISOString();
  await dropButtons(ctx);
  return next;
}

const deadlineStep: Step = {
  id: 'deadline',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.form.ask_deadline'), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.form.deadline_day_before'), cb('deadline', 'd1')), Markup.button.callback(ctx.t('courses.form.deadline_at_start'), cb('deadline', 'd0'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    if (arg !== 'd1' && arg !== 'd0') return stay;
    const startsAt = startsAtOf(data);
    return acceptDeadline(ctx, data, arg === 'd1' ? new Date(startsAt.getTime() - DAY_MS) : startsAt);
  },
  onText: async (ctx, text, data) => {
    const parsed = parseDateTimeLine(text);
    if (!parsed.ok) {
      await ctx.reply(ctx.t('courses.form.errors.deadline_format'));
      return stay;
    }
    return acceptDeadline(ctx, data, parsed.value);
  },
};


// ---- who the course is for ------------------------------------------------------------------------

type EligibilityView = 'main' | 'counties' | 'fields';

const isCountyAdmin = async (ctx: BotContext) => (await ctx.services.admins.roleOf(ctx.user.id)) === 'COUNTY_ADMIN';

async function eligibilityMessage(ctx: BotContext, e: Eligibility, view: EligibilityView): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const countyScoped = await isCountyAdmin(ctx);
  const sep = ctx.t('courses.form.list_separator');
  const names = (list: { id: number; name: string }[], ids: number[]) => list.filter((x) => ids.includes(x.id)).map((x) => escapeHtml(x.name)).join(sep);
  const all = ctx.t('courses.form.all');
  const text = [
    ctx.t('courses.form.ask_eligibility'),
    '',
    countyScoped ? ctx.t('courses.form.county_admin_note') : ctx.t('courses.form.eligible_counties', { value: e.countyIds.length ? names(counties, e.countyIds) : all }),
    ctx.t('courses.form.eligible_fields', { value: e.fieldIds.length ? names(fields, e.fieldIds) : all }),
  ].join('\n');
  const button = (label: string, arg: string) => Markup.button.callback(label, cb('eligibility', arg));
  const tick = (on: boolean, label: string) => `${on ? '✅ ' : ''}${label}`;
  const back = [button(ctx.t('courses.form.back_button'), 'main')];
  let rows: InlineKeyboardButton[][];
  if (view === 'counties') rows = [...rowsOf(counties.map((c) => button(tick(e.countyIds.includes(c.id), c.name), `c${c.id}`)), 3), back];
  else if (view === 'fields') rows = [...rowsOf(fields.map((f) => button(tick(e.fieldIds.includes(f.id), f.name), `f${f.id}`)), 2), back];
  else {
    rows = [
      [button(tick(!e.countyIds.length && !e.fieldIds.length, ctx.t('courses.form.all_ngos_button')), 'all')],
      [
        ...(countyScoped ? [] : [button(ctx.t('courses.form.counties_button', { n: e.countyIds.length ? ctx.fmt.digits(e.countyIds.length) : all }), 'counties')]),
        button(ctx.t('courses.form.fields_button', { n: e.fieldIds.length ? ctx.fmt.digits(e.fieldIds.length) : all }), 'fields'),
      ],
      [button(ctx.t('courses.form.continue_button'), 'done')],
    ];
  }
  return { text, keyboard: { inline_keyboard: rows } };
}

/** A county or field button toggles it; what is not on the lists (or a county for a county admin) is stale. */
async function toggleChoice(ctx: BotContext, arg: string, data: NewCourseData): Promise<EligibilityView | null> {
  const e = parseEligibility(data.eligibility);
  const toggle = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
  const match = /^([cf])([1-9]\d{0,8})$/.exec(arg);
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const id = Number(match?.[2]);
  if (match?.[1] === 'c' && counties.some((c) => c.id === id) && !(await isCountyAdmin(ctx))) {
    data.eligibility = { ...e, countyIds: toggle(e.countyIds, id) };
    return 'counties';
  }
  if (match?.[1] === 'f' && fields.some((f) => f.id === id)) {
    data.eligibility = { ...e, fieldIds: toggle(e.fieldIds, id) };
    return 'fields';
  }
  return null;
}

const eligibilityStep: Step = {
  id: 'eligibility',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const { text, keyboard } = await eligibilityMessage(ctx, parseEligibility(data.eligibility), 'main');
    await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    let view: EligibilityView | null = 'main';
    if (arg === 'done') {
      await dropButtons(ctx);
      return next;
    } else if (arg === 'all') {
      data.eligibility = { countyIds: [], fieldIds: [] };
    } else if (arg === 'counties' || arg === 'fields') {
      if (arg === 'counties' && (await isCountyAdmin(ctx))) return stay;
      view = arg;
    } else if (arg !== 'main') {
      view = await toggleChoice(ctx, arg, data);
      if (!view) {
        await staleButton(ctx);
        return stay;
      }
    }
    const { text, keyboard } = await eligibilityMessage(ctx, parseEligibility(data.eligibility), view);
    await editOrSend(ctx, text, keyboard);
    return stay;
  },
};

// ---- the summary and publication -----------------------------------------------------------------------

function draftOf(data: NewCourseData): CourseDraft {
  const format = isFormat(data.format) ? data.format : 'IN_PERSON';
  return {
    title: data.title ?? '',
    description: data.description ?? null,
    topicId: data.topicId ?? null,
    startsAt: startsAtOf(data),
    durationMinutes: data.durationMinutes ?? NaN,
    format,
    place: format === 'IN_PERSON' ? (data.place ?? null) : null,
    onlineLink: format === 'ONLINE' ? (data.onlineLink ?? null) : null,
    capacity: data.capacity ?? NaN,
    perNgoLimit: data.perNgoLimit ?? NaN,
    registrationDeadline: new Date(data.registrationDeadline ?? ''),
    eligibility: parseEligibility(data.eligibility),
  };
}

function previewOf(data: NewCourseData): CourseView {
  return { ...draftOf(data), id: 0, topicName: data.topicName ?? null, status: 'PUBLISHED', headStartUntil: null, createdAt: new Date(0), taken: 0, waiting: 0 };
}

async function publish(ctx: BotContext, data: NewCourseData): Promise<StepOutcome> {
  try {
    const { course, first, later } = await ctx.services.courses.create(ctx.user.id, draftOf(data));
    const key = course.headStartUntil ? 'courses.form.published_head_start' : 'courses.form.published';
    const { digits } = ctx.fmt;
    const until = course.headStartUntil ? ctx.fmt.when(course.headStartUntil) : '';
    await ctx.reply(ctx.t(key, { id: digits(course.id), title: escapeHtml(course.title), first: digits(first), later: digits(later), until, count: later }), { parse_mode: 'HTML', ...mainMenu(ctx) });
    return end;
  } catch (err) {
    // Time went by while the form was open: the dates are asked again.
    if (err instanceof AppError && ['courses.errors.start_past', 'courses.errors.deadline_past'].includes(err.code)) {
      await replyRefusal(ctx, err);
      return goto(err.code === 'courses.errors.start_past' ? 'date' : 'deadline');
    }
    await replyRefusal(ctx, err, { endForm: true });
    return end;
  }
}

const summaryStep: Step = {
  id: 'summary',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const card = courseCard(ctx, previewOf(data), { seats: false }).split('\n').slice(1).join('\n');
    const eligibility = (await eligibilityMessage(ctx, parseEligibility(data.eligibility), 'main')).text.split('\n').slice(2).join('\n');
    const text = [ctx.t('courses.form.summary_title', { title: escapeHtml(data.title ?? '') }), card, eligibility, '', ctx.t('courses.form.head_start_note')].join('\n');
    await ctx.reply(text, {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.form.publish_button'), cb('summary', 'publish')), Markup.button.callback(ctx.t('courses.form.cancel_button'), cb('summary', 'cancel'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    await dropButtons(ctx);
    if (arg === 'publish') return publish(ctx, data);
    await ctx.reply(ctx.t('courses.form.cancelled'), mainMenu(ctx));
    return end;
  },
};

export const newCourseForm: FormRunner<NewCourseData> = new FormRunner<NewCourseData>({
  name: 'new_course',
  titleKey: 'courses.form.title',
  prefix: 'ncrs',
  steps: [
    textStep('title', validateCourseTitle, (d, v) => (d.title = v ?? undefined)),
    textStep('description', validateCourseDescription, (d, v) => (d.description = v), { skip: true }),
    topicStep,
    startDateStep<NewCourseData>(),
    startTimeStep<NewCourseData>(),
    textStep('duration', parseDuration, (d, v) => (d.durationMinutes = v ?? undefined)),
    formatStep,
    textStep('place', validatePlace, (d, v) => (d.place = v ?? undefined), { after: goto('capacity') }),
    textStep('link', validateOnlineLink, (d, v) => (d.onlineLink = v ?? undefined)),
    textStep('capacity', validateCapacity, (d, v) => (d.capacity = v ?? undefined)),
    textStep('limit', (text, d) => validatePerNgoLimit(text, d.capacity ?? 0), (d, v) => (d.perNgoLimit = v ?? undefined)),
    deadlineStep,
    eligibilityStep,
    summaryStep,
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
  guard: staffOnly,
});

export async function startNewCourse(ctx: BotContext): Promise<void> {
  await newCourseForm.start(ctx, { eligibility: { countyIds: [], fieldIds: [] } });
}
