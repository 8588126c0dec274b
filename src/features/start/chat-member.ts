/** Telegram tells us when someone blocks or unblocks the bot: no need to wait for a failed send. */
import type { BotContext } from '../../platform/bot/context.js';
import { Handlers } from '../../platform/bot/handlers.js';

export const chatMemberFeature = new Handlers<BotContext>();

chatMemberFeature.on('my_chat_member', async (ctx) => {
  const status = ctx.myChatMember.new_chat_member.status;
  if (status === 'kicked' || status === 'left') {
    await ctx.services.users.markUnreachable(ctx.user.id, 'blocked the bot');
  }
  // Any other status: the user record was already marked reachable when this update came in.
});
