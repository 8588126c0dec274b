/**
 * Feedback, the member's side: /feedback (and the menu button) opens the form; /my_feedback lists what
 * they sent, shows a thread and takes follow-ups. Refusals (not a member, the daily limit, someone
 * else's tracking number) are AppErrors that the error boundary explains.
 */
import { pageOrLast } from '../../platform/bot/paging.js';
import { ARG } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { formKeyboard } from '../../platform/bot/forms/keyboards.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { normalizeInput } from '../../platform/text/persian-text.js';
import { BUTTONS, itemIdOf } from './callbacks.js';
import { feedbackForm, followUpForm } from './forms.js';
import { myItemMessages, myListScreen } from './member-notices.js';
import { Handlers } from '../../platform/bot/handlers.js';

const MINE_PAGE_SIZE = 8;

async function startFeedback(ctx: BotContext): Promise<void> {
  // Membership and the daily limit first: nobody should write a long text only to be refused.
  await ctx.services.feedback.checkCanSubmit(ctx.user.id);
  await ctx.reply(ctx.t('feedback.form.intro'), { parse_mode: 'HTML', ...formKeyboard(ctx, { back: false }) });
  await feedbackForm.start(ctx, { attachments: [] });
}

/** A page of the member's items; a page that no longer exists (items fewer now) shows the last one. */
async function showMyList(ctx: BotContext, requested: number): Promise<void> {
  const { total, items, page, pages } = await pageOrLast((p) => ctx.services.feedback.myItems(ctx.user.id, p, MINE_PAGE_SIZE), requested, MINE_PAGE_SIZE);
  const { text, keyboard } = myListScreen(ctx, { total, items, page, pages });
  await send(ctx, text, keyboard);
}

async function showMine(ctx: BotContext, itemId: number): Promise<void> {
  const { chunks, keyboard } = myItemMessages(ctx, await ctx.services.feedback.myItem(ctx.user.id, itemId));
  for (const [i, chunk] of chunks.entries()) await send(ctx, chunk, i === chunks.length - 1 ? keyboard : undefined);
}

export const memberFeature = new Handlers<BotContext>();

memberFeature.command('feedback', startFeedback);
memberFeature.hears(labelTrigger('menu.feedback'), startFeedback);

memberFeature.command('my_feedback', async (ctx) => {
  // A tracking number typed after the command (Persian digits too) opens that item.
  const arg = normalizeInput(ctx.payload).replace(/^#/, '');
  if (arg === '') return showMyList(ctx, 0);
  if (!ARG.id.test(arg)) throw new AppError('feedback.mine.usage');
  await showMine(ctx, Number(arg));
});

memberFeature.action(BUTTONS.minePage.trigger, async (ctx) => {
  const parsed = BUTTONS.minePage.parse(ctx);
  if (!parsed) return staleButton(ctx);
  await showMyList(ctx, Number(parsed[0]));
});

memberFeature.action(BUTTONS.mine.trigger, async (ctx) => {
  const id = itemIdOf(ctx, BUTTONS.mine);
  if (id === null) return staleButton(ctx);
  await showMine(ctx, id);
});

memberFeature.action(BUTTONS.followUp.trigger, async (ctx) => {
  const id = itemIdOf(ctx, BUTTONS.followUp);
  if (id === null) return staleButton(ctx);
  // Ownership and state are checked now, and again by the service when the message comes.
  const view = await ctx.services.feedback.myItem(ctx.user.id, id);
  if (view.status === 'CLOSED') throw new AppError('feedback.errors.closed', { id });
  // The form lives in the chat's session; a press that names no chat has nowhere to keep it.
  if (!ctx.session) return staleButton(ctx);
  await ctx.answerCbQuery();
  await followUpForm.start(ctx, { itemId: id });
});
