/**
 * What the office reads about its courses: the list (/manage_courses), a course's page with its
 * buttons (/course <id>), the roster and the attendance sheet. Each reads through a use case that
 * checks the admin's scope.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { send, shorten } from '../../platform/bot/ui.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { courseCard } from './course-notices.js';

/** The buttons of a course's page; their data must not change (old pages keep working). */
export const pageButtons = {
  page: callbackAction('cadm', ARG.id),
  roster: callbackAction('cadm_roster', ARG.id),
  csv: callbackAction('cadm_csv', ARG.id),
  edit: callbackAction('cadm_edit', ARG.id),
  reschedule: callbackAction('cadm_resch', ARG.id),
  cancel: callbackAction('cadm_cancel', ARG.id),
  attendance: callbackAction('cadm_att', ARG.id),
  /** course, NGO, present (y) or absent (n) */
  mark: callbackAction('cadm_mark', ARG.id, ARG.id, /^[yn]$/),
};

async function coursePage(ctx: BotContext, courseId: number): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { course, enrolledNgos, rating } = await ctx.services.courses.adminView(ctx.user.id, courseId);
  const now = ctx.services.courses.now();
  const { fmt } = ctx;
  const lines = [
    courseCard(ctx, course),
    '',
    ctx.t('courses.admin.enrolled', { ngos: fmt.digits(enrolledNgos), people: fmt.digits(course.taken), capacity: fmt.digits(course.capacity) }),
    ctx.t('courses.admin.waiting', { n: fmt.digits(course.waiting) }),
    course.headStartUntil && course.headStartUntil.getTime() > now.getTime() ? ctx.t('courses.admin.head_start_until', { until: fmt.when(course.headStartUntil) }) : null,
    rating.average !== null ? ctx.t('courses.admin.rating', { average: fmt.number(rating.average), n: fmt.digits(rating.count) }) : ctx.t('courses.admin.no_rating'),
    ...rating.comments.map((c) => ctx.t('courses.admin.comment', { score: fmt.digits(c.score), comment: escapeHtml(c.comment) })),
  ].filter((l): l is string => l !== null);
  const button = (key: string, action: (typeof pageButtons)['page']) => Markup.button.callback(ctx.t(key), action.data(course.id));
  const rows: InlineKeyboardButton[][] = [[button('courses.admin.roster_button', pageButtons.roster), button('courses.admin.csv_button', pageButtons.csv)]];
  if (course.status === 'PUBLISHED') rows.push([button('courses.admin.edit_button', pageButtons.edit), button('courses.admin.reschedule_button', pageButtons.reschedule)]);
  if (course.status !== 'CANCELLED' && course.startsAt.getTime() <= now.getTime()) rows.push([button('courses.admin.attendance_button', pageButtons.attendance)]);
  if (course.status === 'PUBLISHED') rows.push([button('courses.admin.cancel_button', pageButtons.cancel)]);
  return { text: lines.join('\n'), keyboard: { inline_keyboard: rows } };
}

export async function sendCoursePage(ctx: BotContext, courseId: number): Promise<void> {
  const { text, keyboard } = await coursePage(ctx, courseId);
  await send(ctx, text, keyboard);
}

export async function showCourseList(ctx: BotContext): Promise<void> {
  const courses = await ctx.services.courses.adminCourses(ctx.user.id);
  if (courses.length === 0) {
    await ctx.reply(ctx.t('courses.admin.list_empty'));
    return;
  }
  const { fmt } = ctx;
  const lines = courses.map((c) =>
    ctx.t('courses.admin.list_item', {
      id: fmt.digits(c.id),
      title: escapeHtml(c.title),
      when: fmt.when(c.startsAt),
      taken: fmt.digits(c.taken),
      capacity: fmt.digits(c.capacity),
      waiting: fmt.digits(c.waiting),
      status: ctx.t(`courses.status.${c.status}`),
    }),
  );
  const keyboard = courses.map((c) => [Markup.button.callback(`${fmt.digits(c.id)}. ${shorten(c.title, 40)}`, pageButtons.page.data(c.id))]);
  await send(ctx, [ctx.t('courses.admin.list_title'), '', ...lines].join('\n\n'), { inline_keyboard: keyboard });
}

export async function rosterText(ctx: BotContext, courseId: number): Promise<string> {
  const { course, entries } = await ctx.services.courses.roster(ctx.user.id, courseId);
  const { fmt } = ctx;
  const title = ctx.t('courses.admin.roster_title', { id: fmt.digits(course.id), title: escapeHtml(course.title) });
  if (entries.length === 0) return `${title}\n\n${ctx.t('courses.admin.roster_empty')}`;
  const lines = entries.map((e) =>
    ctx.t(e.status === 'ENROLLED' ? 'courses.admin.roster_enrolled' : 'courses.admin.roster_waiting', {
      ngo: escapeHtml(e.ngoName),
      county: escapeHtml(e.county),
      participants: fmt.digits(e.participants),
      position: fmt.digits(e.position ?? 0),
      manager: escapeHtml(e.managerName),
      phone: fmt.phone(e.managerPhone),
      by: escapeHtml(e.enrolledBy),
    }),
  );
  return [title, '', ...lines].join('\n\n');
}

export async function attendanceView(ctx: BotContext, courseId: number): Promise<{ text: string; keyboard: InlineKeyboardMarkup }> {
  const { course, entries } = await ctx.services.courses.roster(ctx.user.id, courseId);
  const enrolled = entries.filter((e) => e.status === 'ENROLLED');
  const mark = (a: boolean | null) => (a === true ? '✅' : a === false ? '❌' : '⬜');
  const text = [
    ctx.t('courses.admin.attendance_title', { title: escapeHtml(course.title) }),
    '',
    ...(enrolled.length ? enrolled.map((e) => `${mark(e.attended)} ${escapeHtml(e.ngoName)} (${ctx.fmt.digits(e.participants)})`) : [ctx.t('courses.admin.roster_empty')]),
  ].join('\n');
  const rows = enrolled.map((e) => [
    Markup.button.callback(`✅ ${shorten(e.ngoName, 20)}`, pageButtons.mark.data(course.id, e.ngoId, 'y')),
    Markup.button.callback(`❌ ${shorten(e.ngoName, 20)}`, pageButtons.mark.data(course.id, e.ngoId, 'n')),
  ]);
  return { text, keyboard: { inline_keyboard: rows } };
}
