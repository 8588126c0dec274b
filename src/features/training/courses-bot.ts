/**
 * Courses as NGOs see them: the main-menu button (a small menu), /courses (open courses), a course's
 * card with enrol / waitlist / cancel, /my_courses, giving a promoted seat back, and rating a course
 * afterwards.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { dropButtons, editOrSend, rowsOf, send, shorten, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { mainMenu } from '../start/index.js';
import { requireAdmin } from '../staff/index.js';
import { parseCount } from './rules.js';
import { courseButtons, courseCard, enrolOutcome, isFull, myCourseLine, ngoStateLine, openCourseLine } from './course-notices.js';
import type { CourseView, NgoCourse } from './course-store.js';
import { showCourseList } from './course-admin-pages.js';
import { startNewCourse } from './new-course-form.js';
import { replyRefusal } from './form-steps.js';
import { showDemand, showMyRequests, startNeedRequest } from './needs-bot.js';
import { Handlers } from '../../platform/bot/handlers.js';

const buttons = {
  menu: callbackAction('crs_menu', /^(?:request|open|mine|requests)$/),
  adminMenu: callbackAction('crs_admin', /^(?:needs|new|list)$/),
  enrol: callbackAction('crs_enrol', ARG.id),
  cancel: callbackAction('crs_cancel', ARG.id),
  confirmCancel: callbackAction('crs_cxl', ARG.id),
  keep: callbackAction('crs_keep', ARG.id),
};

/** Number buttons offered for participants; larger limits are typed. */
const MAX_COUNT_BUTTONS = 8;

// ---- the menu -------------------------------------------------------------------------------------------

async function showMenu(ctx: BotContext): Promise<void> {
  // What the menu offers; every staff action behind it checks the role again.
  const isAdmin = ctx.user.role !== null;
  let member = true;
  try {
    await ctx.services.training.assertCanRequest(ctx.user.id);
  } catch (err) {
    // Admins without an NGO still get their part of the menu; everyone else learns why not.
    if (!isAdmin || !(err instanceof AppError)) throw err;
    member = false;
  }
  const item = (key: string, data: string) => Markup.button.callback(ctx.t(key), data);
  const rows = [];
  if (member) {
    rows.push([item('courses.menu.open', buttons.menu.data('open')), item('courses.menu.mine', buttons.menu.data('mine'))]);
    rows.push([item('courses.menu.request', buttons.menu.data('request')), item('courses.menu.requests', buttons.menu.data('requests'))]);
  }
  if (isAdmin) {
    rows.push([item('courses.menu.admin_needs', buttons.adminMenu.data('needs')), item('courses.menu.admin_new', buttons.adminMenu.data('new'))]);
    rows.push([item('courses.menu.admin_list', buttons.adminMenu.data('list'))]);
  }
  await send(ctx, ctx.t('courses.menu.title'), { inline_keyboard: rows });
}

// ---- open courses and a course's card ---------------------------------------------------------------------

function cardKeyboard(ctx: BotContext, view: NgoCourse, now: Date): InlineKeyboardMarkup | undefined {
  const { course, enrolment, state } = view;
  const button = (key: string, data: string) => Markup.inlineKeyboard([[Markup.button.callback(ctx.t(key), data)]]).reply_markup;
  if (enrolment && course.status === 'PUBLISHED' && now.getTime() < course.startsAt.getTime()) {
    return button(enrolment.status === 'ENROLLED' ? 'courses.buttons.cancel_enrolment' : 'courses.buttons.leave_waitlist', buttons.cancel.data(course.id));
  }
  if (!enrolment && state === 'open') return button(isFull(course) ? 'courses.buttons.join_waitlist' : 'courses.buttons.enrol', buttons.enrol.data(course.id));
  return undefined;
}

async function showCourse(ctx: BotContext, courseId: number): Promise<void> {
  const view = await ctx.services.courses.courseForNgo(ctx.user.id, courseId);
  const line = ngoStateLine(ctx, view);
  const text = [courseCard(ctx, view.course), ...(line ? ['', line] : [])].join('\n');
  await send(ctx, text, cardKeyboard(ctx, view, ctx.services.courses.now()));
}

/** A list of courses: one paragraph each, and a button per course that opens its card. */
async function sendCourseList(ctx: BotContext, titleKey: string, items: { course: CourseView; line: string }[]): Promise<void> {
  const keyboard = items.map(({ course }) => [Markup.button.callback(`${ctx.fmt.digits(course.id)}. ${shorten(course.title, 40)}`, courseButtons.view.data(course.id))]);
  await send(ctx, [ctx.t(titleKey), '', ...items.map((i) => i.line)].join('\n\n'), { inline_keyboard: keyboard });
}

async function showOpenCourses(ctx: BotContext): Promise<void> {
  const courses = await ctx.services.courses.openCourses(ctx.user.id);
  if (courses.length === 0) {
    await ctx.reply(ctx.t('courses.ngo.none_open'), mainMenu(ctx));
    return;
  }
  await sendCourseList(ctx, 'courses.ngo.open_title', courses.map((view) => ({ course: view.course, line: openCourseLine(ctx, view) })));
}

async function showMyCourses(ctx: BotContext): Promise<void> {
  const mine = await ctx.services.courses.myCourses(ctx.user.id);
  if (mine.length === 0) {
    await ctx.reply(ctx.t('courses.ngo.none_mine'), mainMenu(ctx));
    return;
  }
  await sendCourseList(ctx, 'courses.ngo.mine_title', mine.map(({ course, enrolment }) => ({ course, line: myCourseLine(ctx, course, enrolment) })));
}

// ---- enrolling --------------------------------------------------------------------------------------------

interface EnrolData {
  courseId: number;
  limit: number;
  title: string;
}

const countStep: FormStep<EnrolData> = {
  id: 'count',
  ask: async (ctx, data) => {
    const counts = Array.from({ length: Math.min(data.limit, MAX_COUNT_BUTTONS) }, (_, i) => Markup.button.callback(ctx.fmt.digits(i + 1), enrolForm.callbackData('count', String(i + 1))));
    await send(ctx, ctx.t('courses.enrol.ask_count', { title: escapeHtml(data.title), limit: ctx.fmt.digits(data.limit) }), { inline_keyboard: rowsOf(counts, 4) });
  },
  onCallback: async (ctx, arg, data) => {
    if (!/^\d{1,4}$/.test(arg)) return stay;
    await dropButtons(ctx);
    return enrolWith(ctx, data.courseId, Number(arg));
  },
  onText: async (ctx, text, data) => {
    const n = parseCount(text, 1, data.limit);
    if (!n.ok) {
      await ctx.reply(overLimitText(ctx, data.limit));
      return stay;
    }
    return enrolWith(ctx, data.courseId, n.value);
  },
};

/** A number outside 1..limit; with a limit of 1 there is no range to name, only the one number. */
function overLimitText(ctx: BotContext, limit: number): string {
  return limit === 1 ? ctx.t('courses.errors.over_limit_only') : ctx.t('courses.errors.over_limit', { limit: ctx.fmt.digits(limit) });
}

async function enrolWith(ctx: BotContext, courseId: number, participants: number) {
  let result;
  try {
    result = await ctx.services.courses.enrol(ctx.user.id, courseId, participants);
  } catch (err) {
    // Too many people: another number fixes it. Anything else (closed, cancelled, full...) ends the form.
    const retry = err instanceof AppError && (err.code === 'courses.errors.over_limit' || err.code === 'courses.errors.participants_range');
    const limit = err instanceof AppError && err.code === 'courses.errors.over_limit' ? Number(err.params.limit) : NaN;
    if (Number.isInteger(limit)) await ctx.reply(overLimitText(ctx, limit));
    else await replyRefusal(ctx, err, { endForm: !retry });
    return retry ? stay : end;
  }
  await ctx.reply(enrolOutcome(ctx, result, participants), { parse_mode: 'HTML', ...mainMenu(ctx) });
  return end;
}

const enrolForm: FormRunner<EnrolData> = new FormRunner<EnrolData>({
  name: 'course_enrol',
  titleKey: 'courses.enrol.title',
  prefix: 'cenrol',
  steps: [countStep],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

// ---- rating ---------------------------------------------------------------------------------------------------

const commentForm = new FormRunner<{ courseId: number }>({
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
          await ctx.services.courses.comment(ctx.user.id, data.courseId, text);
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

export const ngoCoursesFeature = new Handlers<BotContext>();

ngoCoursesFeature.hears(labelTrigger('menu.courses'), showMenu);
ngoCoursesFeature.command('courses', showOpenCourses);
ngoCoursesFeature.command('my_courses', showMyCourses);

type Show = (ctx: BotContext) => Promise<void>;
const MENU: Record<string, Show> = { request: startNeedRequest, open: showOpenCourses, mine: showMyCourses, requests: showMyRequests };
const ADMIN_MENU: Record<string, Show> = { needs: showDemand, new: startNewCourse, list: showCourseList };

ngoCoursesFeature.action(buttons.menu.trigger, async (ctx) => {
  const show = MENU[buttons.menu.parse(ctx)?.[0] ?? ''];
  if (!show) return staleButton(ctx);
  await show(ctx);
});

ngoCoursesFeature.action(buttons.adminMenu.trigger, requireAdmin, async (ctx) => {
  const show = ADMIN_MENU[buttons.adminMenu.parse(ctx)?.[0] ?? ''];
  if (!show) return staleButton(ctx);
  await show(ctx);
});

/** A button naming one course: the id is checked before anything else. */
function courseAction(action: (typeof courseButtons)['view'], handler: (ctx: BotContext, courseId: number) => Promise<void>) {
  ngoCoursesFeature.action(action.trigger, async (ctx) => {
    const parsed = action.parse(ctx);
    if (!parsed) return staleButton(ctx);
    await handler(ctx, Number(parsed[0]));
  });
}

courseAction(courseButtons.view, showCourse);

courseAction(buttons.enrol, async (ctx, id) => {
  // A button under an old announcement of a cancelled or closed course says so here, changing nothing.
  const { course } = await ctx.services.courses.assertCanEnrol(ctx.user.id, id);
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await enrolForm.start(ctx, { courseId: course.id, limit: course.perNgoLimit, title: course.title });
});

/** Cancelling and declining a promoted seat both ask first: a slip of the finger would give the seat away. */
async function askCancel(ctx: BotContext, courseId: number): Promise<void> {
  const view = await ctx.services.courses.courseForNgo(ctx.user.id, courseId);
  if (!view.enrolment) throw new AppError('courses.errors.not_enrolled');
  if (view.course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: view.course.title });
  await ctx.answerCbQuery();
  const key = view.enrolment.status === 'ENROLLED' ? 'courses.cancel_enrolment.ask' : 'courses.cancel_enrolment.ask_waitlist';
  await send(ctx, ctx.t(key, { title: escapeHtml(view.course.title) }), {
    inline_keyboard: [
      [
        Markup.button.callback(ctx.t('courses.cancel_enrolment.yes_button'), buttons.confirmCancel.data(courseId)),
        Markup.button.callback(ctx.t('courses.cancel_enrolment.no_button'), buttons.keep.data(courseId)),
      ],
    ],
  });
}

courseAction(buttons.cancel, askCancel);
courseAction(courseButtons.decline, askCancel);

courseAction(buttons.confirmCancel, async (ctx, id) => {
  const { was, course } = await ctx.services.courses.cancelEnrolment(ctx.user.id, id);
  await editOrSend(ctx, ctx.t(was === 'ENROLLED' ? 'courses.cancel_enrolment.done' : 'courses.cancel_enrolment.done_waitlist', { title: escapeHtml(course.title) }));
});

courseAction(buttons.keep, async (ctx) => {
  await editOrSend(ctx, ctx.t('courses.cancel_enrolment.kept'));
});

ngoCoursesFeature.action(courseButtons.rate.trigger, async (ctx) => {
  const parsed = courseButtons.rate.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const [courseId, score] = [Number(parsed[0]), Number(parsed[1])];
  const course = await ctx.services.courses.rate(ctx.user.id, courseId, score);
  await editOrSend(ctx, ctx.t('courses.rating.recorded', { title: escapeHtml(course.title), score: ctx.fmt.digits(score) }));
  await ctx.answerCbQuery();
  if (ctx.session) await commentForm.start(ctx, { courseId });
});

export const ngoCourseForms = [enrolForm, commentForm] as const;
