/** What kind of message an admin gave to be copied: the one reading for /broadcast and /recurring. */
import type { Message } from 'telegraf/types';
import type { BotContext } from '../../platform/bot/context.js';
import type { ContentKind } from './rules.js';

/** Where the message to copy is: announcements are copied from the admin's chat when they go out. */
export interface MessageSource {
  sourceChatId?: number;
  sourceMessageId?: number;
  contentKind?: ContentKind;
}

/**
 * The answer to "send the message to announce": a kind that can be copied is kept (only where it is) and
 * true is returned; anything else is explained with `unsupportedKey` and the step stays.
 */
export async function takeMessageSource(ctx: BotContext, message: Message, data: MessageSource, unsupportedKey: string): Promise<boolean> {
  const kind = contentKindOf(message);
  if (!kind) {
    await ctx.reply(ctx.t(unsupportedKey));
    return false;
  }
  data.sourceChatId = message.chat.id;
  data.sourceMessageId = message.message_id;
  data.contentKind = kind;
  return true;
}

/** null for a message that cannot be an announcement (a sticker, a contact, a poll...). */
export function contentKindOf(message: Message): ContentKind | null {
  if ('text' in message) return 'text';
  if ('photo' in message) return 'photo';
  // An animation message also carries `document`; it plays as a video, so it is listed as one.
  if ('animation' in message || 'video' in message) return 'video';
  if ('document' in message) return 'document';
  return null;
}
