import type { ResponseParameters } from 'telegraf/types';

/**
 * Thrown by handlers (and the pipeline) to produce a Bot API error envelope.
 * The wording of descriptions mirrors the real Bot API because bot code
 * frequently branches on `description` substrings (e.g. "message is not modified").
 */
export class ApiError extends Error {
  constructor(
    readonly error_code: number,
    readonly description: string,
    readonly parameters?: ResponseParameters,
  ) {
    super(`${error_code}: ${description}`);
    this.name = 'ApiError';
  }
}

export const badRequest = (reason: string): ApiError => new ApiError(400, `Bad Request: ${reason}`);
export const rejectWith = (description: string): ApiError => new ApiError(400, description);

/** Exact descriptions the fake answers with, for assertions. */
export const DESCRIPTIONS = {
  unauthorized: 'Unauthorized',
  notFound: 'Not Found',
  methodNotFound: 'Not Found: method not found',
  blocked: 'Forbidden: bot was blocked by the user',
  chatNotFound: 'Bad Request: chat not found',
  textEmpty: 'Bad Request: message text is empty',
  textTooLong: 'Bad Request: message is too long',
  captionTooLong: 'Bad Request: message caption is too long',
  buttonDataInvalid: 'Bad Request: BUTTON_DATA_INVALID',
  notModified:
    'Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message',
  conflictPolling:
    'Conflict: terminated by other getUpdates request; make sure that only one bot instance is running',
  conflictWebhook: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  queryTooOld: 'Bad Request: query is too old and response timeout expired or query ID is invalid',
} as const;

/** Description Telegram uses when a failure is injected without one. */
export function defaultDescription(errorCode: number, retryAfter?: number): string {
  switch (errorCode) {
    case 400:
      return 'Bad Request';
    case 401:
      return DESCRIPTIONS.unauthorized;
    case 403:
      return DESCRIPTIONS.blocked;
    case 404:
      return DESCRIPTIONS.notFound;
    case 409:
      return DESCRIPTIONS.conflictPolling;
    case 429:
      return `Too Many Requests: retry after ${retryAfter ?? 1}`;
    case 500:
      return 'Internal Server Error';
    case 502:
      return 'Bad Gateway';
    case 503:
      return 'Service Unavailable';
    case 504:
      return 'Gateway Timeout';
    default:
      return `Error ${errorCode}`;
  }
}
