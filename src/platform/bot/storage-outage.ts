/**
 * An update that could not be handled because the database or Redis was unreachable is not the
 * person's fault and must not be lost: it is given back (webhook: an error status, so Telegram sends it
 * again; polling: retried in place, so the batch's offset is not confirmed past it) instead of being
 * answered with an apology and forgotten. These are the errors that mean "storage is down", and the
 * error that carries such an update out of the bot.
 */

/** Thrown out of the bot for an update that must be delivered again later. */
export class UpdateDeferred extends Error {
  constructor(
    readonly reason: 'storage unavailable' | 'in flight elsewhere',
    options?: { cause?: unknown },
  ) {
    super(`update deferred: ${reason}`, options);
    this.name = 'UpdateDeferred';
  }
}

export const isDeferred = (err: unknown): err is UpdateDeferred => err instanceof UpdateDeferred;

// Driver adapter errors (Prisma 7) name the kind of failure; these mean the server was not there.
const ADAPTER_KINDS = new Set(['ConnectionClosed', 'DatabaseNotReachable', 'DatabaseDoesNotExist', 'SocketTimeout', 'TooManyConnections', 'TlsConnectionError']);
// P1001 can't reach, P1002 timed out, P1008 operation timed out, P1017 server closed the connection, P2024 pool timeout.
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017', 'P2024']);
const SYSTEM_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
// SQLSTATE class 08 (connection exception), 57P01-57P03 (the server shutting down or starting).
const SQLSTATE = /^(08...|57P0[1-3])$/;
const MESSAGES =
  /Connection terminated|Connection is closed|Server has closed the connection|timeout exceeded when trying to connect|Command timed out|Reached the max retries per request|Can't reach database server|connect ECONNREFUSED/i;

/** True when `err` (or what caused it) says the database or Redis could not be reached. */
export function isStorageUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 5) return false;
  const e = err as {
    name?: unknown;
    code?: unknown;
    kind?: unknown;
    message?: unknown;
    cause?: unknown;
    meta?: { driverAdapterError?: { cause?: { kind?: unknown; originalCode?: unknown } } };
  };
  if (e.name === 'PrismaClientInitializationError' || e.name === 'MaxRetriesPerRequestError') return true;
  if (typeof e.code === 'string' && (PRISMA_CODES.has(e.code) || SYSTEM_CODES.has(e.code) || SQLSTATE.test(e.code))) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  const adapterCause = e.meta?.driverAdapterError?.cause;
  if (typeof adapterCause?.kind === 'string' && ADAPTER_KINDS.has(adapterCause.kind)) return true;
  if (typeof e.message === 'string' && MESSAGES.test(e.message)) return true;
  return isStorageUnavailable(e.cause, depth + 1);
}

/**
 * Long polling: an update given back is tried again in place, every few seconds, until storage is back
 * or the bot stops. Its batch waits with it, so the offset that confirms the batch to Telegram is not
 * sent past it; `onGiveUp` runs when the bot stops first, so that the offset is not confirmed then either.
 */
export async function handleUntilDone(
  handle: () => Promise<void>,
  options: { stopping: () => boolean; onRetry: (err: UpdateDeferred, attempt: number) => void; onGiveUp: () => void; maxDelayMs?: number },
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await handle();
      return;
    } catch (err) {
      if (!isDeferred(err)) throw err;
      if (options.stopping()) return options.onGiveUp();
      options.onRetry(err, attempt);
      const delay = Math.min(options.maxDelayMs ?? 5_000, 250 * 2 ** Math.min(attempt, 5));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}
