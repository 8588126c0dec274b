import type { CallbackQuery, Chat, Message, MessageEntity, Update, User } from 'telegraf/types';
import { guessMime } from './http.js';
import { unixNow, type ChatState, type Json, type Store } from './store.js';
import type { BotProfile, Enqueued, RecordedCall, UserProfile, WaitOptions } from './types.js';

/** What a FakeUser needs from its FakeBotApi, passed as closures to keep FakeBotApi's internals private. */
export interface UserInternals {
  readonly store: Store;
  readonly bot: BotProfile;
  enqueue(partial: object, forced?: boolean): Enqueued;
  mark(): number;
  block(chatId: number): void;
  unblock(chatId: number): void;
  nextCallbackId(): string;
  waitForMessage(chatId: number, predicate: ((call: RecordedCall) => boolean) | undefined, options: WaitOptions): Promise<RecordedCall>;
}

export interface ShareContactOptions {
  phone_number: string;
  /** Default: the user's own id. `null` omits it (a contact not on Telegram); another id forges it. */
  user_id?: number | null;
  first_name?: string;
  last_name?: string;
  vcard?: string;
  /** Adds forward_origin/forward_date, as when the contact card is forwarded from another chat. */
  forwarded?: boolean | { from?: User; date?: number };
}

type TextUpdate = Update.MessageUpdate<Message.TextMessage>;

/** Acts as one Telegram user in a private chat with the bot. */
export class FakeUser {
  private profileData: User;
  private lastMark = 0;

  /** @internal Created by `FakeBotApi.user()`. */
  constructor(
    private readonly api: UserInternals,
    readonly id: number,
    profile: UserProfile,
  ) {
    this.profileData = FakeUser.buildProfile(id, profile);
    this.registerChat();
  }

  private static buildProfile(id: number, profile: UserProfile): User {
    const user: User = { id, is_bot: false, first_name: profile.first_name ?? `User${id}` };
    if (profile.last_name !== undefined) user.last_name = profile.last_name;
    if (profile.username !== undefined) user.username = profile.username;
    if (profile.language_code !== undefined) user.language_code = profile.language_code;
    if (profile.is_premium) user.is_premium = true;
    return user;
  }

  get profile(): User {
    return this.profileData;
  }

  get chat(): Chat.PrivateChat {
    const chat: Chat.PrivateChat = { id: this.id, type: 'private', first_name: this.profileData.first_name };
    if (this.profileData.last_name !== undefined) chat.last_name = this.profileData.last_name;
    if (this.profileData.username !== undefined) chat.username = this.profileData.username;
    return chat;
  }

  /** @internal */
  updateProfile(profile: UserProfile): void {
    this.profileData = FakeUser.buildProfile(this.id, { ...this.profileData, ...profile });
    this.registerChat();
  }

  private registerChat(): ChatState {
    return this.api.store.registerChat(this.chat);
  }

  private enqueue<U extends Update>(partial: object, forced = false): Enqueued<U> {
    const enqueued = this.api.enqueue(partial, forced) as Enqueued<U>;
    this.lastMark = enqueued.mark;
    return enqueued;
  }

  private newMessage(content: Json): Json {
    const state = this.registerChat();
    const message: Json = { message_id: state.nextMessageId++, from: this.profileData, chat: this.chat, date: unixNow(), ...content };
    this.api.store.addMessage(state, message, false);
    return message;
  }

  /** A text message; a leading "/word" gets the bot_command entity telegraf's `command()` needs. */
  sendText(text: string, options: { entities?: MessageEntity[]; reply_to_message_id?: number } = {}): Enqueued<TextUpdate> {
    const content: Json = { text };
    const entities = options.entities ?? commandEntities(text);
    if (entities.length > 0) content.entities = entities;
    if (options.reply_to_message_id !== undefined) {
      const target = this.api.store.getMessage(this.id, options.reply_to_message_id);
      if (target) {
        const { reply_to_message: _nested, ...rest } = target.message;
        content.reply_to_message = rest;
      }
    }
    return this.enqueue({ message: this.newMessage(content) });
  }

  /** `/command payload`, e.g. sendCommand('start', 'ref123') for a deep link. */
  sendCommand(command: string, payload?: string): Enqueued<TextUpdate> {
    const name = command.replace(/^\//, '');
    return this.sendText(payload === undefined || payload === '' ? `/${name}` : `/${name} ${payload}`);
  }

  shareContact(options: ShareContactOptions): Enqueued<Update.MessageUpdate<Message.ContactMessage>> {
    const contact: Json = { phone_number: options.phone_number, first_name: options.first_name ?? this.profileData.first_name };
    const lastName = options.last_name ?? (options.first_name === undefined ? this.profileData.last_name : undefined);
    if (lastName !== undefined) contact.last_name = lastName;
    if (options.user_id !== null) contact.user_id = options.user_id ?? this.id;
    if (options.vcard !== undefined) contact.vcard = options.vcard;
    const content: Json = { contact };
    if (options.forwarded) {
      const spec = options.forwarded === true ? {} : options.forwarded;
      const date = spec.date ?? unixNow() - 3600;
      const sender: User = spec.from ?? { id: this.id + 1_000_000_000, is_bot: false, first_name: 'Forwarded Sender' };
      content.forward_origin = { type: 'user', sender_user: sender, date };
      // Pre-7.0 field, still checked by older code paths.
      content.forward_date = date;
      content.forward_from = sender;
    }
    return this.enqueue({ message: this.newMessage(content) });
  }

  /**
   * A callback_query as if an inline button was pressed. `callbackData` is not checked against
   * the keyboard (forged data is a real attack); `message` is the bot's message when known.
   */
  pressButton(callbackData: string, messageId?: number): Enqueued<Update.CallbackQueryUpdate<CallbackQuery.DataQuery>> {
    const { store } = this.api;
    const id = this.api.nextCallbackId();
    let message: Json | undefined;
    if (messageId !== undefined) {
      message = store.getMessage(this.id, messageId)?.message ?? { chat: this.chat, message_id: messageId, date: 0 };
    } else {
      message = store.history(this.id).find((m) => m.fromBot && keyboardButtons(m.message).some((b) => b.callback_data === callbackData))?.message;
    }
    const query: Json = { id, from: this.profileData, chat_instance: chatInstance(this.id), data: callbackData };
    // Snapshot: a later edit must not change what this update carries.
    if (message) query.message = { ...message };
    if (store.keepMessages) store.callbackQueries.set(id, { chatId: this.id, answered: false });
    return this.enqueue({ callback_query: query });
  }

  /** Presses the callback button with this label on the newest bot message in this chat that shows it. */
  pressButtonByText(label: string): Enqueued<Update.CallbackQueryUpdate<CallbackQuery.DataQuery>> {
    const { store } = this.api;
    if (!store.keepMessages) throw new Error('pressButtonByText needs the message store; start FakeBotApi with recordBodies: true');
    const keyboards = store.history(this.id).filter((m) => m.fromBot && keyboardButtons(m.message).length > 0);
    for (const { message } of keyboards) {
      const buttons = keyboardButtons(message);
      const button = buttons.find((b) => b.text === label) ?? buttons.find((b) => b.text.trim() === label.trim());
      if (!button) continue;
      if (typeof button.callback_data !== 'string') {
        throw new Error(`Button "${label}" on message ${String(message.message_id)} in chat ${this.id} is not a callback button: ${JSON.stringify(button)}`);
      }
      return this.pressButton(button.callback_data, message.message_id as number);
    }
    const seen = keyboards
      .slice(0, 3)
      .map((k) => `message ${String(k.message.message_id)}: ${keyboardButtons(k.message).map((b) => JSON.stringify(b.text)).join(', ')}`);
    throw new Error(
      `No inline button labelled ${JSON.stringify(label)} in chat ${this.id}. ` +
        (seen.length > 0 ? `Latest keyboards: ${seen.join(' | ')}` : 'The bot has sent no inline keyboard to this chat.'),
    );
  }

  sendPhoto(caption?: string): Enqueued<Update.MessageUpdate<Message.PhotoMessage>> {
    const { store } = this.api;
    const sizes = [
      { ...store.publicFile(store.newFile('photo', { file_size: 1_500 })), width: 90, height: 67 },
      { ...store.publicFile(store.newFile('photo', { file_size: 24_000 })), width: 320, height: 240 },
      { ...store.publicFile(store.newFile('photo', { file_size: 98_000 })), width: 1280, height: 960 },
    ];
    const content: Json = { photo: sizes };
    if (caption !== undefined) content.caption = caption;
    return this.enqueue({ message: this.newMessage(content) });
  }

  sendDocument(fileName: string, caption?: string, options: { mime_type?: string; file_size?: number } = {}): Enqueued<Update.MessageUpdate<Message.DocumentMessage>> {
    const { store } = this.api;
    const file = store.newFile('document', {
      file_name: fileName,
      mime_type: options.mime_type ?? guessMime(fileName),
      file_size: options.file_size ?? 12_345,
    });
    const content: Json = { document: store.publicFile(file) };
    if (caption !== undefined) content.caption = caption;
    return this.enqueue({ message: this.newMessage(content) });
  }

  sendSticker(emoji = '👍'): Enqueued<Update.MessageUpdate<Message.StickerMessage>> {
    const { store } = this.api;
    const file = store.newFile('sticker', { file_size: 20_000 });
    const sticker = { ...store.publicFile(file), type: 'regular', width: 512, height: 512, is_animated: false, is_video: false, emoji, set_name: 'FakeStickers' };
    return this.enqueue({ message: this.newMessage({ sticker }) });
  }

  /** An edited_message update for one of this user's messages. */
  editText(messageId: number, text: string): Enqueued<Update.EditedMessageUpdate> {
    const stored = this.api.store.getMessage(this.id, messageId);
    const base: Json = stored?.message ?? { message_id: messageId, from: this.profileData, chat: this.chat, date: unixNow() - 60 };
    const edited: Json = { ...base, text, edit_date: unixNow() };
    const entities = commandEntities(text);
    if (entities.length > 0) edited.entities = entities;
    else delete edited.entities;
    if (stored) stored.message = edited;
    return this.enqueue({ edited_message: edited });
  }

  /** The user blocks the bot: sends to this chat now fail with 403 and the bot gets my_chat_member "kicked". */
  blockBot(): Enqueued<Update.MyChatMemberUpdate> {
    this.api.block(this.id);
    return this.enqueue({ my_chat_member: this.memberChange('member', 'kicked') });
  }

  unblockBot(): Enqueued<Update.MyChatMemberUpdate> {
    this.api.unblock(this.id);
    return this.enqueue({ my_chat_member: this.memberChange('kicked', 'member') });
  }

  private memberChange(from: 'member' | 'kicked', to: 'member' | 'kicked'): Json {
    const member = (status: string): Json => (status === 'kicked' ? { user: this.api.bot, status, until_date: 0 } : { user: this.api.bot, status });
    return { chat: this.chat, from: this.profileData, date: unixNow(), old_chat_member: member(from), new_chat_member: member(to) };
  }

  /** Any update, e.g. `{ channel_post: ... }`; update_id is assigned. */
  enqueueUpdate<U extends Update = Update>(partial: object): Enqueued<U> {
    return this.enqueue<U>(partial);
  }

  /** Delivers the same update (same update_id) again, as after a crash before confirmation. */
  enqueueDuplicate<U extends Update>(update: U | Enqueued<U>): Enqueued<U> {
    const original = 'update' in update && 'mark' in update ? update.update : update;
    return this.enqueue<U>(original, true);
  }

  /** Messages the bot sent to this chat and that still exist, oldest first (current state after edits). */
  messagesFromBot(): Message[] {
    return this.api.store
      .history(this.id)
      .filter((m) => m.fromBot)
      .reverse()
      .map((m) => m.message as unknown as Message);
  }

  lastMessageFromBot(): Message | undefined {
    return this.api.store.history(this.id).find((m) => m.fromBot)?.message as Message | undefined;
  }

  /**
   * Next successful message-producing call to this chat recorded after this user's latest action
   * (override with `options.after`).
   */
  waitForReply(predicate?: (call: RecordedCall) => boolean, options: WaitOptions | number = {}): Promise<RecordedCall> {
    const opts = typeof options === 'number' ? { timeoutMs: options } : options;
    return this.api.waitForMessage(this.id, predicate, { after: this.lastMark, ...opts });
  }
}

function commandEntities(text: string): MessageEntity[] {
  const match = /^\/[^\s]+/.exec(text);
  return match ? [{ type: 'bot_command', offset: 0, length: match[0].length }] : [];
}

interface Button {
  text: string;
  callback_data?: string;
  [key: string]: unknown;
}

function keyboardButtons(message: Json): Button[] {
  const markup = message.reply_markup as { inline_keyboard?: Button[][] } | undefined;
  return markup?.inline_keyboard?.flat() ?? [];
}

function chatInstance(userId: number): string {
  return String(-((userId * 7_919) % 9_000_000_000_000) - 1_000_000_000);
}
