/**
 * Why: an update is handed back for redelivery only when storage was down (storage-outage.ts). Taking a
 * bug for an outage would make Telegram send a failing update again and again; taking an outage for a
 * bug would apologise and drop what the person wrote. These are the shapes the drivers really throw
 * (seen through a proxy that cut PostgreSQL and Redis, test/bench/broadcast/outage-proxy.ts).
 */
import { TelegramError } from 'telegraf';
import { describe, expect, it } from 'vitest';
import { handleUntilDone, isStorageUnavailable, UpdateDeferred } from '../../src/platform/bot/storage-outage.js';
import { AppError } from '../../src/platform/errors.js';

/** Prisma 7 over the pg adapter, the server gone mid-query. */
function prismaConnectionClosed(): Error {
  return Object.assign(new Error('Raw query failed. Code: `N/A`. Message: `Server has closed the connection.`'), {
    name: 'PrismaClientKnownRequestError',
    code: 'P2010',
    meta: { driverAdapterError: { name: 'DriverAdapterError', cause: { kind: 'ConnectionClosed' } } },
  });
}

describe('isStorageUnavailable', () => {
  it.each([
    ['Prisma: the server closed the connection (P2010, adapter ConnectionClosed)', prismaConnectionClosed()],
    ['pg: Connection terminated unexpectedly', new Error('Connection terminated unexpectedly')],
    ['pg: connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['pg: the server shutting down (57P01)', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    ['Prisma: cannot reach the server (P1001)', Object.assign(new Error('x'), { name: 'PrismaClientKnownRequestError', code: 'P1001' })],
    ['Prisma: pool timeout (P2024)', Object.assign(new Error('x'), { code: 'P2024' })],
    ['ioredis: max retries per request', Object.assign(new Error('Reached the max retries per request limit (which is 2).'), { name: 'MaxRetriesPerRequestError' })],
    ['ioredis: command timed out', new Error('Command timed out')],
    ['an outage wrapped as a cause', new Error('could not save', { cause: prismaConnectionClosed() })],
  ])('when %s, then it is an outage', (_what, err) => {
    expect(isStorageUnavailable(err)).toBe(true);
  });

  it.each([
    ['a business refusal', new AppError('feedback.errors.not_found')],
    ['a Bot API refusal', new TelegramError({ error_code: 403, description: 'Forbidden: bot was blocked by the user' })],
    ['a unique violation (P2002)', Object.assign(new Error('Unique constraint failed'), { code: 'P2002' })],
    ['a statement timeout (57014)', Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' })],
    ['a bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['not an error at all', 'down'],
    ['nothing', undefined],
  ])('when %s, then it is not an outage', (_what, err) => {
    expect(isStorageUnavailable(err)).toBe(false);
  });
});

describe('handleUntilDone (long polling)', () => {
  const options = (stopping = () => false) => {
    const seen = { retries: 0, gaveUp: 0 };
    return { seen, options: { stopping, onRetry: () => void seen.retries++, onGiveUp: () => void seen.gaveUp++, maxDelayMs: 1 } };
  };

  it('when an update is given back twice, then it is tried again until it is handled', async () => {
    let calls = 0;
    const { seen, options: o } = options();
    await handleUntilDone(async () => {
      if (++calls < 3) throw new UpdateDeferred('storage unavailable');
    }, o);
    expect({ calls, ...seen }).toEqual({ calls: 3, retries: 2, gaveUp: 0 });
  });

  it('when the bot stops while an update is held, then it gives up and says so (the batch must not be confirmed)', async () => {
    let stopping = false;
    const { seen, options: o } = options(() => stopping);
    await handleUntilDone(async () => {
      stopping = true;
      throw new UpdateDeferred('storage unavailable');
    }, o);
    expect(seen).toEqual({ retries: 0, gaveUp: 1 });
  });

  it('when a handler fails for another reason, then the error goes on (telegraf logs it) and nothing is retried', async () => {
    const { seen, options: o } = options();
    await expect(handleUntilDone(() => Promise.reject(new Error('bug')), o)).rejects.toThrow('bug');
    expect(seen.retries).toBe(0);
  });
});
