/** One outbox payload sent to one chat through the Bot API; returns the message id the platform gave it. */
import { Input, type Telegram } from 'telegraf';
import type { OutboxPayload } from './outbox.js';

export async function sendPayload(
  telegram: Pick<Telegram, 'callApi'>,
  chatId: bigint,
  payload: OutboxPayload,
  timeoutMs: number,
): Promise<number | undefined> {
  const chat_id = Number(chatId);
  // telegraf types the signal as its abort-controller shim; node-fetch takes the native one.
  const options = { signal: AbortSignal.timeout(timeoutMs) } as unknown as Parameters<Telegram['callApi']>[2];
  switch (payload.kind) {
    case 'TEXT': {
      const sent = await telegram.callApi(
        'sendMessage',
        {
          chat_id,
          text: payload.text,
          ...(payload.parseMode ? { parse_mode: payload.parseMode } : {}),
          ...(payload.replyMarkup ? { reply_markup: payload.replyMarkup } : {}),
          ...(payload.disableLinkPreview ? { link_preview_options: { is_disabled: true } } : {}),
        },
        options,
      );
      return sent.message_id;
    }
    case 'COPY': {
      const copied = await telegram.callApi(
        'copyMessage',
        {
          chat_id,
          from_chat_id: payload.fromChatId,
          message_id: payload.messageId,
          ...(payload.replyMarkup ? { reply_markup: payload.replyMarkup } : {}),
        },
        options,
      );
      return copied.message_id;
    }
    case 'DOCUMENT': {
      // callApi rather than sendDocument: only callApi takes the abort signal.
      const sent = await telegram.callApi(
        'sendDocument',
        {
          chat_id,
          document: Input.fromBuffer(Buffer.from(payload.contentBase64, 'base64'), payload.fileName),
          ...(payload.caption ? { caption: payload.caption } : {}),
          ...(payload.parseMode ? { parse_mode: payload.parseMode } : {}),
        },
        options,
      );
      return sent.message_id;
    }
  }
}
