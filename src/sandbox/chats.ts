/**
 * The chats as the page sees them, followed from the emulator: every call the bot makes tells which chat
 * changed, brings or takes away a reply keyboard, or answers a button press; the page hears of each as
 * an event. Built before the app, since the emulator reports calls from its first one.
 *
 * The emulator keeps chats in memory, while the database outlives a restart; so that a restarted sandbox
 * does not show empty chats beside a full database, each chat's transcript is kept in the data folder
 * (chats.json) and shown above the new messages, without its buttons and files (they belonged to the
 * emulator of the run before).
 */
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { keyboardAfter, messageView, type MessageView, type ReplyKeyboardView } from './chat-view.js';
import type { BotApiEmulator, EmulatorCall } from './emulator.js';

export type SandboxEvent =
  | { type: 'chat'; chatId: number }
  | { type: 'answer'; chatId: number; text: string; alert: boolean }
  | { type: 'clock'; now: string }
  | { type: 'personas' };

export class SandboxChats {
  private readonly listeners = new Set<(event: SandboxEvent) => void>();
  private readonly keyboards = new Map<number, ReplyKeyboardView>();
  private emulator: BotApiEmulator | undefined;
  private botId = 0;
  private archived = new Map<number, MessageView[]>();

  /** The transcripts of the runs before, from the data folder. */
  async restore(dataDir: string): Promise<void> {
    const saved = await readFile(path.join(dataDir, CHATS_FILE), 'utf8').then(
      (text) => JSON.parse(text) as Record<string, MessageView[]>,
      () => ({}),
    );
    this.archived = new Map(Object.entries(saved).map(([id, messages]) => [Number(id), messages]));
  }

  async save(dataDir: string, chatIds: readonly number[]): Promise<void> {
    // Negative ids, in order, never meet the emulator's, which start at 1 in every run.
    const all = Object.fromEntries(chatIds.map((id) => [id, this.view(id).messages.map((m, i) => archivedView(m, -(i + 1)))]));
    await writeFile(path.join(dataDir, CHATS_FILE), JSON.stringify(all));
  }

  attach(emulator: BotApiEmulator): void {
    this.emulator = emulator;
    this.botId = Number(/^(\d+):/.exec(emulator.token)?.[1]);
  }

  subscribe(listener: (event: SandboxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: SandboxEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  onCall(call: EmulatorCall): void {
    const chatId = typeof call.chatId === 'number' ? call.chatId : Number(call.chatId);
    if (!Number.isSafeInteger(chatId)) return;
    if (call.method === 'answerCallbackQuery') {
      const text = call.params.text;
      if (call.response.ok && typeof text === 'string' && text !== '') {
        const alert = call.params.show_alert === true || call.params.show_alert === 'true';
        this.emit({ type: 'answer', chatId, text, alert });
      }
      return;
    }
    const keyboard = keyboardAfter(call);
    if (keyboard === null) this.keyboards.delete(chatId);
    else if (keyboard) this.keyboards.set(chatId, keyboard);
    if (call.response.ok) this.emit({ type: 'chat', chatId });
  }

  view(chatId: number): { messages: MessageView[]; keyboard: ReplyKeyboardView | null } {
    const live = (this.emulator?.chatHistory(chatId) ?? []).map((m) => messageView(m, this.botId));
    return { messages: [...(this.archived.get(chatId) ?? []), ...live], keyboard: this.keyboards.get(chatId) ?? null };
  }
}

const CHATS_FILE = 'chats.json';

/** A message of an earlier run: its words stay; its buttons and files, which that run's emulator held, go. */
function archivedView(message: MessageView, id: number): MessageView {
  const { buttons: _buttons, photo, document, ...rest } = message;
  const files = [photo ? '[عکس]' : '', document ? `[فایل: ${document.name}]` : ''].filter(Boolean).join(' ');
  if (!files) return { ...rest, id };
  const text = rest.text === undefined ? files : `${files}\n${rest.text}`;
  const shift = text.length - (rest.text?.length ?? 0);
  return { ...rest, id, text, ...(rest.entities ? { entities: rest.entities.map((e) => ({ ...e, offset: e.offset + shift })) } : {}) };
}
