/**
 * The office's commands and buttons for courses: /new_course, /manage_courses, /course <id> and the
 * buttons of a course's page (roster, CSV, edit, reschedule, cancel, attendance). Every command and
 * button passes requireAdmin; the forms re-check the role on every answer (staffOnly); the use cases
 * check the admin's scope again and audit.
 */
import type { BotContext } from '../../platform/bot/context.js';
import type { FormRunner } from '../../platform/bot/forms/engine.js';
import { editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { ARG } from '../../platform/bot/callback-data.js';
import { AppError } from '../../platform/errors.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { requireAdmin } from '../staff/index.js';
import { rosterCsv } from './course-notices.js';
import { attendanceView, pageButtons, rosterText, sendCoursePage, showCourseList } from './course-admin-pages.js';
import { cancelForm, editForm, rescheduleForm } from './course-change-forms.js';
import { newCourseForm, startNewCourse } from './new-course-form.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const courseAdminForms = [newCourseForm, editForm, rescheduleForm, cancelForm] as const;

export const courseAdminFeature = new Handlers<BotContext>();

courseAdminFeature.command('new_course', requireAdmin, startNewCourse);
courseAdminFeature.command('manage_courses', requireAdmin, showCourseList);
courseAdminFeature.command('course', requireAdmin, async (ctx) => {
  const id = normalizeInput(ctx.payload);
  if (!ARG.id.test(id)) throw new AppError('courses.admin.course_usage');
  await sendCoursePage(ctx, Number(id));
});

/** A button of the course page: the course id, checked before anything else. */
function pageAction(action: (typeof pageButtons)['page'], handler: (ctx: BotContext, courseId: number) => Promise<void>) {
  courseAdminFeature.action(action.trigger, requireAdmin, async (ctx) => {
    const parsed = action.parse(ctx);
    if (!parsed) return staleButton(ctx);
    await handler(ctx, Number(parsed[0]));
  });
}

pageAction(pageButtons.page, sendCoursePage);

pageAction(pageButtons.roster, async (ctx, id) => {
  await send(ctx, await rosterText(ctx, id));
});

pageAction(pageButtons.csv, async (ctx, id) => {
  const { course, entries } = await ctx.services.courses.exportRoster(ctx.user.id, id);
  const { fileName, content } = rosterCsv(ctx, course.id, entries);
  await ctx.replyWithDocument({ source: content, filename: fileName }, { caption: ctx.t('courses.admin.csv_caption', { title: course.title }) });
});

/** Forms about one course start only while the course can still be changed, so a stale page says why at once. */
async function startCourseForm(ctx: BotContext, form: FormRunner<{ courseId: number }>, courseId: number): Promise<void> {
  const { course } = await ctx.services.courses.adminView(ctx.user.id, courseId);
  if (course.status === 'CANCELLED') throw new AppError('courses.errors.cancelled', { title: course.title });
  if (course.status !== 'PUBLISHED') throw new AppError('courses.errors.not_editable');
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await form.start(ctx, { courseId });
}

pageAction(pageButtons.edit, (ctx, id) => startCourseForm(ctx, editForm, id));
pageAction(pageButtons.reschedule, (ctx, id) => startCourseForm(ctx, rescheduleForm, id));
pageAction(pageButtons.cancel, (ctx, id) => startCourseForm(ctx, cancelForm, id));

pageAction(pageButtons.attendance, async (ctx, id) => {
  const { text, keyboard } = await attendanceView(ctx, id);
  await send(ctx, text, keyboard);
});

courseAdminFeature.action(pageButtons.mark.trigger, requireAdmin, async (ctx) => {
  const parsed = pageButtons.mark.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const [courseId, ngoId, present] = parsed;
  await ctx.services.courses.setAttendance(ctx.user.id, Number(courseId), Number(ngoId), present === 'y');
  const { text, keyboard } = await attendanceView(ctx, Number(courseId));
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery(ctx.t('courses.admin.attendance_saved'));
});
