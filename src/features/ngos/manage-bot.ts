/**
 * The office's management of NGOs: /find and the profile it opens, with the NGO's member list and the
 * corrections of its record (suspend and reactivate are review-bot.ts's buttons, on the profile too).
 * Every press re-reads the role and the county through the service: a forged or kept button reaches
 * no NGO outside the presser's scope, and a button drawn before the NGO changed changes nothing.
 */
import type { InlineKeyboardButton } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { formKeyboard } from '../../platform/bot/forms/keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';
import { bestEffort, editOrSend, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { requireAdmin } from '../staff/index.js';
import { manageButtons } from './callbacks.js';
import { findForm } from './find-form.js';
import { backToProfile } from './manage-notices.js';
import { membersList } from './notices.js';
import { showStaffProfile } from './staff-card.js';
import { startStaffEdit } from './staff-edit-form.js';
import { EDITABLE_STEPS, editItemRows } from './steps.js';

const MEMBERS_PAGE_SIZE = 20;

/** Refusals after which the pressed profile no longer shows the NGO as it is: it is redrawn. */
const OUTDATED = new Set(['ngo.manage.changed', 'ngo.manage.not_editable']);

export const manageFeature = new Handlers<BotContext>();

/**
 * Runs a press on a profile's button. When the NGO changed since the profile was drawn, the profile is
 * redrawn as it now is before the error boundary shows why nothing happened.
 */
async function onProfile<T>(ctx: BotContext, ngoId: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && OUTDATED.has(err.code)) await bestEffort(() => showStaffProfile(ctx, ngoId, true));
    throw err;
  }
}

manageFeature.command('find', requireAdmin, async (ctx) => {
  const typed = ctx.payload.trim();
  if (!typed) return findForm.start(ctx, {});
  // Searched at once; the admin learns that what they type next searches again, and how to stop.
  await ctx.reply(ctx.t('ngo.search.searching'), formKeyboard(ctx, { back: false }));
  await findForm.start(ctx, { ngoQuery: typed });
});

manageFeature.action(manageButtons.open.trigger, requireAdmin, async (ctx) => {
  const [id] = manageButtons.open.parse(ctx) ?? [];
  if (id === undefined) return staleButton(ctx);
  await showStaffProfile(ctx, Number(id), false);
});

manageFeature.action(manageButtons.redraw.trigger, requireAdmin, async (ctx) => {
  const [id] = manageButtons.redraw.parse(ctx) ?? [];
  if (id === undefined) return staleButton(ctx);
  await showStaffProfile(ctx, Number(id), true);
});

manageFeature.action(manageButtons.edit.trigger, requireAdmin, async (ctx) => {
  const [id, version] = manageButtons.edit.parse(ctx) ?? [];
  if (id === undefined || version === undefined) return staleButton(ctx);
  const ngoId = Number(id);
  const ngo = await onProfile(ctx, ngoId, () => ctx.services.ngos.staffEditTarget(ctx.user.id, ngoId, version));
  const rows: InlineKeyboardButton[][] = [
    ...editItemRows(ctx, (item) => manageButtons.editItem.data(ngoId, version, EDITABLE_STEPS.indexOf(item))),
    backToProfile(ctx.t, ngoId),
  ];
  await editOrSend(ctx, ctx.t('ngo.manage.edit_choose', { name: escapeHtml(ngo.name) }), { inline_keyboard: rows });
});

manageFeature.action(manageButtons.editItem.trigger, requireAdmin, async (ctx) => {
  const [id, version, index] = manageButtons.editItem.parse(ctx) ?? [];
  const item = EDITABLE_STEPS[Number(index)];
  if (id === undefined || version === undefined || item === undefined) return staleButton(ctx);
  const ngoId = Number(id);
  const ngo = await onProfile(ctx, ngoId, () => ctx.services.ngos.staffEditTarget(ctx.user.id, ngoId, version));
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await startStaffEdit(ctx, ngo, version, item);
});

manageFeature.action(manageButtons.members.trigger, requireAdmin, async (ctx) => {
  const [id, requested] = manageButtons.members.parse(ctx) ?? [];
  if (id === undefined || requested === undefined) return staleButton(ctx);
  const ngoId = Number(id);
  const view = await ctx.services.ngos.staffMembers(ctx.user.id, ngoId, Number(requested), MEMBERS_PAGE_SIZE);
  const text = membersList(ctx, view.ngo.name, { total: view.total, shown: view.members, first: view.page * MEMBERS_PAGE_SIZE, page: view.page, pages: view.pages });
  const nav: InlineKeyboardButton[] = [];
  if (view.page > 0) nav.push({ text: ctx.t('profile.prev_page'), callback_data: manageButtons.members.data(ngoId, view.page - 1) });
  if (view.page < view.pages - 1) nav.push({ text: ctx.t('profile.next_page'), callback_data: manageButtons.members.data(ngoId, view.page + 1) });
  await editOrSend(ctx, text, { inline_keyboard: [...(nav.length > 0 ? [nav] : []), backToProfile(ctx.t, ngoId)] });
});
