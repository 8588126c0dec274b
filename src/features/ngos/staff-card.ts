/** The NGO's profile as the office sees it, shown from /find, its own buttons and the forms it starts. */
import type { BotContext } from '../../platform/bot/context.js';
import { editOrSend, send } from '../../platform/bot/ui.js';
import { staffProfileKeyboard, staffProfileText } from './manage-notices.js';

/** As a new message, or (`inPlace`) over the message whose button was pressed. */
export async function showStaffProfile(ctx: BotContext, ngoId: number, inPlace: boolean): Promise<void> {
  const profile = await ctx.services.ngos.staffProfile(ctx.user.id, ngoId);
  const text = staffProfileText(ctx, profile);
  const keyboard = staffProfileKeyboard(ctx.t, profile);
  if (inPlace) await editOrSend(ctx, text, keyboard);
  else await send(ctx, text, keyboard);
}
