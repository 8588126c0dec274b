/**
 * Feedback, the office's side: /inbox (open items oldest first, filtered by status, type and county,
 * paged), one item with its thread and attachments, and the actions on it: reply, close, reopen,
 * assign. /feedback_settings chooses between notices at once and a daily digest. Every command and
 * button passes requireAdmin (the role read from the database); the service checks the admin's scope
 * and writes the audit log.
 */
import { ARG } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { bestEffort, editOrSend, send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { requireAdmin } from '../staff/index.js';
import { BUTTONS, DEFAULT_LIST, filterOf, itemIdOf, listStateOf, type ListState } from './callbacks.js';
import { replyForm } from './forms.js';
import { assigneePicker, countyPicker, inboxScreen, INBOX_PAGE_SIZE, itemHeader, itemKeyboard, settingsScreen } from './inbox-notices.js';
import { pack, threadBlocks } from './notices.js';
import { Handlers } from '../../platform/bot/handlers.js';

async function inboxView(ctx: BotContext, requested: ListState) {
  const service = ctx.services.feedback;
  let state = requested;
  let result = await service.inbox(ctx.user.id, filterOf(state), state.page, INBOX_PAGE_SIZE);
  if (result.items.length === 0 && result.total > 0) {
    // The list shrank since the button was drawn: show its last page.
    state = { ...state, page: Math.ceil(result.total / INBOX_PAGE_SIZE) - 1 };
    result = await service.inbox(ctx.user.id, filterOf(state), state.page, INBOX_PAGE_SIZE);
  }
  let county: string | null = null;
  if (!result.countyScoped && state.county) {
    const { counties } = await ctx.services.ngos.referenceLists();
    county = counties.find((c) => c.id === state.county)?.name ?? null;
  }
  return inboxScreen(ctx, state, result, county);
}

/** The item card and thread; attachments after them as the files themselves; the actions last. */
async function showItem(ctx: BotContext, itemId: number): Promise<void> {
  const view = await ctx.services.feedback.view(ctx.user.id, itemId);
  const chunks = pack([itemHeader(ctx, view), ...threadBlocks(ctx, view, 'admin')]);
  const attachments = view.messages.flatMap((m, index) => m.attachments.map((a) => ({ ...a, message: index + 1 })));
  for (const [i, chunk] of chunks.entries()) {
    const last = i === chunks.length - 1 && attachments.length === 0;
    await send(ctx, chunk, last ? itemKeyboard(ctx, view) : undefined);
  }
  if (attachments.length === 0) return;
  const chatId = ctx.chat?.id ?? ctx.user.id.toString();
  for (const a of attachments) {
    const caption = ctx.t('feedback.item.attachment_caption', { id: ctx.fmt.digits(view.id), message: ctx.fmt.digits(a.message) });
    try {
      if (a.kind === 'photo') await ctx.telegram.sendPhoto(chatId, a.fileId, { caption });
      else await ctx.telegram.sendDocument(chatId, a.fileId, { caption });
    } catch (err) {
      // A file the platform no longer serves must not hide the rest of the item.
      ctx.log.warn({ err, itemId }, 'could not send a feedback attachment');
      await send(ctx, ctx.t('feedback.item.attachment_failed', { message: ctx.fmt.digits(a.message) }));
    }
  }
  await send(ctx, ctx.t('feedback.item.actions', { id: ctx.fmt.digits(view.id) }), itemKeyboard(ctx, view));
}

export const inboxFeature = new Handlers<BotContext>();

inboxFeature.command('inbox', requireAdmin, async (ctx) => {
  // "/inbox ۱۲" opens that item, as the tracking number is shown in Persian digits.
  const arg = normalizeInput(ctx.payload).replace(/^#/, '');
  if (arg && ARG.id.test(arg)) return showItem(ctx, Number(arg));
  if (arg) throw new AppError('feedback.inbox.usage');
  const { text, keyboard } = await inboxView(ctx, DEFAULT_LIST);
  await send(ctx, text, keyboard);
});

inboxFeature.action(BUTTONS.list.trigger, requireAdmin, async (ctx) => {
  const state = listStateOf(BUTTONS.list.parse(ctx));
  if (!state) return staleButton(ctx);
  const { text, keyboard } = await inboxView(ctx, state);
  await editOrSend(ctx, text, keyboard);
});

inboxFeature.action(BUTTONS.counties.trigger, requireAdmin, async (ctx) => {
  const state = listStateOf(BUTTONS.counties.parse(ctx));
  if (!state) return staleButton(ctx);
  const { counties } = await ctx.services.ngos.referenceLists();
  const { text, keyboard } = countyPicker(ctx, state, counties);
  await editOrSend(ctx, text, keyboard);
});

inboxFeature.action(BUTTONS.view.trigger, requireAdmin, async (ctx) => {
  const id = itemIdOf(ctx, BUTTONS.view);
  if (id === null) return staleButton(ctx);
  // Answered after the item is shown (by the toolkit), so that a refusal (out of scope) is the press's alert.
  await showItem(ctx, id);
});

inboxFeature.action(BUTTONS.reply.trigger, requireAdmin, async (ctx) => {
  const id = itemIdOf(ctx, BUTTONS.reply);
  if (id === null) return staleButton(ctx);
  await ctx.services.feedback.checkCanReply(ctx.user.id, id);
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await replyForm.start(ctx, { itemId: id });
});

/** Close and reopen: the buttons under the item change to the new state, and the admin is told it was done. */
const STATE_CHANGES = [
  { button: BUTTONS.close, change: 'close', after: 'CLOSED', doneKey: 'feedback.item.closed_done' },
  { button: BUTTONS.reopen, change: 'reopen', after: 'RECEIVED', doneKey: 'feedback.item.reopened_done' },
] as const;

for (const { button, change, after, doneKey } of STATE_CHANGES) {
  inboxFeature.action(button.trigger, requireAdmin, async (ctx) => {
    const id = itemIdOf(ctx, button);
    if (id === null) return staleButton(ctx);
    await ctx.services.feedback[change](ctx.user.id, id);
    await bestEffort(() => ctx.editMessageReplyMarkup(itemKeyboard(ctx, { id, status: after })));
    await ctx.answerCbQuery();
    await send(ctx, ctx.t(doneKey, { id: ctx.fmt.digits(id) }));
  });
}

inboxFeature.action(BUTTONS.assignMenu.trigger, requireAdmin, async (ctx) => {
  const id = itemIdOf(ctx, BUTTONS.assignMenu);
  if (id === null) return staleButton(ctx);
  const { text, keyboard } = assigneePicker(ctx, id, await ctx.services.feedback.assignees(ctx.user.id, id));
  await ctx.answerCbQuery();
  await send(ctx, text, keyboard);
});

inboxFeature.action(BUTTONS.assign.trigger, requireAdmin, async (ctx) => {
  const parsed = BUTTONS.assign.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const id = Number(parsed[0]);
  const { name } = await ctx.services.feedback.assign(ctx.user.id, id, BigInt(parsed[1]));
  await editOrSend(ctx, ctx.t('feedback.item.assigned_done', { id: ctx.fmt.digits(id), name: escapeHtml(name) }));
});

inboxFeature.command('feedback_settings', requireAdmin, async (ctx) => {
  const { text, keyboard } = settingsScreen(ctx, await ctx.services.feedback.digestSetting(ctx.user.id));
  await send(ctx, text, keyboard);
});

inboxFeature.action(BUTTONS.settings.trigger, requireAdmin, async (ctx) => {
  const parsed = BUTTONS.settings.parse(ctx);
  if (!parsed) return staleButton(ctx);
  await ctx.services.feedback.setDigest(ctx.user.id, parsed[0] === 'digest');
  const { text, keyboard } = settingsScreen(ctx, await ctx.services.feedback.digestSetting(ctx.user.id));
  await editOrSend(ctx, text, keyboard);
  await ctx.answerCbQuery(ctx.t('feedback.settings.saved'));
});
