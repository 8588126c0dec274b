/**
 * Settings for a transaction whose statements join tens of thousands of rows (a cron fan-out), so that
 * its cost does not hang on the planner's guesses (issue 13: a reminder tick once ran for 17 minutes).
 */
import type { Prisma } from './generated/client.js';

/** 100,000 recipients take a second or two: thirty times that is a plan gone wrong. */
export const BULK_STATEMENT_TIMEOUT_MS = 60_000;

/** Applies to the rest of the caller's transaction only (SET LOCAL). */
export async function guardBulkStatements(db: Prisma.TransactionClient, timeoutMs = BULK_STATEMENT_TIMEOUT_MS): Promise<void> {
  // Row estimates of JSON record sets make the planner JIT-compile: about half a second, even for nothing.
  await db.$executeRaw`SET LOCAL jit = off`;
  // The rows left to tell are often estimated at next to none (an anti-join, a fresh table), and nested
  // loops over tens of thousands of rows then take minutes instead of a second. Hash joins are right at
  // every size these statements see.
  await db.$executeRaw`SET LOCAL enable_nestloop = off`;
  // Whatever the planner does, no statement holds a connection and a core for minutes: past this it is
  // stopped and its transaction rolled back (a cron job tries again at its next run). A server setting:
  // the embedded database (one backend, no timers) has no statement timeout.
  await db.$executeRaw`SELECT set_config('statement_timeout', ${String(timeoutMs)}, true)`;
}
