import { Composer } from 'telegraf';
import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { mainMenu } from './keyboards.js';

export const helpFeature = new Composer<BotContext>();

async function showHelp(ctx: BotContext) {
  // The role is re-read so a removed admin stops seeing admin help at once.
  const role = await ctx.services.admins.roleOf(ctx.user.id);
  const text = ctx.t('help.member') + (role ? ctx.t('help.admin') : '');
  await ctx.reply(text, { parse_mode: 'HTML', ...mainMenu(ctx) });
}

helpFeature.help(showHelp);
helpFeature.hears(labelTrigger('menu.help'), showHelp);
