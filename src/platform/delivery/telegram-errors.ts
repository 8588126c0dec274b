/**
 * What a failed Bot API call means for a delivery. Telegram and Bale answer with the same envelope
 * (error_code, description, parameters.retry_after); anything without it is a network problem.
 */
export type SendOutcome =
  | { type: 'rate_limited'; retryAfterMs: number }
  | { type: 'transient'; reason: string }
  | { type: 'unreachable'; reason: string }
  | { type: 'failed'; reason: string };

const UNREACHABLE_400 = /chat not found|user not found|user is deactivated|peer_id_invalid|bot was blocked|bot can't initiate/i;

export function classifySendError(error: unknown): SendOutcome {
  const e = error as { response?: { error_code?: number; description?: string; parameters?: { retry_after?: number } } };
  const code = e?.response?.error_code;
  const description = e?.response?.description ?? '';
  if (typeof code !== 'number') {
    // Never the message: telegraf's network errors carry the request URL, and with it the token.
    // node-fetch's `type` tells a timeout ('aborted') or a proxy's HTML page ('invalid-json') apart.
    if (!(error instanceof Error)) return { type: 'transient', reason: 'network error' };
    const { code: systemCode, type } = error as { code?: unknown; type?: unknown };
    const detail = typeof systemCode === 'string' ? systemCode : typeof type === 'string' ? type : 'network error';
    return { type: 'transient', reason: `${error.name}: ${detail}` };
  }
  if (code === 429) {
    const seconds = e.response?.parameters?.retry_after ?? 1;
    return { type: 'rate_limited', retryAfterMs: Math.max(1, seconds) * 1000 };
  }
  if (code >= 500 || code === 401 || code === 404 || code === 409) {
    // 401/404: a wrong token or API root is an operator problem; retrying keeps the rows until it is fixed.
    return { type: 'transient', reason: `${code}: ${description}` };
  }
  if (code === 403 || (code === 400 && UNREACHABLE_400.test(description))) {
    return { type: 'unreachable', reason: description || String(code) };
  }
  return { type: 'failed', reason: `${code}: ${description}` };
}

/**
 * Bot API refusals that are part of normal life for a bot answering people, not faults: someone blocked
 * the bot, a press answered too late (Telegram forgets a press after about 15 s, and a restart or a
 * redelivered update answers it later), an edit to what the message already says, a message or chat
 * that is gone. Logged at info or warn with this reason; error level is kept for what a person must fix.
 */
export interface ExpectedApiError {
  reason: 'recipient unreachable' | 'press expired' | 'not modified' | 'message gone' | 'rate limited';
  level: 'info' | 'warn';
}

const EXPECTED_400: readonly [RegExp, ExpectedApiError][] = [
  [/query is too old|query ID is invalid|response timeout expired/i, { reason: 'press expired', level: 'info' }],
  [/message is not modified/i, { reason: 'not modified', level: 'info' }],
  [UNREACHABLE_400, { reason: 'recipient unreachable', level: 'info' }],
  [/message to (edit|delete|reply|copy|forward) not found|message can't be (edited|deleted)|message_id_invalid|message not found/i, { reason: 'message gone', level: 'warn' }],
];

export function expectedApiError(error: unknown): ExpectedApiError | undefined {
  const e = error as { response?: { error_code?: unknown; description?: unknown } } | null;
  const code = e?.response?.error_code;
  const description = String(e?.response?.description ?? '');
  if (code === 403) return { reason: 'recipient unreachable', level: 'info' };
  if (code === 429) return { reason: 'rate limited', level: 'warn' };
  if (code !== 400) return undefined;
  return EXPECTED_400.find(([pattern]) => pattern.test(description))?.[1];
}

/**
 * Why a message failed for good, in words an admin can act on: the stored reason is the Bot API's
 * English ("400: Bad Request: can't parse entities ..."), which is kept for the log and last_error, and
 * read here into a cause that each language puts in its own words.
 */
export type FailureCause = 'formatting' | 'too_long' | 'source_missing' | 'file' | 'recipient' | 'other';

const CAUSES: readonly [RegExp, FailureCause][] = [
  [/can't parse entities|unsupported start tag|can't find end tag|entity/i, 'formatting'],
  [/too long|too_long|caption is too long/i, 'too_long'],
  [/message to (copy|forward) not found|message_id_invalid|message not found/i, 'source_missing'],
  [/wrong file|file_id|wrong remote file|file is too big|failed to get http url content|wrong type of the web page content/i, 'file'],
  [UNREACHABLE_400, 'recipient'],
  [/^403\b|forbidden/i, 'recipient'],
];

export function failureCause(reason: string): FailureCause {
  return CAUSES.find(([pattern]) => pattern.test(reason))?.[1] ?? 'other';
}
