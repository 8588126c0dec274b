/**
 * Courses as NGOs see them: the main-menu button (a small menu), /courses (open courses), a course's
 * card with enrol / waitlist / cancel, /my_courses, giving a promoted seat back, and rating a course
 * afterwards. This module also gathers the training-need and admin course features into the one
 * composer and the form list the bot spine registers.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { parseCount, seatsLeft } from './rules.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { AppError } from '../../platform/errors.js';
import { COURSE_CALLBACKS, type NgoCourse } from './courses-service.js';
import { actionTrigger, callbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from '../start/keyboards.js';
import { courseAdminFeature, courseAdminForms, showCourseList, startNewCourse } from './course-admin-bot.js';
import { argOf, call, ID, num, redraw, replyRefusal, shorten, stale, when } from './bot-common.js';
import { needForm, showDemand, showMyRequests, startNeedRequest, trainingNeedsFeature } from './needs-bot.js';

const ACTIONS = {
  menu: 'crs_menu',
  adminMenu: 'crs_admin',
  view: COURSE_CALLBACKS.view,
  enrol: 'crs_enrol',
  cancel: 'crs_cancel',
  decline: COURSE_CALLBACKS.decline,
  confirmCancel: 'crs_cxl',
  keep: 'crs_keep',
  rate: COURSE_CALLBACKS.rate,
} as const;

const MENU_ARG = /^(?:request|open|mine|requests)$/;
const ADMIN_MENU_ARG = /^(?:needs|new|list)$/;
const RATE_ARG = /^([1-9]\d{0,8})-([1-5])$/;
/** Number buttons offered for participants; larger limits are typed. */
const MAX_COUNT_BUTTONS = 8;

// ---- the menu -------------------------------------------------------------------------------------------

async function showMenu(ctx: BotContext): Promise<void> {
  const isAdmin = (await ctx.services.admins.roleOf(ctx.user.id)) !== null;
  let member = true;
  try {
    await ctx.services.training.assertCanRequest(ctx.user.id);
  } catch (err) {
    // Admins without an NGO still get their part of the menu; everyone else learns why not.
    if (!isAdmin || !(err instanceof AppError)) throw err;
    member = false;
  }
  const rows: InlineKeyboardButton[][] = [];
  const button = (key: string, action: string, arg: string) => Markup.button.callback(ctx.t(key), callbackData(action, arg));
  if (member) {
    rows.push([button('courses.menu.open', ACTIONS.menu, 'open'), button('courses.menu.mine', ACTIONS.menu, 'mine')]);
    rows.push([button('courses.menu.request', ACTIONS.menu, 'request'), button('courses.menu.requests', ACTIONS.menu, 'requests')]);
  }
  if (isAdmin) {
    rows.push([button('courses.menu.admin_needs', ACTIONS.adminMenu, 'needs'), button('courses.menu.admin_new', ACTIONS.adminMenu, 'new')]);
    rows.push([button('courses.menu.admin_list', ACTIONS.adminMenu, 'list')]);
  }
  await ctx.reply(ctx.t('courses.menu.title'), { parse_mode: 'HTML', reply_markup: { inline_keyboard: rows } });
}

// ---- open courses and a course's card ---------------------------------------------------------------------

function stateLine(ctx: BotContext, view: NgoCourse): string | null {
  const { course, enrolment, state } = view;
  if (enrolment?.status === 'ENROLLED') return ctx.t('courses.ngo.you_enrolled', { participants: num(ctx, enrolment.participants) });
  if (enrolment?.status === 'WAITLISTED') return ctx.t('courses.ngo.you_waitlisted', { position: num(ctx, enrolment.position ?? 1) });
  if (state === 'not_yet' && course.headStartUntil) return ctx.t('courses.ngo.opens_at', { until: when(ctx, course.headStartUntil) });
  if (state === 'closed' || state === 'finished') return ctx.t('courses.ngo.closed');
  if (state === 'cancelled') return null;
  if (seatsLeft(course.capacity, course.taken) === 0 || course.waiting > 0) return ctx.t('courses.ngo.full');
  return null;
}

function cardKeyboard(ctx: BotContext, view: NgoCourse, now: Date): InlineKeyboardMarkup | undefined {
  const { course, enrolment, state } = view;
  const button = (key: string, action: string) => Markup.button.callback(ctx.t(key), callbackData(action, course.id));
  if (enrolment && course.status === 'PUBLISHED' && now.getTime() < course.startsAt.getTime()) {
    return Markup.inlineKeyboard([[button(enrolment.status === 'ENROLLED' ? 'courses.buttons.cancel_enrolment' : 'courses.buttons.leave_waitlist', ACTIONS.cancel)]]).reply_markup;
  }
  if (!enrolment && state === 'open') {
    const full = seatsLeft(course.capacity, course.taken) === 0 || course.waiting > 0;
    return Markup.inlineKeyboard([[button(full ? 'courses.buttons.join_waitlist' : 'courses.buttons.enrol', ACTIONS.enrol)]]).reply_markup;
  }
  return undefined;
}

function ngoCard(ctx: BotContext, view: NgoCourse): { text: string; keyboard?: InlineKeyboardMarkup } {
  const line = stateLine(ctx, view);
  const text = [ctx.services.courses.renderCourse(ctx.lang, view.course), ...(line ? ['', line] : [])].join('\n');
  return { text, keyboard: cardKeyboard(ctx, view, ctx.services.courses.now()) };
}

async function showCourse(ctx: BotContext, courseId: number): Promise<void> {
  const view = await call(ctx, () => ctx.services.courses.courseForNgo(ctx.user.id, courseId));
  const { text, keyboard } = ngoCard(ctx, view);
  await ctx.reply(text, { parse_mode: 'HTML', ...(keyboard ? { reply_markup: keyboard } : {}) });
}

async function showOpenCourses(ctx: BotContext): Promise<void> {
  const courses = await call(ctx, () => ctx.services.courses.openCourses(ctx.user.id));
  if (courses.length === 0) {
    await ctx.reply(ctx.t('courses.ngo.none_open'), mainMenu(ctx));
    return;
  }
  const lines = courses.map(({ course, enrolment, state }) =>
    ctx.t('courses.ngo.list_item', {
      id: num(ctx, course.id),
      title: escapeHtml(course.title),
      when: when(ctx, course.startsAt),
      place: escapeHtml(course.format === 'ONLINE' ? ctx.t('courses.format.ONLINE') : (course.place ?? '—')),
      left: num(ctx, seatsLeft(course.capacity, course.taken)),
      capacity: num(ctx, course.capacity),
      mark: enrolment ? ctx.t(`courses.ngo.mark_${enrolment.status}`) : state === 'not_yet' ? ctx.t('courses.ngo.mark_not_yet') : '',
    }),
  );
  const buttons = courses.map(({ course }) => [Markup.button.callback(`${num(ctx, course.id)}. ${shorten(course.title, 40)}`, callbackData(ACTIONS.view, course.id))]);
  await ctx.reply([ctx.t('courses.ngo.open_title'), '', ...lines].join('\n\n'), { parse_mode: 'HTML', reply_markup: { inline_keyboard: buttons } });
}

async function showMyCourses(ctx: BotContext): Promise<void> {
  const mine = await call(ctx, () => ctx.services.courses.myCourses(ctx.user.id));
  if (mine.length === 0) {
    await ctx.reply(ctx.t('courses.ngo.none_mine'), mainMenu(ctx));
    return;
  }
  const lines = mine.map(({ course, enrolment }) =>
    ctx.t('courses.ngo.mine_item', {
      id: num(ctx, course.id),
      title: escapeHtml(course.title),
      when: when(ctx, course.startsAt),
      state:
        course.status === 'PUBLISHED'
          ? enrolment.status === 'ENROLLED'
            ? ctx.t('courses.ngo.you_enrolled', { participants: num(ctx, enrolment.participants) })
            : ctx.t('courses.ngo.you_waitlisted', { position: num(ctx, enrolment.position ?? 1) })
          : ctx.t(`courses.status.${course.status}`),
    }),
  );
  const buttons = mine.map(({ course }) => [Markup.button.callback(`${num(ctx, course.id)}. ${shorten(course.title, 40)}`, callbackData(ACTIONS.view, course.id))]);
  await ctx.reply([ctx.t('courses.ngo.mine_title'), '', ...lines].join('\n\n'), { parse_mode: 'HTML', reply_markup: { inline_keyboard: buttons } });
}

// ---- enrolling --------------------------------------------------------------------------------------------

const ENROL = 'cenrol';

const countStep: FormStep = {
  id: 'count',
  ask: async (ctx, data) => {
    const limit = Number(data.limit);
    const buttons = Array.from({ length: Math.min(limit, MAX_COUNT_BUTTONS) }, (_, i) => Markup.button.callback(num(ctx, i + 1), `${ENROL}:count.${i + 1}`));
    const rows: InlineKeyboardButton[][] = [];
    for (let i = 0; i < buttons.length; i += 4) rows.push(buttons.slice(i, i + 4));
    await ctx.reply(ctx.t('courses.enrol.ask_count', { title: escapeHtml(String(data.title ?? '')), limit: num(ctx, limit) }), { parse_mode: 'HTML', reply_markup: { inline_keyboard: rows } });
  },
  onCallback: async (ctx, arg, data) => {
    if (!/^\d{1,4}$/.test(arg)) return stay;
    await ctx.editMessageReplyMarkup(undefined).catch(() => {});
    return enrolWith(ctx, Number(data.courseId), Number(arg));
  },
  onText: async (ctx, text, data) => {
    const n = parseCount(text, 1, Number(data.limit));
    if (!n.ok) {
      await ctx.reply(ctx.t('courses.errors.over_limit', { limit: num(ctx, Number(data.limit)) }));
      return stay;
    }
    return enrolWith(ctx, Number(data.courseId), n.value);
  },
};

async function enrolWith(ctx: BotContext, courseId: number, participants: number) {
  let result;
  try {
    result = await ctx.services.courses.enrol(ctx.user.id, courseId, participants);
  } catch (err) {
    // Too many people: another number fixes it. Anything else (closed, cancelled, full...) ends the form.
    const retry = err instanceof AppError && (err.code === 'courses.errors.over_limit' || err.code === 'courses.errors.participants_range');
    await replyRefusal(ctx, err, { endForm: !retry });
    return retry ? stay : end;
  }
  const { course } = result;
  const text =
    result.status === 'ENROLLED'
      ? ctx.t('courses.enrol.enrolled', { title: escapeHtml(course.title), participants: num(ctx, participants), when: when(ctx, course.startsAt), left: num(ctx, seatsLeft(course.capacity, course.taken)) })
      : ctx.t('courses.enrol.waitlisted', { title: escapeHtml(course.title), participants: num(ctx, participants), position: num(ctx, result.position ?? 1) });
  await ctx.reply(text, { parse_mode: 'HTML', ...mainMenu(ctx) });
  return end;
}

const enrolForm = new FormRunner({
  name: 'course_enrol',
  titleKey: 'courses.enrol.title',
  prefix: ENROL,
  steps: [countStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- rating ---------------------------------------------------------------------------------------------------

const commentForm = new FormRunner({
  name: 'course_comment',
  titleKey: 'courses.rating.title',
  prefix: 'crcom',
  steps: [
    {
      id: 'comment',
      ask: async (ctx) => {
        await ctx.reply(ctx.t('courses.rating.ask_comment'), formKeyboard(ctx, { back: false, skip: true }));
      },
      onText: async (ctx, text, data) => {
        if (isLabel(ctx, 'forms.skip', text)) {
          await ctx.reply(ctx.t('courses.rating.thanks'), mainMenu(ctx));
          return end;
        }
        try {
          await ctx.services.courses.comment(ctx.user.id, Number(data.courseId), text);
        } catch (err) {
          const retry = err instanceof AppError && err.code === 'courses.rating.errors.comment';
          await replyRefusal(ctx, err, { endForm: !retry });
          return retry ? stay : end;
        }
        await ctx.reply(ctx.t('courses.rating.thanks_comment'), mainMenu(ctx));
        return end;
      },
    },
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- handlers ------------------------------------------------------------------------------------------------

const ngoCoursesFeature = new Composer<BotContext>();

ngoCoursesFeature.hears(labelTrigger('menu.courses'), showMenu);
ngoCoursesFeature.command('courses', showOpenCourses);
ngoCoursesFeature.command('my_courses', showMyCourses);

ngoCoursesFeature.action(actionTrigger(ACTIONS.menu), async (ctx) => {
  const arg = argOf(ctx, ACTIONS.menu, MENU_ARG);
  if (arg === null) return stale(ctx);
  await ctx.answerCbQuery();
  if (arg === 'request') await startNeedRequest(ctx);
  else if (arg === 'open') await showOpenCourses(ctx);
  else if (arg === 'mine') await showMyCourses(ctx);
  else await showMyRequests(ctx);
});

ngoCoursesFeature.action(actionTrigger(ACTIONS.adminMenu), requireAdmin, async (ctx) => {
  const arg = argOf(ctx, ACTIONS.adminMenu, ADMIN_MENU_ARG);
  if (arg === null) return stale(ctx);
  await ctx.answerCbQuery();
  if (arg === 'needs') await showDemand(ctx);
  else if (arg === 'new') await startNewCourse(ctx);
  else await showCourseList(ctx);
});

function courseAction(action: string, handler: (ctx: BotContext, courseId: number) => Promise<void>) {
  ngoCoursesFeature.action(actionTrigger(action), async (ctx) => {
    const arg = argOf(ctx, action, ID);
    if (arg === null) return stale(ctx);
    await handler(ctx, Number(arg));
  });
}

courseAction(ACTIONS.view, async (ctx, id) => {
  await showCourse(ctx, id);
  await ctx.answerCbQuery();
});

courseAction(ACTIONS.enrol, async (ctx, id) => {
  // A button under an old announcement of a cancelled or closed course says so here, changing nothing.
  const { course } = await call(ctx, () => ctx.services.courses.assertCanEnrol(ctx.user.id, id));
  if (!ctx.session) return stale(ctx);
  await ctx.answerCbQuery();
  await enrolForm.start(ctx, { courseId: course.id, limit: course.perNgoLimit, title: course.title });
});

/** Cancelling and declining a promoted seat both ask first: a slip of the finger would give the seat away. */
async function askCancel(ctx: BotContext, courseId: number): Promise<void> {
  const view = await call(ctx, () => ctx.services.courses.courseForNgo(ctx.user.id, courseId));
  if (!view.enrolment) throw new AppError('courses.errors.not_enrolled');
  if (view.course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: view.course.title });
  await ctx.answerCbQuery();
  await ctx.reply(ctx.t(view.enrolment.status === 'ENROLLED' ? 'courses.cancel_enrolment.ask' : 'courses.cancel_enrolment.ask_waitlist', { title: escapeHtml(view.course.title) }), {
    parse_mode: 'HTML',
    reply_markup: {
      inline_keyboard: [
        [
          Markup.button.callback(ctx.t('courses.cancel_enrolment.yes_button'), callbackData(ACTIONS.confirmCancel, courseId)),
          Markup.button.callback(ctx.t('courses.cancel_enrolment.no_button'), callbackData(ACTIONS.keep, courseId)),
        ],
      ],
    },
  });
}

courseAction(ACTIONS.cancel, askCancel);
courseAction(ACTIONS.decline, askCancel);

courseAction(ACTIONS.confirmCancel, async (ctx, id) => {
  const { was, course } = await call(ctx, () => ctx.services.courses.cancelEnrolment(ctx.user.id, id));
  await redraw(ctx, ctx.t(was === 'ENROLLED' ? 'courses.cancel_enrolment.done' : 'courses.cancel_enrolment.done_waitlist', { title: escapeHtml(course.title) }));
  await ctx.answerCbQuery();
});

courseAction(ACTIONS.keep, async (ctx) => {
  await redraw(ctx, ctx.t('courses.cancel_enrolment.kept'));
  await ctx.answerCbQuery();
});

ngoCoursesFeature.action(actionTrigger(ACTIONS.rate), async (ctx) => {
  const match = RATE_ARG.exec(argOf(ctx, ACTIONS.rate, RATE_ARG) ?? '');
  if (!match) return stale(ctx);
  const courseId = Number(match[1]);
  const score = Number(match[2]);
  const course = await call(ctx, () => ctx.services.courses.rate(ctx.user.id, courseId, score));
  await redraw(ctx, ctx.t('courses.rating.recorded', { title: escapeHtml(course.title), score: num(ctx, score) }));
  await ctx.answerCbQuery();
  if (ctx.session) await commentForm.start(ctx, { courseId });
});

// ---- composition --------------------------------------------------------------------------------------------

/** Everything about training needs and courses, for the bot spine. */
export const coursesFeature = new Composer<BotContext>();
coursesFeature.use(trainingNeedsFeature, courseAdminFeature, ngoCoursesFeature);

export const courseForms: FormRunner[] = [needForm, ...courseAdminForms, enrolForm, commentForm];
