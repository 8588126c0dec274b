/**
 * Staff commands of broadcasts: /broadcast opens the compose form (forms.ts), /broadcasts lists the
 * latest with a cancel button for those not finished, and the same cancel button sits under each
 * progress card.
 */
import { Markup } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import { dropButtons, editOrSend, explainRefusal, send, staleButton } from '../../platform/bot/ui.js';
import { AppError } from '../../platform/errors.js';
import { requireAdmin } from '../staff/index.js';
import { startCompose } from './forms.js';
import { cancelBroadcastButton, cancelledAnswer, cancelledCardText, listCancelLabel, listText, listTitles } from './notices.js';
import { Handlers } from '../../platform/bot/handlers.js';

async function listView(ctx: BotContext) {
  const rows = await ctx.services.broadcasts.list(ctx.user.id);
  const cancellable = rows.filter((b) => b.status === 'SCHEDULED' || b.status === 'SENDING');
  const keyboard = cancellable.length
    ? Markup.inlineKeyboard(cancellable.map((b) => [Markup.button.callback(listCancelLabel(ctx, b.id), cancelBroadcastButton.data(b.id))])).reply_markup
    : undefined;
  return { text: listText(ctx, rows), keyboard };
}

/** The same cancel button sits under a progress card and under /broadcasts; each is redrawn its own way. */
function pressedOnList(ctx: BotContext): boolean {
  const message = ctx.callbackQuery?.message;
  const text = message && 'text' in message ? message.text : '';
  return listTitles(ctx.services.translator).some((title) => text.startsWith(title));
}

async function redrawList(ctx: BotContext): Promise<void> {
  const { text, keyboard } = await listView(ctx);
  await editOrSend(ctx, text, keyboard);
}

export const broadcastFeature = new Handlers<BotContext>();

broadcastFeature.command('broadcast', requireAdmin, startCompose);

broadcastFeature.command('broadcasts', requireAdmin, async (ctx) => {
  const { text, keyboard } = await listView(ctx);
  await send(ctx, text, keyboard);
});

broadcastFeature.action(cancelBroadcastButton.trigger, requireAdmin, async (ctx) => {
  const parsed = cancelBroadcastButton.parse(ctx);
  if (!parsed) return staleButton(ctx);
  const id = Number(parsed[0]);
  const onList = pressedOnList(ctx);
  let cancelled;
  try {
    cancelled = await ctx.services.broadcasts.cancel(ctx.user.id, id);
  } catch (err) {
    // Finished or cancelled elsewhere: the button goes, then the refusal says why.
    if (err instanceof AppError && err.code === 'broadcast.errors.already_finished') {
      if (onList) await redrawList(ctx);
      else await dropButtons(ctx);
    }
    return explainRefusal(ctx, err);
  }
  await ctx.answerCbQuery(cancelledAnswer(ctx, id));
  if (onList) await redrawList(ctx);
  else await editOrSend(ctx, cancelledCardText(ctx, { id, counts: cancelled.counts, total: cancelled.recipientCount }));
});
