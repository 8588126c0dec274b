/**
 * Structured logs that never carry the bot token, phone numbers or what people wrote (invariant 6).
 * Redaction by path covers the fields we log on purpose; the error serializer scrubs what libraries
 * put into error messages (telegraf puts the whole request URL, token included, into network errors).
 */
import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

const TOKEN_IN_TEXT = /bot\d+:[A-Za-z0-9_-]+/g;
const BARE_TOKEN = /\b\d{5,}:[A-Za-z0-9_-]{30,}\b/g;
const PHONE_IN_TEXT = /(?:\+|00)?98[\s-]?9\d{2}[\s-]?\d{3}[\s-]?\d{4}|(?<!\d)0?9\d{2}[\s-]?\d{3}[\s-]?\d{4}(?!\d)/g;
const NON_ASCII_DIGIT = /[\u0660-\u0669\u06F0-\u06F9]/g;

export function scrub(text: string): string {
  return text
    .replace(NON_ASCII_DIGIT, (c) => String((c.charCodeAt(0) - 0x0660) % 0x90))
    .replace(TOKEN_IN_TEXT, 'bot<redacted>')
    .replace(BARE_TOKEN, '<redacted-token>')
    .replace(PHONE_IN_TEXT, '<redacted-phone>');
}

/** Keeps what helps an operator (type, code, Telegram's description) and drops request payloads. */
export function serializeError(err: unknown): Record<string, unknown> {
  if (!(err instanceof Error)) return { message: scrub(String(err)) };
  const e = err as Error & {
    code?: unknown;
    response?: { error_code?: number; description?: string };
    on?: { method?: string };
  };
  const out: Record<string, unknown> = { type: e.name, message: scrub(e.message) };
  if (e.code !== undefined) out.code = e.code;
  if (e.response?.error_code) out.errorCode = e.response.error_code;
  if (e.on?.method) out.method = e.on.method;
  if (e.stack) out.stack = scrub(e.stack);
  if (e.cause) out.cause = serializeError(e.cause);
  return out;
}

export function createLogger(options: { level: string; destination?: pino.DestinationStream }): Logger {
  return pino(
    {
      level: options.level,
      base: undefined,
      serializers: { err: serializeError, error: serializeError },
      hooks: {
        // Message strings are scrubbed too, and a lone error argument (pino would copy its raw message
        // into msg) goes through the error serializer instead.
        logMethod(args, method) {
          const [first, ...rest] = args as unknown[];
          if (first instanceof Error) {
            const msg = typeof rest[0] === 'string' ? (rest.shift() as string) : first.message;
            return method.apply(this, [{ err: first }, scrub(msg), ...rest] as never);
          }
          return method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as never);
        },
      },
      redact: {
        paths: [
          'token',
          'botToken',
          'text',
          'caption',
          'phone',
          'phone_number',
          'nationalId',
          '*.text',
          '*.caption',
          '*.phone',
          '*.phone_number',
          '*.nationalId',
          'payload',
          '*.payload',
          '*.on.payload',
        ],
        censor: '[redacted]',
      },
    },
    options.destination,
  );
}
