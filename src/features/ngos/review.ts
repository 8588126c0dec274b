/**
 * The office's review of NGOs: approve or reject a registration (from the reviewers' notice, /pending
 * or /ngo), suspend and reactivate. The service decides once, audits and tells the manager; this layer
 * re-checks the role on every press, asks for reasons, and keeps the admin's message in step with the
 * decision so that no stale button stays under a decided NGO.
 */
import { Composer, Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { normalizeInput, validateText } from '../../platform/text/index.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { digitsFor, jalali } from './notices.js';
import { AppError } from '../../platform/errors.js';
import { REVIEW_ACTIONS, submissionVersion, type NgoRecord } from './service.js';
import { actionTrigger, callbackData, parseCallbackData } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { editOrSend, isNotModified, send } from '../../platform/bot/ui.js';
import { requireAdmin } from '../staff/guards.js';
import { end, FormRunner, stay, type FormData } from '../../platform/bot/forms/engine.js';
import { formKeyboard, isLabel } from '../../platform/bot/forms/keyboards.js';
import { mainMenu } from '../start/keyboards.js';

export const REVIEW_CALLBACKS = {
  approve: REVIEW_ACTIONS.approve,
  reject: REVIEW_ACTIONS.reject,
  suspend: 'ngo_susp',
  reactivate: 'ngo_react',
  view: 'ngo_view',
  page: 'pend_pg',
} as const;

export const PENDING_PAGE_SIZE = 5;

const REASON_LIMITS = { min: 3, max: 500 } as const;
const NGO_ID = /^[1-9]\d{0,8}$/;
const PAGE = /^\d{1,4}$/;
/** Errors after which the admin's copy of the card no longer matches the NGO and is redrawn. */
const OUTDATED_CODES = new Set(['ngo.review.already_decided', 'review.not_current', 'review.outdated_submission']);

export const ngoReviewFeature = new Composer<BotContext>();

// ---- rendering ------------------------------------------------------------------------------------

function card(ctx: BotContext, ngo: NgoRecord): string {
  return ctx.services.ngos.renderSummary(ctx.lang, ngo);
}

/** The buttons that make sense for the NGO's current status; none once nothing is left to decide. */
function statusKeyboard(ctx: BotContext, ngo: NgoRecord): InlineKeyboardMarkup | undefined {
  const button = (key: string, action: string) => Markup.button.callback(ctx.t(key), callbackData(action, ngo.id));
  const review = (key: string, action: string) => Markup.button.callback(ctx.t(key), callbackData(action, `${ngo.id}-${submissionVersion(ngo)}`));
  switch (ngo.status) {
    case 'PENDING':
      return Markup.inlineKeyboard([
        [review('ngo.review.approve_button', REVIEW_CALLBACKS.approve), review('ngo.review.reject_button', REVIEW_CALLBACKS.reject)],
      ]).reply_markup;
    case 'APPROVED':
      return Markup.inlineKeyboard([[button('ngo.review.suspend_button', REVIEW_CALLBACKS.suspend)]]).reply_markup;
    case 'SUSPENDED':
      return Markup.inlineKeyboard([[button('ngo.review.reactivate_button', REVIEW_CALLBACKS.reactivate)]]).reply_markup;
    default:
      return undefined;
  }
}

/** After a decision: the card as it now stands, the outcome under it, and no buttons left to press. */
function decidedText(ctx: BotContext, ngo: NgoRecord, outcomeKey: string): string {
  return `${card(ctx, ngo)}\n\n${ctx.t(outcomeKey, { name: escapeHtml(ngo.name) })}`;
}

// ---- callback plumbing ----------------------------------------------------------------------------

function ngoIdFrom(ctx: BotContext, action: string): number | null {
  return reviewTargetFrom(ctx, action)?.id ?? null;
}

/** `<id>` or `<id>-<submission version>` (approve/reject buttons name the submission they were made for). */
function reviewTargetFrom(ctx: BotContext, action: string): { id: number; version?: string } | null {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const match = /^([1-9]\d{0,8})(?:-([0-9a-z]{1,12}))?$/.exec(parseCallbackData(data, action) ?? '');
  return match ? { id: Number(match[1]), ...(match[2] ? { version: match[2] } : {}) } : null;
}

async function answerStale(ctx: BotContext): Promise<void> {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
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
        await ctx.editMessageText(`${card(ctx, current)}\n\n${appErrorText(ctx, err)}`, { parse_mode: 'HTML' }).catch((editErr: unknown) => {
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

// ---- the reason form ------------------------------------------------------------------------------

type ReasonAction = 'reject' | 'suspend';

const OUTCOME_KEYS = {
  approve: 'ngo.review.approved_done',
  reject: 'ngo.review.rejected_done',
  suspend: 'ngo.review.suspended_done',
  reactivate: 'ngo.review.reactivated_done',
} as const;

function reasonAction(data: FormData): ReasonAction {
  return data.action === 'suspend' ? 'suspend' : 'reject';
}

function appErrorText(ctx: BotContext, err: AppError): string {
  return ctx.t(err.code, Object.fromEntries(Object.entries(err.params).map(([k, v]) => [k, escapeHtml(v)])));
}

const reasonForm = new FormRunner({
  name: 'ngo_reason',
  titleKey: 'review.reason_form_title',
  prefix: 'ngo_rsn',
  steps: [
    {
      id: 'reason',
      wrongInputKey: 'ngo.review.reason_required',
      async ask(ctx, data) {
        const key = reasonAction(data) === 'suspend' ? 'ngo.review.ask_suspend_reason' : 'ngo.review.ask_reject_reason';
        await ctx.reply(ctx.t(key, { name: escapeHtml(String(data.name ?? '')) }), {
          parse_mode: 'HTML',
          ...formKeyboard(ctx, { back: false }),
        });
      },
      async onText(ctx, text, data) {
        const reason = validateText(text, { ...REASON_LIMITS, multiline: true });
        if (!reason.ok) {
          await ctx.reply(ctx.t('ngo.review.reason_required'));
          return stay;
        }
        const action = reasonAction(data);
        const ngoId = Number(data.ngoId);
        let ngo: NgoRecord;
        try {
          // The service re-reads the admin's role and decides only if the NGO is still in the expected state.
          ngo =
            action === 'suspend'
              ? await ctx.services.ngos.suspend(ctx.user.id, ngoId, reason.value)
              : await ctx.services.ngos.reject(ctx.user.id, ngoId, reason.value, typeof data.version === 'string' ? data.version : undefined);
        } catch (err) {
          // A refused decision ends the form: typing the reason again cannot change the answer.
          if (err instanceof AppError) {
            await ctx.reply(appErrorText(ctx, err), { parse_mode: 'HTML', ...mainMenu(ctx) });
            return end;
          }
          throw err;
        }
        await ctx.reply(ctx.t(OUTCOME_KEYS[action], { name: escapeHtml(ngo.name) }), { parse_mode: 'HTML', ...mainMenu(ctx) });
        const messageId = typeof data.messageId === 'number' ? data.messageId : undefined;
        if (messageId !== undefined && ctx.chat) {
          await ctx.telegram
            .editMessageText(ctx.chat.id, messageId, undefined, decidedText(ctx, ngo, OUTCOME_KEYS[action]), { parse_mode: 'HTML' })
            .catch((err: unknown) => ctx.log.warn({ err }, 'could not update the card the decision started from'));
        }
        return end;
      },
    },
  ],
  isBack: (ctx, text) => isLabel(ctx, 'forms.back', text),
});

/** Forms of this feature, for the form router. */
export const reviewForms: FormRunner[] = [reasonForm];

/** False when the press was answered here already. */
async function askReason(ctx: BotContext, action: ReasonAction, ngo: NgoRecord, version?: string): Promise<boolean> {
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) {
    await answerStale(ctx);
    return false;
  }
  const messageId = ctx.callbackQuery?.message?.message_id;
  await reasonForm.start(ctx, {
    ngoId: ngo.id,
    action,
    name: ngo.name,
    ...(messageId !== undefined ? { messageId } : {}),
    ...(version !== undefined ? { version } : {}),
  });
  return true;
}

// ---- decisions ------------------------------------------------------------------------------------

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.approve), requireAdmin, async (ctx) => {
  const target = reviewTargetFrom(ctx, REVIEW_CALLBACKS.approve);
  if (target === null) return answerStale(ctx);
  const ngoId = target.id;
  const ngo = await fromButton(ctx, ngoId, () => ctx.services.ngos.approve(ctx.user.id, ngoId, target.version));
  await editOrSend(ctx, decidedText(ctx, ngo, OUTCOME_KEYS.approve));
  await ctx.answerCbQuery();
});

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.reject), requireAdmin, async (ctx) => {
  const target = reviewTargetFrom(ctx, REVIEW_CALLBACKS.reject);
  if (target === null) return answerStale(ctx);
  const ngoId = target.id;
  const ngo = await fromButton(ctx, ngoId, async () => {
    const found = await ctx.services.ngos.viewForAdmin(ctx.user.id, ngoId);
    requireStatus(ctx, found, 'PENDING');
    if (target.version !== undefined && submissionVersion(found) !== target.version) throw new AppError('review.outdated_submission');
    return found;
  });
  if (await askReason(ctx, 'reject', ngo, target.version)) await ctx.answerCbQuery();
});

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.suspend), requireAdmin, async (ctx) => {
  const ngoId = ngoIdFrom(ctx, REVIEW_CALLBACKS.suspend);
  if (ngoId === null) return answerStale(ctx);
  const ngo = await fromButton(ctx, ngoId, async () => {
    const found = await ctx.services.ngos.viewForAdmin(ctx.user.id, ngoId);
    requireStatus(ctx, found, 'APPROVED');
    return found;
  });
  if (await askReason(ctx, 'suspend', ngo)) await ctx.answerCbQuery();
});

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.reactivate), requireAdmin, async (ctx) => {
  const ngoId = ngoIdFrom(ctx, REVIEW_CALLBACKS.reactivate);
  if (ngoId === null) return answerStale(ctx);
  const ngo = await fromButton(ctx, ngoId, () => ctx.services.ngos.reactivate(ctx.user.id, ngoId));
  await editOrSend(ctx, decidedText(ctx, ngo, OUTCOME_KEYS.reactivate));
  await ctx.answerCbQuery();
});

// ---- viewing ---------------------------------------------------------------------------------------

async function showNgo(ctx: BotContext, ngoId: number): Promise<void> {
  const ngo = await ctx.services.ngos.viewForAdmin(ctx.user.id, ngoId);
  await send(ctx, card(ctx, ngo), statusKeyboard(ctx, ngo));
}

ngoReviewFeature.command('ngo', requireAdmin, async (ctx) => {
  // Tracking numbers are shown in Persian digits, so they come back typed that way too.
  const id = normalizeInput(ctx.payload);
  if (!NGO_ID.test(id)) throw new AppError('ngo.review.ngo_usage');
  await showNgo(ctx, Number(id));
});

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.view), requireAdmin, async (ctx) => {
  const ngoId = ngoIdFrom(ctx, REVIEW_CALLBACKS.view);
  if (ngoId === null) return answerStale(ctx);
  await showNgo(ctx, ngoId);
  await ctx.answerCbQuery();
});

// ---- /pending ----------------------------------------------------------------------------------------

/** One page of the queue; a page past the end (the queue shrank meanwhile) shows the last one. */
async function pendingPage(ctx: BotContext, requested: number): Promise<{ text: string; keyboard?: InlineKeyboardMarkup }> {
  const ngos = ctx.services.ngos;
  let page = requested;
  let { total, items } = await ngos.pending(ctx.user.id, page, PENDING_PAGE_SIZE);
  if (total === 0) return { text: ctx.t('ngo.review.pending_empty') };
  const pages = Math.ceil(total / PENDING_PAGE_SIZE);
  if (items.length === 0) {
    page = pages - 1;
    ({ total, items } = await ngos.pending(ctx.user.id, page, PENDING_PAGE_SIZE));
  }
  const lang = ctx.lang;
  const numbered = items.map((ngo, i) => ({ ngo, n: digitsFor(lang, page * PENDING_PAGE_SIZE + i + 1) }));
  const lines = numbered.map(({ ngo, n }) =>
    ctx.t('ngo.review.pending_item', { n, name: escapeHtml(ngo.name), county: escapeHtml(ngo.county), date: jalali(lang, ngo.submittedAt) }),
  );
  const text = [
    ctx.t('ngo.review.pending_title', { total: digitsFor(lang, total) }),
    '',
    ...lines,
    ...(pages > 1 ? ['', ctx.t('review.page', { page: digitsFor(lang, page + 1), pages: digitsFor(lang, pages) })] : []),
  ].join('\n');

  const rows: InlineKeyboardButton[][] = numbered.map(({ ngo, n }) => [
    Markup.button.callback(`${n}. ${shorten(ngo.name, 40)}`, callbackData(REVIEW_CALLBACKS.view, ngo.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(ctx.t('ngo.review.prev_page'), callbackData(REVIEW_CALLBACKS.page, page - 1)));
  if ((page + 1) * PENDING_PAGE_SIZE < total) nav.push(Markup.button.callback(ctx.t('ngo.review.next_page'), callbackData(REVIEW_CALLBACKS.page, page + 1)));
  if (nav.length > 0) rows.push(nav);
  return { text, keyboard: { inline_keyboard: rows } };
}

function shorten(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

ngoReviewFeature.command('pending', requireAdmin, async (ctx) => {
  const { text, keyboard } = await pendingPage(ctx, 0);
  await send(ctx, text, keyboard);
});

ngoReviewFeature.action(actionTrigger(REVIEW_CALLBACKS.page), requireAdmin, async (ctx) => {
  const data = ctx.callbackQuery && 'data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined;
  const arg = parseCallbackData(data, REVIEW_CALLBACKS.page);
  if (arg === null || !PAGE.test(arg)) return answerStale(ctx);
  const { text, keyboard } = await pendingPage(ctx, Number(arg));
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery();
});
