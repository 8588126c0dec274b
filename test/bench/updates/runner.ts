/**
 * One run: a fresh bot child through the phases of the bench (issue 12, "Build"):
 *   a. start: spawned with a /start already queued; spawn → its reply
 *   b. RSS idle, 3 s after that reply
 *   c. warm-up: W updates of another mix, queued at once, answered and not measured beyond their rate
 *      (V8 compiles the hot code while the first thousands run: a bot that has been up for a day is warm)
 *   d. throughput: N updates queued at once, handed out 100 at a time as the bot polls
 *   e. RSS right after the throughput phase
 *   f. fixed rate: R updates/s offered for S seconds (when asked for)
 * Every wait is bounded. A phase ends when every update has its reply, at its deadline (the bot is slow:
 * reported, not an error), or when the bot stalls: everything handed out, the bot polling again with
 * nothing left, and no reply for 3 s while some updates have none. A stall is not slowness but a
 * missing reply (a wrong mix, a crashed handler), and the bench exits 1 for it.
 */
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { BotChild, postgresCpuMs, processCpuMs, threadTimes, type ProbeStats, type SpawnOptions } from './bot-process.js';
import type { LeanBotApi, TrackedUpdate } from './fake-api.js';
import { buildMix, startUpdate } from './mix.js';

export type Mode = 'echo' | 'postgres' | 'pglite';

export interface RunSettings {
  updates: number;
  /** Updates answered before the throughput phase (0: none, the throughput phase starts cold). */
  warmup: number;
  rate: number;
  rateSeconds: number;
  withRate: boolean;
  /** Slowest throughput the deadline allows for (updates/s); a slower bot is cut off and reported. */
  minRate: number;
  /** Called before the child starts (e.g. FLUSHDB). */
  beforeRun?: () => Promise<void>;
  /** Called after the warm-up: its updates must not count towards the members' flood limit (FLUSHDB). */
  afterWarmup?: () => Promise<void>;
  /** PostgreSQL mode: the server pids of the backends connected to the bench database. */
  backendPids?: () => Promise<number[]>;
  /** PostgreSQL mode: the CPU (ms) the Redis server has used so far (INFO cpu). */
  redisCpuMs?: () => Promise<number>;
}

/**
 * Where the throughput phase's time went, in ms per update: the bot's main thread on a core and waiting
 * for one (a 2-core machine shared with the database, Redis and the fake Bot API), the bot's other
 * threads (V8's garbage collector and compiler helpers, libuv), the bench process (mostly the fake Bot
 * API) and the Redis server. Linux only.
 */
export interface TimeSplit {
  mainRun: number;
  mainWait: number;
  otherThreads: number;
  fakeApi: number;
  redis?: number;
}

export interface Latencies {
  p50: number;
  p95: number;
  p99: number;
}

export interface RunResult {
  mode: Mode;
  round: number;
  startMs?: number;
  rssIdle?: number;
  rssAfter?: number;
  /** The warm-up's updates/s: the first updates after start, while V8 still compiles the hot code. */
  warmupPerSec?: number;
  updatesPerSec?: number;
  throughputComplete: boolean;
  answered: number;
  cpuPerUpdateMs?: number;
  queriesPerUpdate?: number;
  transactionsPerUpdate?: number;
  redisPerUpdate?: number;
  pgCpuPerUpdateMs?: number;
  /** The same, counting only the backends of the bench database (others' work on the server left out). */
  pgBackendCpuPerUpdateMs?: number;
  time?: TimeSplit;
  p50Start?: number;
  p50Deadlines?: number;
  rate?: { offered: number; achieved: number; keepsUp: boolean; answered: number; handed: Latencies; offered_: Latencies };
  /**
   * Per kind over both phases: updates sent, replied, and "off": a callback answered with a text (a
   * refusal, a stale button) or a message answered by the catch-all or an error (the mix is wrong there).
   */
  kinds: Map<string, { sent: number; replied: number; off: number; sample?: string }>;
  problems: string[];
  notes: string[];
}

const percentile = (sorted: number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : NaN);

function latencies(values: number[]): Latencies {
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

function median(values: number[]): number | undefined {
  return values.length ? latencies(values).p50 : undefined;
}

const locale = (file: string) => JSON.parse(readFileSync(new URL(`../../../locales/fa/${file}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const unhandled = locale('unhandled') as Record<string, string>;
const errors = (locale('common').errors ?? {}) as Record<string, string>;
/** Replies that mean "not understood" or "failed": a kind of update answered with these is not what the mix meant. */
const OFF_REPLIES = new Set([unhandled.text, unhandled.command, unhandled.media, errors.generic, errors.too_fast, errors.not_admin].filter(Boolean));

/** Why an update's reply looks wrong for its kind, or undefined when it looks right. */
function offReply(u: TrackedUpdate): string | undefined {
  if (u.answerText) return u.answerText;
  // Free text is meant to get the catch-all.
  if (u.kind !== 'text' && u.firstText && OFF_REPLIES.has(u.firstText)) return u.firstText;
  return undefined;
}

type Outcome = 'complete' | 'deadline' | 'stalled' | 'exited';

/** Waits for every update of `batch` to have a reply, or the deadline, a stall, or the child's exit. */
async function waitForReplies(api: LeanBotApi, bot: BotChild, batch: TrackedUpdate[], deadline: number, allOffered: () => boolean): Promise<Outcome> {
  // Replies come roughly in order: skip the answered prefix, then look for any gap after it.
  let from = 0;
  for (;;) {
    while (from < batch.length && batch[from]!.repliedAt !== 0) from++;
    if (!batch.some((u, i) => i >= from && u.repliedAt === 0)) return 'complete';
    if (!bot.alive) return 'exited';
    const now = performance.now();
    if (now > deadline) return 'deadline';
    const allHanded = allOffered() && batch.every((u) => u.handedAt !== 0);
    if (allHanded && api.pollingIdle && now - Math.max(api.lastReplyAt, batch.at(-1)!.handedAt) > 3_000) return 'stalled';
    await sleep(50);
  }
}

/** Updates/s from the first hand-out to the last reply of the answered ones. */
function rateOf(batch: TrackedUpdate[]): number | undefined {
  const answered = batch.filter((u) => u.repliedAt !== 0);
  if (answered.length === 0) return undefined;
  const firstHanded = Math.min(...batch.map((u) => u.handedAt || Infinity));
  const lastReply = Math.max(...answered.map((u) => u.repliedAt));
  return (answered.length * 1000) / Math.max(1, lastReply - firstHanded);
}

function unansweredSummary(batch: TrackedUpdate[]): string {
  const byKind = new Map<string, number>();
  for (const u of batch) if (u.repliedAt === 0) byKind.set(u.kind, (byKind.get(u.kind) ?? 0) + 1);
  return [...byKind].map(([k, n]) => `${k} ×${n}`).join(', ');
}

export async function runOnce(mode: Mode, round: number, api: LeanBotApi, spawnOptions: SpawnOptions, settings: RunSettings): Promise<RunResult> {
  const result: RunResult = { mode, round, throughputComplete: false, answered: 0, kinds: new Map(), problems: [], notes: [] };
  api.reset();
  await settings.beforeRun?.();

  // a. start, with /start already waiting
  const first = startUpdate(0);
  api.enqueue([first]);
  api.offer(1);
  const spawnedAt = performance.now();
  const bot = new BotChild(spawnOptions);
  try {
    const startOutcome = await waitForReplies(api, bot, [first], spawnedAt + 90_000, () => true);
    if (startOutcome !== 'complete') {
      result.problems.push(`${mode}: the first /start got no reply (${startOutcome})`);
      return result;
    }
    result.startMs = first.repliedAt - spawnedAt;

    // b. idle memory, once start-up work (command menus, first queries) has settled
    await sleep(3_000);
    result.rssIdle = (await bot.stats()).rss;

    // c. warm-up
    if (settings.warmup > 0) {
      const warm = buildMix(settings.warmup, 3);
      api.enqueue(warm);
      api.offer(warm.length);
      const warmOutcome = await waitForReplies(api, bot, warm, performance.now() + 30_000 + (settings.warmup / settings.minRate) * 1000, () => true);
      result.warmupPerSec = rateOf(warm);
      if (warmOutcome !== 'complete') {
        result.problems.push(`${mode}: warm-up ${warmOutcome} with ${warm.filter((u) => u.repliedAt === 0).length} updates unanswered (${unansweredSummary(warm)})`);
        return result;
      }
      await settings.afterWarmup?.();
    }

    // d. throughput
    const mix = buildMix(settings.updates, 1);
    api.enqueue(mix);
    const before: ProbeStats = await bot.stats();
    const pgBefore = mode === 'postgres' ? postgresCpuMs() : undefined;
    // Backends the bot opens during the phase count from zero; ones that close during it are lost (rare: pg.Pool keeps busy ones).
    const backendsBefore = new Map<number, number>();
    for (const pid of (await settings.backendPids?.()) ?? []) backendsBefore.set(pid, processCpuMs(pid) ?? 0);
    const threadsBefore = bot.child.pid === undefined ? undefined : threadTimes(bot.child.pid);
    const benchCpuBefore = process.cpuUsage();
    const redisBefore = await settings.redisCpuMs?.();
    const phaseStart = performance.now();
    api.offer(mix.length);
    const outcome = await waitForReplies(api, bot, mix, phaseStart + 30_000 + (settings.updates / settings.minRate) * 1000, () => true);
    const after: ProbeStats = await bot.stats();
    const threadsAfter = bot.child.pid === undefined ? undefined : threadTimes(bot.child.pid);
    const benchCpu = process.cpuUsage(benchCpuBefore);
    const redisAfter = await settings.redisCpuMs?.();
    const pgAfter = mode === 'postgres' ? postgresCpuMs() : undefined;
    let backendCpu: number | undefined;
    if (settings.backendPids) {
      backendCpu = 0;
      for (const pid of await settings.backendPids()) backendCpu += (processCpuMs(pid) ?? 0) - (backendsBefore.get(pid) ?? 0);
    }
    const answered = mix.filter((u) => u.repliedAt !== 0);
    result.answered = answered.length;
    result.throughputComplete = outcome === 'complete';
    result.updatesPerSec = rateOf(mix);
    const n = Math.max(1, answered.length);
    result.cpuPerUpdateMs = (after.cpu.user - before.cpu.user + after.cpu.system - before.cpu.system) / 1000 / n;
    result.notes.push(`${mode}: bot CPU per update ${((after.cpu.user - before.cpu.user) / 1000 / n).toFixed(3)} ms user + ${((after.cpu.system - before.cpu.system) / 1000 / n).toFixed(3)} ms system (kernel: socket writes and reads)`);
    if (mode !== 'echo') {
      result.queriesPerUpdate = (after.queries - before.queries) / n;
      result.transactionsPerUpdate = (after.transactions - before.transactions) / n;
      if (mode === 'postgres') result.redisPerUpdate = (after.redis - before.redis) / n;
    }
    if (after.trace) {
      // BENCH_PROBE_TRACE=1: the statements of the throughput phase, most frequent first, per update.
      const earlier = new Map(before.trace ?? []);
      const top = after.trace
        .map(([text, count]) => [text, count - (earlier.get(text) ?? 0)] as const)
        .filter(([, count]) => count > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 12);
      result.notes.push(`${mode}: statements per update in the throughput phase:\n${top.map(([t, c]) => `      ${(c / n).toFixed(3)}  ${t}`).join('\n')}`);
    }
    if (threadsBefore && threadsAfter) {
      result.time = {
        mainRun: (threadsAfter.mainRunMs - threadsBefore.mainRunMs) / n,
        mainWait: (threadsAfter.mainWaitMs - threadsBefore.mainWaitMs) / n,
        otherThreads: (threadsAfter.allRunMs - threadsAfter.mainRunMs - (threadsBefore.allRunMs - threadsBefore.mainRunMs)) / n,
        fakeApi: (benchCpu.user + benchCpu.system) / 1000 / n,
        ...(redisBefore !== undefined && redisAfter !== undefined ? { redis: (redisAfter - redisBefore) / n } : {}),
      };
    }
    if (pgBefore !== undefined && pgAfter !== undefined) result.pgCpuPerUpdateMs = (pgAfter - pgBefore) / n;
    if (backendCpu !== undefined) result.pgBackendCpuPerUpdateMs = backendCpu / n;
    const p50Of = (kinds: string[]) => median(answered.filter((u) => kinds.includes(u.kind)).map((u) => u.repliedAt - u.handedAt));
    result.p50Start = p50Of(['/start']);
    result.p50Deadlines = p50Of(['/deadlines']);
    if (outcome === 'stalled' || outcome === 'exited') {
      result.problems.push(`${mode}: throughput phase ${outcome} with ${mix.length - answered.length} updates unanswered (${unansweredSummary(mix)})`);
    } else if (outcome === 'deadline') {
      result.notes.push(`${mode}: throughput phase hit its deadline with ${mix.length - answered.length} of ${mix.length} unanswered (slow, figures from the answered ones)`);
    }

    // e. memory after the burst
    result.rssAfter = after.rss;

    // f. fixed rate
    let rateBatch: TrackedUpdate[] = [];
    if (settings.withRate && outcome === 'complete') {
      rateBatch = buildMix(Math.round(settings.rate * settings.rateSeconds), 2);
      api.enqueue(rateBatch);
      const t0 = performance.now();
      const end = t0 + settings.rateSeconds * 1000;
      let offered = 0;
      // Offered in 10 ms steps against the clock, so a late timer catches up instead of lowering the rate.
      while (offered < rateBatch.length) {
        const due = Math.min(rateBatch.length, Math.floor(((performance.now() - t0) * settings.rate) / 1000));
        if (due > offered) offered += api.offer(due - offered);
        await sleep(10);
        if (!bot.alive) break;
      }
      const rateOutcome = await waitForReplies(api, bot, rateBatch, end + 30_000, () => offered >= rateBatch.length);
      const done = rateBatch.filter((u) => u.repliedAt !== 0);
      const inWindow = done.filter((u) => u.repliedAt <= end).length;
      const allByEnd = rateBatch.every((u) => u.repliedAt !== 0 && u.repliedAt <= end + 2_000);
      const achieved = (inWindow * 1000) / (end - t0);
      result.rate = {
        offered: settings.rate,
        achieved,
        keepsUp: allByEnd && achieved >= 0.97 * settings.rate,
        answered: done.length,
        handed: latencies(done.map((u) => u.repliedAt - u.handedAt)),
        offered_: latencies(done.map((u) => u.repliedAt - u.offeredAt)),
      };
      if (rateOutcome === 'stalled' || rateOutcome === 'exited') {
        result.problems.push(`${mode}: fixed-rate phase ${rateOutcome} with ${rateBatch.length - done.length} unanswered (${unansweredSummary(rateBatch)})`);
      } else if (rateOutcome === 'deadline') {
        result.notes.push(`${mode}: fixed-rate phase: ${rateBatch.length - done.length} of ${rateBatch.length} still unanswered 30 s after the end (percentiles of the answered ones)`);
      }
    }

    for (const u of [...mix, ...rateBatch]) {
      const k = result.kinds.get(u.kind) ?? { sent: 0, replied: 0, off: 0 };
      k.sent++;
      if (u.repliedAt !== 0) k.replied++;
      const off = offReply(u);
      if (off) {
        k.off++;
        k.sample ??= off;
      }
      result.kinds.set(u.kind, k);
    }
    // The echo bot answers everything the same way; its kinds say nothing about the mix.
    if (mode !== 'echo') {
      for (const [kind, k] of result.kinds) {
        if (k.sent > 0 && k.replied === 0) result.problems.push(`${mode}: no ${kind} update got any reply: the mix is wrong for this bot`);
        if (k.off > 0) {
          const verdict = k.off > k.sent / 10 ? 'check the mix' : 'a few are expected (e.g. the flood limit)';
          result.notes.push(`${mode}: ${k.off} of ${k.sent} ${kind} updates were answered with "${k.sample?.slice(0, 80)}" (a refusal, a stale button or the catch-all; ${verdict})`);
        }
      }
    }
    return result;
  } catch (error) {
    result.problems.push(`${mode}: run failed: ${error instanceof Error ? error.message : String(error)}`);
    return result;
  } finally {
    if (bot.outputLines > 0) {
      result.notes.push(`${mode}: the bot wrote ${bot.outputLines} log lines at LOG_LEVEL=warn; first: ${bot.firstLines.join(' | ').slice(0, 600)}`);
    }
    await bot.stop();
  }
}
