import { Composer } from 'telegraf';
import { isLanguage } from '../../platform/i18n/index.js';
import { actionTrigger, parseCallbackData } from '../../platform/bot/callback-data.js';
import { bestEffort } from '../../platform/bot/ui.js';
import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { languageChoice, mainMenu } from './keyboards.js';

export const languageFeature = new Composer<BotContext>();

async function askLanguage(ctx: BotContext) {
  await ctx.reply(ctx.t('language.choose'), languageChoice(ctx));
}

languageFeature.command('language', askLanguage);
languageFeature.hears(labelTrigger('menu.language'), askLanguage);

languageFeature.action(actionTrigger('lang'), async (ctx) => {
  const lang = parseCallbackData('data' in ctx.callbackQuery ? ctx.callbackQuery.data : undefined, 'lang');
  if (!isLanguage(lang)) {
    await ctx.answerCbQuery(ctx.t('common.errors.stale_button'));
    return;
  }
  await ctx.services.users.setLanguage(ctx.user.id, lang);
  ctx.lang = lang;
  await ctx.answerCbQuery();
  await bestEffort(() => ctx.editMessageReplyMarkup(undefined)); // the old choice may be too old to edit
  await ctx.reply(ctx.t('language.changed'), mainMenu(ctx));
});
