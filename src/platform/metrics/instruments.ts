/**
 * What the bot counts, in one process-wide registry (prom-client), and the one-line functions the
 * platform calls where things happen: the admission of updates, the dispatcher's sends, the
 * scheduler's jobs, the outbox's enqueues. Labels take values from short fixed lists only (update
 * types, outcomes, job and source names written in the code), never ids or text: every label value is
 * a time series kept for the life of the process.
 */
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AppError } from '../errors.js';
import { failureSource } from './failures.js';

export const PREFIX = 'ngo_bot_';

/** One per process: several apps in one process (tests) add to the same counters, as one process would. */
export const processRegistry = new Registry();
let defaultsCollected = false;

/** Node's own metrics (CPU, memory, event-loop delay, GC), started with the first app that serves /metrics. */
export function collectProcessMetrics(): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  collectDefaultMetrics({ register: processRegistry });
}

const counter = <L extends string>(name: string, labelNames: readonly L[], help: string) =>
  new Counter({ name: `${PREFIX}${name}`, help, labelNames, registers: [processRegistry] });
const histogram = <L extends string>(name: string, labelNames: readonly L[], buckets: number[], help: string) =>
  new Histogram({ name: `${PREFIX}${name}`, help, labelNames, buckets, registers: [processRegistry] });

export type UpdateOutcome = 'handled' | 'refused' | 'failed' | 'duplicate' | 'flooded';

const updates = counter(
  'updates_total', ['type', 'outcome'],
  'Updates from people, by type (message, callback_query, my_chat_member) and outcome: handled; refused (a business rule said no, the person was told why); failed (an unexpected error, the person got an apology); duplicate (a redelivered update, dropped); flooded (over the per-minute limit, dropped).',
);

const updateSeconds = histogram(
  'update_duration_seconds', ['type'], [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  'Time from admission (user, session and flood count read) to the end of the handlers, by update type.',
);

const messages = counter(
  'messages_total', ['outcome'],
  'Outbox deliveries tried by the dispatcher, by outcome: sent; rate_limited (a 429, every sender pauses); retried (a 5xx or network error, tried again later); unreachable (blocked the bot or no such chat); failed (given up: a bad message or too many retries).',
);

const enqueued = counter(
  'outbox_enqueued_total', ['source'],
  'Deliveries added to the outbox, by the source of their message (broadcast, deadline-reminder, feedback, ...).',
);

const reminders = counter(
  'reminders_enqueued_total', ['kind'],
  'Reminder deliveries added to the outbox, by kind (deadline, course, feedback).',
);

const jobRuns = counter(
  'job_runs_total', ['job', 'outcome'],
  'Cron job slots this process ran, by job and outcome (ok or failed); slots another process ran are not counted here.',
);

const jobSeconds = histogram(
  'job_duration_seconds', ['job'], [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300],
  'How long each cron job run took, by job.',
);

const storeErrors = counter(
  'store_errors_total', ['store', 'where'],
  'Failures that reached the handling of an update, a dispatcher batch or a cron job, by the store they came from (database or redis).',
);

export type FailureSite = 'update' | 'dispatcher' | 'job';

/** Counts a failure that came from the database or Redis; others are the logs' business. */
export function countFailure(error: unknown, where: FailureSite): void {
  const source = failureSource(error);
  if (source !== 'other') storeErrors.inc({ store: source, where });
}

export function countUpdate(type: string, outcome: UpdateOutcome): void {
  updates.inc({ type, outcome });
}

/** Runs an update's handlers, timing them and counting how they ended; rethrows what they throw. */
export async function observeUpdate(type: string, handle: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  let outcome: UpdateOutcome = 'handled';
  try {
    await handle();
  } catch (error) {
    outcome = error instanceof AppError ? 'refused' : 'failed';
    if (outcome === 'failed') countFailure(error, 'update');
    throw error;
  } finally {
    updateSeconds.observe({ type }, (performance.now() - started) / 1000);
    updates.inc({ type, outcome });
  }
}

/** The admission's reads (de-duplication, user record, flood count, session) that failed: the update fails with them. */
export function countAdmissionFailures(type: string, results: readonly PromiseSettledResult<unknown>[]): void {
  const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failures.length === 0) return;
  for (const failure of failures) countFailure(failure.reason, 'update');
  updates.inc({ type, outcome: 'failed' });
}

export type SendOutcome = 'sent' | 'rate_limited' | 'transient' | 'unreachable' | 'failed';

export function countSend(outcome: SendOutcome): void {
  messages.inc({ outcome: outcome === 'transient' ? 'retried' : outcome });
}

/**
 * Deliveries added to the outbox. Reminders are told apart by their source (`deadline-reminder`,
 * `feedback-reminder`) or, for course reminders, which share the course's source, by their key.
 */
export function countEnqueued(source: string | undefined, added: number, dedupeKey?: string | null): void {
  if (added <= 0) return;
  enqueued.inc({ source: source ?? 'other' }, added);
  const kind = reminderKind(source, dedupeKey);
  if (kind) reminders.inc({ kind }, added);
}

function reminderKind(source: string | undefined, dedupeKey: string | null | undefined): string | undefined {
  const fromSource = source?.match(/^([a-z]+)-reminder$/)?.[1];
  if (fromSource) return fromSource;
  return dedupeKey?.match(/^([a-z]+)-reminder:/)?.[1];
}

/** Runs a cron job's handler, timing it and counting how it ended; rethrows what it throws. */
export async function observeJob(job: string, run: () => Promise<void>): Promise<void> {
  const started = performance.now();
  let outcome = 'ok';
  try {
    await run();
  } catch (error) {
    outcome = 'failed';
    countFailure(error, 'job');
    throw error;
  } finally {
    jobSeconds.observe({ job }, (performance.now() - started) / 1000);
    jobRuns.inc({ job, outcome });
  }
}
