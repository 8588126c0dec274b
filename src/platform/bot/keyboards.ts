/** Reply and inline keyboards, labelled in the user's language. */
import { Markup } from 'telegraf';
import type { BotContext } from './context.js';
import { callbackData } from './callback-data.js';
import { LANGUAGES } from '../i18n/index.js';

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

export function languageChoice(ctx: BotContext) {
  return Markup.inlineKeyboard(LANGUAGES.map((lang) => Markup.button.callback(ctx.t(`language.${lang}`), callbackData('lang', lang))));
}

/** Matches a reply-keyboard label in any language, so a button keeps working after a language switch. */
export function labelTrigger(key: string) {
  return (text: string, ctx: BotContext): RegExpExecArray | null =>
    ctx.services.translator.all(key).includes(text) ? /^[\s\S]*$/.exec(text) : null;
}
