/**
 * The office's side of courses: /new_course (a form ending in publication), /manage_courses and
 * /course <id> (the course page: roster, CSV, edit, reschedule, cancel, attendance, ratings).
 * Every command and button passes requireAdmin; every form answer re-reads the role; the service
 * checks the admin's scope again and audits.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import {
  checkSchedule,
  COURSE_DESCRIPTION_MAX,
  COURSE_TITLE_LIMITS,
  DURATION_LIMITS,
  MAX_CAPACITY,
  parseDuration,
  validateCapacity,
  validateCourseDescription,
  validateCourseTitle,
  validateOnlineLink,
  validatePerNgoLimit,
  validatePlace,
  type Eligibility,
  type TrainingFormat,
} from './rules.js';
import { jalaliToDate, parseJalaliDate, parseJalaliDateTime, startOfTehranDay } from '../../platform/text/jalali.js';
import { formatNumber, normalizeInput } from '../../platform/text/persian-text.js';
import { formatIranMobileForDisplay } from '../../platform/text/phone.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import type { CourseChange, CourseDraft, CourseView } from './courses-service.js';
import { actionTrigger, callbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, goto, next, stay, type FormData, type FormStep, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { adminOnly, argOf, call, ID, num, redraw, replyRefusal, rowsOf, shorten, stale, when } from './bot-common.js';

export const ADMIN_ACTIONS = {
  page: 'cadm',
  roster: 'cadm_roster',
  csv: 'cadm_csv',
  edit: 'cadm_edit',
  reschedule: 'cadm_resch',
  cancel: 'cadm_cancel',
  attendance: 'cadm_att',
  mark: 'cadm_mark',
} as const;

const MARK_ARG = /^([1-9]\d{0,8})-([1-9]\d{0,8})-([yn])$/;
const FORMATS: TrainingFormat[] = ['IN_PERSON', 'ONLINE'];
const isFormat = (v: unknown): v is TrainingFormat => v === 'IN_PERSON' || v === 'ONLINE';
const DAY_MS = 86_400_000;

function eligibilityOf(data: FormData): Eligibility {
  const e = (data.eligibility ?? {}) as Partial<Eligibility>;
  const ints = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is number => Number.isInteger(x)) : []);
  return { countyIds: ints(e.countyIds), fieldIds: ints(e.fieldIds) };
}

/** A date and time typed in one message ('1405/09/10 18:00'); a bare date means the end of that day. */
function parseDateTimeLine(text: string): { ok: true; value: Date } | { ok: false } {
  const parts = normalizeInput(text).split(' ');
  if (parts.length === 1) {
    const date = parseJalaliDate(parts[0]!);
    return date.ok ? { ok: true, value: jalaliToDate(date.value, { hour: 23, minute: 59 }) } : { ok: false };
  }
  if (parts.length !== 2) return { ok: false };
  const parsed = parseJalaliDateTime(parts[0]!, parts[1]!);
  return parsed.ok ? { ok: true, value: parsed.value } : { ok: false };
}

/** '1405/9/2' as stored in the session, or null. */
function storedDate(data: FormData, key: string): string | null {
  return typeof data[key] === 'string' ? (data[key] as string) : null;
}

async function isCountyAdmin(ctx: BotContext): Promise<boolean> {
  return (await ctx.services.admins.roleOf(ctx.user.id)) === 'COUNTY_ADMIN';
}

/** Every bound a field's error message may name. */
function errorParams(ctx: BotContext, capacity: number): Record<string, string> {
  return {
    min: num(ctx, COURSE_TITLE_LIMITS.min),
    max: num(ctx, COURSE_TITLE_LIMITS.max),
    description_max: num(ctx, COURSE_DESCRIPTION_MAX),
    capacity_max: num(ctx, MAX_CAPACITY),
    capacity: num(ctx, capacity),
    duration_min: num(ctx, DURATION_LIMITS.min),
    duration_max: num(ctx, DURATION_LIMITS.max),
  };
}

// ---- new course form ------------------------------------------------------------------------------

const NEW = 'ncrs';
const ncb = (step: string, arg: string) => `${NEW}:${step}.${arg}`;

function textStep(
  id: string,
  key: string,
  validate: (text: string, data: FormData) => { ok: true; value: unknown } | { ok: false; error: string },
  options: { skip?: boolean; after?: StepOutcome } = {},
): FormStep {
  const params = (ctx: BotContext, data: FormData) => errorParams(ctx, Number(data.capacity ?? 0));
  return {
    id,
    ask: async (ctx, data) => {
      await ctx.reply(ctx.t(`courses.form.ask_${id}`, params(ctx, data)), { parse_mode: 'HTML', ...formKeyboard(ctx, { skip: options.skip }) });
    },
    onText: async (ctx, text, data) => {
      if (options.skip && isLabel(ctx, 'forms.skip', text)) {
        data[key] = null;
        return options.after ?? next;
      }
      const result = validate(text, data);
      if (!result.ok) {
        await ctx.reply(ctx.t(`courses.form.errors.${id}`, params(ctx, data)), { parse_mode: 'HTML' });
        return stay;
      }
      data[key] = result.value;
      return options.after ?? next;
    },
  };
}

const titleStep = textStep('title', 'title', (text) => validateCourseTitle(text));

const descriptionStep = textStep('description', 'description', (text) => validateCourseDescription(text), {
  skip: true,
});

const topicStep: FormStep = {
  id: 'topic',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    const topics = await ctx.services.training.topics();
    const buttons = topics.map((t) => Markup.button.callback(t.name, ncb('topic', `t${t.id}`)));
    buttons.push(Markup.button.callback(ctx.t('courses.form.no_topic_button'), ncb('topic', 'none')));
    await ctx.reply(ctx.t('courses.form.ask_topic'), Markup.inlineKeyboard(rowsOf(buttons, 2)));
  },
  onCallback: async (ctx, arg, data) => {
    if (arg === 'none') {
      data.topicId = null;
      data.topicName = null;
    } else {
      const id = Number(/^t([1-9]\d{0,8})$/.exec(arg)?.[1]);
      const topic = (await ctx.services.training.topics()).find((t) => t.id === id);
      if (!topic) {
        await stale(ctx);
        return stay;
      }
      data.topicId = topic.id;
      data.topicName = topic.name;
    }
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    return next;
  },
};

/** Date then time of the start; used by the new-course form and by rescheduling. */
function startDateStep(id = 'date'): FormStep {
  return {
    id,
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

function startTimeStep(id = 'time', after?: (ctx: BotContext, startsAt: Date, data: FormData) => Promise<StepOutcome>): FormStep {
  return {
    id,
    ask: async (ctx) => {
      await ctx.reply(ctx.t('courses.form.ask_time'), formKeyboard(ctx));
    },
    onText: async (ctx, text, data) => {
      const parsed = parseJalaliDateTime(storedDate(data, 'startDate') ?? '', text);
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

const durationStep = textStep('duration', 'durationMinutes', (text) => parseDuration(text));

const formatStep: FormStep = {
  id: 'format',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.form.ask_format'), Markup.inlineKeyboard([FORMATS.map((f) => Markup.button.callback(ctx.t(`courses.format.${f}`), ncb('format', f)))]));
  },
  onCallback: async (ctx, arg, data) => {
    if (!isFormat(arg)) return stay;
    data.format = arg;
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    return goto(arg === 'ONLINE' ? 'link' : 'place');
  },
};

const placeStep = textStep('place', 'place', (text) => validatePlace(text), { after: goto('capacity') });
const linkStep = textStep('link', 'onlineLink', (text) => validateOnlineLink(text));
const capacityStep = textStep('capacity', 'capacity', (text) => validateCapacity(text));
const limitStep = textStep('limit', 'perNgoLimit', (text, data) => validatePerNgoLimit(text, Number(data.capacity)));

const deadlineStep: FormStep = {
  id: 'deadline',
  ask: async (ctx) => {
    await ctx.reply(ctx.t('courses.form.ask_deadline'), {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([
        [Markup.button.callback(ctx.t('courses.form.deadline_day_before'), ncb('deadline', 'd1')), Markup.button.callback(ctx.t('courses.form.deadline_at_start'), ncb('deadline', 'd0'))],
      ]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    const startsAt = new Date(String(data.startsAt));
    if (arg !== 'd1' && arg !== 'd0') return stay;
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

async function acceptDeadline(ctx: BotContext, data: FormData, deadline: Date): Promise<StepOutcome> {
  const err = checkSchedule(ctx.services.courses.now(), new Date(String(data.startsAt)), deadline);
  if (err) {
    await ctx.reply(ctx.t(`courses.errors.${err}`));
    if (ctx.callbackQuery) await ctx.answerCbQuery();
    return err === 'start_past' ? goto('date') : stay;
  }
  data.registrationDeadline = deadline.toISOString();
  await ctx.editMessageReplyMarkup(undefined).catch(() => {});
  return next;
}

type EligibilityView = 'main' | 'counties' | 'fields';

async function eligibilityMessage(ctx: BotContext, e: Eligibility, view: EligibilityView): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { counties, fields } = await ctx.services.ngos.referenceLists();
  const countyScoped = await isCountyAdmin(ctx);
  const sep = ctx.t('courses.form.list_separator');
  const names = (list: { id: number; name: string }[], ids: number[]) => list.filter((x) => ids.includes(x.id)).map((x) => escapeHtml(x.name)).join(sep);
  const text = [
    ctx.t('courses.form.ask_eligibility'),
    '',
    countyScoped
      ? ctx.t('courses.form.county_admin_note')
      : ctx.t('courses.form.eligible_counties', { value: e.countyIds.length ? names(counties, e.countyIds) : ctx.t('courses.form.all') }),
    ctx.t('courses.form.eligible_fields', { value: e.fieldIds.length ? names(fields, e.fieldIds) : ctx.t('courses.form.all') }),
  ].join('\n');
  const button = (label: string, arg: string) => Markup.button.callback(label, ncb('eligibility', arg));
  let rows: InlineKeyboardButton[][];
  if (view === 'counties') {
    rows = [...rowsOf(counties.map((c) => button(`${e.countyIds.includes(c.id) ? '✅ ' : ''}${c.name}`, `c${c.id}`)), 3), [button(ctx.t('courses.form.back_button'), 'main')]];
  } else if (view === 'fields') {
    rows = [...rowsOf(fields.map((f) => button(`${e.fieldIds.includes(f.id) ? '✅ ' : ''}${f.name}`, `f${f.id}`)), 2), [button(ctx.t('courses.form.back_button'), 'main')]];
  } else {
    rows = [
      [button(`${!e.countyIds.length && !e.fieldIds.length ? '✅ ' : ''}${ctx.t('courses.form.all_ngos_button')}`, 'all')],
      [
        ...(countyScoped ? [] : [button(ctx.t('courses.form.counties_button', { n: e.countyIds.length ? num(ctx, e.countyIds.length) : ctx.t('courses.form.all') }), 'counties')]),
        button(ctx.t('courses.form.fields_button', { n: e.fieldIds.length ? num(ctx, e.fieldIds.length) : ctx.t('courses.form.all') }), 'fields'),
      ],
      [button(ctx.t('courses.form.continue_button'), 'done')],
    ];
  }
  return { text, keyboard: { inline_keyboard: rows } };
}

const eligibilityStep: FormStep = {
  id: 'eligibility',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const { text, keyboard } = await eligibilityMessage(ctx, eligibilityOf(data), 'main');
    await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  },
  onCallback: async (ctx, arg, data) => {
    const e = eligibilityOf(data);
    const toggle = (ids: number[], id: number) => (ids.includes(id) ? ids.filter((x) => x !== id) : [...ids, id]);
    let view: EligibilityView = 'main';
    if (arg === 'done') {
      await ctx.editMessageReplyMarkup(undefined).catch(() => {});
      return next;
    } else if (arg === 'all') {
      data.eligibility = { countyIds: [], fieldIds: [] };
    } else if (arg === 'counties' || arg === 'fields') {
      if (arg === 'counties' && (await isCountyAdmin(ctx))) return stay;
      view = arg;
    } else if (arg !== 'main') {
      const match = /^([cf])([1-9]\d{0,8})$/.exec(arg);
      const { counties, fields } = await ctx.services.ngos.referenceLists();
      const id = Number(match?.[2]);
      if (match?.[1] === 'c' && counties.some((c) => c.id === id) && !(await isCountyAdmin(ctx))) {
        data.eligibility = { ...e, countyIds: toggle(e.countyIds, id) };
        view = 'counties';
      } else if (match?.[1] === 'f' && fields.some((f) => f.id === id)) {
        data.eligibility = { ...e, fieldIds: toggle(e.fieldIds, id) };
        view = 'fields';
      } else {
        await stale(ctx);
        return stay;
      }
    }
    const { text, keyboard } = await eligibilityMessage(ctx, eligibilityOf(data), view);
    await redraw(ctx, text, keyboard);
    return stay;
  },
};

function draftOf(data: FormData): CourseDraft {
  const format = isFormat(data.format) ? data.format : 'IN_PERSON';
  return {
    title: String(data.title ?? ''),
    description: typeof data.description === 'string' ? data.description : null,
    topicId: typeof data.topicId === 'number' ? data.topicId : null,
    startsAt: new Date(String(data.startsAt)),
    durationMinutes: Number(data.durationMinutes),
    format,
    place: format === 'IN_PERSON' && typeof data.place === 'string' ? data.place : null,
    onlineLink: format === 'ONLINE' && typeof data.onlineLink === 'string' ? data.onlineLink : null,
    capacity: Number(data.capacity),
    perNgoLimit: Number(data.perNgoLimit),
    registrationDeadline: new Date(String(data.registrationDeadline)),
    eligibility: eligibilityOf(data),
  };
}

function previewOf(data: FormData): CourseView {
  const d = draftOf(data);
  return {
    ...d,
    id: 0,
    topicName: typeof data.topicName === 'string' ? data.topicName : null,
    status: 'PUBLISHED',
    headStartUntil: null,
    createdAt: new Date(0),
    taken: 0,
    waiting: 0,
  };
}

const summaryStep: FormStep = {
  id: 'summary',
  wrongInputKey: 'forms.use_buttons',
  ask: async (ctx, data) => {
    const card = ctx.services.courses.renderCourse(ctx.lang, previewOf(data), { seats: false }).split('\n').slice(1).join('\n');
    const text = [
      ctx.t('courses.form.summary_title', { title: escapeHtml(String(data.title ?? '')) }),
      card,
      (await eligibilityMessage(ctx, eligibilityOf(data), 'main')).text.split('\n').slice(2).join('\n'),
      '',
      ctx.t('courses.form.head_start_note'),
    ].join('\n');
    await ctx.reply(text, {
      parse_mode: 'HTML',
      ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.form.publish_button'), ncb('summary', 'publish')), Markup.button.callback(ctx.t('courses.form.cancel_button'), ncb('summary', 'cancel'))]]),
    });
  },
  onCallback: async (ctx, arg, data) => {
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    if (arg !== 'publish') {
      await ctx.reply(ctx.t('courses.form.cancelled'), mainMenu(ctx));
      return end;
    }
    try {
      const { course, first, later } = await ctx.services.courses.create(ctx.user.id, draftOf(data));
      const key = course.headStartUntil ? 'courses.form.published_head_start' : 'courses.form.published';
      await ctx.reply(
        ctx.t(key, { id: num(ctx, course.id), title: escapeHtml(course.title), first: num(ctx, first), later: num(ctx, later), until: course.headStartUntil ? when(ctx, course.headStartUntil) : '' }),
        { parse_mode: 'HTML', ...mainMenu(ctx) },
      );
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
  },
};

export const newCourseForm = new FormRunner({
  name: 'new_course',
  titleKey: 'courses.form.title',
  prefix: NEW,
  steps: [
    titleStep,
    descriptionStep,
    topicStep,
    startDateStep(),
    startTimeStep(),
    durationStep,
    formatStep,
    placeStep,
    linkStep,
    capacityStep,
    limitStep,
    deadlineStep,
    eligibilityStep,
    summaryStep,
  ].map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- the course page ---------------------------------------------------------------------------------

async function coursePage(ctx: BotContext, courseId: number): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const { course, enrolledNgos, rating } = await call(ctx, () => ctx.services.courses.adminView(ctx.user.id, courseId));
  const lines = [
    ctx.services.courses.renderCourse(ctx.lang, course),
    '',
    ctx.t('courses.admin.enrolled', { ngos: num(ctx, enrolledNgos), people: num(ctx, course.taken), capacity: num(ctx, course.capacity) }),
    ctx.t('courses.admin.waiting', { n: num(ctx, course.waiting) }),
    course.headStartUntil && course.headStartUntil.getTime() > ctx.services.courses.now().getTime()
      ? ctx.t('courses.admin.head_start_until', { until: when(ctx, course.headStartUntil) })
      : null,
    rating.count
      ? ctx.t('courses.admin.rating', { average: ctx.lang === 'fa' ? formatNumber(rating.average!) : String(rating.average), n: num(ctx, rating.count) })
      : ctx.t('courses.admin.no_rating'),
    ...rating.comments.map((c) => ctx.t('courses.admin.comment', { score: num(ctx, c.score), comment: escapeHtml(c.comment) })),
  ].filter((l): l is string => l !== null);
  const button = (key: string, action: string) => Markup.button.callback(ctx.t(key), callbackData(action, course.id));
  const rows: InlineKeyboardButton[][] = [[button('courses.admin.roster_button', ADMIN_ACTIONS.roster), button('courses.admin.csv_button', ADMIN_ACTIONS.csv)]];
  if (course.status === 'PUBLISHED') {
    rows.push([button('courses.admin.edit_button', ADMIN_ACTIONS.edit), button('courses.admin.reschedule_button', ADMIN_ACTIONS.reschedule)]);
  }
  if (course.status !== 'CANCELLED' && course.startsAt.getTime() <= ctx.services.courses.now().getTime()) {
    rows.push([button('courses.admin.attendance_button', ADMIN_ACTIONS.attendance)]);
  }
  if (course.status === 'PUBLISHED') rows.push([button('courses.admin.cancel_button', ADMIN_ACTIONS.cancel)]);
  return { text: lines.join('\n'), keyboard: { inline_keyboard: rows } };
}

async function sendCoursePage(ctx: BotContext, courseId: number, prefix?: string): Promise<void> {
  const { text, keyboard } = await coursePage(ctx, courseId);
  await ctx.reply(prefix ? `${prefix}\n\n${text}` : text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
}

async function courseList(ctx: BotContext): Promise<void> {
  const courses = await call(ctx, () => ctx.services.courses.adminCourses(ctx.user.id));
  if (courses.length === 0) {
    await ctx.reply(ctx.t('courses.admin.list_empty'));
    return;
  }
  const lines = courses.map((c) =>
    ctx.t('courses.admin.list_item', {
      id: num(ctx, c.id),
      title: escapeHtml(c.title),
      when: when(ctx, c.startsAt),
      taken: num(ctx, c.taken),
      capacity: num(ctx, c.capacity),
      waiting: num(ctx, c.waiting),
      status: ctx.t(`courses.status.${c.status}`),
    }),
  );
  const buttons = courses.map((c) => [Markup.button.callback(`${num(ctx, c.id)}. ${shorten(c.title, 40)}`, callbackData(ADMIN_ACTIONS.page, c.id))]);
  await ctx.reply([ctx.t('courses.admin.list_title'), '', ...lines].join('\n\n'), { parse_mode: 'HTML', reply_markup: { inline_keyboard: buttons } });
}

async function rosterText(ctx: BotContext, courseId: number): Promise<string> {
  const { course, entries } = await call(ctx, () => ctx.services.courses.roster(ctx.user.id, courseId));
  const title = ctx.t('courses.admin.roster_title', { id: num(ctx, course.id), title: escapeHtml(course.title) });
  if (entries.length === 0) return `${title}\n\n${ctx.t('courses.admin.roster_empty')}`;
  const lines = entries.map((e) =>
    ctx.t(e.status === 'ENROLLED' ? 'courses.admin.roster_enrolled' : 'courses.admin.roster_waiting', {
      ngo: escapeHtml(e.ngoName),
      county: escapeHtml(e.county),
      participants: num(ctx, e.participants),
      position: num(ctx, e.position ?? 0),
      manager: escapeHtml(e.managerName),
      phone: ctx.lang === 'fa' ? formatIranMobileForDisplay(e.managerPhone) : e.managerPhone,
      by: escapeHtml(e.enrolledBy),
    }),
  );
  return [title, '', ...lines].join('\n\n');
}

async function attendanceView(ctx: BotContext, courseId: number): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { course, entries } = await call(ctx, () => ctx.services.courses.roster(ctx.user.id, courseId));
  const enrolled = entries.filter((e) => e.status === 'ENROLLED');
  const mark = (a: boolean | null) => (a === true ? '✅' : a === false ? '❌' : '⬜');
  const text = [
    ctx.t('courses.admin.attendance_title', { title: escapeHtml(course.title) }),
    '',
    ...(enrolled.length ? enrolled.map((e) => `${mark(e.attended)} ${escapeHtml(e.ngoName)} (${num(ctx, e.participants)})`) : [ctx.t('courses.admin.roster_empty')]),
  ].join('\n');
  const rows = enrolled.map((e) => [
    Markup.button.callback(`✅ ${shorten(e.ngoName, 20)}`, callbackData(ADMIN_ACTIONS.mark, `${course.id}-${e.ngoId}-y`)),
    Markup.button.callback(`❌ ${shorten(e.ngoName, 20)}`, callbackData(ADMIN_ACTIONS.mark, `${course.id}-${e.ngoId}-n`)),
  ]);
  return { text, keyboard: { inline_keyboard: rows } };
}

// ---- edit, reschedule, cancel forms -------------------------------------------------------------------------

const EDIT = 'ecrs';
const EDIT_FIELDS = ['title', 'description', 'place', 'link', 'capacity', 'limit', 'deadline'] as const;
type EditField = (typeof EDIT_FIELDS)[number];

function editChange(field: EditField, text: string, course: CourseView): { ok: true; change: CourseChange } | { ok: false; key: string } {
  switch (field) {
    case 'title': {
      const r = validateCourseTitle(text);
      return r.ok ? { ok: true, change: { title: r.value } } : { ok: false, key: 'courses.form.errors.title' };
    }
    case 'description': {
      const r = validateCourseDescription(text);
      return r.ok ? { ok: true, change: { description: r.value } } : { ok: false, key: 'courses.form.errors.description' };
    }
    case 'place': {
      const r = validatePlace(text);
      return r.ok ? { ok: true, change: { place: r.value } } : { ok: false, key: 'courses.form.errors.place' };
    }
    case 'link': {
      const r = validateOnlineLink(text);
      return r.ok ? { ok: true, change: { onlineLink: r.value } } : { ok: false, key: 'courses.form.errors.link' };
    }
    case 'capacity': {
      const r = validateCapacity(text);
      return r.ok ? { ok: true, change: { capacity: r.value } } : { ok: false, key: 'courses.form.errors.capacity' };
    }
    case 'limit': {
      const r = validatePerNgoLimit(text, course.capacity);
      return r.ok ? { ok: true, change: { perNgoLimit: r.value } } : { ok: false, key: 'courses.form.errors.limit' };
    }
    case 'deadline': {
      const r = parseDateTimeLine(text);
      return r.ok ? { ok: true, change: { registrationDeadline: r.value } } : { ok: false, key: 'courses.form.errors.deadline_format' };
    }
  }
}

const editForm = new FormRunner({
  name: 'course_edit',
  titleKey: 'courses.edit.title',
  prefix: EDIT,
  steps: ([
    {
      id: 'field',
      wrongInputKey: 'forms.use_buttons',
      ask: async (ctx, data) => {
        const course = await ctx.services.courses.loadCourse(Number(data.courseId));
        const fields = EDIT_FIELDS.filter((f) => (f === 'place' ? course?.format === 'IN_PERSON' : f === 'link' ? course?.format === 'ONLINE' : true));
        const buttons = fields.map((f) => Markup.button.callback(ctx.t(`courses.edit.fields.${f}`), `${EDIT}:field.${f}`));
        await ctx.reply(ctx.t('courses.edit.ask_field', { title: escapeHtml(course?.title ?? '') }), { parse_mode: 'HTML', ...Markup.inlineKeyboard(rowsOf(buttons, 2)) });
      },
      onCallback: async (ctx, arg, data) => {
        if (!(EDIT_FIELDS as readonly string[]).includes(arg)) return stay;
        data.field = arg;
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        return next;
      },
    },
    {
      id: 'value',
      ask: async (ctx, data) => {
        const course = await ctx.services.courses.loadCourse(Number(data.courseId));
        await ctx.reply(ctx.t(`courses.edit.ask.${String(data.field)}`, errorParams(ctx, course?.capacity ?? 0)), { parse_mode: 'HTML', ...formKeyboard(ctx) });
      },
      onText: async (ctx, text, data) => {
        const courseId = Number(data.courseId);
        const course = await ctx.services.courses.loadCourse(courseId);
        if (!course) return end;
        const parsed = editChange(data.field as EditField, text, course);
        if (!parsed.ok) {
          await ctx.reply(ctx.t(parsed.key, errorParams(ctx, course.capacity)));
          return stay;
        }
        try {
          await ctx.services.courses.edit(ctx.user.id, courseId, parsed.change);
        } catch (err) {
          await replyRefusal(ctx, err);
          // Values that another answer can fix keep the form open; the rest end it.
          if (err instanceof AppError && ['courses.errors.not_editable', 'courses.errors.other_county', 'common.errors.not_admin'].includes(err.code)) return end;
          return stay;
        }
        await ctx.reply(ctx.t('courses.edit.done'), mainMenu(ctx));
        await sendCoursePage(ctx, courseId);
        return end;
      },
    },
  ] satisfies FormStep[]).map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

const rescheduleForm = new FormRunner({
  name: 'course_reschedule',
  titleKey: 'courses.reschedule.title',
  prefix: 'rcrs',
  steps: [
    startDateStep(),
    startTimeStep('time', async (ctx, startsAt, data) => {
      const courseId = Number(data.courseId);
      try {
        await ctx.services.courses.reschedule(ctx.user.id, courseId, startsAt);
      } catch (err) {
        await replyRefusal(ctx, err, { endForm: true });
        return end;
      }
      await ctx.reply(ctx.t('courses.reschedule.done', { when: when(ctx, startsAt) }), mainMenu(ctx));
      await sendCoursePage(ctx, courseId);
      return end;
    }),
  ].map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

const cancelForm = new FormRunner({
  name: 'course_cancel',
  titleKey: 'courses.cancel.title',
  prefix: 'xcrs',
  steps: ([
    {
      id: 'reason',
      ask: async (ctx, data) => {
        const course = await ctx.services.courses.loadCourse(Number(data.courseId));
        await ctx.reply(ctx.t('courses.cancel.ask_reason', { title: escapeHtml(course?.title ?? '') }), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
      },
      onText: async (ctx, text, data) => {
        const reason = validatePlace(text); // same bounds: a sentence or two
        if (!reason.ok) {
          await ctx.reply(ctx.t('courses.cancel.reason_required'));
          return stay;
        }
        data.reason = reason.value;
        return next;
      },
    },
    {
      id: 'confirm',
      wrongInputKey: 'forms.use_buttons',
      ask: async (ctx, data) => {
        const course = await ctx.services.courses.loadCourse(Number(data.courseId));
        await ctx.reply(ctx.t('courses.cancel.confirm', { title: escapeHtml(course?.title ?? ''), reason: escapeHtml(String(data.reason)) }), {
          parse_mode: 'HTML',
          ...Markup.inlineKeyboard([[Markup.button.callback(ctx.t('courses.cancel.yes_button'), 'xcrs:confirm.yes'), Markup.button.callback(ctx.t('courses.cancel.no_button'), 'xcrs:confirm.no')]]),
        });
      },
      onCallback: async (ctx, arg, data) => {
        await ctx.editMessageReplyMarkup(undefined).catch(() => {});
        if (arg !== 'yes') {
          await ctx.reply(ctx.t('courses.cancel.kept'), mainMenu(ctx));
          return end;
        }
        try {
          const { course, told } = await ctx.services.courses.cancelCourse(ctx.user.id, Number(data.courseId), String(data.reason));
          await ctx.reply(ctx.t('courses.cancel.done', { title: escapeHtml(course.title), n: num(ctx, told) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
        } catch (err) {
          await replyRefusal(ctx, err, { endForm: true });
        }
        return end;
      },
    },
  ] satisfies FormStep[]).map(adminOnly),
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

export const courseAdminForms: FormRunner[] = [newCourseForm, editForm, rescheduleForm, cancelForm];

// ---- handlers ----------------------------------------------------------------------------------------------

export const courseAdminFeature = new Composer<BotContext>();

export async function startNewCourse(ctx: BotContext): Promise<void> {
  await newCourseForm.start(ctx, { eligibility: { countyIds: [], fieldIds: [] } });
}

courseAdminFeature.command('new_course', requireAdmin, startNewCourse);
courseAdminFeature.command('manage_courses', requireAdmin, courseList);
courseAdminFeature.command('course', requireAdmin, async (ctx) => {
  const id = normalizeInput(ctx.payload);
  if (!ID.test(id)) throw new AppError('courses.admin.course_usage');
  await sendCoursePage(ctx, Number(id));
});

export { courseList as showCourseList };

/** A button of the course page: the course id, checked before anything else. */
function pageAction(action: string, handler: (ctx: BotContext, courseId: number) => Promise<void>) {
  courseAdminFeature.action(actionTrigger(action), requireAdmin, async (ctx) => {
    const arg = argOf(ctx, action, ID);
    if (arg === null) return stale(ctx);
    await handler(ctx, Number(arg));
  });
}

pageAction(ADMIN_ACTIONS.page, async (ctx, id) => {
  await sendCoursePage(ctx, id);
  await ctx.answerCbQuery();
});

pageAction(ADMIN_ACTIONS.roster, async (ctx, id) => {
  await ctx.reply(await rosterText(ctx, id), { parse_mode: 'HTML' });
  await ctx.answerCbQuery();
});

pageAction(ADMIN_ACTIONS.csv, async (ctx, id) => {
  const { fileName, content, course } = await call(ctx, () => ctx.services.courses.rosterCsv(ctx.user.id, id, ctx.lang));
  await ctx.replyWithDocument({ source: content, filename: fileName }, { caption: ctx.t('courses.admin.csv_caption', { title: course.title }) });
  await ctx.answerCbQuery();
});

/** Forms about one course start only while the course can still be changed, so a stale page says why at once. */
async function startCourseForm(ctx: BotContext, form: FormRunner, courseId: number): Promise<void> {
  const { course } = await call(ctx, () => ctx.services.courses.adminView(ctx.user.id, courseId));
  if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
  if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await form.start(ctx, { courseId });
}

pageAction(ADMIN_ACTIONS.edit, (ctx, id) => startCourseForm(ctx, editForm, id));
pageAction(ADMIN_ACTIONS.reschedule, (ctx, id) => startCourseForm(ctx, rescheduleForm, id));
pageAction(ADMIN_ACTIONS.cancel, (ctx, id) => startCourseForm(ctx, cancelForm, id));

pageAction(ADMIN_ACTIONS.attendance, async (ctx, id) => {
  const { text, keyboard } = await attendanceView(ctx, id);
  await ctx.reply(text, { parse_mode: 'HTML', reply_markup: keyboard });
  await ctx.answerCbQuery();
});

courseAdminFeature.action(actionTrigger(ADMIN_ACTIONS.mark), requireAdmin, async (ctx) => {
  const match = MARK_ARG.exec(argOf(ctx, ADMIN_ACTIONS.mark, MARK_ARG) ?? '');
  if (!match) return stale(ctx);
  const courseId = Number(match[1]);
  await call(ctx, () => ctx.services.courses.setAttendance(ctx.user.id, courseId, Number(match[2]), match[3] === 'y'));
  const { text, keyboard } = await attendanceView(ctx, courseId);
  await redraw(ctx, text, keyboard);
  await ctx.answerCbQuery(ctx.t('courses.admin.attendance_saved'));
});

