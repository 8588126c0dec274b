/** Records the sender (name, reachable again) and sets the language and texts for this update. */
import type { MiddlewareFn } from 'telegraf';
import { formatterFor } from '../../i18n/format.js';
import { languageOr } from '../../i18n/index.js';
import type { BotContext } from '../context.js';

export function loadUser(): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // Only people in private chats are users of this bot; channel posts, groups and bots are ignored.
    if (!ctx.from || ctx.from.is_bot || (ctx.chat && ctx.chat.type !== 'private')) return;
    ctx.user = await ctx.services.users.recordContact(ctx.from);
    ctx.lang = languageOr(ctx.user.language);
    ctx.fmt = formatterFor(ctx.lang);
    const translator = ctx.services.translator;
    ctx.t = (key, options) => translator.t(ctx.lang, key, options);
    return next();
  };
}
