/** The bench's handle on one "bot process" (test/bench/dispatcher-worker.ts, forked with an IPC channel). */
import { fork, type ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LeasedReport, StatusCounts, WorkerConfig, WorkerMessage, WorkerReport } from '../dispatcher-worker.js';
import { cleanups, seconds, tsxLoader, workerPath } from './common.js';

export class BotProcess {
  readonly child: ChildProcess;
  /** Parent's performance.now() when the child reported that dispatching began. */
  readonly started: Promise<number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** With reportLeasedBy: what the database held when this process opened it (before it dispatched anything). */
  readonly leased: Promise<LeasedReport | undefined>;
  /** With reportRecorded: rows this process has seen marked SENT (committed), as far as its messages arrived. */
  recordedRows = 0;
  private readonly reported: Promise<WorkerReport | undefined>;
  private readonly countWaiters = new Map<number, (counts: StatusCounts) => void>();
  private nextCountId = 1;
  readonly spawnedAt = performance.now();

  constructor(readonly config: WorkerConfig) {
    this.child = fork(workerPath, [], {
      // BENCH_CPU_PROF=<dir> writes a V8 CPU profile of every bot process that stops cleanly (open it in Chrome DevTools).
      execArgv: ['--import', tsxLoader, ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])],
      env: { ...process.env, BENCH_WORKER_CONFIG: JSON.stringify(config) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const child = this.child;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.started = new Promise((resolve, reject) => {
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'started') resolve(performance.now());
      });
      void this.exited.then(({ code, signal }) => reject(new Error(`bot process exited before starting (code ${code}, signal ${signal})`)));
    });
    this.started.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
    this.leased = new Promise((resolve) => {
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'leased') resolve(m);
      });
      void this.exited.then(() => resolve(undefined));
    });
    this.reported = new Promise((resolve) => {
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'report') resolve(m);
      });
      void this.exited.then(() => resolve(undefined));
    });
    child.on('message', (m: WorkerMessage) => {
      if (m.type === 'recorded') this.recordedRows += m.rows;
      if (m.type === 'counts') {
        this.countWaiters.get(m.id)?.(m.counts);
        this.countWaiters.delete(m.id);
      }
    });
    cleanups.push(async () => this.kill());
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Rows by status, read by the bot process from its own database; undefined when no answer comes in time. */
  async counts(timeoutMs = 2_000): Promise<StatusCounts | undefined> {
    if (!this.alive || !this.child.connected) return undefined;
    const id = this.nextCountId++;
    const answer = new Promise<StatusCounts>((resolve) => this.countWaiters.set(id, resolve));
    this.child.send({ type: 'counts', id });
    const counts = await Promise.race([answer, sleep(timeoutMs).then(() => undefined)]);
    this.countWaiters.delete(id);
    return counts;
  }

  /** Asks for a clean stop and the report; SIGKILL if it does not come in time. */
  async stop(timeoutMs = 30_000): Promise<WorkerReport | undefined> {
    if (!this.alive) return undefined;
    this.child.send({ type: 'stop' });
    const report = await Promise.race([this.reported, sleep(timeoutMs).then(() => undefined)]);
    if (!report) console.error(`  bot process ${this.config.owner} sent no report within ${seconds(timeoutMs)}; killing it`);
    await Promise.race([this.exited, sleep(5_000)]);
    this.kill();
    return report;
  }

  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }
}
