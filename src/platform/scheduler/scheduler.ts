/**
 * Cron jobs in Asia/Tehran that run each time slot once, however many processes tick at that moment.
 *
 * Two guards, in this order:
 * - a Redis lease (`useKvLease`), so that processes sharing Redis settle a race without touching the
 *   database; it is only an optimisation, and a Redis outage falls through to the database;
 * - a `job_runs` row per (job, slot), inserted with ON CONFLICT DO NOTHING: the row is the claim, and the
 *   database is the one authority every process shares, with or without Redis.
 *
 * A slot that was claimed is never run again, even when its handler failed: a retry would have to
 * judge what the failed run already did, and only the job knows that. Slots that no process claimed
 * (all processes down, or node-cron dropping a tick on a blocked event loop) are not caught up either.
 * Handlers must therefore be idempotent and work from "what is due now" rather than from the slot alone:
 * reminders, for example, write outbox rows whose dedupe keys make a repeated run send nothing twice.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { PrismaClient } from '../db/client.js';
import { systemClock, type Clock } from '../text/clock.js';
import type { KeyValueStore } from '../kv/kv.js';
import { scrub, type Logger } from '../logger.js';
import { countFailure, observeJob } from '../metrics/instruments.js';

export interface JobContext {
  /** The scheduled instant this run stands for (not when it started); the same in every process. */
  slot: Date;
  now: Date;
  logger: Logger;
}

export type JobHandler = (ctx: JobContext) => Promise<void>;

export type SlotOutcome = 'ran' | 'skipped' | 'failed';

export interface SchedulerDeps {
  prisma: PrismaClient;
  kv: KeyValueStore;
  logger: Logger;
  /** Who ran a slot, for operators reading job_runs (host name, process id...). */
  owner: string;
  /** IANA zone the cron expressions are read in; default Asia/Tehran. */
  timezone?: string;
  clock?: Clock;
  /** True when kv is shared by every process (Redis); an in-process lease would only guard one process. */
  useKvLease?: boolean;
  /** How long a Redis lease holds a slot; only needs to outlast the spread of one tick across processes. */
  leaseTtlMs?: number;
  /** How long stop() waits for running handlers before giving up on them. */
  stopTimeoutMs?: number;
}

export const DEFAULT_TIMEZONE = 'Asia/Tehran';
const DEFAULT_LEASE_TTL_MS = 10 * 60_000;
const DEFAULT_STOP_TIMEOUT_MS = 30_000;
const MAX_ERROR_LENGTH = 500;
// Names end up in Redis keys, log fields and job_runs rows; a plain alphabet keeps all three unambiguous.
const JOB_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

interface Job {
  name: string;
  expression: string;
  handler: JobHandler;
  /** Six-field expressions tick on seconds; deduplicating those per minute would silently drop ticks. */
  granularity: 'minute' | 'second';
}

export class Scheduler {
  private readonly prisma: PrismaClient;
  private readonly kv: KeyValueStore;
  private readonly logger: Logger;
  private readonly owner: string;
  private readonly timezone: string;
  private readonly clock: Clock;
  private readonly useKvLease: boolean;
  private readonly leaseTtlMs: number;
  private readonly stopTimeoutMs: number;
  private readonly jobs = new Map<string, Job>();
  private readonly tasks = new Map<string, ScheduledTask>();
  private readonly running = new Map<Promise<SlotOutcome>, string>();
  private started = false;

  constructor(deps: SchedulerDeps) {
    if (!deps.owner) throw new Error('Scheduler: owner must not be empty');
    const timezone = deps.timezone ?? DEFAULT_TIMEZONE;
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: timezone });
    } catch {
      // node-cron would accept it and then tick in a zone nobody meant; fail at startup instead.
      throw new Error(`Scheduler: unknown time zone "${timezone}"`);
    }
    this.prisma = deps.prisma;
    this.kv = deps.kv;
    this.logger = deps.logger;
    this.owner = deps.owner;
    this.timezone = timezone;
    this.clock = deps.clock ?? systemClock;
    this.useKvLease = deps.useKvLease ?? false;
    this.leaseTtlMs = deps.leaseTtlMs ?? DEFAULT_LEASE_TTL_MS;
    this.stopTimeoutMs = deps.stopTimeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
  }

  register(name: string, cronExpression: string, handler: JobHandler): void {
    if (!JOB_NAME.test(name)) {
      throw new Error(`Scheduler: invalid job name "${name}" (letters, digits, ".", "_", "-"; at most 64)`);
    }
    if (this.jobs.has(name)) throw new Error(`Scheduler: job "${name}" is already registered`);
    const expression = cronExpression.trim();
    if (!cron.validate(expression)) {
      throw new Error(`Scheduler: invalid cron expression "${cronExpression}" for job "${name}"`);
    }
    const granularity = expression.split(/\s+/).length === 6 ? 'second' : 'minute';
    const job: Job = { name, expression, handler, granularity };
    this.jobs.set(name, job);
    if (this.started) this.schedule(job);
  }

  /** Starts ticking; jobs registered later start as they are registered. */
  start(): void {
    if (this.started) return;
    this.started = true;
    for (const job of this.jobs.values()) this.schedule(job);
  }

  /** Stops ticking, then waits (at most stopTimeoutMs) for handlers already running. */
  async stop(): Promise<void> {
    this.started = false;
    const tasks = [...this.tasks.values()];
    this.tasks.clear();
    // destroy(), not stop(): it also drops the task from node-cron's process-wide registry.
    await Promise.all(tasks.map((task) => task.destroy()));
    if (this.running.size === 0) return;

    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.stopTimeoutMs);
    });
    const result = await Promise.race([Promise.allSettled([...this.running.keys()]), timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.logger.warn(
        { jobs: [...new Set(this.running.values())], waitedMs: this.stopTimeoutMs },
        'scheduler stopped while jobs were still running',
      );
    }
  }

  /**
   * Runs one slot of a job unless some process (this one included) already claimed it.
   * Never rejects for a failing handler or storage: a tick must not take the process down.
   */
  runSlot(name: string, slot: Date): Promise<SlotOutcome> {
    const job = this.jobs.get(name);
    if (!job) return Promise.reject(new Error(`Scheduler: no job named "${name}"`));
    if (Number.isNaN(slot.getTime())) return Promise.reject(new Error(`Scheduler: invalid slot for "${name}"`));
    const run = this.execute(job, slot);
    this.running.set(run, name);
    const forget = () => this.running.delete(run);
    run.then(forget, forget);
    return run;
  }

  /** Deletes job_runs rows started before `olderThan`; returns how many. */
  async pruneRuns(olderThan: Date): Promise<number> {
    const { count } = await this.prisma.jobRun.deleteMany({ where: { startedAt: { lt: olderThan } } });
    return count;
  }

  private schedule(job: Job): void {
    const task = cron.schedule(
      job.expression,
      async (context) => {
        // A tick already under way when stop() ran may still call in; it must not start new work.
        if (this.tasks.get(job.name) !== task) return;
        await this.runSlot(job.name, context.date);
      },
      {
        name: `job:${job.name}`,
        timezone: this.timezone,
        // A slow run makes this process skip its next tick rather than pile up runs of one job;
        // another process is free to take that slot.
        noOverlap: true,
        logger: this.cronLogger(job.name),
      },
    );
    this.tasks.set(job.name, task);
  }

  private async execute(job: Job, slot: Date): Promise<SlotOutcome> {
    const slotKey = slotKeyOf(slot, job.granularity);
    const log = this.logger.child({ job: job.name, slot: slotKey });

    if (this.useKvLease) {
      try {
        const leased = await this.kv.setIfAbsent(`job:${job.name}:${slotKey}`, this.owner, this.leaseTtlMs);
        if (!leased) {
          log.debug('slot leased by another process');
          return 'skipped';
        }
      } catch (err) {
        log.warn({ err }, 'job lease unavailable; relying on the database claim');
      }
    }

    const startedAt = this.clock.now();
    try {
      const { count } = await this.prisma.jobRun.createMany({
        data: [{ job: job.name, slot: slotKey, owner: this.owner, startedAt }],
        skipDuplicates: true, // INSERT ... ON CONFLICT DO NOTHING: the loser of a race gets 0 rows
      });
      if (count === 0) {
        log.debug('slot already claimed');
        return 'skipped';
      }
    } catch (err) {
      countFailure(err, 'job');
      log.error({ err }, 'could not claim job slot');
      return 'failed';
    }

    let error: string | null = null;
    try {
      await observeJob(job.name, () => job.handler({ slot: new Date(slotStart(slot, job.granularity)), now: startedAt, logger: log }));
    } catch (err) {
      // Only the error: job data (names, phones, texts) never goes to the log.
      log.error({ err }, 'job failed');
      error = shortMessage(err);
    }

    try {
      await this.prisma.jobRun.updateMany({
        where: { job: job.name, slot: slotKey },
        data: { finishedAt: this.clock.now(), error },
      });
    } catch (err) {
      log.error({ err }, 'could not record job result');
    }
    return error === null ? 'ran' : 'failed';
  }

  private cronLogger(job: string) {
    const log = this.logger.child({ job, source: 'node-cron' });
    const text = (m: string | Error) => (m instanceof Error ? m.message : m);
    return {
      info: (m: string) => log.info(m),
      warn: (m: string) => log.warn(m),
      error: (m: string | Error, err?: Error) => log.error({ err: err ?? (m instanceof Error ? m : undefined) }, text(m)),
      debug: (m: string | Error) => log.debug(text(m)),
    };
  }
}

function slotStart(slot: Date, granularity: Job['granularity']): number {
  const unit = granularity === 'second' ? 1_000 : 60_000;
  return Math.floor(slot.getTime() / unit) * unit;
}

/** UTC, so the key is the same in every process whatever its zone: '2026-11-22T05:30Z'. */
export function slotKeyOf(slot: Date, granularity: 'minute' | 'second' = 'minute'): string {
  const iso = new Date(slotStart(slot, granularity)).toISOString();
  return `${iso.slice(0, granularity === 'second' ? 19 : 16)}Z`;
}

function shortMessage(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return scrub(text).slice(0, MAX_ERROR_LENGTH);
}
