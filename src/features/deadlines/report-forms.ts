/** The NGO's report form (text, then an optional document) and the office's extension form (a new date). */
import type { Message } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { end, FormRunner, goto, stay, type StepOutcome } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { refusalText } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { parseJalaliDate } from '../../platform/text/jalali.js';
import { validateText } from '../../platform/text/persian-text.js';
import { staffOnly } from '../staff/index.js';
import { mainMenu } from '../start/index.js';
import { dueText } from './notices.js';
import { REPORT_LIMITS } from './rules.js';

export interface ReportFormData {
  deadlineId: number;
  title: string;
  text?: string;
}

export interface ExtendFormData {
  deadlineId: number;
  title: string;
  /** The current due date as shown to the admin who started the form. */
  due: string;
}

async function submit(ctx: BotContext, data: ReportFormData, file: { fileId: string; fileName: string | null } | null): Promise<StepOutcome> {
  try {
    const input = { text: data.text ?? '', fileId: file?.fileId ?? null, fileName: file?.fileName ?? null };
    const result = await ctx.services.deadlines.submitReport(ctx.user.id, data.deadlineId, input);
    const key = result.resubmitted ? 'deadlines.report.resubmitted' : 'deadlines.report.submitted';
    await ctx.reply(ctx.t(key, { title: escapeHtml(result.title) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    await ctx.reply(refusalText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
  }
  return end;
}

export const reportForm = new FormRunner<ReportFormData>({
  name: 'deadline_report',
  titleKey: 'deadlines.report.title',
  prefix: 'dr',
  steps: [
    {
      id: 'text',
      wrongInputKey: 'deadlines.report.text_required',
      ask: async (ctx, data) => {
        await ctx.reply(ctx.t('deadlines.report.ask_text', { title: escapeHtml(data.title) }), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
      },
      onText: async (ctx, text, data) => {
        const report = validateText(text, { ...REPORT_LIMITS, multiline: true });
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

/** Refusals another date may cure; anything else ends the form. */
const RETRY_ERRORS = new Set(['deadlines.errors.due_past', 'deadlines.errors.extend_not_later', 'deadlines.errors.date_invalid']);

export const extendForm = new FormRunner<ExtendFormData>({
  name: 'deadline_extend',
  titleKey: 'deadlines.extend.title',
  prefix: 'dx',
  steps: [
    {
      id: 'date',
      ask: async (ctx, data) => {
        await ctx.reply(ctx.t('deadlines.extend.ask_date', { title: escapeHtml(data.title), due: escapeHtml(data.due) }), {
          parse_mode: 'HTML',
          ...formKeyboard(ctx, { back: false }),
        });
      },
      onText: async (ctx, text, data) => {
        const date = parseJalaliDate(text);
        if (!date.ok) {
          await ctx.reply(ctx.t(`deadlines.form.errors.date_${date.error}`));
          return stay;
        }
        try {
          const deadline = await ctx.services.deadlines.extend(ctx.user.id, data.deadlineId, date.value);
          await ctx.reply(ctx.t('deadlines.extend.done', { title: escapeHtml(deadline.title), due: dueText(ctx, deadline) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
          return end;
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          await ctx.reply(refusalText(ctx, err));
          if (RETRY_ERRORS.has(err.code)) return stay;
          await ctx.reply(ctx.t('deadlines.form.cancelled'), mainMenu(ctx));
          return end;
        }
      },
    },
  ],
  guard: staffOnly,
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});
