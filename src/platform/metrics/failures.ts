/**
 * Which store a failure came from, so that /metrics can say "the database" or "Redis" without the
 * code that caught it knowing either. Judged by the error's shape (names and fields the drivers set),
 * following `cause`, since Prisma and telegraf wrap what the driver threw.
 */
export type FailureSource = 'database' | 'redis' | 'other';

// ioredis: a command failed for good (MaxRetriesPerRequestError), a server reply (ReplyError), a dropped
// connection ("Connection is closed."), or the command timeout; our kv store after close().
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError', 'ReplyError', 'ParserError', 'AbortError']);
const REDIS_MESSAGES = /^(Connection is closed\.|Command timed out|Stream isn't writeable|key-value store is closed)/;

export function failureSource(error: unknown, depth = 0): FailureSource {
  if (!(error instanceof Error) || depth > 4) return 'other';
  const e = error as Error & { severity?: unknown; clientVersion?: unknown; cause?: unknown };
  // Prisma's client errors carry clientVersion; pg's server errors a severity; the driver adapter's its own name.
  if (e.name.startsWith('PrismaClient') || e.name === 'DriverAdapterError' || e.clientVersion !== undefined || e.severity !== undefined) {
    return 'database';
  }
  if (REDIS_NAMES.has(e.name) || REDIS_MESSAGES.test(e.message)) return 'redis';
  return e.cause === undefined ? 'other' : failureSource(e.cause, depth + 1);
}
