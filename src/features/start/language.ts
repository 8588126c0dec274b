import { formatterFor } from '../../platform/i18n/format.js';
import { isLanguage } from '../../platform/i18n/index.js';
import { staleButton, dropButtons } from '../../platform/bot/ui.js';
import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { refreshCommandMenu } from './menu.js';
import { CHOOSE_LANGUAGE, languageChoice, mainMenu } from './keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const languageFeature = new Handlers<BotContext>();

async function askLanguage(ctx: BotContext) {
  await ctx.reply(ctx.t('language.choose'), languageChoice(ctx));
}

languageFeature.command('language', askLanguage);
languageFeature.hears(labelTrigger('menu.language'), askLanguage);

languageFeature.action(CHOOSE_LANGUAGE.trigger, async (ctx) => {
  const [lang] = CHOOSE_LANGUAGE.parse(ctx) ?? [];
  if (!isLanguage(lang)) return staleButton(ctx);
  await ctx.services.users.setLanguage(ctx.user.id, lang);
  ctx.lang = lang;
  ctx.fmt = formatterFor(lang);
  await ctx.answerCbQuery();
  await dropButtons(ctx); // the old choice may be too old to edit
  await ctx.reply(ctx.t('language.changed'), mainMenu(ctx));
  // The command menu's descriptions follow: this chat gets its own list in the new language.
  await refreshCommandMenu(ctx);
});
