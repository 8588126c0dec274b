/**
 * Why: the dispatcher's whole failure policy hangs on this one classification. A 429 read as a
 * failure would drop a broadcast row; a "blocked" read as transient would retry a dead chat for
 * minutes; a network error's reason, stored in last_error, must never carry the bot token.
 */
import { createServer } from 'node:net';
import { Telegram, TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { classifySendError, expectedApiError, failureCause } from '../../src/platform/delivery/telegram-errors.js';

const TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';

/** What telegraf throws for an error envelope from the Bot API. */
function apiError(error_code: number, description: string, parameters?: { retry_after?: number }): TelegramError {
  return new TelegramError({ error_code, description, ...(parameters ? { parameters } : {}) }, { method: 'sendMessage', payload: {} });
}

/** The shape of node-fetch's FetchError: name on the prototype, the system code copied onto the error. */
class FetchError extends Error {
  constructor(
    message: string,
    readonly type: string,
    readonly code?: string,
  ) {
    super(message);
  }
}
Object.defineProperty(FetchError.prototype, 'name', { value: 'FetchError' });

describe('classifySendError', () => {
  it('when Telegram answers 429 with retry_after, then the pause is that many seconds', () => {
    expect(classifySendError(apiError(429, 'Too Many Requests: retry after 7', { retry_after: 7 }))).toEqual({
      type: 'rate_limited',
      retryAfterMs: 7000,
    });
  });

  it('when a 429 carries no retry_after (or 0), then it still pauses for one second rather than not at all', () => {
    expect(classifySendError(apiError(429, 'Too Many Requests'))).toEqual({ type: 'rate_limited', retryAfterMs: 1000 });
    expect(classifySendError(apiError(429, 'Too Many Requests', { retry_after: 0 }))).toEqual({
      type: 'rate_limited',
      retryAfterMs: 1000,
    });
  });

  it.each([
    [500, 'Internal Server Error'],
    [502, 'Bad Gateway'],
    [503, 'Service Unavailable'],
  ])('when Telegram answers %i, then the row is retried (transient) with the code in the reason', (code, description) => {
    expect(classifySendError(apiError(code, description))).toEqual({ type: 'transient', reason: `${code}: ${description}` });
  });

  it.each([
    'Forbidden: bot was blocked by the user',
    'Forbidden: user is deactivated',
    "Forbidden: bot can't initiate conversation with a user",
  ])('when Telegram answers 403 %j, then the member is unreachable', (description) => {
    expect(classifySendError(apiError(403, description))).toEqual({ type: 'unreachable', reason: description });
  });

  it('when a 403 has no description, then it is still unreachable, with the code as the reason', () => {
    expect(classifySendError(apiError(403, ''))).toEqual({ type: 'unreachable', reason: '403' });
  });

  it.each(['Bad Request: chat not found', 'Bad Request: user not found', 'Bad Request: PEER_ID_INVALID'])(
    'when Telegram answers 400 %j, then the member is unreachable, not the message at fault',
    (description) => {
      expect(classifySendError(apiError(400, description))).toEqual({ type: 'unreachable', reason: description });
    },
  );

  it.each([
    "Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"",
    'Bad Request: message is too long',
    'Bad Request: message to copy not found',
  ])('when Telegram answers 400 %j, then the row fails for good with the reason', (description) => {
    expect(classifySendError(apiError(400, description))).toEqual({ type: 'failed', reason: `400: ${description}` });
  });

  it('when Telegram answers 401, then the rows are kept for retry: a wrong token is the operator’s to fix, not the message’s', () => {
    expect(classifySendError(apiError(401, 'Unauthorized'))).toEqual({ type: 'transient', reason: '401: Unauthorized' });
  });

  it('when the request fails with a FetchError, then it is transient and the reason omits the URL (which holds the token)', () => {
    const error = new FetchError(`request to http://127.0.0.1:1/bot${TOKEN}/sendMessage failed, reason: connect ECONNREFUSED`, 'system', 'ECONNREFUSED');
    const outcome = classifySendError(error);
    expect(outcome).toEqual({ type: 'transient', reason: 'FetchError: ECONNREFUSED' });
    expect(JSON.stringify(outcome)).not.toContain('TEST-TOKEN');
  });

  it('when telegraf itself cannot connect, then the real error it throws classifies as transient without the token', async () => {
    // A port that was just free and is closed again refuses the connection at once.
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = probe.address() as { port: number };
        probe.close(() => resolve(p));
      });
    });
    const error = await new Telegram(TOKEN, { apiRoot: `http://127.0.0.1:${port}` }).callApi('getMe', {}).catch((e: unknown) => e);
    const outcome = classifySendError(error);
    expect(outcome).toEqual({ type: 'transient', reason: 'FetchError: ECONNREFUSED' });
    expect(JSON.stringify(outcome)).not.toContain('TEST-TOKEN');
  });

  it('when the request timed out or a proxy answered with HTML, then the reason says which, still without the URL', () => {
    const aborted = Object.assign(new Error(`The user aborted a request to http://x/bot${TOKEN}/sendMessage`), { name: 'AbortError', type: 'aborted' });
    expect(classifySendError(aborted)).toEqual({ type: 'transient', reason: 'AbortError: aborted' });
    const html = new FetchError(`invalid json response body at http://x/bot${TOKEN}/sendMessage reason: Unexpected token <`, 'invalid-json');
    expect(classifySendError(html)).toEqual({ type: 'transient', reason: 'FetchError: invalid-json' });
  });

  it('when something that is not an Error is thrown (a plain string), then it is treated as transient', () => {
    expect(classifySendError('socket hang up')).toEqual({ type: 'transient', reason: 'network error' });
    expect(classifySendError(undefined)).toEqual({ type: 'transient', reason: 'network error' });
  });
});

describe('failureCause', () => {
  it.each([
    ["400: Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\"", 'formatting'],
    ['400: Bad Request: message is too long', 'too_long'],
    ['400: Bad Request: message caption is too long', 'too_long'],
    ['400: Bad Request: message to copy not found', 'source_missing'],
    ['400: Bad Request: wrong file identifier/HTTP URL specified', 'file'],
    ['Forbidden: bot was blocked by the user', 'recipient'],
    ['Bad Request: chat not found', 'recipient'],
    ['400: Bad Request: BUTTON_DATA_INVALID', 'other'],
  ] as const)('when the stored reason is %j, then the admin is told the cause %s', (reason, cause) => {
    expect(failureCause(reason)).toBe(cause);
  });
});

describe('expectedApiError: refusals that are part of normal life, logged below error level', () => {
  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'recipient unreachable', 'info'],
    [403, 'Forbidden: user is deactivated', 'recipient unreachable', 'info'],
    [400, 'Bad Request: query is too old and response timeout expired or query ID is invalid', 'press expired', 'info'],
    [400, 'Bad Request: message is not modified: specified new message content and reply markup are exactly the same', 'not modified', 'info'],
    [400, 'Bad Request: chat not found', 'recipient unreachable', 'info'],
    [400, 'Bad Request: message to edit not found', 'message gone', 'warn'],
    [400, "Bad Request: message can't be edited", 'message gone', 'warn'],
    [429, 'Too Many Requests: retry after 3', 'rate limited', 'warn'],
  ])('when the Bot API answers %i "%s", then it is expected: %s at %s', (code, description, reason, level) => {
    expect(expectedApiError(apiError(code, description))).toEqual({ reason, level });
  });

  it.each([
    [400, "Bad Request: can't parse entities: Unsupported start tag"],
    [400, 'Bad Request: message text is empty'],
    [401, 'Unauthorized'],
    [500, 'Internal Server Error'],
  ])('when the Bot API answers %i "%s", then it is a fault a person should look at', (code, description) => {
    expect(expectedApiError(apiError(code, description))).toBeUndefined();
  });

  it('when the error is not a Bot API answer (a bug, a network error), then it is not expected', () => {
    expect(expectedApiError(new TypeError('x'))).toBeUndefined();
    expect(expectedApiError(null)).toBeUndefined();
  });
});
