/**
 * Why: logs are shipped to whoever operates the server, who must never see the bot token (it gives
 * full control of the bot), members' phone numbers, or what members wrote (invariant 6).
 */
import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { createLogger, scrub, serializeError } from '../../src/platform/logger.js';

// Not 8-10 digits + 35 characters: the pre-commit check would take that for a real token.
const SECRET = 'SECRETSECRETSECRETSECRETSECRET12';
const TOKEN = `123456:${SECRET}`;
const PRIVATE_TEXT = 'متن خصوصی یک عضو';

function capture(level = 'trace') {
  const lines: string[] = [];
  const logger = createLogger({ level, destination: { write: (line: string) => void lines.push(line) } });
  return {
    logger,
    lines,
    raw: () => lines.join(''),
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Shaped like the error node-fetch gives telegraf when the network fails: the URL carries the token. */
function fetchError(): Error {
  const err = new Error(`request to https://api.telegram.org/bot${TOKEN}/getUpdates failed, reason: connect ETIMEDOUT`);
  err.name = 'FetchError';
  Object.assign(err, { code: 'ETIMEDOUT', type: 'system' });
  return err;
}

function telegramError(): TelegramError {
  return new TelegramError(
    { error_code: 400, description: 'Bad Request: chat not found' },
    { method: 'sendMessage', payload: { chat_id: 42, text: PRIVATE_TEXT, parse_mode: 'HTML' } },
  );
}

describe('scrub', () => {
  it.each([
    [`https://api.telegram.org/bot${TOKEN}/sendMessage`, 'https://api.telegram.org/bot<redacted>/sendMessage'],
    [`token was ${TOKEN} here`, 'token was <redacted-token> here'],
    ['call +989121234567 now', 'call <redacted-phone> now'],
    ['call 09121234567 now', 'call <redacted-phone> now'],
    ['call 00989121234567 now', 'call <redacted-phone> now'],
    ['call +98 912 123 4567 now', 'call <redacted-phone> now'],
  ])('when given %j, then the secret part is replaced', (input, expected) => {
    expect(scrub(input)).toBe(expected);
  });

  it('when given ordinary numbers (ids, dates), then they are left alone', () => {
    expect(scrub('user 123456789 at 1403-08-12 sent 42 messages')).toBe('user 123456789 at 1403-08-12 sent 42 messages');
  });
});

describe('serializeError', () => {
  it('when a telegraf error carries the request payload, then only type, code, method and description remain', () => {
    const out = serializeError(telegramError());
    expect(out).toMatchObject({ message: '400: Bad Request: chat not found', code: 400, errorCode: 400, method: 'sendMessage' });
    expect(JSON.stringify(out)).not.toContain(PRIVATE_TEXT);
    expect(out).not.toHaveProperty('on');
    expect(out).not.toHaveProperty('payload');
  });

  it('when the token is in a cause, then the cause is scrubbed too', () => {
    const err = new Error('could not send', { cause: fetchError() });
    expect(JSON.stringify(serializeError(err))).not.toContain(SECRET);
  });

  it('when something that is not an Error is thrown, then its text is scrubbed', () => {
    expect(serializeError(`failed for ${TOKEN}`)).toEqual({ message: 'failed for <redacted-token>' });
  });
});

describe('createLogger', () => {
  it('when a network error carrying the token in its URL is logged as err, then the token is nowhere in the line', () => {
    const log = capture();
    log.logger.error({ err: fetchError() }, 'polling failed');
    expect(log.raw()).not.toContain(SECRET);
    const [record] = log.records();
    expect(record?.err).toMatchObject({ type: 'FetchError', code: 'ETIMEDOUT' });
    expect(String((record?.err as { message: string }).message)).toContain('bot<redacted>/getUpdates');
  });

  it('when the error is logged under "error", then it is serialized and scrubbed the same way', () => {
    const log = capture();
    log.logger.warn({ error: fetchError() }, 'retrying');
    expect(log.raw()).not.toContain(SECRET);
    expect(log.records()[0]?.error).toMatchObject({ type: 'FetchError' });
  });

  // pino turns `logger.error(err)` into { err, msg: err.message }: the msg is the raw message.
  it('when an error is passed as the only argument, then its message (which pino copies to msg) is scrubbed too', () => {
    const log = capture();
    log.logger.error(fetchError());
    expect(log.raw()).not.toContain(SECRET);
  });

  it('when phone numbers are in an error message, then they are scrubbed', () => {
    const log = capture();
    log.logger.error({ err: new Error('duplicate key: (phone)=(+989121234567), other 09121234567') }, 'could not save');
    const raw = log.raw();
    expect(raw).not.toContain('9121234567');
    expect(raw).toContain('<redacted-phone>');
  });

  // node-cron's messages and the like reach the log as msg strings; the scrubbing must cover them.
  it('when a phone number or the token is in the message string, then it is scrubbed', () => {
    const log = capture();
    log.logger.info(`member +989121234567 (09121234567) via bot${TOKEN}`);
    const raw = log.raw();
    expect(raw).not.toContain('9121234567');
    expect(raw).not.toContain(SECRET);
  });

  it('when text, caption or phone_number are logged at the top level or one level down, then their values are redacted', () => {
    const log = capture();
    log.logger.info(
      {
        text: PRIVATE_TEXT,
        caption: 'عنوان خصوصی',
        phone_number: '+989121234567',
        message: { text: PRIVATE_TEXT, caption: 'عنوان خصوصی', phone_number: '+989121234567', message_id: 7 },
      },
      'incoming',
    );
    const raw = log.raw();
    expect(raw).not.toContain(PRIVATE_TEXT);
    expect(raw).not.toContain('عنوان خصوصی');
    expect(raw).not.toContain('9121234567');
    expect(log.records()[0]).toMatchObject({
      text: '[redacted]',
      caption: '[redacted]',
      phone_number: '[redacted]',
      message: { text: '[redacted]', caption: '[redacted]', phone_number: '[redacted]', message_id: 7 },
      msg: 'incoming',
    });
  });

  it.each([
    ['as { err }', (l: ReturnType<typeof capture>['logger'], e: Error) => l.error({ err: e }, 'send failed')],
    ['as { error }', (l: ReturnType<typeof capture>['logger'], e: Error) => l.error({ error: e }, 'send failed')],
    ['as the only argument', (l: ReturnType<typeof capture>['logger'], e: Error) => l.error(e)],
  ])('when a TelegramError with on.payload.text is logged %s, then the text does not leak', (_how, write) => {
    const log = capture();
    write(log.logger, telegramError());
    expect(log.raw()).not.toContain(PRIVATE_TEXT);
    expect(log.raw()).toContain('chat not found');
  });

  it('when a payload is logged directly, then it is redacted whole', () => {
    const log = capture();
    log.logger.debug({ payload: { text: PRIVATE_TEXT }, call: { payload: { caption: PRIVATE_TEXT } } }, 'api call');
    expect(log.raw()).not.toContain(PRIVATE_TEXT);
  });

  it('when a child logger is used, then its records are redacted as well', () => {
    const log = capture();
    log.logger.child({ updateId: 1 }).info({ text: PRIVATE_TEXT, err: fetchError() }, 'child');
    expect(log.raw()).not.toContain(PRIVATE_TEXT);
    expect(log.raw()).not.toContain(SECRET);
  });

  it('when the level is above a record, then nothing is written', () => {
    const log = capture('warn');
    log.logger.info('hidden');
    log.logger.warn('shown');
    expect(log.records().map((r) => r.msg)).toEqual(['shown']);
  });
});
