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
