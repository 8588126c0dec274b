import type { ResponseParameters, Update, User } from 'telegraf/types';

export type ChatId = number | string;

/** Parsed request parameters exactly as sent: JSON values, or strings for form/query fields. */
export type Params = Readonly<Record<string, unknown>>;

export interface ApiSuccess<T = unknown> {
  ok: true;
  result: T;
}

export interface ApiFailure {
  ok: false;
  error_code: number;
  description: string;
  parameters?: ResponseParameters;
}

export type ApiResponse<T = unknown> = ApiSuccess<T> | ApiFailure;

/** Why a call failed without reaching the method handler. */
export type InjectedFailure = 'failNext' | 'blocked' | 'rateLimit' | 'unauthorized';

export interface RecordedCall {
  /** Position in the global call sequence; compare with `FakeBotApi.mark()`. */
  readonly seq: number;
  /** Canonical method name (Telegram method names are case-insensitive). */
  readonly method: string;
  readonly params: Params;
  /** When the request arrived (the call is recorded when its answer is sent). */
  readonly at: Date;
  readonly durationMs: number;
  /** `chat_id` normalised to a number when numeric (multipart sends it as a string). */
  readonly chatId?: ChatId;
  readonly response: ApiResponse;
  readonly httpStatus: number;
  readonly injected?: InjectedFailure;
  /** The client disconnected before the answer (e.g. telegraf aborting its long poll on stop). */
  readonly aborted?: boolean;
  /** Convenience: `reply_markup` parsed from JSON when it was sent as a form string. */
  readonly replyMarkup?: unknown;
  /** Convenience: `text` or `caption` of a sending/editing call. */
  readonly text?: string;
  /** Convenience: the first file uploaded with this call (multipart). */
  readonly upload?: UploadedFile;
}

/** A file part of a multipart request. */
export class UploadedFile {
  constructor(
    /** Form field name, e.g. "document" or "photo". */
    readonly field: string,
    readonly fileName: string,
    readonly mimeType: string,
    readonly size: number,
    /** Absent when `recordBodies: false`. */
    readonly bytes: Buffer | undefined,
  ) {}

  toJSON(): Record<string, unknown> {
    return { field: this.field, fileName: this.fileName, mimeType: this.mimeType, size: this.size };
  }
}

export interface BotProfile {
  id: number;
  is_bot: true;
  first_name: string;
  username: string;
  can_join_groups: boolean;
  can_read_all_group_messages: boolean;
  supports_inline_queries: boolean;
}

export interface FakeBotApiOptions {
  /** Accept only this token (others get 401). Default: any token is accepted. */
  token?: string;
  /** Overrides for the getMe user. The id defaults to the numeric prefix of `token`. */
  bot?: Partial<Omit<BotProfile, 'is_bot'>>;
  host?: string;
  port?: number;
  /**
   * `false` keeps only counters (per method and chat): no call list, no message store,
   * no upload bytes. Waiters still see live calls. For benchmarks.
   */
  recordBodies?: boolean;
  /** Cap on retained calls; the oldest are dropped first. Default: unlimited. */
  maxRecordedCalls?: number;
  /** Sends to chats never seen (no `user()`/`registerChat()`/incoming update) fail with "chat not found". */
  strictChats?: boolean;
  /** Validate parse_mode markup like Telegram does ("can't parse entities"). Default true. */
  validateFormatting?: boolean;
  /**
   * 'bale': answer as Bale (بله) does: no command-menu or bot-profile methods (404 "Not Found: method
   * not found"), and parse_mode ignored, so any HTML markup a bot sends reaches the user as raw text.
   * Default 'telegram'.
   */
  dialect?: 'telegram' | 'bale';
  /** update_id of the first enqueued update. */
  firstUpdateId?: number;
  /** Largest accepted request body in bytes (Telegram allows 50 MB uploads). */
  maxBodyBytes?: number;
  /** Called after every recorded call, e.g. for sandbox logging. */
  onCall?: (call: RecordedCall) => void;
}

export interface WaitOptions {
  timeoutMs?: number;
  /** Only calls with `seq >= after` (from `mark()`) match. Default 0: every retained call matches. */
  after?: number;
  /** Shown in the timeout error. */
  description?: string;
}

export interface FailureSpec {
  error_code: number;
  /** Defaults to Telegram's wording for the code (e.g. 403 → "Forbidden: bot was blocked by the user"). */
  description?: string;
  retry_after?: number;
  migrate_to_chat_id?: number;
  /** How many matching calls fail. Default 1; `Infinity` until cancelled. */
  times?: number;
  /** Only calls to this chat fail. */
  chatId?: ChatId;
}

export interface FailureHandle {
  readonly remaining: number;
  cancel(): void;
}

export interface RateLimitOptions {
  /** Sending calls accepted per sliding second across all chats (Telegram: about 30). */
  perSecond: number;
  /** Sending calls accepted per sliding second per chat (Telegram: about 1). */
  perChatPerSecond?: number;
  /** Methods that count; default: every message-producing method. */
  methods?: readonly string[];
  /** Fixed retry_after to report instead of the computed one (integer seconds ≥ 1). */
  retryAfter?: number;
}

export interface MethodCounters {
  accepted: Record<string, number>;
  rejected: Record<string, number>;
}

export interface FakeBotApiStats extends MethodCounters {
  total: number;
  rejected429: number;
  rejected403: number;
  /** Failures produced by failNext. */
  injected: number;
  /** 429s produced by rateLimit. */
  rateLimited: number;
  updatesEnqueued: number;
  updatesDelivered: number;
  pendingUpdates: number;
  chats: number;
}

/** What the user-acting helpers return. */
export interface Enqueued<U extends Update = Update> {
  readonly update: U;
  readonly update_id: number;
  /** `mark()` taken just before enqueueing: the bot's reaction has `seq >= mark`. */
  readonly mark: number;
}

export interface UserProfile {
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  is_premium?: true;
}

export type { User };
