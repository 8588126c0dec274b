/** What kind of message an admin gave to be copied: the one reading for /broadcast and /recurring. */
import type { Message } from 'telegraf/types';
import type { ContentKind } from './rules.js';

/** null for a message that cannot be an announcement (a sticker, a contact, a poll...). */
export function contentKindOf(message: Message): ContentKind | null {
  if ('text' in message) return 'text';
  if ('photo' in message) return 'photo';
  // An animation message also carries `document`; it plays as a video, so it is listed as one.
  if ('animation' in message || 'video' in message) return 'video';
  if ('document' in message) return 'document';
  return null;
}
