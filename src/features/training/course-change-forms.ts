/**
 * The office's forms about one published course: edit a detail, move it to another time, cancel it
 * with a reason. Each ends on the use case, which checks the admin's scope again and tells the NGOs.
 */
import { Markup } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, next, stay, type FormStep } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { dropButtons, rowsOf } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { mainMenu } from '../start/index.js';
import { staffOnly } from '../staff/index.js';
import { validateCapacity, validateCourseDescription, validateCourseTitle, validateOnlineLink, validatePerNgoLimit, validatePlace } from './rules.js';
import type { CourseChange, CourseView } from './course-store.js';
import { sendCoursePage } from './course-admin-pages.js';
import { limitParams } from './new-course-form.js';
import { parseDateTimeLine, replyRefusal, startDateStep, startTimeStep, type StartFields } from './form-steps.js';

const isBack = (ctx: BotContext, text: string) => isLabel(ctx, 'forms.back', text);

// ---- edit ------------------------------------------------------------------------------------------

const EDIT_FIELDS = ['title', 'description', 'place', 'link', 'capacity', 'limit', 'deadline'] as const;
type EditField = (typeof EDIT_FIELDS)[number];
const isEditField = (v: string): v is EditField => (EDIT_FIELDS as readonly string[]).includes(v);

interface EditData {
  courseId: number;
  field?: EditField;
}

type Parsed = { ok: true; change: CourseChange } | { ok: false; key: string };

/** The typed value of one field, as the change it makes, or the key of what was wrong with it. */
function editChange(field: EditField, text: string, course: CourseView): Parsed {
  const outcome = <V,>(r: { ok: true; value: V } | { ok: false }, change: (v: V) => CourseChange, key = `courses.form.errors.${field}`): Parsed =>
    r.ok ? { ok: true, change: change(r.value) } : { ok: false, key };
  switch (field) {
    case 'title':
      return outcome(validateCourseTitle(text), (title) => ({ title }));
    case 'description':
      return outcome(validateCourseDescription(text), (description) => ({ description }));
    case 'place':
      return outcome(validatePlace(text), (place) => ({ place }));
    case 'link':
      return outcome(validateOnlineLink(text), (onlineLink) => ({ onlineLink }));
    case 'capacity':
      return outcome(validateCapacity(text), (capacity) => ({ capacity }));
    case 'limit':
      return outcome(validatePerNgoLimit(text, course.capacity), (perNgoLimit) => ({ perNgoLimit }));
    case 'deadline':
      return outcome(parseDateTimeLine(text), (registrationDeadline) => ({ registrationDeadline }), 'courses.form.errors.deadline_format');
  }
}

/** Refusals that another answer cannot fix end the form; the rest keep it open for another value. */
const FINAL_REFUSALS = ['courses.errors.not_editable', 'courses.errors.other_county', 'common.errors.not_admin'];

const editSteps: FormStep<EditData>[] = [
  {
    id: 'field',
    wrongInputKey: 'forms.use_buttons',
    ask: async (ctx, data) => {
      const course = await ctx.services.courses.loadCourse(data.courseId);
      const fields = EDIT_FIELDS.filter((f) => (f === 'place' ? course?.format === 'IN_PERSON' : f === 'link' ? course?.format === 'ONLINE' : true));
      const buttons = fields.map((f) => Markup.button.callback(ctx.t(`courses.edit.fields.${f}`), editForm.callbackData('field', f)));
      await ctx.reply(ctx.t('courses.edit.ask_field', { title: escapeHtml(course?.title ?? '') }), { parse_mode: 'HTML', ...Markup.inlineKeyboard(rowsOf(buttons, 2)) });
    },
    onCallback: async (ctx, arg, data) => {
      if (!isEditField(arg)) return stay;
      data.field = arg;
      await dropButtons(ctx);
      return next;
    },
  },
  {
    id: 'value',
    ask: async (ctx, data) => {
      const course = await ctx.services.courses.loadCourse(data.courseId);
      await ctx.reply(ctx.t(`courses.edit.ask.${data.field}`, limitParams(ctx, course?.capacity ?? 0)), { parse_mode: 'HTML', ...formKeyboard(ctx) });
    },
    onText: async (ctx, text, data) => {
      const course = await ctx.services.courses.loadCourse(data.courseId);
      if (!course || !data.field) return end;
      const parsed = editChange(data.field, text, course);
      if (!parsed.ok) {
        await ctx.reply(ctx.t(parsed.key, limitParams(ctx, course.capacity)));
        return stay;
      }
      try {
        await ctx.services.courses.edit(ctx.user.id, data.courseId, parsed.change);
      } catch (err) {
        await replyRefusal(ctx, err);
        return err instanceof AppError && FINAL_REFUSALS.includes(err.code) ? end : stay;
      }
      await ctx.reply(ctx.t('courses.edit.done'), mainMenu(ctx));
      await sendCoursePage(ctx, data.courseId);
      return end;
    },
  },
];

export const editForm: FormRunner<EditData> = new FormRunner<EditData>({ name: 'course_edit', titleKey: 'courses.edit.title', prefix: 'ecrs', steps: editSteps, isBack, guard: staffOnly });

// ---- reschedule --------------------------------------------------------------------------------------

interface RescheduleData extends StartFields {
  courseId: number;
}

export const rescheduleForm = new FormRunner<RescheduleData>({
  name: 'course_reschedule',
  titleKey: 'courses.reschedule.title',
  prefix: 'rcrs',
  steps: [
    startDateStep<RescheduleData>(),
    startTimeStep<RescheduleData>(async (ctx, startsAt, data) => {
      try {
        await ctx.services.courses.reschedule(ctx.user.id, data.courseId, startsAt);
      } catch (err) {
        await replyRefusal(ctx, err, { endForm: true });
        return end;
      }
      await ctx.reply(ctx.t('courses.reschedule.done', { when: ctx.fmt.when(startsAt) }), mainMenu(ctx));
      await sendCoursePage(ctx, data.courseId);
      return end;
    }),
  ],
  isBack,
  guard: staffOnly,
});

// ---- cancel ------------------------------------------------------------------------------------------

interface CancelData {
  courseId: number;
  reason?: string;
}

const cancelSteps: FormStep<CancelData>[] = [
  {
    id: 'reason',
    ask: async (ctx, data) => {
      const course = await ctx.services.courses.loadCourse(data.courseId);
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
      const course = await ctx.services.courses.loadCourse(data.courseId);
      const button = (key: string, arg: string) => Markup.button.callback(ctx.t(key), cancelForm.callbackData('confirm', arg));
      await ctx.reply(ctx.t('courses.cancel.confirm', { title: escapeHtml(course?.title ?? ''), reason: escapeHtml(data.reason ?? '') }), {
        parse_mode: 'HTML',
        ...Markup.inlineKeyboard([[button('courses.cancel.yes_button', 'yes'), button('courses.cancel.no_button', 'no')]]),
      });
    },
    onCallback: async (ctx, arg, data) => {
      await dropButtons(ctx);
      if (arg !== 'yes') {
        await ctx.reply(ctx.t('courses.cancel.kept'), mainMenu(ctx));
        return end;
      }
      try {
        const { course, told } = await ctx.services.courses.cancelCourse(ctx.user.id, data.courseId, data.reason ?? '');
        await ctx.reply(ctx.t('courses.cancel.done', { title: escapeHtml(course.title), n: ctx.fmt.digits(told), count: told }), { parse_mode: 'HTML', ...mainMenu(ctx) });
      } catch (err) {
        await replyRefusal(ctx, err, { endForm: true });
      }
      return end;
    },
  },
];

export const cancelForm: FormRunner<CancelData> = new FormRunner<CancelData>({ name: 'course_cancel', titleKey: 'courses.cancel.title', prefix: 'xcrs', steps: cancelSteps, isBack, guard: staffOnly });
