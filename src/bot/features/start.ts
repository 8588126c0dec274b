import { Composer } from 'telegraf';
import { escapeHtml } from '../../i18n/index.js';
import type { BotContext } from '../context.js';
import { mainMenu } from '../keyboards.js';

export const startFeature = new Composer<BotContext>();

// A deep-link payload (t.me/bot?start=...) is accepted and ignored until a feature claims it (invites, issue 3).
startFeature.start(async (ctx) => {
  ctx.session.form = undefined;
  let text = ctx.t('start.welcome', { name: escapeHtml(ctx.from.first_name) });
  if (ctx.user.role) text += `\n\n${ctx.t('start.welcome_admin')}`;
  await ctx.reply(text, { parse_mode: 'HTML', ...mainMenu(ctx) });
});
