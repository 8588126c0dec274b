/**
 * `npm run bench:broadcast`: how fast, how politely and how safely a 20,000-recipient announcement goes out
 * (issue 4, "Benchmark"). It prints numbers; it is not a test. It does exit 1 when an invariant breaks
 * (a recipient lost, or a duplicate without a crash), so a broken run cannot be pasted as a good one.
 *
 * Shape: this process runs the fake Bot API (loopback HTTP, counters only) and owns the database; the
 * dispatcher runs in a child process (test/bench/dispatcher-worker.ts), the "bot process", so its CPU and
 * memory are measured alone and it can be killed with SIGKILL like a crashing bot.
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (a server URL; the bench creates its own
 * database there and drops it at the end). Redis is optional: BENCH_REDIS_URL or TEST_REDIS_URL makes the
 * rate gate shared through Redis, as in a multi-process deployment; without it (or with BENCH_REDIS_URL set
 * empty) the in-process store is used.
 *
 * Knobs for investigating, not for the README numbers: BENCH_SCENARIOS=limit,headroom,crash (a subset),
 * BENCH_RECIPIENTS=2000 (a quick smoke run), BENCH_CPU_PROF=<dir> (V8 CPU profiles of the bot processes).
 *
 * Every wait is bounded (per-scenario deadlines, a global deadline), and every exit path kills the
 * children, closes the fake server and drops the database.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setMaxListeners } from 'node:events';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { createOutbox, type OutboxPayload } from '../../src/platform/delivery/outbox.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import type { RecordedCall } from '../support/fake-bot-api/index.js';
import type { WorkerConfig, WorkerMessage, WorkerReport } from './dispatcher-worker.js';
import { cleanUpOnAbort } from './abort.js';

// ------------------------------------------------------------------ settings

/** BENCH_RECIPIENTS overrides it for a quick smoke run; the README numbers are for 20,000. */
const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
/** Private-chat ids: positive, so the fake treats them as users; contiguous, so counters are an array. */
const FIRST_CHAT_ID = 700_000_001;
const TOKEN = '123456789:BENCH-fake-token-only';
/** Production default of SEND_RATE (src/config.ts) and Telegram's documented bulk limit. */
const DEFAULT_RATE = 25;
const TELEGRAM_LIMIT = 30;
/** Scenario 1 runs this many times faster than real time (see the scenario for what scales and what does not). */
const TIME_SCALE = 10;
/** Nothing in this file may keep running longer than this, whatever goes wrong. */
const GLOBAL_DEADLINE_MS = 10 * 60_000;
const POLL_MS = 250;

const PAYLOAD: OutboxPayload = {
  kind: 'TEXT',
  parseMode: 'HTML',
  // A realistic announcement: Persian, formatted, a few hundred bytes (the fake parses the HTML like Telegram).
  text:
    '<b>اطلاعیه دفتر امور اجتماعی و فرهنگی استانداری</b>\n' +
    'نشست هم‌اندیشی سازمان‌های مردم‌نهاد استان روز سه‌شنبه ساعت ۱۰ در سالن اجتماعات استانداری برگزار می‌شود. ' +
    'حضور مدیر عامل یا نماینده‌ی معرفی‌شده‌ی هر سازمان الزامی است.\n<i>هفته‌ی سازمان‌های مردم‌نهاد: ۲۰ تا ۲۵ مرداد</i>',
};

// The fake's latency sleeps each add an abort listener to its one closing signal; 32 requests in flight
// are expected here, not a leak, so Node's default warning threshold of 10 is raised for this process.
setMaxListeners(256);

const databaseServerUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
// An empty BENCH_REDIS_URL= is a deliberate "no Redis", not a fall-through to TEST_REDIS_URL.
const redisUrl = (process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL) || undefined;
const runId = randomUUID().replace(/-/g, '').slice(0, 12);
const workerPath = fileURLToPath(new URL('./dispatcher-worker.ts', import.meta.url));
// The child runs TypeScript through tsx's loader, resolved from here so the cwd does not matter.
const tsxLoader = import.meta.resolve('tsx');

// ------------------------------------------------------------------ formatting

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1): string => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const seconds = (ms: number): string => `${fixed(ms / 1000)} s`;
const mib = (bytes: number): string => `${fixed(bytes / 1024 / 1024, 0)} MiB`;

function printTable(title: string, rows: [string, string][]): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  console.log(`\n${title}`);
  console.log('-'.repeat(title.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
}

// ------------------------------------------------------------------ machine load

/*
 * The bench shares the machine with PostgreSQL, Redis and whatever else runs there. These counters say how
 * busy the whole machine was and how much of it PostgreSQL spent on the bench, so a reader can tell a slow
 * dispatcher from a busy machine.
 */
const CLK_TCK = 100; // Linux USER_HZ, the unit of /proc CPU times on every mainstream kernel

function machineTicks(): { busy: number; total: number } | undefined {
  try {
    const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const total = fields.reduce((a, b) => a + b, 0);
    const idle = (fields[3] ?? 0) + (fields[4] ?? 0); // idle + iowait
    return { busy: total - idle, total };
  } catch {
    return undefined; // not Linux: the row is left out
  }
}

/** CPU time (ms) a process has used so far, from /proc/<pid>/stat; undefined when it cannot be read. */
function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime, stime
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ cleanup registry

const cleanups: (() => Promise<void>)[] = [];
let cleaningUp: Promise<void> | undefined;
/** Runs every cleanup once, newest first; each is bounded so a stuck one cannot hold the others. */
function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await Promise.race([fn().catch((error: unknown) => console.error('cleanup step failed:', error)), sleep(10_000)]);
    }
  })();
  return cleaningUp;
}
const abort = cleanUpOnAbort(cleanup, GLOBAL_DEADLINE_MS, seconds(GLOBAL_DEADLINE_MS));

// ------------------------------------------------------------------ the bot process

class BotProcess {
  readonly child: ChildProcess;
  /** Parent's performance.now() when the child reported that dispatching began. */
  readonly started: Promise<number>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly reported: Promise<WorkerReport | undefined>;
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
    this.reported = new Promise((resolve) => {
      child.on('message', (m: WorkerMessage) => {
        if (m.type === 'report') resolve(m);
      });
      void this.exited.then(() => resolve(undefined));
    });
    cleanups.push(async () => this.kill());
  }

  /** Asks for a clean stop and the report; SIGKILL if it does not come in time. */
  async stop(timeoutMs = 30_000): Promise<WorkerReport | undefined> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return undefined;
    this.child.send({ type: 'stop' });
    const report = await Promise.race([this.reported, sleep(timeoutMs).then(() => undefined)]);
    if (!report) console.error(`  bot process ${this.config.owner} sent no report within ${seconds(timeoutMs)}; killing it`);
    await Promise.race([this.exited, sleep(5_000)]);
    this.kill();
    return report;
  }

  kill(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
  }
}

// ------------------------------------------------------------------ one scenario

interface ScenarioSpec {
  key: string;
  title: string;
  ratePerSecond: number;
  /** Fake server's global limit (messages per sliding second, 429 beyond); unset = unlimited. */
  fakeLimit?: number;
  /** Added to every sendMessage answer. */
  latencyMs?: number;
  leaseMs?: number;
  /** SIGKILL the bot process once this fraction of recipients has been accepted, then start a new one. */
  killAt?: number;
  deadlineMs: number;
}

interface CrashFacts {
  killedAtAccepted: number;
  /** Messages accepted before the new process started (the dead one's, including its last in-flight ones). */
  acceptedAtRestart: number;
  /** Rows still leased by the dead process (SENDING) just after the kill. */
  orphaned: number;
  /** Of those, rows whose message the API had already accepted: sent but not recorded, so they will repeat. */
  inFlightAccepted: number;
  /** Longest time an orphaned row's lease still had to run at the kill. */
  maxLeaseLeftMs: number;
  /** Kill → the new process's first accepted message (of any row). */
  restartToFirstSendMs: number | undefined;
  /** Kill → first / last accepted re-send of an orphaned row (the wait for the lease). */
  firstOrphanResendMs: number | undefined;
  lastOrphanResendMs: number | undefined;
  /** Messages per second of the killed process (first send → kill) and of the new one (its first send → last send). */
  rateBeforeKill: number | undefined;
  rateAfterRestart: number | undefined;
  /** Spawn → dispatching, for the new process (tsx + Prisma start-up). */
  restartBootMs: number;
}

interface ScenarioResult {
  spec: ScenarioSpec;
  complete: boolean;
  enqueueMs: number;
  bootMs: number;
  /** First accepted message → last accepted message. */
  sendSpanMs: number;
  /** Dispatcher started → last accepted message (includes the first claim and, scenario 3, the crash). */
  elapsedMs: number;
  accepted: number;
  attempts: number;
  rejected429: number;
  lost: number;
  duplicatedRecipients: number;
  extraMessages: number;
  peakWindow: number;
  /** Accepted messages per second in consecutive slices from the first send: shows warm-up, pauses, the crash. */
  slices: { sliceMs: number; rates: number[] };
  statusCounts: Record<string, number>;
  reports: WorkerReport[];
  parentCpuMs: number;
  /** Whole machine, all cores, while dispatching: share of the total CPU capacity that was busy. */
  machineBusy?: number;
  loadAverage: string;
  /** CPU of the PostgreSQL backends serving the bench database (the bot process's pool and ours). */
  postgresCpuMs?: number;
  crash?: CrashFacts;
}

async function databaseBackends(db: Database): Promise<number[]> {
  const rows = await db.prisma.$queryRaw<{ pid: number }[]>`
    SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
  return rows.map((r) => Number(r.pid));
}

async function statusCounts(db: Database): Promise<Record<string, number>> {
  const rows = await db.prisma.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status::text AS status, count(*) AS n FROM outbox_deliveries GROUP BY status`;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function runScenario(db: Database, spec: ScenarioSpec): Promise<ScenarioResult> {
  console.log(`\n=== ${spec.title} ===`);
  await db.prisma.$executeRaw`TRUNCATE outbox_deliveries, outbox_messages RESTART IDENTITY`;
  const parentCpu = process.cpuUsage();

  // Counters of our own on top of the fake's: times of accepted sends (rate, peak window) and
  // per-chat counts at any moment (the crash snapshot needs them before the run ends).
  const acceptedAt = new Float64Array(RECIPIENTS * 2);
  const perChat = new Uint16Array(RECIPIENTS);
  let accepted = 0;
  let orphanChats: Set<number> | undefined;
  let firstOrphanResend: number | undefined;
  let lastOrphanResend: number | undefined;
  let killedAt: number | undefined;
  let killedAtAccepted = 0;
  /** Accepted count when the new process was started: the next accepted message is its first. */
  let acceptedAtRestart: number | undefined;
  let current: BotProcess | undefined;
  const killThreshold = spec.killAt === undefined ? Infinity : Math.round(RECIPIENTS * spec.killAt);

  const onCall = (call: RecordedCall): void => {
    if (call.method !== 'sendMessage' || !call.response.ok) return;
    const now = performance.now();
    if (accepted < acceptedAt.length) acceptedAt[accepted] = now;
    accepted++;
    const index = Number(call.chatId) - FIRST_CHAT_ID;
    if (index >= 0 && index < RECIPIENTS) perChat[index] = perChat[index]! + 1;
    if (orphanChats?.has(Number(call.chatId))) {
      firstOrphanResend ??= now;
      lastOrphanResend = now;
    }
    // Killed from inside the server's callback, so the kill lands at 50% and not a poll interval later.
    if (accepted >= killThreshold && killedAt === undefined && current) {
      current.kill();
      killedAt = now;
      killedAtAccepted = accepted;
    }
  };

  const api = await FakeBotApi.start({ recordBodies: false, token: TOKEN, onCall });
  let apiClosed = false;
  const closeApi = async () => {
    if (!apiClosed) await api.close();
    apiClosed = true;
  };
  cleanups.push(closeApi);
  if (spec.fakeLimit !== undefined) api.rateLimit({ perSecond: spec.fakeLimit });
  if (spec.latencyMs) api.setLatency('sendMessage', spec.latencyMs);

  const recipients = Array.from({ length: RECIPIENTS }, (_, i) => FIRST_CHAT_ID + i);
  const outbox = createOutbox({ prisma: db.prisma });
  const enqueueStart = performance.now();
  const { added } = await outbox.enqueue({
    payload: PAYLOAD,
    recipients,
    dedupeKey: `bench:${runId}:${spec.key}`,
    source: { type: 'bench', id: spec.key },
  });
  const enqueueMs = performance.now() - enqueueStart;
  if (added !== RECIPIENTS) throw new Error(`enqueue added ${added} rows, expected ${RECIPIENTS}`);

  const workerConfig = (owner: string): WorkerConfig => ({
    databaseUrl: benchDatabaseUrl,
    ...(redisUrl ? { redisUrl } : {}),
    // One namespace per scenario: rate windows and a 429 pause must not leak from one scenario into the next.
    namespace: `bench:broadcast:${runId}:${spec.key}:`,
    apiRoot: api.apiRoot,
    token: TOKEN,
    owner,
    ratePerSecond: spec.ratePerSecond,
    ...(spec.leaseMs !== undefined ? { leaseMs: spec.leaseMs } : {}),
    maxLifetimeMs: spec.deadlineMs + 60_000,
  });

  const reports: WorkerReport[] = [];
  const first = new BotProcess(workerConfig(`bench-${runId}-${spec.key}-a`));
  current = first;
  const startedAt = await Promise.race([first.started, sleep(60_000).then(() => Promise.reject(new Error('bot process did not start within 60 s')))]);
  const bootMs = startedAt - first.spawnedAt;
  console.log(`  bot process ${first.child.pid} dispatching after ${seconds(bootMs)} of start-up`);
  const machineAtStart = machineTicks();
  // PostgreSQL backends are processes of their own: their CPU since they started is in /proc. Only backends
  // alive at the end are counted (in scenario 3 the killed process's backends end with it).
  const backendCpuAtStart = new Map<number, number>();
  for (const pid of await databaseBackends(db)) backendCpuAtStart.set(pid, processCpuMs(pid) ?? 0);

  let crash: CrashFacts | undefined;
  const deadline = performance.now() + spec.deadlineMs;
  let lastProgress = performance.now();
  let counts: Record<string, number> = {};
  let complete = false;
  while (performance.now() < deadline) {
    await sleep(POLL_MS);
    if (killedAt !== undefined && crash === undefined) crash = await restartAfterKill();
    counts = await statusCounts(db);
    if ((counts.PENDING ?? 0) + (counts.SENDING ?? 0) === 0) {
      complete = true;
      break;
    }
    if (performance.now() - lastProgress >= 10_000) {
      lastProgress = performance.now();
      console.log(`  … ${int(counts.SENT ?? 0)} / ${int(RECIPIENTS)} rows SENT after ${seconds(lastProgress - startedAt)}`);
    }
  }
  if (!complete) console.log(`  !! not finished within the scenario deadline of ${seconds(spec.deadlineMs)}`);

  async function restartAfterKill(): Promise<CrashFacts> {
    const dead = current!;
    const exit = await dead.exited;
    const killTime = killedAt!;
    const killWall = Date.now() - (performance.now() - killTime);
    console.log(`  kill -9 of bot process ${dead.child.pid} after ${int(killedAtAccepted)} accepted messages (exit signal ${exit.signal})`);
    // Requests already on the wire are still answered by the server (as Telegram would deliver them);
    // let those 20 ms answers land before reading who was sent what.
    await sleep(Math.max(200, (spec.latencyMs ?? 0) * 5));
    const orphans = await db.prisma.$queryRaw<{ chat_id: bigint; lease_ms: number }[]>`
      SELECT chat_id, (extract(epoch FROM lease_until) * 1000)::float8 AS lease_ms
      FROM outbox_deliveries WHERE status = 'SENDING' AND lease_owner = ${dead.config.owner}`;
    orphanChats = new Set(orphans.map((o) => Number(o.chat_id)));
    const inFlightAccepted = orphans.filter((o) => (perChat[Number(o.chat_id) - FIRST_CHAT_ID] ?? 0) > 0).length;
    const maxLeaseLeftMs = Math.max(0, ...orphans.map((o) => o.lease_ms - killWall));
    acceptedAtRestart = accepted;
    const next = new BotProcess(workerConfig(`bench-${runId}-${spec.key}-b`));
    current = next;
    const restartedAt = await Promise.race([next.started, sleep(60_000).then(() => Promise.reject(new Error('restarted bot process did not start within 60 s')))]);
    console.log(`  new bot process ${next.child.pid} (new owner id) dispatching ${seconds(restartedAt - killTime)} after the kill`);
    return {
      killedAtAccepted,
      acceptedAtRestart: accepted,
      orphaned: orphans.length,
      inFlightAccepted,
      maxLeaseLeftMs,
      restartBootMs: restartedAt - next.spawnedAt,
      // Filled in below, once the run is over.
      restartToFirstSendMs: undefined,
      rateBeforeKill: undefined,
      rateAfterRestart: undefined,
      firstOrphanResendMs: undefined,
      lastOrphanResendMs: undefined,
    };
  }

  const machineAtEnd = machineTicks();
  let postgresCpuMs: number | undefined;
  for (const pid of await databaseBackends(db)) {
    const ms = processCpuMs(pid);
    if (ms !== undefined) postgresCpuMs = (postgresCpuMs ?? 0) + ms - (backendCpuAtStart.get(pid) ?? 0);
  }
  const loadAverage = os.loadavg().map((l) => fixed(l, 2)).join(' ');
  const finalReport = await current.stop();
  if (finalReport) reports.push(finalReport);
  // The killed process sends no report; the crash scenario's CPU and memory are the survivor's.

  // Authoritative tallies from the fake's own per-chat counters (the ones kept with recordBodies: false).
  let lost = 0;
  let duplicatedRecipients = 0;
  let extraMessages = 0;
  for (const chatId of recipients) {
    const n = api.chatStats(chatId).accepted.sendMessage ?? 0;
    if (n === 0) lost++;
    if (n > 1) {
      duplicatedRecipients++;
      extraMessages += n - 1;
    }
    if (n !== perChat[chatId - FIRST_CHAT_ID]) throw new Error(`bench bookkeeping disagrees with the fake for chat ${chatId}`);
  }
  const stats = api.stats();
  await closeApi();

  const n = Math.min(accepted, acceptedAt.length);
  const firstSend = acceptedAt[0] ?? 0;
  const lastSend = acceptedAt[n - 1] ?? 0;
  // Busiest sliding second as the server saw it: what a Telegram flood limit would judge.
  let peakWindow = 0;
  for (let lo = 0, hi = 0; hi < n; hi++) {
    while (acceptedAt[hi]! - acceptedAt[lo]! >= 1000) lo++;
    peakWindow = Math.max(peakWindow, hi - lo + 1);
  }
  const sliceMs = lastSend - firstSend > 40_000 ? 5000 : lastSend - firstSend > 8_000 ? 2000 : 1000;
  const rates = new Array<number>(Math.floor((lastSend - firstSend) / sliceMs) + 1).fill(0);
  for (let i = 0; i < n; i++) rates[Math.floor((acceptedAt[i]! - firstSend) / sliceMs)]! += 1000 / sliceMs;
  if (crash) {
    const firstAfter = acceptedAtRestart === undefined || acceptedAtRestart >= n ? undefined : acceptedAt[acceptedAtRestart];
    crash.restartToFirstSendMs = firstAfter === undefined || killedAt === undefined ? undefined : firstAfter - killedAt;
    const beforeKill = killedAtAccepted - 1;
    crash.rateBeforeKill = beforeKill > 0 ? (beforeKill * 1000) / (acceptedAt[beforeKill]! - firstSend) : undefined;
    const afterRestart = n - 1 - (acceptedAtRestart ?? n);
    crash.rateAfterRestart = afterRestart > 0 && firstAfter !== undefined ? (afterRestart * 1000) / (lastSend - firstAfter) : undefined;
    crash.firstOrphanResendMs = firstOrphanResend === undefined ? undefined : firstOrphanResend - killedAt!;
    crash.lastOrphanResendMs = lastOrphanResend === undefined ? undefined : lastOrphanResend - killedAt!;
  }
  const cpu = process.cpuUsage(parentCpu);
  return {
    spec,
    complete,
    enqueueMs,
    bootMs,
    sendSpanMs: lastSend - firstSend,
    elapsedMs: lastSend - startedAt,
    accepted,
    attempts: (stats.accepted.sendMessage ?? 0) + (stats.rejected.sendMessage ?? 0),
    rejected429: stats.rejected429,
    lost,
    duplicatedRecipients,
    extraMessages,
    peakWindow,
    slices: { sliceMs, rates },
    statusCounts: await statusCounts(db),
    reports,
    parentCpuMs: (cpu.user + cpu.system) / 1000,
    loadAverage,
    ...(postgresCpuMs !== undefined ? { postgresCpuMs } : {}),
    ...(machineAtStart && machineAtEnd && machineAtEnd.total > machineAtStart.total
      ? { machineBusy: (machineAtEnd.busy - machineAtStart.busy) / (machineAtEnd.total - machineAtStart.total) }
      : {}),
    ...(crash ? { crash } : {}),
  };
}

/** Messages per second between the first and the last accepted message. */
const achievedRate = (r: ScenarioResult): number => (r.sendSpanMs > 0 ? ((r.accepted - 1) * 1000) / r.sendSpanMs : 0);

function describeResult(r: ScenarioResult): void {
  const rate = achievedRate(r);
  const report = r.reports.at(-1);
  const rows: [string, string][] = [
    ['recipients', int(RECIPIENTS)],
    ['configured rate', `${int(r.spec.ratePerSecond)}/s`],
    ['fake API limit', r.spec.fakeLimit === undefined ? 'none' : `${int(r.spec.fakeLimit)}/s (429 + retry_after beyond it)`],
    ['fake API latency', r.spec.latencyMs ? `${r.spec.latencyMs} ms per sendMessage` : 'none (loopback only)'],
    ['fan-out into the outbox', `${int(RECIPIENTS)} rows in ${int(r.enqueueMs)} ms`],
    ['bot process start-up', seconds(r.bootMs)],
    [
      r.crash ? 'achieved rate (first→last send, crash included)' : 'achieved rate (first→last send)',
      `${fixed(rate)}/s = ${fixed(rate / r.spec.ratePerSecond, 3)} of configured`,
    ],
    ['busiest sliding second', `${int(r.peakWindow)} messages`],
    [`rate per ${r.slices.sliceMs / 1000} s slice`, `${r.slices.rates.map((x) => int(x)).join(' ')} /s (last slice partial)`],
    ['elapsed (dispatch start→last send)', seconds(r.elapsedMs)],
    ['sendMessage calls', `${int(r.attempts)} (${int(r.accepted)} accepted)`],
    ['429 answers received', int(r.rejected429)],
    ['lost (never received)', int(r.lost)],
    ['duplicated (received >1)', `${int(r.duplicatedRecipients)} recipients, ${int(r.extraMessages)} extra messages`],
    ['outbox rows by status', Object.entries(r.statusCounts).map(([k, v]) => `${k} ${int(v)}`).join(', ')],
  ];
  if (report) {
    const cpuMs = report.cpuUserMs + report.cpuSystemMs;
    const label = r.crash ? 'bot process (after restart)' : 'bot process';
    rows.push(
      [`${label} CPU`, `${seconds(cpuMs)} (user ${seconds(report.cpuUserMs)}, sys ${seconds(report.cpuSystemMs)}) over ${seconds(report.runMs)} = ${int((100 * cpuMs) / report.runMs)}% of one core`],
      [`${label} CPU per 1,000 messages`, `${int((cpuMs * 1000) / Math.max(1, r.crash ? r.accepted - r.crash.acceptedAtRestart : r.accepted))} ms`],
      [
        `${label} memory`,
        `peak RSS ${mib(report.peakRssBytes)}, peak heap used ${mib(report.peakHeapUsedBytes)} ` +
          `(when dispatching began: RSS ${mib(report.rssAtStartBytes)}, heap ${mib(report.heapUsedAtStartBytes)}; kernel max RSS ${mib(report.maxRssBytes)})`,
      ],
    );
    const logs = Object.entries(report.logCounts);
    rows.push([`${label} warnings/errors`, logs.length ? logs.map(([m, c]) => `${c}× "${m}"`).join('; ') : 'none']);
  }
  rows.push(['fake API + bench parent CPU', seconds(r.parentCpuMs)]);
  if (r.postgresCpuMs !== undefined) rows.push(['PostgreSQL backends CPU (bench database)', seconds(r.postgresCpuMs)]);
  if (r.machineBusy !== undefined) {
    rows.push(['whole machine busy while dispatching', `${int(100 * r.machineBusy)}% of ${os.cpus().length} cores (load average at the end: ${r.loadAverage})`]);
  }
  if (r.crash) {
    const c = r.crash;
    const opt = (ms: number | undefined) => (ms === undefined ? 'n/a' : seconds(ms));
    rows.push(
      ['killed (SIGKILL) at', `${int(c.killedAtAccepted)} accepted messages (${fixed((100 * c.killedAtAccepted) / RECIPIENTS, 1)}%)`],
      ['rows leased by the dead process', `${int(c.orphaned)} (of which already accepted by the API: ${int(c.inFlightAccepted)})`],
      ['lease left on them at the kill', `at most ${opt(c.maxLeaseLeftMs)} (leaseMs ${int(r.spec.leaseMs ?? 60_000)} ms)`],
      ['rate before the kill / after the restart', `${c.rateBeforeKill === undefined ? 'n/a' : fixed(c.rateBeforeKill)}/s / ${c.rateAfterRestart === undefined ? 'n/a' : fixed(c.rateAfterRestart)}/s`],
      ['new process start-up', seconds(c.restartBootMs)],
      ['kill → new process first send', opt(c.restartToFirstSendMs)],
      ['kill → leased rows re-sent', `first ${opt(c.firstOrphanResendMs)}, last ${opt(c.lastOrphanResendMs)} (claimable from lease end, then queued behind rows already due)`],
    );
  }
  printTable(`Results: ${r.spec.title}`, rows);
}

// ------------------------------------------------------------------ main

if (!Number.isInteger(RECIPIENTS) || RECIPIENTS < 10 || RECIPIENTS > 60_000) {
  // Per-chat counters are 16-bit and the crash scenario needs a middle to kill at.
  console.error(`BENCH_RECIPIENTS must be an integer from 10 to 60,000 (got ${process.env.BENCH_RECIPIENTS})`);
  process.exit(2);
}
if (!databaseServerUrl) {
  console.error('bench:broadcast needs PostgreSQL: set BENCH_DATABASE_URL or TEST_DATABASE_URL (e.g. postgresql://postgres@127.0.0.1:54329/postgres).');
  process.exit(2);
}
const serverUrl: string = databaseServerUrl;

/** Same as test/support/database.ts, which cannot be imported here: it pulls in vitest. */
function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const benchDatabase = `ngo_bench_${runId}`;
const benchDatabaseUrl = withDatabaseName(serverUrl, benchDatabase);

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

async function redisVersion(): Promise<string> {
  if (!redisUrl) return 'not used (in-process rate gate; set BENCH_REDIS_URL or TEST_REDIS_URL to share it through Redis)';
  const client = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
  try {
    await client.connect();
    const info = await client.info('server');
    return `Redis ${/redis_version:(\S+)/.exec(info)?.[1] ?? '?'} (shared rate gate, one namespace per scenario)`;
  } finally {
    client.disconnect();
  }
}

const results: ScenarioResult[] = [];
let exitCode = 0;
try {
  const pgVersion = (await adminQuery('SHOW server_version')).rows[0]?.server_version as string;
  const telegrafVersion = (JSON.parse(readFileSync(new URL('../../node_modules/telegraf/package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const cpus = os.cpus();
  printTable('Environment', [
    ['node', process.version],
    ['cpu', `${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}`],
    ['memory', mib(os.totalmem())],
    ['os', `${os.type()} ${os.release()} (${os.arch()})`],
    ['PostgreSQL', `${pgVersion} (loopback, fresh database ${benchDatabase})`],
    ['Redis', await redisVersion()],
    ['telegraf', telegrafVersion],
    ['load average at start', `${os.loadavg().map((l) => fixed(l, 2)).join(' ')} (1, 5, 15 min)`],
    ['Bot API', 'fake Bot API over loopback HTTP in the parent process (counters only)'],
    ['dispatcher', 'child process; Dispatcher defaults (batchSize 100, concurrency 32, leaseMs 60 s) unless a scenario says otherwise'],
  ]);

  await adminQuery(`CREATE DATABASE "${benchDatabase}"`);
  cleanups.push(async () => {
    await adminQuery(`DROP DATABASE IF EXISTS "${benchDatabase}" WITH (FORCE)`);
  });
  const db = await openDatabase({ kind: 'postgres', url: benchDatabaseUrl });
  cleanups.push(() => db.close());
  const migrateStart = performance.now();
  await migrateDatabase(db);
  console.log(`\nmigrated ${benchDatabase} in ${seconds(performance.now() - migrateStart)}`);

  const scenarios: ScenarioSpec[] = [
    {
      key: 'limit',
      title: `1. Flood limit, clock ×${TIME_SCALE}: dispatcher ${DEFAULT_RATE * TIME_SCALE}/s against a fake limit of ${TELEGRAM_LIMIT * TIME_SCALE}/s`,
      ratePerSecond: DEFAULT_RATE * TIME_SCALE,
      fakeLimit: TELEGRAM_LIMIT * TIME_SCALE,
      deadlineMs: 200_000,
    },
    {
      key: 'headroom',
      title: '2. Headroom: dispatcher 1,000/s (paid-broadcast limit), fake API unlimited',
      ratePerSecond: 1000,
      deadlineMs: 120_000,
    },
    {
      key: 'crash',
      title: '3. kill -9 at 50%: dispatcher 500/s, fake API +20 ms latency, leaseMs 5 s',
      ratePerSecond: 500,
      latencyMs: 20,
      leaseMs: 5_000,
      killAt: 0.5,
      deadlineMs: 150_000,
    },
  ];
  console.log(
    `\nScenario 1 scales time by ×${TIME_SCALE}: at the production default (${DEFAULT_RATE}/s against Telegram's ${TELEGRAM_LIMIT}/s) ` +
      `${int(RECIPIENTS)} messages take ~${int(RECIPIENTS / DEFAULT_RATE / 60)} minutes, so both rates are multiplied by ${TIME_SCALE} ` +
      `(${DEFAULT_RATE * TIME_SCALE}/s against ${TELEGRAM_LIMIT * TIME_SCALE}/s, the same ${fixed(DEFAULT_RATE / TELEGRAM_LIMIT, 2)} ratio). ` +
      `Not scaled: retry_after (whole seconds, so one 429 costs ${TIME_SCALE}× more messages than in real time), ` +
      `HTTP/database round trips, and the dispatcher's 1 s idle poll.`,
  );
  console.log(`Scenario 3 uses leaseMs 5 s instead of the default 60 s so the restarted process waits seconds, not a minute, for the dead one's rows.`);

  // BENCH_SCENARIOS=limit,crash runs a subset (keys: limit, headroom, crash); the README numbers are for all three.
  const only = process.env.BENCH_SCENARIOS?.split(',').map((k) => k.trim()).filter(Boolean);
  for (const spec of scenarios.filter((s) => !only?.length || only.includes(s.key))) {
    const result = await runScenario(db, spec);
    results.push(result);
    describeResult(result);
  }

  // ---------------------------------------------------------------- verdict and README table
  const problems: string[] = [];
  for (const r of results) {
    if (!r.complete) problems.push(`${r.spec.key}: did not finish within its deadline`);
    if (r.lost > 0) problems.push(`${r.spec.key}: ${r.lost} recipients never received the message`);
    if (!r.spec.killAt && r.duplicatedRecipients > 0) problems.push(`${r.spec.key}: ${r.duplicatedRecipients} recipients received it twice without any crash`);
    if (r.crash && r.duplicatedRecipients > r.crash.inFlightAccepted) {
      problems.push(`${r.spec.key}: ${r.duplicatedRecipients} duplicates, more than the ${r.crash.inFlightAccepted} rows in flight at the kill`);
    }
  }

  const rateCell = (r: ScenarioResult) => {
    const of = (rate: number) => `${int(rate)}/s (${fixed(rate / r.spec.ratePerSecond, 2)}×)`;
    // Across a crash the overall rate mostly measures the restart; each process's own rate says more.
    if (r.crash?.rateBeforeKill !== undefined && r.crash.rateAfterRestart !== undefined) {
      return `${of(r.crash.rateBeforeKill)} before the kill, ${of(r.crash.rateAfterRestart)} after the restart`;
    }
    return of(achievedRate(r));
  };
  const cpuCell = (r: ScenarioResult) => {
    const rep = r.reports.at(-1);
    return rep ? `${seconds(rep.cpuUserMs + rep.cpuSystemMs)} (${int((100 * (rep.cpuUserMs + rep.cpuSystemMs)) / rep.runMs)}% of a core)` : 'n/a';
  };
  const memCell = (r: ScenarioResult) => {
    const rep = r.reports.at(-1);
    return rep ? `${mib(rep.peakRssBytes)} / ${mib(rep.peakHeapUsedBytes)}` : 'n/a';
  };
  const setup: Record<string, string> = {
    limit: `${DEFAULT_RATE * TIME_SCALE}/s vs fake limit ${TELEGRAM_LIMIT * TIME_SCALE}/s (= ${DEFAULT_RATE} vs ${TELEGRAM_LIMIT}/s, clock ×${TIME_SCALE})`,
    headroom: '1,000/s, fake unlimited',
    crash: '500/s, +20 ms latency, leaseMs 5 s, SIGKILL at 50% + restart',
  };
  const name: Record<string, string> = { limit: '1. Flood limit', headroom: '2. Headroom', crash: '3. kill -9 at 50%' };
  const md = [
    '| Scenario | Setup | Achieved rate (of configured) | 429s | Lost | Duplicated | Elapsed | Bot CPU | Bot peak RSS / heap |',
    '|---|---|---|---|---|---|---|---|---|',
    ...results.map((r) => {
      const dup = r.crash
        ? `${int(r.duplicatedRecipients)} (in flight at the kill: ${int(r.crash.inFlightAccepted)})`
        : int(r.duplicatedRecipients);
      return `| ${name[r.spec.key]} | ${setup[r.spec.key]} | ${rateCell(r)} | ${int(r.rejected429)} | ${int(r.lost)} | ${dup} | ${seconds(r.elapsedMs)} | ${cpuCell(r)} | ${memCell(r)} |`;
    }),
  ];
  const crash = results.find((r) => r.crash)?.crash;
  console.log(`\nREADME table (${int(RECIPIENTS)} recipients each; ${process.version}, ${os.cpus().length} cores, PostgreSQL ${pgVersion}, ${redisUrl ? 'Redis rate gate' : 'in-process rate gate'}):\n`);
  console.log(md.join('\n'));
  if (crash) {
    console.log(
      `\nCrash: ${int(crash.orphaned)} rows were leased by the killed process; the new one sent its first message ` +
        `${crash.restartToFirstSendMs === undefined ? 'n/a' : seconds(crash.restartToFirstSendMs)} after the kill and re-sent the leased rows ` +
        `${crash.firstOrphanResendMs === undefined ? 'n/a' : seconds(crash.firstOrphanResendMs)}–${crash.lastOrphanResendMs === undefined ? 'n/a' : seconds(crash.lastOrphanResendMs)} after it: ` +
        `their lease ended at most ${seconds(crash.maxLeaseLeftMs)} after the kill, and an expired lease puts a row behind the rows ` +
        `already due (claims are ordered by not_before), so they went out after the rest of the queue.`,
    );
  }
  if (problems.length) {
    exitCode = 1;
    console.log(`\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  } else {
    console.log('\nAll invariants held: nothing lost; duplicates only from rows in flight at the kill.');
  }
} catch (error) {
  exitCode = 1;
  if (!abort.aborting) console.error('\nbench:broadcast failed:', error);
} finally {
  await cleanup();
}
process.exit(exitCode);
