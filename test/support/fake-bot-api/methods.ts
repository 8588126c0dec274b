import type { BotCommand, MessageEntity } from 'telegraf/types';
import { ApiError, badRequest, DESCRIPTIONS, rejectWith } from './errors.js';
import { parseFormatted } from './formatting.js';
import { normaliseChatId, scopeKey, unixNow, type ChatState, type Json, type Store, type StoredFile } from './store.js';
import { UploadedFile, type BotProfile, type ChatId, type Params } from './types.js';
import type { UpdateQueue } from './updates.js';

export interface HandlerContext {
  readonly method: string;
  readonly params: Params;
  /** Aborted when the client disconnects. */
  readonly signal: AbortSignal;
  /** Handlers set this when the chat is implied rather than passed (answerCallbackQuery). */
  chatId?: ChatId;
  aborted?: boolean;
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections?: number;
  allowed_updates?: string[];
  ip_address?: string;
}

export interface Runtime {
  readonly store: Store;
  readonly queue: UpdateQueue;
  readonly bot: BotProfile;
  readonly strictChats: boolean;
  readonly validateFormatting: boolean;
  readonly closing: AbortSignal;
  webhook: WebhookState;
  readonly settings: Map<string, unknown>;
}

export type Handler = (ctx: HandlerContext) => unknown;

/** Methods that create a message in a chat: rate limited, counted by `sentMessages()`. */
export const MESSAGE_METHODS: ReadonlySet<string> = new Set([
  'sendMessage',
  'copyMessage',
  'forwardMessage',
  'sendDocument',
  'sendPhoto',
  'sendSticker',
  'sendContact',
]);

// ---------------------------------------------------------------- params

function str(p: Params, name: string): string | undefined {
  const v = p[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw badRequest(`field "${name}" must be of type String`);
}

function int(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^\s*-?\d+\s*$/.test(v)) return Number(v);
  throw badRequest(`field "${name}" must be of type Integer`);
}

function bool(p: Params, name: string): boolean {
  const v = p[name];
  return v === true || v === 'true' || v === '1' || v === 1;
}

/** JSON-typed fields arrive as values (JSON body) or as JSON strings (multipart/query). */
export function jsonParam(p: Params, name: string, parseError?: string): unknown {
  const v = p[name];
  if (typeof v !== 'string') return v ?? undefined;
  if (v === '') return undefined;
  try {
    return JSON.parse(v) as unknown;
  } catch {
    throw badRequest(parseError ?? `can't parse ${name} JSON object`);
  }
}

export function chatIdParam(p: Params, name = 'chat_id'): ChatId | undefined {
  const v = p[name];
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '') return normaliseChatId(v);
  return undefined;
}

function requireChat(rt: Runtime, p: Params, name = 'chat_id'): ChatState {
  const id = chatIdParam(p, name);
  if (id === undefined) throw badRequest(`${name} is empty`);
  const known = rt.store.findChat(id);
  if (known) return known;
  if (rt.strictChats || (typeof id === 'string' && !/^-?\d+$/.test(id))) throw rejectWith(DESCRIPTIONS.chatNotFound);
  return rt.store.implicitChat(id);
}

function requireMessageId(p: Params, name = 'message_id'): number {
  const id = int(p, name);
  if (id === undefined) throw badRequest('message identifier is not specified');
  return id;
}

// ---------------------------------------------------------------- content

function formatted(rt: Runtime, p: Params, textField: 'text' | 'caption'): { text: string; entities?: MessageEntity[] } {
  const raw = str(p, textField) ?? '';
  const parseMode = str(p, 'parse_mode');
  const entitiesField = textField === 'text' ? 'entities' : 'caption_entities';
  const explicit = jsonParam(p, entitiesField) as MessageEntity[] | undefined;
  const parsed = rt.validateFormatting && explicit === undefined ? parseFormatted(raw, parseMode) : { text: raw, entities: explicit ?? [] };
  // Telegram trims surrounding whitespace before storing the text.
  const text = parsed.text.trim();
  const shift = parsed.text.length - parsed.text.trimStart().length;
  const entities = parsed.entities
    .map((e) => ({ ...e, offset: Math.max(0, e.offset - shift) }))
    .map((e) => ({ ...e, length: Math.min(e.length, text.length - e.offset) }))
    .filter((e) => e.length > 0);
  return entities.length > 0 ? { text, entities } : { text };
}

function messageText(rt: Runtime, p: Params): { text: string; entities?: MessageEntity[] } {
  if ((str(p, 'text') ?? '').trim() === '') throw rejectWith(DESCRIPTIONS.textEmpty);
  const out = formatted(rt, p, 'text');
  if (out.text === '') throw rejectWith(DESCRIPTIONS.textEmpty);
  if (out.text.length > 4096) throw rejectWith(DESCRIPTIONS.textTooLong);
  return out;
}

function caption(rt: Runtime, p: Params): { caption?: string; caption_entities?: MessageEntity[] } {
  if (p.caption === undefined) return {};
  const out = formatted(rt, p, 'caption');
  if (out.text.length > 1024) throw rejectWith(DESCRIPTIONS.captionTooLong);
  if (out.text === '') return {};
  return out.entities ? { caption: out.text, caption_entities: out.entities } : { caption: out.text };
}

const INLINE_BUTTON_KINDS = [
  'url',
  'callback_data',
  'web_app',
  'login_url',
  'switch_inline_query',
  'switch_inline_query_current_chat',
  'switch_inline_query_chosen_chat',
  'callback_game',
  'pay',
];

/** Validates reply_markup like Telegram; returns the inline keyboard as Telegram echoes it in Message. */
export function parseReplyMarkup(p: Params): { inline?: Json; raw?: unknown } {
  const markup = jsonParam(p, 'reply_markup', "can't parse reply keyboard markup JSON object");
  if (markup === undefined || markup === null) return {};
  if (typeof markup !== 'object' || Array.isArray(markup)) throw badRequest("can't parse reply keyboard markup JSON object");
  const m = markup as Record<string, unknown>;
  if ('inline_keyboard' in m) {
    const rows = m.inline_keyboard;
    if (!Array.isArray(rows) || rows.some((r) => !Array.isArray(r))) {
      throw badRequest('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays');
    }
    const clean = (rows as unknown[][]).map((row) =>
      row.map((button) => {
        if (!button || typeof button !== 'object') throw badRequest("can't parse inline keyboard button: InlineKeyboardButton must be an Object");
        const b = button as Record<string, unknown>;
        if (typeof b.text !== 'string') throw badRequest(`can't parse inline keyboard button: Field "text" must be of type String`);
        const kind = INLINE_BUTTON_KINDS.find((k) => b[k] !== undefined);
        if (kind === undefined) throw badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard");
        if (kind === 'callback_data') {
          const size = typeof b.callback_data === 'string' ? Buffer.byteLength(b.callback_data) : 0;
          if (size < 1 || size > 64) throw rejectWith(DESCRIPTIONS.buttonDataInvalid);
        }
        if (kind === 'url' && !isValidButtonUrl(b.url)) throw badRequest('BUTTON_URL_INVALID');
        // Telegram echoes only the fields it knows (telegraf adds `hide`).
        const out: Json = { text: b.text };
        out[kind] = b[kind];
        return out;
      }),
    );
    return { inline: { inline_keyboard: clean }, raw: markup };
  }
  if ('keyboard' in m && (!Array.isArray(m.keyboard) || m.keyboard.some((r) => !Array.isArray(r)))) {
    throw badRequest('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays');
  }
  return { raw: markup };
}

function isValidButtonUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    return ['http:', 'https:', 'tg:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

const CONTENT_EXCLUDED = new Set(['message_id', 'from', 'chat', 'date', 'edit_date', 'reply_markup', 'reply_to_message', 'forward_origin', 'forward_date', 'forward_from']);

function contentOf(message: Json): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(message)) if (!CONTENT_EXCLUDED.has(k)) out[k] = v;
  return out;
}

function replyTarget(rt: Runtime, chat: ChatState, p: Params): Json | undefined {
  const params = jsonParam(p, 'reply_parameters') as { message_id?: number; allow_sending_without_reply?: boolean; chat_id?: ChatId } | undefined;
  const id = params?.message_id ?? int(p, 'reply_to_message_id');
  if (id === undefined || chat.messages === undefined) return undefined;
  const target = params?.chat_id !== undefined ? rt.store.findChat(params.chat_id) : chat;
  const found = target?.messages?.get(id);
  if (!found) {
    if (params?.allow_sending_without_reply || bool(p, 'allow_sending_without_reply')) return undefined;
    throw badRequest('message to be replied not found');
  }
  const { reply_to_message: _nested, ...rest } = found.message;
  return rest;
}

function botMessage(rt: Runtime, chat: ChatState, p: Params, content: Json): Json {
  // Validate everything before taking a message_id, so failed sends leave no gap.
  const { inline } = parseReplyMarkup(p);
  const reply = replyTarget(rt, chat, p);
  const message: Json = { message_id: chat.nextMessageId++, from: rt.bot, chat: chat.chat, date: unixNow() };
  if (reply) message.reply_to_message = reply;
  Object.assign(message, content);
  if (inline) message.reply_markup = inline;
  rt.store.addMessage(chat, message, true);
  return message;
}

function fileInput(rt: Runtime, p: Params, field: string, kind: 'photo' | 'document' | 'sticker'): StoredFile {
  const input = p[field];
  if (input instanceof UploadedFile) {
    return rt.store.newFile(kind, {
      file_size: input.size,
      file_name: kind === 'document' ? input.fileName : undefined,
      mime_type: kind === 'document' ? input.mimeType : undefined,
      bytes: input.bytes,
    });
  }
  if (typeof input !== 'string' || input === '') throw badRequest(`there is no ${field} in the request`);
  const known = rt.store.files.get(input);
  if (known) return known;
  if (/^https?:\/\//i.test(input)) {
    const name = decodeURIComponent(new URL(input).pathname.split('/').pop() || 'file');
    return rt.store.newFile(kind, { file_size: 1024, file_name: kind === 'document' ? name : undefined });
  }
  // Without a store every id is plausibly valid; with one, an unknown id is the real error.
  if (rt.store.keepMessages && input.endsWith('_fake')) throw badRequest('wrong file identifier/HTTP URL specified');
  return { file_id: input, file_unique_id: `AQAD${input.slice(-8)}`, file_size: 1024, file_path: `${kind}s/${input}` };
}

function photoSizes(rt: Runtime, largest: StoredFile): Json[] {
  const small = rt.store.newFile('photo', { file_size: Math.max(1, Math.round(largest.file_size / 20)) });
  return [
    { ...rt.store.publicFile(small), width: 90, height: 90 },
    { ...rt.store.publicFile(largest), width: 800, height: 800 },
  ];
}

function editable(rt: Runtime, p: Params): { chat: ChatState; stored?: { message: Json; fromBot: boolean }; messageId: number } {
  const chat = requireChat(rt, p);
  const messageId = requireMessageId(p);
  if (chat.messages === undefined) return { chat, messageId };
  const stored = chat.messages.get(messageId);
  if (!stored) throw badRequest('message to edit not found');
  if (!stored.fromBot) throw badRequest("message can't be edited");
  return { chat, stored, messageId };
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function applyEdit(chat: ChatState, stored: { message: Json } | undefined, messageId: number, rt: Runtime, patch: Json): Json {
  // Replace rather than mutate: snapshots already handed out (callback_query.message) must not change.
  const base: Json = stored?.message ?? { message_id: messageId, from: rt.bot, chat: chat.chat, date: unixNow() };
  const next: Json = { ...base, ...patch, edit_date: unixNow() };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
  if (stored) stored.message = next;
  return next;
}

const CHAT_ACTIONS = new Set([
  'typing',
  'upload_photo',
  'record_video',
  'upload_video',
  'record_voice',
  'upload_voice',
  'upload_document',
  'choose_sticker',
  'find_location',
  'record_video_note',
  'upload_video_note',
]);

// ---------------------------------------------------------------- handlers

export function createHandlers(rt: Runtime): Record<string, Handler> {
  const { store } = rt;
  return {
    getMe: () => rt.bot,
    logOut: () => true,
    close: () => true,

    getUpdates: async (ctx) => {
      const p = ctx.params;
      if (rt.webhook.url !== '') throw new ApiError(409, DESCRIPTIONS.conflictWebhook);
      const offset = int(p, 'offset') ?? 0;
      const rawLimit = int(p, 'limit') ?? 100;
      const limit = rawLimit < 1 || rawLimit > 100 ? 100 : rawLimit;
      const timeout = Math.max(0, int(p, 'timeout') ?? 0);
      rt.queue.supersede();
      rt.queue.confirm(offset);
      let batch = rt.queue.take(limit);
      if (batch.length === 0 && timeout > 0) {
        const outcome = await rt.queue.hold(timeout * 1000, ctx.signal, rt.closing);
        if (outcome === 'aborted') ctx.aborted = true;
        else batch = rt.queue.take(limit);
      }
      return batch;
    },

    setWebhook: (ctx) => {
      const url = str(ctx.params, 'url') ?? '';
      if (url !== '') {
        let parsed: URL;
        try {
          parsed = new URL(url);
        } catch {
          throw badRequest('bad webhook: Failed to resolve host: Name or service not known');
        }
        if (parsed.protocol !== 'https:') throw badRequest('bad webhook: An HTTPS URL must be provided for webhook');
        if (parsed.port !== '' && !['80', '88', '443', '8443'].includes(parsed.port)) {
          throw badRequest('bad webhook: Webhook can be set up only on ports 80, 88, 443 or 8443');
        }
      }
      if (bool(ctx.params, 'drop_pending_updates')) rt.queue.clear();
      const webhook: WebhookState = { url };
      const secret = str(ctx.params, 'secret_token');
      if (secret !== undefined) webhook.secret_token = secret;
      const maxConnections = int(ctx.params, 'max_connections');
      if (maxConnections !== undefined) webhook.max_connections = maxConnections;
      const allowed = jsonParam(ctx.params, 'allowed_updates');
      if (Array.isArray(allowed)) webhook.allowed_updates = allowed as string[];
      const ip = str(ctx.params, 'ip_address');
      if (ip !== undefined) webhook.ip_address = ip;
      rt.webhook = webhook;
      return true;
    },
    deleteWebhook: (ctx) => {
      if (bool(ctx.params, 'drop_pending_updates')) rt.queue.clear();
      rt.webhook = { url: '' };
      return true;
    },
    getWebhookInfo: () => {
      const { secret_token: _secret, ...visible } = rt.webhook;
      return { ...visible, has_custom_certificate: false, pending_update_count: rt.queue.pending };
    },

    sendMessage: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      return botMessage(rt, chat, ctx.params, messageText(rt, ctx.params));
    },

    copyMessage: (ctx) => {
      const p = ctx.params;
      const chat = requireChat(rt, p);
      const from = requireChat(rt, p, 'from_chat_id');
      const sourceId = requireMessageId(p);
      const source = from.messages?.get(sourceId);
      if (from.messages && !source) throw badRequest('message to copy not found');
      const content = source ? contentOf(source.message) : { text: `copy of ${sourceId}` };
      if (p.caption !== undefined && !('text' in content)) {
        delete content.caption;
        delete content.caption_entities;
        Object.assign(content, caption(rt, p));
      }
      return { message_id: botMessage(rt, chat, p, content).message_id };
    },

    forwardMessage: (ctx) => {
      const p = ctx.params;
      const chat = requireChat(rt, p);
      const from = requireChat(rt, p, 'from_chat_id');
      const sourceId = requireMessageId(p);
      const source = from.messages?.get(sourceId);
      if (from.messages && !source) throw badRequest('message to forward not found');
      const original = source?.message ?? { from: rt.bot, date: unixNow(), text: `message ${sourceId}` };
      const content = contentOf(original);
      content.forward_origin = { type: 'user', sender_user: original.from, date: original.date };
      content.forward_date = original.date;
      return botMessage(rt, chat, p, content);
    },

    sendDocument: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      const cap = caption(rt, ctx.params);
      const file = fileInput(rt, ctx.params, 'document', 'document');
      return botMessage(rt, chat, ctx.params, { document: store.publicFile(file), ...cap });
    },

    sendPhoto: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      const cap = caption(rt, ctx.params);
      const file = fileInput(rt, ctx.params, 'photo', 'photo');
      return botMessage(rt, chat, ctx.params, { photo: photoSizes(rt, file), ...cap });
    },

    sendSticker: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      const file = fileInput(rt, ctx.params, 'sticker', 'sticker');
      const sticker = { ...store.publicFile(file), type: 'regular', width: 512, height: 512, is_animated: false, is_video: false };
      return botMessage(rt, chat, ctx.params, { sticker });
    },

    sendContact: (ctx) => {
      const p = ctx.params;
      const chat = requireChat(rt, p);
      const phone = str(p, 'phone_number');
      const firstName = str(p, 'first_name');
      if (!phone) throw badRequest('phone number is empty');
      if (!firstName) throw badRequest('first name is empty');
      const contact: Json = { phone_number: phone, first_name: firstName };
      const lastName = str(p, 'last_name');
      if (lastName !== undefined) contact.last_name = lastName;
      return botMessage(rt, chat, p, { contact });
    },

    sendChatAction: (ctx) => {
      requireChat(rt, ctx.params);
      const action = str(ctx.params, 'action');
      if (action === undefined || !CHAT_ACTIONS.has(action)) throw badRequest('wrong parameter action in request');
      return true;
    },

    editMessageText: (ctx) => {
      const p = ctx.params;
      const content = messageText(rt, p);
      const { inline } = parseReplyMarkup(p);
      if (p.inline_message_id !== undefined) return true;
      const { chat, stored, messageId } = editable(rt, p);
      if (stored) {
        if (typeof stored.message.text !== 'string') throw badRequest('there is no text in the message to edit');
        if (
          stored.message.text === content.text &&
          sameJson(stored.message.entities, content.entities) &&
          sameJson(stored.message.reply_markup, inline)
        ) {
          throw rejectWith(DESCRIPTIONS.notModified);
        }
      }
      // Omitting reply_markup in an edit removes the inline keyboard, as on Telegram.
      return applyEdit(chat, stored, messageId, rt, { text: content.text, entities: content.entities, reply_markup: inline });
    },

    editMessageCaption: (ctx) => {
      const p = ctx.params;
      const cap = caption(rt, p);
      const { inline } = parseReplyMarkup(p);
      if (p.inline_message_id !== undefined) return true;
      const { chat, stored, messageId } = editable(rt, p);
      if (stored) {
        if ('text' in stored.message) throw badRequest('there is no caption in the message to edit');
        if (
          stored.message.caption === cap.caption &&
          sameJson(stored.message.caption_entities, cap.caption_entities) &&
          sameJson(stored.message.reply_markup, inline)
        ) {
          throw rejectWith(DESCRIPTIONS.notModified);
        }
      }
      return applyEdit(chat, stored, messageId, rt, {
        caption: cap.caption,
        caption_entities: cap.caption_entities,
        reply_markup: inline,
      });
    },

    editMessageReplyMarkup: (ctx) => {
      const p = ctx.params;
      const { inline } = parseReplyMarkup(p);
      if (p.inline_message_id !== undefined) return true;
      const { chat, stored, messageId } = editable(rt, p);
      if (stored && sameJson(stored.message.reply_markup, inline)) throw rejectWith(DESCRIPTIONS.notModified);
      return applyEdit(chat, stored, messageId, rt, { reply_markup: inline });
    },

    deleteMessage: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      const messageId = requireMessageId(ctx.params);
      if (chat.messages && !chat.messages.delete(messageId)) throw badRequest('message to delete not found');
      return true;
    },

    deleteMessages: (ctx) => {
      const chat = requireChat(rt, ctx.params);
      const ids = jsonParam(ctx.params, 'message_ids');
      if (!Array.isArray(ids) || ids.length === 0 || ids.length > 100) throw badRequest('message identifiers are not specified');
      for (const id of ids) chat.messages?.delete(Number(id));
      return true;
    },

    answerCallbackQuery: (ctx) => {
      const id = str(ctx.params, 'callback_query_id');
      const query = id === undefined ? undefined : store.callbackQueries.get(id);
      if (query) ctx.chatId = query.chatId;
      if (store.keepMessages && (!query || query.answered)) throw rejectWith(DESCRIPTIONS.queryTooOld);
      if (query) query.answered = true;
      const text = str(ctx.params, 'text');
      if (text !== undefined && text.length > 200) throw badRequest('MESSAGE_TOO_LONG');
      return true;
    },

    setMyCommands: (ctx) => {
      const commands = jsonParam(ctx.params, 'commands');
      if (!Array.isArray(commands)) throw badRequest('field "commands" must be an Array');
      if (commands.length > 100) throw badRequest('too many commands specified');
      const clean: BotCommand[] = commands.map((c: unknown) => {
        const { command, description } = (c ?? {}) as Record<string, unknown>;
        if (typeof command !== 'string' || !/^[a-z0-9_]{1,32}$/.test(command.replace(/^\//, ''))) throw badRequest('BOT_COMMAND_INVALID');
        if (typeof description !== 'string' || description.trim() === '' || description.length > 256) {
          throw badRequest('BOT_COMMAND_DESCRIPTION_INVALID');
        }
        return { command: command.replace(/^\//, ''), description };
      });
      const key = scopeKey(jsonParam(ctx.params, 'scope'), ctx.params.language_code);
      if (clean.length === 0) store.commands.delete(key);
      else store.commands.set(key, clean);
      return true;
    },
    getMyCommands: (ctx) => store.commands.get(scopeKey(jsonParam(ctx.params, 'scope'), ctx.params.language_code)) ?? [],
    deleteMyCommands: (ctx) => {
      store.commands.delete(scopeKey(jsonParam(ctx.params, 'scope'), ctx.params.language_code));
      return true;
    },

    setMyDescription: (ctx) => setting(rt, ctx, 'description'),
    getMyDescription: (ctx) => ({ description: getSetting(rt, ctx, 'description') }),
    setMyShortDescription: (ctx) => setting(rt, ctx, 'short_description'),
    getMyShortDescription: (ctx) => ({ short_description: getSetting(rt, ctx, 'short_description') }),
    setMyName: (ctx) => setting(rt, ctx, 'name'),
    getMyName: (ctx) => ({ name: getSetting(rt, ctx, 'name') || rt.bot.first_name }),
    setChatMenuButton: () => true,

    getChat: (ctx) => {
      const id = chatIdParam(ctx.params);
      if (id === undefined) throw badRequest('chat_id is empty');
      const chat = store.findChat(id);
      if (!chat) throw rejectWith(DESCRIPTIONS.chatNotFound);
      return chat.chat.type === 'private' ? { ...chat.chat, accent_color_id: 0, max_reaction_count: 11 } : chat.chat;
    },

    getFile: (ctx) => {
      const id = str(ctx.params, 'file_id');
      if (!id) throw badRequest('file_id not specified');
      const file = store.files.get(id);
      if (!file) {
        if (store.keepMessages) throw badRequest('invalid file_id');
        return { file_id: id, file_unique_id: `AQAD${id.slice(-8)}`, file_size: 1024, file_path: `documents/${id}` };
      }
      return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size, file_path: file.file_path };
    },
  };
}

function setting(rt: Runtime, ctx: HandlerContext, field: string): true {
  rt.settings.set(`${field}|${str(ctx.params, 'language_code') ?? ''}`, str(ctx.params, field) ?? '');
  return true;
}

function getSetting(rt: Runtime, ctx: HandlerContext, field: string): string {
  return (rt.settings.get(`${field}|${str(ctx.params, 'language_code') ?? ''}`) as string | undefined) ?? '';
}

