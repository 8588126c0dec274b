/**
 * One scenario of bench:broadcast: fill the outbox, start a bot process against the fake Bot API, and
 * watch it to the end, killing it (crash scenarios) or taking its database or Redis away for a while
 * (outage scenarios) on the way. The tallies of who got what come from the fake's own counters.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import os from 'node:os';
import { FakeBotApi } from '../../support/fake-bot-api/index.js';
import type { RecordedCall } from '../../support/fake-bot-api/index.js';
import type { StatusCounts, WorkerConfig, WorkerReport } from '../dispatcher-worker.js';
import { BotProcess } from './bot-process.js';
import { FIRST_CHAT_ID, POLL_MS, TOKEN, cleanups, fixed, int, machineTicks, processCpuMs, redisUrl, runId, seconds } from './common.js';
import { OutageProxy } from './outage-proxy.js';
import type { BenchStorage } from './storage.js';

export interface ScenarioSpec {
  key: string;
  title: string;
  /** Name and setup as the README table shows them. */
  name: string;
  setup: string;
  storage: 'server' | 'embedded';
  recipients: number;
  ratePerSecond: number;
  /** Fake server's global limit (messages per sliding second, 429 beyond); unset = unlimited. */
  fakeLimit?: number;
  /** Added to every sendMessage answer. */
  latencyMs?: number;
  leaseMs?: number;
  /** SIGKILL the bot process once this fraction of recipients has been accepted, then start a new one. */
  killAt?: number;
  /** Take PostgreSQL or Redis away (through a proxy of the bench's own) once this fraction has been accepted. */
  outage?: { service: 'postgres' | 'redis'; at: number; downMs: number };
  deadlineMs: number;
}

export interface CrashFacts {
  killedAtAccepted: number;
  /** Messages accepted before the new process started (the dead one's, including its last in-flight ones). */
  acceptedAtRestart: number;
  /** Rows still leased by the dead process (SENDING) when the new one opened the database. */
  orphaned: number;
  /** Of those, rows whose message the API had already accepted: sent but not recorded, so they will repeat. */
  inFlightAccepted: number;
  /** Rows the killed process saw marked SENT (committed; as far as its messages arrived before the kill). */
  recordedBeforeKill: number;
  /** SENT rows the new process found: fewer than recordedBeforeKill would mean committed writes were lost. */
  sentFoundAtRestart: number;
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
  /** Spawn → dispatching, for the new process (tsx + Prisma start-up, PGlite's recovery). */
  restartBootMs: number;
}

export interface OutageFacts {
  service: 'postgres' | 'redis';
  downAtAccepted: number;
  /** Connections the proxy cut when it went down. */
  cut: number;
  /**
   * Rows in flight at the outage: their message had been accepted by the API (the fake's count for the chat,
   * taken the moment the proxy went down) and the row was still SENDING when the bench read the database
   * right after (its own connection, not through the proxy; nothing of the bot process can reach it then).
   */
  inFlightAtDown?: number;
  /** Rows SENDING at that read (claimed, sent or not). */
  sendingAtDown?: number;
  /** Messages the API accepted while the service was away. */
  acceptedWhileDown: number;
  downForMs: number;
  /** Service back → last accepted message / → the poll that found every row finished. */
  upToLastSendMs: number | undefined;
  upToFinishedMs: number | undefined;
}

export interface ScenarioResult {
  spec: ScenarioSpec;
  complete: boolean;
  enqueueMs: number;
  bootMs: number;
  /** First accepted message → last accepted message. */
  sendSpanMs: number;
  /** Dispatcher started → last accepted message (includes the first claim and any crash or outage). */
  elapsedMs: number;
  /** Dispatcher started → the poll that found every row finished. */
  finishedMs: number | undefined;
  accepted: number;
  attempts: number;
  rejected429: number;
  lost: number;
  duplicatedRecipients: number;
  extraMessages: number;
  peakWindow: number;
  /** Accepted messages per second in consecutive slices from the first send: shows warm-up, pauses, the crash. */
  slices: { sliceMs: number; rates: number[] };
  statusCounts: StatusCounts;
  claimedAgain: number;
  reports: WorkerReport[];
  parentCpuMs: number;
  /** Whole machine, all cores, while dispatching: share of the total CPU capacity that was busy. */
  machineBusy?: number;
  loadAverage: string;
  /** CPU of the PostgreSQL backends serving the bench database (the bot process's pool and ours). */
  postgresCpuMs?: number;
  crash?: CrashFacts;
  outage?: OutageFacts;
}

const hostPort = (url: string) => {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || (u.protocol.startsWith('redis') ? 6379 : 5432)) };
};

export async function runScenario(storage: BenchStorage, spec: ScenarioSpec): Promise<ScenarioResult> {
  console.log(`\n=== ${spec.title} ===`);
  const N = spec.recipients;
  const recipients = Array.from({ length: N }, (_, i) => FIRST_CHAT_ID + i);
  const { enqueueMs } = await storage.fill(recipients, `bench:${runId}:${spec.key}`, spec.key);
  const parentCpu = process.cpuUsage();

  // The outage proxy sits between the bot process and one server; the bench keeps its own direct connections.
  let proxy: OutageProxy | undefined;
  if (spec.outage) {
    const target = spec.outage.service === 'postgres' ? storage.url : redisUrl;
    if (!target) throw new Error(`scenario ${spec.key} needs ${spec.outage.service === 'redis' ? 'Redis (BENCH_REDIS_URL or TEST_REDIS_URL)' : 'PostgreSQL'}`);
    const started = await OutageProxy.start(hostPort(target));
    proxy = started;
    cleanups.push(() => started.close());
  }

  // Counters of our own on top of the fake's: times of accepted sends (rate, peak window) and
  // per-chat counts at any moment (the crash and outage snapshots need them before the run ends).
  const acceptedAt = new Float64Array(N * 2);
  const perChat = new Uint16Array(N);
  let accepted = 0;
  let orphanChats: Set<number> | undefined;
  let firstOrphanResend: number | undefined;
  let lastOrphanResend: number | undefined;
  let killedAt: number | undefined;
  let killedAtAccepted = 0;
  /** Accepted count when the new process was started: the next accepted message is its first. */
  let acceptedAtRestart: number | undefined;
  let current: BotProcess | undefined;
  const killThreshold = spec.killAt === undefined ? Infinity : Math.round(N * spec.killAt);
  const outageThreshold = spec.outage === undefined ? Infinity : Math.round(N * spec.outage.at);
  let downAt: number | undefined;
  let upAt: number | undefined;
  let outage: OutageFacts | undefined;
  let acceptedAtUp = 0;
  let inFlightSnapshot: Promise<void> | undefined;

  const goDown = (now: number): void => {
    downAt = now;
    const atDown = perChat.slice();
    outage = { service: spec.outage!.service, downAtAccepted: accepted, cut: proxy!.goDown(), acceptedWhileDown: 0, downForMs: spec.outage!.downMs, upToLastSendMs: undefined, upToFinishedMs: undefined };
    const facts = outage;
    // The database's in-flight rows at the cut (a Redis outage has none of its own: its batch just goes back).
    if (storage.sending && facts.service === 'postgres') {
      inFlightSnapshot = storage.sending().then((chats) => {
        facts.sendingAtDown = chats.length;
        facts.inFlightAtDown = chats.filter((chat) => (atDown[chat - FIRST_CHAT_ID] ?? 0) > 0).length;
      });
    }
    setTimeout(() => {
      proxy!.up();
      upAt = performance.now();
      acceptedAtUp = accepted;
      facts.downForMs = upAt - now;
      console.log(`  ${facts.service} back after ${seconds(facts.downForMs)} (${int(acceptedAtUp - facts.downAtAccepted)} messages accepted while it was away)`);
    }, spec.outage!.downMs);
    console.log(`  ${facts.service} down (proxy cut ${facts.cut} connections) after ${int(accepted)} accepted messages`);
  };

  const onCall = (call: RecordedCall): void => {
    if (call.method !== 'sendMessage' || !call.response.ok) return;
    const now = performance.now();
    if (accepted < acceptedAt.length) acceptedAt[accepted] = now;
    accepted++;
    const index = Number(call.chatId) - FIRST_CHAT_ID;
    if (index >= 0 && index < N) perChat[index] = perChat[index]! + 1;
    if (orphanChats?.has(Number(call.chatId))) {
      firstOrphanResend ??= now;
      lastOrphanResend = now;
    }
    // Killed (or cut off) from inside the server's callback, so it lands at the fraction and not a poll interval later.
    if (accepted >= killThreshold && killedAt === undefined && current) {
      current.kill();
      killedAt = now;
      killedAtAccepted = accepted;
    }
    if (accepted >= outageThreshold && downAt === undefined) goDown(now);
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

  const viaProxy = (url: string | undefined, service: 'postgres' | 'redis') => (proxy && spec.outage?.service === service && url ? proxy.url(url) : url);
  const workerConfig = (owner: string, extra: Partial<WorkerConfig> = {}): WorkerConfig => {
    const redis = viaProxy(redisUrl, 'redis');
    return {
      database: storage.workerDatabase(viaProxy(storage.url, 'postgres')),
      ...(redis ? { redisUrl: redis } : {}),
      // One namespace per scenario: rate windows and a 429 pause must not leak from one scenario into the next.
      namespace: `bench:broadcast:${runId}:${spec.key}:`,
      apiRoot: api.apiRoot,
      token: TOKEN,
      owner,
      ratePerSecond: spec.ratePerSecond,
      ...(spec.leaseMs !== undefined ? { leaseMs: spec.leaseMs } : {}),
      maxLifetimeMs: spec.deadlineMs + 60_000,
      ...extra,
    };
  };

  const reports: WorkerReport[] = [];
  const first = new BotProcess(workerConfig(`bench-${runId}-${spec.key}-a`, spec.killAt !== undefined ? { reportRecorded: true } : {}));
  current = first;
  const startedAt = await Promise.race([first.started, sleep(60_000).then(() => Promise.reject(new Error('bot process did not start within 60 s')))]);
  const bootMs = startedAt - first.spawnedAt;
  console.log(`  bot process ${first.child.pid} dispatching after ${seconds(bootMs)} of start-up`);
  const machineAtStart = machineTicks();
  // PostgreSQL backends are processes of their own: their CPU since they started is in /proc. Only backends
  // alive at the end are counted (in the crash scenario the killed process's backends end with it).
  const backendCpuAtStart = new Map<number, number>();
  for (const pid of await storage.backends()) backendCpuAtStart.set(pid, processCpuMs(pid) ?? 0);

  let crash: CrashFacts | undefined;
  const deadline = performance.now() + spec.deadlineMs;
  let lastProgress = performance.now();
  let finishedAt: number | undefined;
  while (performance.now() < deadline) {
    await sleep(POLL_MS);
    if (killedAt !== undefined && crash === undefined) crash = await restartAfterKill();
    const counts = await storage.counts(current).catch(() => undefined);
    if (!counts) continue;
    // Not finished while the service is still away: the proxy must come back up before the bench ends.
    if ((counts.PENDING ?? 0) + (counts.SENDING ?? 0) === 0 && (downAt === undefined || upAt !== undefined)) {
      finishedAt = performance.now();
      break;
    }
    if (performance.now() - lastProgress >= 10_000) {
      lastProgress = performance.now();
      console.log(`  … ${int(counts.SENT ?? 0)} / ${int(N)} rows SENT after ${seconds(lastProgress - startedAt)}`);
    }
  }
  const complete = finishedAt !== undefined;
  if (!complete) console.log(`  !! not finished within the scenario deadline of ${seconds(spec.deadlineMs)}`);

  async function restartAfterKill(): Promise<CrashFacts> {
    const dead = current!;
    const exit = await dead.exited;
    const killTime = killedAt!;
    const killWall = Date.now() - (performance.now() - killTime);
    console.log(`  kill -9 of bot process ${dead.child.pid} after ${int(killedAtAccepted)} accepted messages (exit signal ${exit.signal})`);
    // Requests already on the wire are still answered by the server (as Telegram would deliver them);
    // let those 20 ms answers land before the new process reads who holds what.
    await sleep(Math.max(200, (spec.latencyMs ?? 0) * 5));
    acceptedAtRestart = accepted;
    // The new process reads the dead one's leases itself before it dispatches: PGlite has one process at a time.
    const next = new BotProcess(workerConfig(`bench-${runId}-${spec.key}-b`, { reportLeasedBy: dead.config.owner }));
    current = next;
    const leased = await Promise.race([next.leased, sleep(60_000).then(() => undefined)]);
    if (!leased) throw new Error('restarted bot process did not report the dead one\'s leases within 60 s');
    orphanChats = new Set(leased.rows.map((o) => o.chatId));
    const inFlightAccepted = leased.rows.filter((o) => (perChat[o.chatId - FIRST_CHAT_ID] ?? 0) > 0).length;
    const maxLeaseLeftMs = Math.max(0, ...leased.rows.map((o) => o.leaseUntilMs - killWall));
    const restartedAt = await Promise.race([next.started, sleep(60_000).then(() => Promise.reject(new Error('restarted bot process did not start within 60 s')))]);
    console.log(`  new bot process ${next.child.pid} (new owner id) dispatching ${seconds(restartedAt - killTime)} after the kill`);
    return {
      killedAtAccepted,
      acceptedAtRestart: acceptedAtRestart,
      orphaned: leased.rows.length,
      inFlightAccepted,
      recordedBeforeKill: dead.recordedRows,
      sentFoundAtRestart: leased.counts.SENT ?? 0,
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

  await inFlightSnapshot;
  const machineAtEnd = machineTicks();
  let postgresCpuMs: number | undefined;
  for (const pid of await storage.backends()) {
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
  await proxy?.close();

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
  if (outage && upAt !== undefined) {
    outage.acceptedWhileDown = acceptedAtUp - outage.downAtAccepted;
    outage.upToLastSendMs = lastSend > upAt ? lastSend - upAt : undefined;
    outage.upToFinishedMs = finishedAt === undefined ? undefined : finishedAt - upAt;
  }
  const { counts: statusCounts, claimedAgain } = await storage.finalCounts();
  const cpu = process.cpuUsage(parentCpu);
  return {
    spec,
    complete,
    enqueueMs,
    bootMs,
    sendSpanMs: lastSend - firstSend,
    elapsedMs: lastSend - startedAt,
    finishedMs: finishedAt === undefined ? undefined : finishedAt - startedAt,
    accepted,
    attempts: (stats.accepted.sendMessage ?? 0) + (stats.rejected.sendMessage ?? 0),
    rejected429: stats.rejected429,
    lost,
    duplicatedRecipients,
    extraMessages,
    peakWindow,
    slices: { sliceMs, rates },
    statusCounts,
    claimedAgain,
    reports,
    parentCpuMs: (cpu.user + cpu.system) / 1000,
    loadAverage,
    ...(postgresCpuMs !== undefined ? { postgresCpuMs } : {}),
    ...(machineAtStart && machineAtEnd && machineAtEnd.total > machineAtStart.total
      ? { machineBusy: (machineAtEnd.busy - machineAtStart.busy) / (machineAtEnd.total - machineAtStart.total) }
      : {}),
    ...(crash ? { crash } : {}),
    ...(outage ? { outage } : {}),
  };
}
