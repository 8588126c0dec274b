/**
 * The office's review of NGOs: approve or reject a registration (from the reviewers' notice, /pending
 * or /ngo), suspend and reactivate. The service decides once, audits and tells the manager; this layer
 * re-checks the role on every press, asks for reasons, and keeps the admin's message in step with the
 * decision so that no stale button stays under a decided NGO.
 */
import { pageOrLast } from '../../platform/bot/paging.js';
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import { editOrSend, isNotModified, refusalText, send, shorten, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { normalizeInput } from '../../platform/text/index.js';
import { requireAdmin } from '../staff/index.js';
import { reviewButtons, reviewTarget } from './callbacks.js';
import { decidedCard, ngoSummary, pendingItemNumber, pendingList, reviewKeyboard, type PendingPage } from './notices.js';
import { reasonForm } from './review-forms.js';
import { submissionVersion, type NgoRecord } from './rules.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const PENDING_PAGE_SIZE = 5;

const NGO_ID = /^[1-9]\d{0,8}$/;
/** Errors after which the admin's copy of the card no longer matches the NGO and is redrawn. */
const OUTDATED_CODES = new Set(['ngo.review.already_decided', 'review.not_current', 'review.outdated_submission']);

export const ngoReviewFeature = new Handlers<BotContext>();

/** The buttons that make sense for the NGO's current status; none once nothing is left to decide. */
function statusKeyboard(ctx: BotContext, ngo: NgoRecord): InlineKeyboardMarkup | undefined {
  const button = (key: string, data: string) => Markup.button.callback(ctx.t(key), data);
  switch (ngo.status) {
    case 'PENDING':
      return reviewKeyboard(ctx.t, ngo);
    case 'APPROVED':
      return Markup.inlineKeyboard([[button('ngo.review.suspend_button', reviewButtons.suspend.data(ngo.id))]]).reply_markup;
    case 'SUSPENDED':
      return Markup.inlineKeyboard([[button('ngo.review.reactivate_button', reviewButtons.reactivate.data(ngo.id))]]).reply_markup;
    default:
      return undefined;
  }
}

/**
 * Runs a decision started by a button. When someone else got there first, the pressing admin's card
 * is redrawn with the NGO's current state and the reason its buttons went, before the error boundary
 * shows the same polite "already decided" as an alert.
 */
async function fromButton<T>(ctx: BotContext, ngoId: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && OUTDATED_CODES.has(err.code)) {
      const current = await ctx.services.ngos.loadNgo(ngoId);
      if (current && ctx.callbackQuery?.message) {
        await ctx.editMessageText(`${ngoSummary(ctx, current)}\n\n${refusalText(ctx, err)}`, { parse_mode: 'HTML' }).catch((editErr: unknown) => {
          if (!isNotModified(editErr)) ctx.log.warn({ err: editErr }, 'could not redraw an outdated review message');
        });
      }
    }
    throw err;
  }
}

/** A reason is asked only while the decision is still open; otherwise the admin learns why not at once. */
function requireStatus(ctx: BotContext, ngo: NgoRecord, expected: NgoRecord['status']): void {
  if (ngo.status !== expected) throw new AppError('review.not_current', { status: ctx.t(`ngo.status.${ngo.status}`) });
}

/** Opens the reason form for a decision still open; the press is answered by the caller. */
async function askReason(ctx: BotContext, action: 'reject' | 'suspend', ngo: NgoRecord, version?: string): Promise<void> {
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return staleButton(ctx);
  const messageId = ctx.callbackQuery?.message?.message_id;
  await reasonForm.start(ctx, {
    ngoId: ngo.id,
    action,
    name: ngo.name,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(version !== undefined ? { version } : {}),
  });
}

// ---- decisions ------------------------------------------------------------------------------------

ngoReviewFeature.action(reviewButtons.approve.trigger, requireAdmin, async (ctx) => {
  const target = reviewTarget(ctx, 'approve');
  if (target === null) return staleButton(ctx);
  const ngo = await fromButton(ctx, target.id, () => ctx.services.ngos.approve(ctx.user.id, target.id, target.version));
  await editOrSend(ctx, decidedCard(ctx, 'approve', ngo));
});

ngoReviewFeature.action(reviewButtons.reject.trigger, requireAdmin, async (ctx) => {
  const target = reviewTarget(ctx, 'reject');
  if (target === null) return staleButton(ctx);
  const ngo = await fromButton(ctx, target.id, async () => {
    const found = await ctx.services.ngos.viewForAdmin(ctx.user.id, target.id);
    requireStatus(ctx, found, 'PENDING');
    if (target.version !== undefined && submissionVersion(found) !== target.version) throw new AppError('review.outdated_submission');
    return found;
  });
  await askReason(ctx, 'reject', ngo, target.version);
});

ngoReviewFeature.action(reviewButtons.suspend.trigger, requireAdmin, async (ctx) => {
  const [id] = reviewButtons.suspend.parse(ctx) ?? [];
  if (id === undefined) return staleButton(ctx);
  const ngoId = Number(id);
  const ngo = await fromButton(ctx, ngoId, async () => {
    const found = await ctx.services.ngos.viewForAdmin(ctx.user.id, ngoId);
    requireStatus(ctx, found, 'APPROVED');
    return found;
  });
  await askReason(ctx, 'suspend', ngo);
});

ngoReviewFeature.action(reviewButtons.reactivate.trigger, requireAdmin, async (ctx) => {
  const [id] = reviewButtons.reactivate.parse(ctx) ?? [];
  if (id === undefined) return staleButton(ctx);
  const ngoId = Number(id);
  const ngo = await fromButton(ctx, ngoId, () => ctx.services.ngos.reactivate(ctx.user.id, ngoId));
  await editOrSend(ctx, decidedCard(ctx, 'reactivate', ngo));
});

// ---- viewing ---------------------------------------------------------------------------------------

async function showNgo(ctx: BotContext, ngoId: number): Promise<void> {
  const ngo = await ctx.services.ngos.viewForAdmin(ctx.user.id, ngoId);
  await send(ctx, ngoSummary(ctx, ngo), statusKeyboard(ctx, ngo));
}

ngoReviewFeature.command('ngo', requireAdmin, async (ctx) => {
  // Tracking numbers are shown in Persian digits, so they come back typed that way too.
  const id = normalizeInput(ctx.payload);
  if (!NGO_ID.test(id)) throw new AppError('ngo.review.ngo_usage');
  await showNgo(ctx, Number(id));
});

ngoReviewFeature.action(reviewButtons.view.trigger, requireAdmin, async (ctx) => {
  const [id] = reviewButtons.view.parse(ctx) ?? [];
  if (id === undefined) return staleButton(ctx);
  await showNgo(ctx, Number(id));
});

// ---- /pending ----------------------------------------------------------------------------------------

/** One page of the queue; a page past the end (the queue shrank meanwhile) shows the last one. */
async function pendingPage(ctx: BotContext, requested: number): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const { total, items, page, pages } = await pageOrLast((p) => ctx.services.ngos.pending(ctx.user.id, p, PENDING_PAGE_SIZE), requested, PENDING_PAGE_SIZE);
  const view: PendingPage = { items, total, page, pages, firstNumber: page * PENDING_PAGE_SIZE + 1 };
  if (total === 0) return { text: pendingList(ctx, view) };

  const rows: InlineKeyboardButton[][] = items.map((ngo, i) => [
    Markup.button.callback(`${pendingItemNumber(ctx, view, i)}. ${shorten(ngo.name, 40)}`, reviewButtons.view.data(ngo.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(ctx.t('ngo.review.prev_page'), reviewButtons.pendingPage.data(page - 1)));
  if ((page + 1) * PENDING_PAGE_SIZE < total) nav.push(Markup.button.callback(ctx.t('ngo.review.next_page'), reviewButtons.pendingPage.data(page + 1)));
  if (nav.length > 0) rows.push(nav);
  return { text: pendingList(ctx, view), keyboard: { inline_keyboard: rows } };
}

ngoReviewFeature.command('pending', requireAdmin, async (ctx) => {
  const { text, keyboard } = await pendingPage(ctx, 0);
  await send(ctx, text, keyboard);
});

ngoReviewFeature.action(reviewButtons.pendingPage.trigger, requireAdmin, async (ctx) => {
  const [page] = reviewButtons.pendingPage.parse(ctx) ?? [];
  if (page === undefined) return staleButton(ctx);
  const { text, keyboard } = await pendingPage(ctx, Number(page));
  await editOrSend(ctx, text, keyboard);
});
