import { escapeHtml } from '../../platform/i18n/index.js';
import type { BotContext } from '../../platform/bot/context.js';
import { handleDeepLink } from '../../platform/bot/deep-links.js';
import { placeOf, refreshCommandMenu } from './menu.js';
import { mainMenu } from './keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const startFeature = new Handlers<BotContext>();

startFeature.start(async (ctx) => {
  // A payload no feature claims is ignored safely: the welcome follows.
  if (await handleDeepLink(ctx, ctx.payload ?? '')) return;
  const name = ctx.session.form?.name;
  const form = name ? ctx.forms.get(name) : undefined;
  if (form) {
    // Someone who comes back with /start to a half-filled form continues it (/cancel leaves it).
    await ctx.reply(ctx.t('forms.resume', { form: ctx.t(form.titleKey) }));
    await form.resume(ctx);
    return;
  }
  const place = await placeOf(ctx);
  const parts = [ctx.t('start.welcome', { name: escapeHtml(ctx.user.firstName) })];
  // A newcomer is told the one thing to do next: register their NGO, or join it through the manager's link.
  if (!place.inNgo) parts.push(ctx.t('start.next_step'));
  if (place.staff) parts.push(ctx.t('start.welcome_admin'));
  await ctx.reply(parts.join('\n\n'), { parse_mode: 'HTML', ...mainMenu(ctx) });
  await refreshCommandMenu(ctx, ctx.user.id, place);
});
