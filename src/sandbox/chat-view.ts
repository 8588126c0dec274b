/**
 * What the page shows of a chat: each message as a small plain view (text with Telegram's entities,
 * a photo, a document, a contact, inline buttons), and the reply keyboard the chat has now. A Telegram
 * client keeps the last reply keyboard the bot sent until another replaces or removes it; the emulator
 * keeps messages only, so the keyboard is followed here from the bot's calls.
 */
import type { Message, MessageEntity } from 'telegraf/types';
import type { EmulatorCall } from './emulator.js';

export interface EntityView {
  type: string;
  offset: number;
  length: number;
  url?: string;
  language?: string;
}

export type ButtonView = { text: string; data: string } | { text: string; url: string };

export interface MessageView {
  id: number;
  fromBot: boolean;
  date: number;
  edited: boolean;
  text?: string;
  entities?: EntityView[];
  photo?: string;
  document?: { fileId: string; name: string; mime: string; size: number };
  contact?: { phone: string; name: string };
  sticker?: string;
  buttons?: ButtonView[][];
}

export interface ReplyKeyboardView {
  rows: { text: string; contact: boolean }[][];
}

/** Entity kinds the page renders; anything else is shown as plain text. */
const ENTITY_TYPES = new Set([
  'bold',
  'italic',
  'underline',
  'strikethrough',
  'spoiler',
  'code',
  'pre',
  'text_link',
  'url',
  'blockquote',
  'expandable_blockquote',
  'mention',
  'hashtag',
  'bot_command',
  'email',
  'phone_number',
]);

type AnyMessage = Message & Record<string, unknown>;

export function messageView(message: Message, botId: number): MessageView {
  const m = message as AnyMessage;
  const from = m.from as { id: number } | undefined;
  const view: MessageView = { id: m.message_id, fromBot: from?.id === botId, date: m.date, edited: m.edit_date !== undefined };
  const text = (m.text ?? m.caption) as string | undefined;
  if (text !== undefined) {
    view.text = text;
    const given = ((m.entities ?? m.caption_entities ?? []) as MessageEntity[]).filter((e) => ENTITY_TYPES.has(e.type)).map(entityView);
    const entities = withLinks(text, given);
    if (entities.length > 0) view.entities = entities;
  }
  const photo = m.photo as { file_id: string }[] | undefined;
  if (photo?.length) view.photo = photo[photo.length - 1]!.file_id;
  const document = m.document as { file_id: string; file_name?: string; mime_type?: string; file_size?: number } | undefined;
  if (document) {
    view.document = {
      fileId: document.file_id,
      name: document.file_name ?? 'file',
      mime: document.mime_type ?? 'application/octet-stream',
      size: document.file_size ?? 0,
    };
  }
  const contact = m.contact as { phone_number: string; first_name: string; last_name?: string } | undefined;
  if (contact) view.contact = { phone: contact.phone_number, name: [contact.first_name, contact.last_name].filter(Boolean).join(' ') };
  const sticker = m.sticker as { emoji?: string } | undefined;
  if (sticker) view.sticker = sticker.emoji ?? '🖼';
  const buttons = inlineButtons(m.reply_markup);
  if (buttons) view.buttons = buttons;
  return view;
}

function entityView(e: MessageEntity): EntityView {
  const out: EntityView = { type: e.type, offset: e.offset, length: e.length };
  if (e.type === 'text_link') out.url = e.url;
  if (e.type === 'pre' && e.language) out.language = e.language;
  return out;
}

// Direction marks and isolates end a link: the bot wraps links in them so they read right in Persian.
const LINK = /https?:\/\/[^\s<>"«»\u200b-\u200f\u202a-\u202e\u2066-\u2069]+[^\s<>"«».,:;!?)\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Telegram finds the web addresses in a text itself and sends them as url entities; the emulator keeps
 * only the markup the bot sent, so the page's view adds them (an invite link must be a link).
 */
export function withLinks(text: string, entities: EntityView[]): EntityView[] {
  const found: EntityView[] = [];
  for (const match of text.matchAll(LINK)) {
    const start = match.index;
    const end = start + match[0].length;
    // Inside another entity (a bold link) is fine; across the edge of one is not something Telegram makes.
    const crosses = entities.some((e) => e.offset < end && start < e.offset + e.length && !(e.offset <= start && end <= e.offset + e.length));
    const isLink = entities.some((e) => (e.type === 'url' || e.type === 'text_link') && e.offset <= start && end <= e.offset + e.length);
    if (!crosses && !isLink) found.push({ type: 'url', offset: start, length: end - start });
  }
  return [...entities, ...found];
}

function inlineButtons(markup: unknown): ButtonView[][] | undefined {
  const rows = (markup as { inline_keyboard?: Record<string, unknown>[][] } | undefined)?.inline_keyboard;
  if (!rows?.length) return undefined;
  return rows.map((row) =>
    row.flatMap((b): ButtonView[] => {
      const text = String(b.text ?? '');
      if (typeof b.callback_data === 'string') return [{ text, data: b.callback_data }];
      if (typeof b.url === 'string') return [{ text, url: b.url }];
      return [];
    }),
  );
}

/** The reply keyboard a call leaves the chat with: a new one, none (removed), or unchanged (undefined). */
export function keyboardAfter(call: EmulatorCall): ReplyKeyboardView | null | undefined {
  if (!call.response.ok) return undefined;
  const markup = call.replyMarkup as { keyboard?: unknown[][]; remove_keyboard?: boolean } | undefined;
  if (!markup || typeof markup !== 'object') return undefined;
  if (markup.remove_keyboard) return null;
  if (!Array.isArray(markup.keyboard)) return undefined;
  const rows = markup.keyboard.map((row) =>
    (Array.isArray(row) ? row : []).map((button) => {
      const b = (typeof button === 'string' ? { text: button } : button) as { text?: unknown; request_contact?: unknown };
      return { text: String(b.text ?? ''), contact: b.request_contact === true };
    }),
  );
  return { rows };
}
