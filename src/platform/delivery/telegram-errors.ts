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
