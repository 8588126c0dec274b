/**
 * The slice of the Bot API emulator (test/support/fake-bot-api, the one the e2e tests run against) that
 * the sandbox uses: acting as people, reading a chat as it now is, and hearing every call the bot makes.
 *
 * Why an interface and not an import: the emulator lives with the tests, and `npm run build` compiles
 * src/ alone (rootDir src), so no file under src/ may import test/. `npm run sandbox` loads it by path
 * (main.ts); the browser tests hand it in directly, which also checks at compile time that the
 * emulator still fits this interface.
 */
import type { Message, Update } from 'telegraf/types';

export interface EmulatorCall {
  readonly method: string;
  readonly chatId?: number | string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly replyMarkup?: unknown;
  readonly response: { ok: boolean };
}

export interface EmulatorOptions {
  bot: { username: string; first_name: string };
  /** Called after every call the bot made. */
  onCall: (call: EmulatorCall) => void;
}

interface Enqueued {
  readonly update: Update;
}

/** One person in a private chat with the bot. */
export interface EmulatedUser {
  sendText(text: string): Enqueued;
  shareContact(options: { phone_number: string }): Enqueued;
  pressButton(callbackData: string, messageId?: number): Enqueued;
  sendPhoto(caption?: string): Enqueued;
  sendDocument(fileName: string, caption?: string, options?: { mime_type?: string; file_size?: number }): Enqueued;
}

export interface BotApiEmulator {
  readonly apiRoot: string;
  readonly token: string;
  user(id: number, profile?: { first_name?: string; last_name?: string; language_code?: string }): EmulatedUser;
  /** Messages of a chat from both sides, oldest first, as they are now (edits applied, deletions gone). */
  chatHistory(chatId: number): Message[];
  close(): Promise<void>;
}

export type StartEmulator = (options: EmulatorOptions) => Promise<BotApiEmulator>;
