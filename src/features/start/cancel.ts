import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from './keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const cancelFeature = new Handlers<BotContext>();

async function cancel(ctx: BotContext) {
  const hadForm = ctx.session.form !== undefined;
  ctx.session.form = undefined;
  // The main menu replaces whatever keyboard the form had shown.
  await ctx.reply(ctx.t(hadForm ? 'cancel.done' : 'cancel.nothing'), mainMenu(ctx));
}

cancelFeature.command('cancel', cancel);
cancelFeature.hears(labelTrigger('forms.cancel'), cancel);
