/**
 * A person's own command menu and help follow their place: without an NGO, member or manager of one,
 * staff or not. Refreshed whenever that place or their language changes. The place comes from the
 * services (ngos, admins), so this module imports no other feature and every feature may import it.
 */
import type { BotContext } from '../../platform/bot/context.js';
import { languageOr } from '../../platform/i18n/index.js';

export interface CommandView {
  /** The commands this person sees, in menu order (member commands, then staff commands). */
  commands: string[];
  staff: boolean;
  /** Whether the person belongs to an NGO (a newcomer is told how to get one). */
  inNgo: boolean;
}

export interface Place {
  hide: readonly string[];
  inNgo: boolean;
  staff: boolean;
}

/**
 * The writer's own role comes with their record (re-read within seconds, and at once when a role is
 * granted or removed in this process): it only decides what they are shown; staff actions check again.
 */
export async function placeOf(ctx: BotContext, userId: bigint = ctx.user.id): Promise<Place> {
  const [place, role] = await Promise.all([
    ctx.services.ngos.commandPlace(userId),
    userId === ctx.user.id ? ctx.user.role : ctx.services.admins.roleOf(userId),
  ]);
  return { ...place, staff: role !== null };
}

/** What /help lists for the person writing. */
export async function commandsFor(ctx: BotContext): Promise<CommandView> {
  const place = await placeOf(ctx, ctx.user.id);
  return { commands: ctx.commandMenu.visible(place), staff: place.staff, inNgo: place.inNgo };
}

/**
 * Sets one person's menu in their language (the person writing, or another whose place the writer
 * changed). A failure only costs a stale menu, so it is logged, not shown.
 */
export async function refreshCommandMenu(ctx: BotContext, userId: bigint = ctx.user.id, known?: Place): Promise<void> {
  try {
    const place = known ?? (await placeOf(ctx, userId));
    const lang = userId === ctx.user.id ? ctx.lang : languageOr(await ctx.services.users.languageOf(userId));
    await ctx.commandMenu.setForChat(ctx.telegram, userId, lang, place);
  } catch (err) {
    ctx.log.warn({ err, userId: String(userId) }, 'could not set the command menu of a chat');
  }
}
