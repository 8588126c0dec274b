import type { BotCommand, Chat } from 'telegraf/types';
import type { ChatId } from './types.js';

/** Internal mutable message shape; public accessors cast it to `Message`. */
export type Json = Record<string, unknown>;

export interface StoredMessage {
  message: Json;
  fromBot: boolean;
}

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  file_size: number;
  file_path: string;
  mime_type?: string;
  file_name?: string;
  bytes?: Buffer;
}

export interface ChatState {
  chat: Chat;
  nextMessageId: number;
  /** Insertion-ordered; absent when bodies are not recorded. */
  messages?: Map<number, StoredMessage>;
}

/** Numeric chat ids arrive as numbers (JSON) or strings (multipart/query); this is the Map key. */
export function chatKey(id: ChatId): string {
  if (typeof id === 'number') return String(id);
  const trimmed = id.trim();
  if (/^-?\d+$/.test(trimmed)) return String(Number(trimmed));
  return trimmed.toLowerCase();
}

export function normaliseChatId(id: ChatId): ChatId {
  if (typeof id === 'number') return id;
  const trimmed = id.trim();
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

export class Store {
  readonly chats = new Map<string, ChatState>();
  readonly files = new Map<string, StoredFile>();
  /** callback_query id → answered? */
  readonly callbackQueries = new Map<string, { chatId: number; answered: boolean }>();
  readonly commands = new Map<string, BotCommand[]>();
  private fileCounter = 0;

  constructor(readonly keepMessages: boolean) {}

  findChat(id: ChatId): ChatState | undefined {
    return this.chats.get(chatKey(id));
  }

  /** Registers a chat (or refreshes its profile) without losing its messages. */
  registerChat(chat: Chat): ChatState {
    const key = chatKey(chat.id);
    const existing = this.chats.get(key);
    if (existing) {
      existing.chat = chat;
      return existing;
    }
    const state: ChatState = { chat, nextMessageId: 1 };
    if (this.keepMessages) state.messages = new Map();
    this.chats.set(key, state);
    if ('username' in chat && chat.username && chat.type !== 'private') this.chats.set(chatKey(`@${chat.username}`), state);
    return state;
  }

  /** Chat for an id the bot addresses without prior registration (non-strict mode). */
  implicitChat(id: ChatId): ChatState {
    const numeric = typeof id === 'number' ? id : Number(id);
    if (!Number.isFinite(numeric)) {
      return this.registerChat({ id: -1_000_000_000_000 - this.chats.size, type: 'channel', title: String(id), username: String(id).replace(/^@/, '') });
    }
    if (numeric > 0) return this.registerChat({ id: numeric, type: 'private', first_name: `User ${numeric}` });
    if (String(numeric).startsWith('-100')) return this.registerChat({ id: numeric, type: 'supergroup', title: `Supergroup ${numeric}` });
    return this.registerChat({ id: numeric, type: 'group', title: `Group ${numeric}` });
  }

  addMessage(state: ChatState, message: Json, fromBot: boolean): void {
    state.messages?.set(message.message_id as number, { message, fromBot });
  }

  getMessage(chatId: ChatId, messageId: number): StoredMessage | undefined {
    return this.findChat(chatId)?.messages?.get(messageId);
  }

  /** Newest first. */
  history(chatId: ChatId): StoredMessage[] {
    const messages = this.findChat(chatId)?.messages;
    return messages ? [...messages.values()].reverse() : [];
  }

  newFile(kind: 'photo' | 'document' | 'sticker', info: Omit<StoredFile, 'file_id' | 'file_unique_id' | 'file_path'> & { file_path?: string }): StoredFile {
    const n = ++this.fileCounter;
    const prefix = kind === 'photo' ? 'AgACAgQAAxkBAAI' : kind === 'sticker' ? 'CAACAgQAAxkBAAI' : 'BQACAgQAAxkBAAI';
    const ext = kind === 'photo' ? 'jpg' : kind === 'sticker' ? 'webp' : (info.file_name?.split('.').pop() ?? 'dat');
    const file: StoredFile = {
      ...info,
      file_id: `${prefix}${n.toString(36).padStart(6, '0')}_fake`,
      file_unique_id: `AQAD${n.toString(36).padStart(4, '0')}`,
      file_path: info.file_path ?? `${kind === 'photo' ? 'photos' : kind === 'sticker' ? 'stickers' : 'documents'}/file_${n}.${ext}`,
    };
    if (this.keepMessages) this.files.set(file.file_id, file);
    return file;
  }

  publicFile(file: StoredFile): Json {
    const out: Json = { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size };
    if (file.file_name !== undefined) out.file_name = file.file_name;
    if (file.mime_type !== undefined) out.mime_type = file.mime_type;
    return out;
  }
}

export function scopeKey(scope: unknown, languageCode: unknown): string {
  const s = (scope && typeof scope === 'object' ? scope : {}) as Record<string, unknown>;
  const type = typeof s.type === 'string' ? s.type : 'default';
  const chat = s.chat_id === undefined ? '' : chatKey(s.chat_id as ChatId);
  const user = s.user_id === undefined ? '' : String(s.user_id);
  return `${type}|${chat}|${user}|${typeof languageCode === 'string' ? languageCode : ''}`;
}

