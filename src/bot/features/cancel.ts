import { Composer } from 'telegraf';
import type { BotContext } from '../context.js';
import { mainMenu } from '../keyboards.js';

export const cancelFeature = new Composer<BotContext>();

cancelFeature.command('cancel', async (ctx) => {
  const hadForm = ctx.session.form !== undefined;
  ctx.session.form = undefined;
  // The main menu replaces whatever keyboard the form had shown.
  await ctx.reply(ctx.t(hadForm ? 'cancel.done' : 'cancel.nothing'), mainMenu(ctx));
});
