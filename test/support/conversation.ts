/**
 * Talking to the bot in end-to-end tests: what a person does (say, press, command) with the answer
 * it brings, the answers to button presses, and reading what the bot showed (texts, buttons, ids).
 */
import { createTranslator } from '../../src/platform/i18n/index.js';
import type { FakeUser, RecordedCall, WaitOptions } from './fake-bot-api/index.js';
import type { Harness } from './harness.js';

const translator = createTranslator();

/** The Persian text of a locale key, as the bot sends it. */
export const t = (key: string, options?: Record<string, unknown>): string => translator.t('fa', key, options);

/** What anyone but office staff hears from a staff command or button. */
export const NOT_ADMIN = 'این فرمان ویژه کارشناسان دفتر امور اجتماعی و فرهنگی استانداری است.';
/** The answer to a button that is forged, malformed or belongs to a form that has ended. */
export const STALE_BUTTON = 'این دکمه دیگر معتبر نیست.';

export interface Button {
  text: string;
  callback_data?: string;
}

type Markup = { inline_keyboard?: Button[][]; keyboard?: ({ text: string } | string)[][] };
const markupOf = (call: RecordedCall) => (call.replyMarkup ?? {}) as Markup;

/** The inline buttons under a message the bot sent or edited, row after row. */
export const inlineButtons = (call: RecordedCall): Button[] =>
  (markupOf(call).inline_keyboard ?? []).flat().map(({ text, callback_data }) => ({ text, callback_data }));

export const inlineLabels = (call: RecordedCall): string[] => inlineButtons(call).map((b) => b.text);

/** The labels of the reply keyboard (the menu under the text field) a message came with. */
export const replyLabels = (call: RecordedCall): string[] => (markupOf(call).keyboard ?? []).flat().map((b) => (typeof b === 'string' ? b : b.text));

/** The id of the message a send call created. */
export const messageIdOf = (call: RecordedCall): number => (call.response as { result: { message_id: number } }).result.message_id;

/** The next reply to the user's latest action whose text includes `includes` (any reply without it). */
export function reply(user: FakeUser, includes?: string, options?: WaitOptions): Promise<RecordedCall> {
  return user.waitForReply(includes === undefined ? undefined : (c) => String(c.text).includes(includes), options);
}

/** The text of that reply. */
export async function replyText(user: FakeUser, includes?: string, options?: WaitOptions): Promise<string> {
  return String((await reply(user, includes, options)).text);
}

export async function say(user: FakeUser, text: string): Promise<RecordedCall> {
  user.sendText(text);
  return user.waitForReply();
}

export async function press(user: FakeUser, label: string): Promise<RecordedCall> {
  user.pressButtonByText(label);
  return user.waitForReply();
}

export async function command(user: FakeUser, name: string, payload?: string): Promise<RecordedCall> {
  user.sendCommand(name, payload);
  return user.waitForReply();
}

/** The answer to a button press (the alert or toast the user sees). */
export function answerTo(h: Harness, pressed: { update: { callback_query: { id: string } } }): Promise<RecordedCall> {
  return h.api.waitForCall('answerCallbackQuery', (c) => c.params.callback_query_id === pressed.update.callback_query.id);
}

/** The bot's edit of a message in the chat after `after` (a mark), optionally one whose text matches. */
export function editIn(h: Harness, chatId: number, after: number, predicate: (text: string) => boolean = () => true): Promise<RecordedCall> {
  return h.api.waitForCall('editMessageText', (c) => c.chatId === chatId && predicate(String(c.params.text)), { after });
}
