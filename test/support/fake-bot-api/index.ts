export { FakeBotApi } from './server.js';
export { FakeUser, type ShareContactOptions } from './user.js';
export { ApiError, DESCRIPTIONS } from './errors.js';
export { MESSAGE_METHODS } from './methods.js';
export { parseHtml, parseMarkdown, parseMarkdownV2, parseFormatted, type FormattedText } from './formatting.js';
export {
  UploadedFile,
  type ApiFailure,
  type ApiResponse,
  type ApiSuccess,
  type BotProfile,
  type ChatId,
  type Enqueued,
  type FailureHandle,
  type FailureSpec,
  type FakeBotApiOptions,
  type FakeBotApiStats,
  type InjectedFailure,
  type MethodCounters,
  type Params,
  type RateLimitOptions,
  type RecordedCall,
  type UserProfile,
  type WaitOptions,
} from './types.js';
