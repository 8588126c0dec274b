import type { BotContext } from '../../platform/bot/context.js';
import { labelTrigger } from '../../platform/bot/keyboards.js';
import { commandsFor } from './menu.js';
import { mainMenu } from './keyboards.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const helpFeature = new Handlers<BotContext>();

/**
 * Lists the commands this person can use, as their command menu does: no /register for a member of an
 * NGO, /invite and /members for its manager only, staff commands for staff. The NGO place is re-read and
 * the role comes with the user's record, which a removal refreshes at once. Ends with the person's own
 * id, which a system administrator needs to make them staff.
 */
async function showHelp(ctx: BotContext) {
  const view = await commandsFor(ctx);
  const line = (command: string) => ctx.t('help.line', { command, description: ctx.t(`commands.${command}`) });
  const staffCommands = new Set(view.staff ? ctx.commandMenu.admin : []);
  const own = view.commands.filter((c) => !staffCommands.has(c));
  const parts = [[ctx.t('help.title'), ...own.map(line)].join('\n')];
  if (!view.inNgo) parts.push(ctx.t('start.next_step'));
  parts.push(ctx.t('help.footer'));
  if (view.staff) parts.push([ctx.t('help.admin_title'), ...ctx.commandMenu.admin.map(line), ctx.t('help.admin_examples')].join('\n'));
  parts.push(ctx.t('help.your_id', { id: String(ctx.user.id) }));
  await ctx.reply(parts.join('\n\n'), { parse_mode: 'HTML', ...mainMenu(ctx) });
}

helpFeature.help(showHelp);
helpFeature.hears(labelTrigger('menu.help'), showHelp);
