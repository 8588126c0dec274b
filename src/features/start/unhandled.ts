/** Registered last: whatever no feature took gets a short hint, and nothing else happens. */
import type { BotContext } from '../../platform/bot/context.js';
import { mainMenu } from './keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const unhandledFeature = new Handlers<BotContext>();

unhandledFeature.on('callback_query', async (ctx) => {
  await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
});

unhandledFeature.on('message', async (ctx) => {
  const message = ctx.message;
  if ('text' in message) {
    const key = message.text.startsWith('/') ? 'unhandled.command' : 'unhandled.text';
    await ctx.reply(ctx.t(key), mainMenu(ctx));
  } else {
    await ctx.reply(ctx.t('unhandled.media'), mainMenu(ctx));
  }
});
