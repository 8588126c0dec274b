/** The main menu and the language choice, labelled in the user's language. */
import { Markup } from 'telegraf';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { BotContext } from '../../platform/bot/context.js';
import { LANGUAGES } from '../../platform/i18n/index.js';

export function mainMenu(ctx: BotContext) {
  return Markup.keyboard([
    [ctx.t('menu.my_ngo'), ctx.t('menu.deadlines')],
    [ctx.t('menu.courses'), ctx.t('menu.feedback')],
    [ctx.t('menu.help'), ctx.t('menu.language')],
  ])
    .resize()
    .persistent()
    .placeholder(ctx.t('menu.placeholder'));
}

export const CHOOSE_LANGUAGE = callbackAction('lang', ARG.word);

export function languageChoice(ctx: BotContext) {
  return Markup.inlineKeyboard(LANGUAGES.map((lang) => Markup.button.callback(ctx.t(`language.${lang}`), CHOOSE_LANGUAGE.data(lang))));
}
