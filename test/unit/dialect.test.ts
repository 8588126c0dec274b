/**
 * Why: on Bale (بله) markup is not taken, so Telegram HTML would reach people as raw tags; and the
 * methods Bale lacks must not fill the log with errors. The dialect is the one place both are handled.
 */
import type { Telegram } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { applyDialect, htmlToPlainText, toBalePayload } from '../../src/platform/bot/dialect.js';

/** A Telegram client whose callApi records what would go over the wire. */
function recordingTelegram() {
  const calls: { method: string; payload: Record<string, unknown> }[] = [];
  const telegram = {
    callApi: (method: string, payload: Record<string, unknown>) => {
      calls.push({ method, payload });
      return Promise.resolve({ message_id: 7 });
    },
  } as unknown as Telegram;
  return { telegram, calls };
}

describe('htmlToPlainText', () => {
  it('when text has tags and entities, then the tags go and the entities are unescaped once', () => {
    expect(htmlToPlainText('<b>شماره پیگیری:</b> <i>۱۲</i>\n<code>A&amp;B</code> &lt;b&gt; &quot;x&quot; &#1548; &#x61F;')).toBe(
      'شماره پیگیری: ۱۲\nA&B <b> "x" ، ؟',
    );
  });

  it('when a link has its own words, then it is written "words (address)"; a bare address is written once', () => {
    expect(htmlToPlainText('<a href="https://ble.ir/bot?start=a&amp;b">پیوند دعوت</a>')).toBe('پیوند دعوت (https://ble.ir/bot?start=a&b)');
    expect(htmlToPlainText('<a href="https://ble.ir/x">https://ble.ir/x</a>')).toBe('https://ble.ir/x');
  });

  it('when text has "<" that is not a tag (escaped as Telegram needs), then it is kept', () => {
    expect(htmlToPlainText('۳ &lt; ۵ و < ۷')).toBe('۳ < ۵ و < ۷');
  });
});

describe('toBalePayload', () => {
  it('when a message is HTML, then its text becomes plain and the Telegram-only fields are dropped', () => {
    const payload = toBalePayload('sendMessage', {
      chat_id: 1,
      text: '<b>سلام</b> &amp; خوش آمدید',
      parse_mode: 'HTML',
      link_preview_options: { is_disabled: true },
      reply_markup: { inline_keyboard: [] },
    });
    expect(payload).toEqual({ chat_id: 1, text: 'سلام & خوش آمدید', reply_markup: { inline_keyboard: [] } });
  });

  it('when a caption is HTML, then it becomes plain too', () => {
    expect(toBalePayload('sendDocument', { chat_id: 1, caption: '<b>گزارش</b>', parse_mode: 'HTML' })).toEqual({ chat_id: 1, caption: 'گزارش' });
  });

  it('when text is sent without parse_mode, then it is kept exactly, "<" and "&" included', () => {
    expect(toBalePayload('answerCallbackQuery', { callback_query_id: 'q', text: 'a <b> &amp;' })).toEqual({ callback_query_id: 'q', text: 'a <b> &amp;' });
  });

  it('when the method is one Bale lacks, then it is to be skipped', () => {
    for (const method of ['setMyCommands', 'deleteMyCommands', 'setMyDescription']) expect(toBalePayload(method, {})).toBeUndefined();
  });
});

describe('applyDialect', () => {
  it('when the platform is Bale, then calls go out converted and the missing methods answer true without a request', async () => {
    const { telegram, calls } = recordingTelegram();
    applyDialect(telegram, 'bale');
    applyDialect(telegram, 'bale'); // a second application changes nothing
    await expect(telegram.callApi('setMyCommands', { commands: [] })).resolves.toBe(true);
    await telegram.callApi('sendMessage', { chat_id: 1, text: '<b>x</b>', parse_mode: 'HTML' });
    expect(calls).toEqual([{ method: 'sendMessage', payload: { chat_id: 1, text: 'x' } }]);
  });

  it('when the platform is Telegram, then calls go out untouched', async () => {
    const { telegram, calls } = recordingTelegram();
    applyDialect(telegram, 'telegram');
    await telegram.callApi('sendMessage', { chat_id: 1, text: '<b>x</b>', parse_mode: 'HTML' });
    await telegram.callApi('setMyCommands', { commands: [] });
    expect(calls.map((c) => c.method)).toEqual(['sendMessage', 'setMyCommands']);
    expect(calls[0]!.payload).toMatchObject({ parse_mode: 'HTML', text: '<b>x</b>' });
  });
});
