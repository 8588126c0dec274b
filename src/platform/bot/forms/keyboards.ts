/** The reply keyboard under a form's questions: back, cancel, and skip or share-contact where they apply. */
import { Markup } from 'telegraf';
import type { BotContext } from '../context.js';

export function formKeyboard(ctx: BotContext, options: { back?: boolean; skip?: boolean; contact?: boolean } = {}) {
  const rows: ReturnType<typeof Markup.button.text>[][] = [];
  if (options.contact) rows.push([Markup.button.contactRequest(ctx.t('forms.share_contact'))]);
  if (options.skip) rows.push([Markup.button.text(ctx.t('forms.skip'))]);
  rows.push(options.back === false ? [Markup.button.text(ctx.t('forms.cancel'))] : [Markup.button.text(ctx.t('forms.back')), Markup.button.text(ctx.t('forms.cancel'))]);
  return Markup.keyboard(rows).resize();
}

export function isLabel(ctx: BotContext, key: string, text: string): boolean {
  return ctx.services.translator.all(key).includes(text.trim());
}
