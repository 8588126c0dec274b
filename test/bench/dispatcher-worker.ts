/**
 * The "bot process" of `npm run bench:broadcast`: a real Dispatcher wired the way src/app.ts wires it
 * (PostgreSQL pool or embedded PGlite in a data folder, RateGate on Redis or the in-process store,
 * telegraf's Telegram client), with nothing else running, so its CPU and memory are the dispatcher's own.
 *
 * Runs only as a child of test/bench/broadcast.ts (forked with an IPC channel). Protocol:
 *   parent → env BENCH_WORKER_CONFIG (JSON WorkerConfig)
 *   child  → { type: 'leased', ... }      only with reportLeasedBy: what the database holds at start-up
 *   child  → { type: 'started', at }      dispatcher.start() has been called
 *   child  → { type: 'recorded', rows }   only with reportRecorded: a SENT write committed (rows marked)
 *   parent → { type: 'counts', id }       asks for the rows by status (the parent cannot open PGlite)
 *   child  → { type: 'counts', id, ... }  the answer
 *   parent → { type: 'stop' }             finish in-flight requests, report, exit
 *   child  → { type: 'report', ... }      WorkerReport, then the child exits by itself
 * The parent may also SIGKILL it at any time (crash scenarios): nothing here may rely on a clean exit.
 */
import { performance } from 'node:perf_hooks';
import { Telegram } from 'telegraf';
import { openDatabase } from '../../src/platform/db/client.js';
import { Dispatcher } from '../../src/platform/delivery/dispatcher.js';
import { RateGate } from '../../src/platform/delivery/rate-gate.js';
import { createKeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger } from '../../src/platform/logger.js';

export interface WorkerConfig {
  /** A PostgreSQL server (maybe through the outage proxy), or embedded PGlite in a data folder already migrated and filled. */
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  /** Unset: the in-process store (correct for one process at a time, which is all the bench runs). */
  redisUrl?: string;
  namespace: string;
  apiRoot: string;
  token: string;
  owner: string;
  ratePerSecond: number;
  /** Unset options keep the Dispatcher's defaults: the bench measures what production runs. */
  leaseMs?: number;
  batchSize?: number;
  concurrency?: number;
  idlePollMs?: number;
  /** Hard bound on this process's life, so a lost parent can never leave it running. */
  maxLifetimeMs: number;
  /** Before dispatching, report the rows this (dead) owner still leases and the rows by status ('leased'). */
  reportLeasedBy?: string;
  /** Tell the parent each time a SENT write commits ('recorded'): what the process knew was durable at a kill. */
  reportRecorded?: boolean;
}

export type StatusCounts = Record<string, number>;

export interface LeasedReport {
  type: 'leased';
  /** Rows still SENDING under the dead owner: chat and lease end (epoch ms). */
  rows: { chatId: number; leaseUntilMs: number }[];
  counts: StatusCounts;
}

export interface WorkerReport {
  type: 'report';
  owner: string;
  /** From dispatcher.start() to the stop request. */
  runMs: number;
  cpuUserMs: number;
  cpuSystemMs: number;
  /** When dispatching began: what start-up (tsx, Prisma client, pools) left behind. */
  rssAtStartBytes: number;
  heapUsedAtStartBytes: number;
  /** Sampled every 100 ms while dispatching. */
  peakRssBytes: number;
  peakHeapUsedBytes: number;
  /** Kernel's high-water mark for the whole process life (includes start-up: tsx, Prisma client). */
  maxRssBytes: number;
  /** Warn/error lines the dispatcher logged, by message: e.g. 429 pauses, rows sent after losing the lease. */
  logCounts: Record<string, number>;
}

export type WorkerMessage =
  | { type: 'started'; at: number }
  | { type: 'recorded'; rows: number }
  | { type: 'counts'; id: number; counts: StatusCounts }
  | LeasedReport
  | WorkerReport;

const config = JSON.parse(process.env.BENCH_WORKER_CONFIG ?? 'null') as WorkerConfig | null;
if (!config || typeof process.send !== 'function') {
  console.error('dispatcher-worker: run it through test/bench/broadcast.ts (needs BENCH_WORKER_CONFIG and an IPC channel)');
  process.exit(2);
}
/** Resolves once the message is handed to the channel: exiting earlier could drop the report. */
const send = (message: WorkerMessage): Promise<void> =>
  new Promise((resolve) => {
    process.send!(message, undefined, undefined, () => resolve());
  });

// Bounded life and no orphans: exit when the parent goes away or the lifetime runs out.
setTimeout(() => {
  console.error(`dispatcher-worker ${config.owner}: lifetime of ${config.maxLifetimeMs} ms exceeded, exiting`);
  process.exit(3);
}, config.maxLifetimeMs).unref();
process.on('disconnect', () => process.exit(4));

// Counts what the dispatcher warns about instead of printing it: the numbers go into the report.
const logCounts: Record<string, number> = {};
const logger = createLogger({
  level: 'warn',
  destination: {
    write(line: string) {
      let msg = 'unparsable log line';
      try {
        msg = String((JSON.parse(line) as { msg?: unknown }).msg);
      } catch {
        // counted under the placeholder
      }
      logCounts[msg] = (logCounts[msg] ?? 0) + 1;
    },
  },
});

const db = await openDatabase(config.database);
const kv = createKeyValueStore({ redisUrl: config.redisUrl, namespace: config.namespace });
const telegram = new Telegram(config.token, { apiRoot: config.apiRoot, webhookReply: false });

async function statusCounts(): Promise<StatusCounts> {
  const rows = await db.prisma.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status::text AS status, count(*) AS n FROM outbox_deliveries GROUP BY status`;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

if (config.reportLeasedBy) {
  const rows = await db.prisma.$queryRaw<{ chat_id: bigint; lease_ms: number }[]>`
    SELECT chat_id, (extract(epoch FROM lease_until) * 1000)::float8 AS lease_ms
    FROM outbox_deliveries WHERE status = 'SENDING' AND lease_owner = ${config.reportLeasedBy}`;
  await send({ type: 'leased', rows: rows.map((r) => ({ chatId: Number(r.chat_id), leaseUntilMs: r.lease_ms })), counts: await statusCounts() });
}

/**
 * The dispatcher's client, or (reportRecorded) the same client with its SENT writes (the one statement
 * with "SET status = 'SENT'", claimed-rows.ts markSent) reported to the parent once they have committed.
 */
function dispatcherPrisma(): typeof db.prisma {
  if (!config!.reportRecorded) return db.prisma;
  return new Proxy(db.prisma, {
    get(target, prop, receiver) {
      if (prop === '$queryRaw') {
        const raw = target.$queryRaw.bind(target) as (strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>;
        return async (strings: TemplateStringsArray, ...values: unknown[]) => {
          const result = await raw(strings, ...values);
          if (strings.join('?').includes("SET status = 'SENT'") && Array.isArray(result)) void send({ type: 'recorded', rows: result.length });
          return result;
        };
      }
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const dispatcher = new Dispatcher({
  prisma: dispatcherPrisma(),
  telegram,
  gate: new RateGate({ kv, ratePerSecond: config.ratePerSecond }),
  logger,
  owner: config.owner,
  ...(config.leaseMs !== undefined ? { leaseMs: config.leaseMs } : {}),
  ...(config.batchSize !== undefined ? { batchSize: config.batchSize } : {}),
  ...(config.concurrency !== undefined ? { concurrency: config.concurrency } : {}),
  ...(config.idlePollMs !== undefined ? { idlePollMs: config.idlePollMs } : {}),
});

// Peak memory while dispatching; the 100 ms sampling can miss a short spike, maxRss cannot.
let peakRss = 0;
let peakHeap = 0;
const sample = (): void => {
  const m = process.memoryUsage();
  peakRss = Math.max(peakRss, m.rss);
  peakHeap = Math.max(peakHeap, m.heapUsed);
};
const sampler = setInterval(sample, 100);

const atStart = process.memoryUsage();
const cpuAtStart = process.cpuUsage();
const startedAt = performance.now();
dispatcher.start();
void send({ type: 'started', at: Date.now() });

process.on('message', (message: unknown) => {
  const m = message as { type?: unknown; id?: unknown } | null;
  if (m?.type === 'counts') {
    // Best effort: while the database is away the question simply goes unanswered.
    void statusCounts().then((counts) => send({ type: 'counts', id: Number(m.id), counts }), () => {});
    return;
  }
  if (m?.type !== 'stop') return;
  void (async () => {
    const runMs = performance.now() - startedAt;
    const cpu = process.cpuUsage(cpuAtStart);
    sample();
    clearInterval(sampler);
    await dispatcher.stop();
    const report: WorkerReport = {
      type: 'report',
      owner: config.owner,
      runMs,
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      rssAtStartBytes: atStart.rss,
      heapUsedAtStartBytes: atStart.heapUsed,
      peakRssBytes: peakRss,
      peakHeapUsedBytes: peakHeap,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      logCounts,
    };
    await send(report);
    await Promise.allSettled([db.close(), kv.close()]);
    process.exit(0);
  })().catch((error: unknown) => {
    console.error('dispatcher-worker: stop failed', error);
    process.exit(1);
  });
});
