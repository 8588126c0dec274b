/**
 * Deadlines in the chat. NGO members: /deadlines (and the menu button) and "submit report" under every
 * notice and reminder. Office staff: /new_deadline (a project of one NGO, or a reporting deadline for a
 * group), /deadlines_admin and /deadline <id> (who is done, waiting, overdue; accept, extend, close).
 * Handlers parse, call the service and reply through the screens; the service decides and tells others.
 */
import { Markup } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import type { AnyFormRunner } from '../../platform/bot/forms/engine.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { dropButtons, send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { requireAdmin } from '../staff/index.js';
import { ACCEPT, CLOSE, CLOSE_CONFIRM, EXTEND, NEW_PROJECT, REPORT, SUBMIT, VIEW } from './actions.js';
import { newDeadlineData, newDeadlineForm } from './forms.js';
import { dueText } from './notices.js';
import { extendForm, reportForm } from './report-forms.js';
import { adminListScreen, adminPageScreen, memberListScreen, reportScreen } from './screens.js';
import { Handlers } from '../../platform/bot/handlers.js';

const ID = /^[1-9]\d{0,8}$/;

/** Forms of this feature, for the form router. */
export const deadlineForms: readonly AnyFormRunner[] = [newDeadlineForm, reportForm, extendForm];

export const deadlinesFeature = new Handlers<BotContext>();

async function showAdminList(ctx: BotContext): Promise<void> {
  const { text, keyboard } = adminListScreen(ctx, await ctx.services.deadlines.listForAdmin(ctx.user.id));
  await send(ctx, text, keyboard);
}

/**
 * Members see their NGO's deadlines; staff without an NGO get the office's list instead (the role only
 * routes here: listForAdmin checks it again).
 */
async function showMemberDeadlines(ctx: BotContext): Promise<void> {
  if (ctx.user.role && !(await ctx.services.ngos.commandPlace(ctx.user.id)).inNgo) return showAdminList(ctx);
  const { text, keyboard } = memberListScreen(ctx, await ctx.services.deadlines.listForMember(ctx.user.id));
  await send(ctx, text, keyboard);
}

/** A deadline an admin pressed a button of: still open, else the refusal says why. */
async function openDeadline(ctx: BotContext, id: string) {
  const { deadline } = await ctx.services.deadlines.pageForAdmin(ctx.user.id, Number(id));
  if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
  return deadline;
}

deadlinesFeature.command('deadlines', showMemberDeadlines);
deadlinesFeature.hears(labelTrigger('menu.deadlines'), showMemberDeadlines);

deadlinesFeature.action(SUBMIT.trigger, async (ctx) => {
  const parsed = SUBMIT.parse(ctx);
  if (!parsed) return staleButton(ctx);
  // Checked before the form starts, so a stranger or a closed deadline is told at once; checked again on submit.
  const target = await ctx.services.deadlines.reportable(ctx.user.id, Number(parsed[0]));
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await reportForm.start(ctx, { deadlineId: target.id, title: target.title });
});

deadlinesFeature.command('new_deadline', requireAdmin, async (ctx) => {
  await newDeadlineForm.start(ctx, newDeadlineData());
});

deadlinesFeature.action(NEW_PROJECT.trigger, requireAdmin, async (ctx) => {
  const parsed = NEW_PROJECT.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const ngo = await ctx.services.deadlines.projectNgo(ctx.user.id, Number(parsed[0]));
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await newDeadlineForm.start(ctx, newDeadlineData({ kind: 'PROJECT', ngoId: ngo.id, ngoName: ngo.name }), 'title');
});

deadlinesFeature.command('deadlines_admin', requireAdmin, showAdminList);

deadlinesFeature.command('deadline', requireAdmin, async (ctx) => {
  const id = normalizeInput(ctx.payload).replace(/^#/, '');
  if (!ID.test(id)) throw new AppError('deadlines.admin.usage');
  const { text, keyboard } = adminPageScreen(ctx, await ctx.services.deadlines.pageForAdmin(ctx.user.id, Number(id)));
  await send(ctx, text, keyboard);
});

deadlinesFeature.action(VIEW.trigger, requireAdmin, async (ctx) => {
  const parsed = VIEW.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const { text, keyboard } = adminPageScreen(ctx, await ctx.services.deadlines.pageForAdmin(ctx.user.id, Number(parsed[0])));
  await send(ctx, text, keyboard);
});

deadlinesFeature.action(REPORT.trigger, requireAdmin, async (ctx) => {
  const parsed = REPORT.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const report = await ctx.services.deadlines.reportForAdmin(ctx.user.id, Number(parsed[0]), Number(parsed[1]));
  const { text, keyboard } = reportScreen(ctx, report);
  await send(ctx, text, keyboard);
  if (report.target.reportFileId) {
    await ctx.replyWithDocument(report.target.reportFileId).catch((err: unknown) => ctx.log.warn({ err }, 'could not send the report document'));
  }
});

deadlinesFeature.action(ACCEPT.trigger, requireAdmin, async (ctx) => {
  const parsed = ACCEPT.parse(ctx);
  if (!parsed) return staleButton(ctx);
  try {
    const { deadline, ngo } = await ctx.services.deadlines.accept(ctx.user.id, Number(parsed[0]), Number(parsed[1]));
    await dropButtons(ctx);
    await ctx.answerCbQuery(ctx.t('deadlines.admin.accepted', { ngo: ngo.name, title: deadline.title }).slice(0, 200));
    await send(ctx, ctx.t('deadlines.admin.accepted', { ngo: escapeHtml(ngo.name), title: escapeHtml(deadline.title) }));
  } catch (err) {
    // Someone else accepted it meanwhile: the button goes, the boundary says why.
    if (err instanceof AppError) await dropButtons(ctx);
    throw err;
  }
});

deadlinesFeature.action(EXTEND.trigger, requireAdmin, async (ctx) => {
  const parsed = EXTEND.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const deadline = await openDeadline(ctx, parsed[0]);
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await extendForm.start(ctx, { deadlineId: deadline.id, title: deadline.title, due: dueText(ctx, deadline) });
});

deadlinesFeature.action(CLOSE.trigger, requireAdmin, async (ctx) => {
  const parsed = CLOSE.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const deadline = await openDeadline(ctx, parsed[0]);
  const confirm = Markup.inlineKeyboard([[Markup.button.callback(ctx.t('deadlines.admin.close_confirm_button'), CLOSE_CONFIRM.data(deadline.id))]]);
  await send(ctx, ctx.t('deadlines.admin.close_confirm', { title: escapeHtml(deadline.title) }), confirm.reply_markup);
});

deadlinesFeature.action(CLOSE_CONFIRM.trigger, requireAdmin, async (ctx) => {
  const parsed = CLOSE_CONFIRM.parse(ctx);
  if (!parsed) return staleButton(ctx);
  await dropButtons(ctx);
  const closed = await ctx.services.deadlines.close(ctx.user.id, Number(parsed[0]));
  await send(ctx, ctx.t('deadlines.admin.closed', { title: escapeHtml(closed.title) }));
});


