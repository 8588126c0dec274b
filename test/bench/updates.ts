/**
 * `npm run bench:updates` (issue 12): how fast this bot turns updates into replies, next to a bare
 * telegraf echo bot as the upper bound, with PostgreSQL + Redis and with the embedded database. It prints
 * numbers; it is not a test. It exits 1 when an update never got a reply in a way that is not slowness
 * (a stall, a kind of update that got no reply at all), so a broken run cannot pass for a fast one.
 *
 * Shape: this process seeds the data sets and runs a lean fake Bot API (test/bench/updates/fake-api.ts);
 * each bot runs as a child process (test/bench/updates/bot-process.ts) with a preload that counts its
 * database statements, so its CPU and memory are its own. Rounds interleave the bots (order rotated per
 * round), so a machine that gets busier mid-bench touches all of them alike.
 *
 * Settings (env): BENCH_UPDATES (20000), BENCH_WARMUP (10000, answered before them; 0 for none), BENCH_ROUNDS (3), BENCH_MODES=echo,postgres,pglite,
 * BENCH_RATE (500), BENCH_RATE_SECONDS (30), BENCH_RATE_EMBEDDED=1 (fixed rate for PGlite too),
 * BENCH_CPU_PROF=<dir> (V8 CPU profiles of our bot), BENCH_DEADLINE_MINUTES (90, the global deadline),
 * BENCH_EPISODES=menu:deadlines,/courses (only the episodes that begin with these kinds: the cost of one kind),
 * BENCH_NODE_FLAGS="--max-semi-space-size=32" (Node or V8 flags for our bot, after npm start's own).
 * PostgreSQL: TEST_DATABASE_URL or BENCH_DATABASE_URL, a server URL; a database of our own is created
 * there and dropped at the end (without it the PostgreSQL mode is skipped). Redis: TEST_REDIS_URL or
 * BENCH_REDIS_URL; db index 14 is used and flushed before each run.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { killAllBots, projectBotCommand, type SpawnOptions } from './updates/bot-process.js';
import { LeanBotApi } from './updates/fake-api.js';
import { ALL_KINDS } from './updates/mix.js';
import { kindTable, markdownTable, MODE_TITLES, runLine } from './updates/report.js';
import { runOnce, type Mode, type RunResult, type RunSettings } from './updates/runner.js';
import { ADMIN_ID, MEMBERS, seedDatabase } from './updates/seed.js';
import { cleanUpOnAbort } from './abort.js';

// ------------------------------------------------------------------ settings

const int = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const value = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number (got ${raw})`);
    process.exit(2);
  }
  return value;
};
const UPDATES = Math.round(int('BENCH_UPDATES', 20_000));
// A bot is measured warm, as it runs in a province: up for days, its hot code compiled by V8. Both bots get
// the same warm-up; its rate (the first updates after start) is printed too. 0 measures from cold.
const WARMUP = process.env.BENCH_WARMUP === '0' ? 0 : Math.round(int('BENCH_WARMUP', 10_000));
const ROUNDS = Math.round(int('BENCH_ROUNDS', 3));
const RATE = int('BENCH_RATE', 500);
const RATE_SECONDS = int('BENCH_RATE_SECONDS', 30);
const RATE_EMBEDDED = process.env.BENCH_RATE_EMBEDDED === '1';
const GLOBAL_DEADLINE_MS = int('BENCH_DEADLINE_MINUTES', 90) * 60_000;
const requested = (process.env.BENCH_MODES || 'echo,postgres,pglite').split(',').map((m) => m.trim()).filter(Boolean);
const bad = requested.filter((m) => !['echo', 'postgres', 'pglite'].includes(m));
if (bad.length) {
  console.error(`BENCH_MODES: unknown ${bad.join(', ')} (echo, postgres, pglite)`);
  process.exit(2);
}
const TOKEN = '123456789:BENCHfakeTokenOnly_0123456789';
const databaseServerUrl = process.env.BENCH_DATABASE_URL || process.env.TEST_DATABASE_URL;
const redisServerUrl = process.env.BENCH_REDIS_URL || process.env.TEST_REDIS_URL;
const runId = randomUUID().replace(/-/g, '').slice(0, 12);

let modes = requested as Mode[];
if (modes.includes('postgres') && (!databaseServerUrl || !redisServerUrl)) {
  console.log(`PostgreSQL + Redis mode skipped: set TEST_DATABASE_URL and TEST_REDIS_URL (or BENCH_DATABASE_URL, BENCH_REDIS_URL); eval "$(bash .ci/services.sh)" starts both.`);
  modes = modes.filter((m) => m !== 'postgres');
}

// ------------------------------------------------------------------ cleanup, signals, global deadline

const cleanups: (() => Promise<void>)[] = [];
let cleaningUp: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    // The bots first: they hold connections to the database about to be dropped.
    killAllBots();
    for (const fn of cleanups.reverse()) {
      await Promise.race([fn().catch((error: unknown) => console.error('cleanup step failed:', error)), sleep(15_000)]);
    }
  })();
  return cleaningUp;
}
// Whatever way this process ends, no bot may outlive it.
process.on('exit', () => killAllBots());
const abort = cleanUpOnAbort(cleanup, GLOBAL_DEADLINE_MS, `${GLOBAL_DEADLINE_MS / 60_000} minutes`);

// ------------------------------------------------------------------ storage

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function adminQuery(sql: string): Promise<pg.QueryResult> {
  const admin = new pg.Client({ connectionString: databaseServerUrl });
  await admin.connect();
  try {
    return await admin.query(sql);
  } finally {
    await admin.end();
  }
}

/** Server pids of the connections to the bench database (the bot's pool), ours excluded. */
async function benchBackends(url: string): Promise<number[]> {
  const name = new URL(url).pathname.slice(1);
  const rows = (await adminQuery(`SELECT pid FROM pg_stat_activity WHERE datname = '${name}' AND pid <> pg_backend_pid()`)).rows as { pid: number }[];
  return rows.map((r) => Number(r.pid));
}

/** CPU (ms) the Redis server has used since it started, user and system, from INFO cpu. */
async function redisCpuMs(client: Redis): Promise<number> {
  const info = await client.info('cpu');
  const seconds = (name: string) => Number(new RegExp(`^${name}:([0-9.]+)`, 'm').exec(info)?.[1] ?? NaN);
  return (seconds('used_cpu_user') + seconds('used_cpu_sys')) * 1000;
}

async function seedPostgres(): Promise<string> {
  const name = `ngo_bench_updates_${runId}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  cleanups.push(async () => void (await adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)));
  const url = withDatabaseName(databaseServerUrl!, name);
  const db = await openDatabase({ kind: 'postgres', url });
  try {
    const started = performance.now();
    await migrateDatabase(db);
    const seedMs = await seedDatabase(db);
    console.log(`PostgreSQL: ${name} migrated and seeded in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${(seedMs / 1000).toFixed(1)} s)`);
  } finally {
    await db.close();
  }
  return url;
}

/** Seeds ${dataDir}/pglite, where the bot looks with DATA_DIR=dataDir; closed before any bot opens it. */
async function seedPglite(dataDir: string): Promise<void> {
  const db = await openDatabase({ kind: 'pglite', dataDir: path.join(dataDir, 'pglite') });
  try {
    const started = performance.now();
    await migrateDatabase(db);
    const seedMs = await seedDatabase(db);
    console.log(`PGlite: ${dataDir}/pglite migrated and seeded in ${((performance.now() - started) / 1000).toFixed(1)} s (seed ${(seedMs / 1000).toFixed(1)} s)`);
  } finally {
    await db.close();
  }
}

// ------------------------------------------------------------------ main

const results: RunResult[] = [];
const problems: string[] = [];
let exitCode = 0;
try {
  let commit = '?';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src', 'locales', 'prisma'], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' }).trim();
    if (dirty) commit += ' (with uncommitted changes in src/, locales/ or prisma/)';
  } catch {
    // not a git checkout
  }
  const cpus = os.cpus();
  console.log(`bench:updates: ${cpus.length} × ${cpus[0]?.model.trim() ?? '?'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, commit ${commit}`);
  console.log(`load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`our bot runs as: ${projectBotCommand().label}`);
  console.log(
    `settings: ${UPDATES} updates per throughput run from ${MEMBERS} members after ${WARMUP} to warm up, ${ROUNDS} rounds, modes ${modes.join(', ')}, ` +
      `${RATE}/s for ${RATE_SECONDS} s (${modes.filter((m) => m !== 'pglite' || RATE_EMBEDDED).join(', ') || 'no mode'})` +
      (process.env.BENCH_EPISODES ? `, only the episodes that begin with ${process.env.BENCH_EPISODES}` : ''),
  );
  // The bot slows a member down after 40 updates in a calendar minute; beyond that, replies go missing by design.
  // With Redis the counts are cleared after the warm-up; the embedded database's bot keeps them in memory.
  const perMember = (UPDATES + RATE * RATE_SECONDS + (RATE_EMBEDDED && modes.includes('pglite') ? WARMUP : 0)) / MEMBERS + 1;
  if (perMember > 38) console.log(`warning: ${perMember.toFixed(0)} updates per member in a run; the bot's flood limit (40 a minute) may swallow some`);

  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-updates-'));
  cleanups.push(async () => rmSync(tmp, { recursive: true, force: true }));

  const api = new LeanBotApi();
  await api.listen();
  cleanups.push(() => api.close());
  const apiRoot = `http://127.0.0.1:${api.port}`;

  let databaseUrl = '';
  let redisUrl = '';
  let redis: Redis | undefined;
  if (modes.includes('postgres')) {
    databaseUrl = await seedPostgres();
    const u = new URL(redisServerUrl!);
    u.pathname = '/14';
    redisUrl = u.toString();
    redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: 5_000 });
    await redis.connect();
    const r = redis;
    cleanups.push(async () => void (await r.flushdb().finally(() => r.disconnect())));
  }
  const pgliteDir = path.join(tmp, 'data');
  if (modes.includes('pglite')) await seedPglite(pgliteDir);

  const common = { BOT_TOKEN: TOKEN, BOT_API_ROOT: apiRoot };
  const project = { ...common, LOG_LEVEL: 'warn', ADMIN_IDS: String(ADMIN_ID), TZ: 'Asia/Tehran' };
  const cpuProfDir = process.env.BENCH_CPU_PROF ? path.resolve(process.env.BENCH_CPU_PROF) : undefined;
  const spawnFor: Record<Mode, SpawnOptions> = {
    echo: { kind: 'echo', env: common, probeDb: 'none', probeKv: 'none', cwd: tmp },
    postgres: {
      kind: 'project',
      env: { ...project, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, DATA_DIR: path.join(tmp, 'unused') },
      probeDb: 'pg',
      probeKv: 'redis',
      cwd: tmp,
      ...(cpuProfDir ? { cpuProfDir } : {}),
    },
    pglite: { kind: 'project', env: { ...project, DATA_DIR: pgliteDir }, probeDb: 'pglite', probeKv: 'none', cwd: tmp, ...(cpuProfDir ? { cpuProfDir } : {}) },
  };
  const settingsFor = (mode: Mode): RunSettings => ({
    updates: UPDATES,
    warmup: WARMUP,
    rate: RATE,
    rateSeconds: RATE_SECONDS,
    withRate: mode !== 'pglite' || RATE_EMBEDDED,
    // The slowest bot the throughput deadline waits for: 25 updates/s (20,000 updates: 14 minutes at most);
    // a slower one is cut off and its figures come from the updates it did answer.
    minRate: 25,
    ...(mode === 'postgres' && redis
      ? { beforeRun: async () => void (await redis!.flushdb()), afterWarmup: async () => void (await redis!.flushdb()), backendPids: () => benchBackends(databaseUrl), redisCpuMs: () => redisCpuMs(redis!) }
      : {}),
  });

  console.log('');
  for (let round = 1; round <= ROUNDS; round++) {
    // Rotated per round, so no bot always runs first (cold caches) or last (warmest machine).
    const order = modes.map((_, i) => modes[(i + round - 1) % modes.length]!);
    for (const mode of order) {
      if (abort.aborting) break;
      const result = await runOnce(mode, round, api, spawnFor[mode], settingsFor(mode));
      // An interrupt killed the bot under the run: its figures mean nothing, and the exit is under way.
      if (abort.aborting) break;
      results.push(result);
      console.log(runLine(result));
      for (const note of result.notes) console.log(`  note: ${note}`);
      for (const problem of result.problems) console.log(`  PROBLEM: ${problem}`);
      problems.push(...result.problems);
    }
  }

  if (abort.aborting) await new Promise(() => {}); // the signal handler's cleanup ends the process
  console.log(`\n## bench:updates: ${UPDATES.toLocaleString('en-US')} updates from ${MEMBERS} members, ${ROUNDS} round(s); ${cpus.length} cores, node ${process.version}, commit ${commit}\n`);
  console.log(markdownTable(results, modes, RATE));
  const kinds = kindTable(results, modes);
  if (kinds) console.log(`\nReplies per kind of update (all runs):\n\n${kinds}`);
  const seen = new Set(results.flatMap((r) => [...r.kinds.keys()]));
  const neverSent = ALL_KINDS.filter((k) => !seen.has(k));
  if (neverSent.length) console.log(`\n(kinds the mix can produce but did not at this size: ${neverSent.join(', ')})`);
  console.log(`\nColumns: ${modes.map((m) => MODE_TITLES[m]).join(' / ')}. Latencies are from the fake Bot API's view (loopback).`);
} catch (error) {
  exitCode = 1;
  if (!abort.aborting) console.error('\nbench:updates failed:', error);
} finally {
  await cleanup();
}
if (problems.length) {
  exitCode = 1;
  console.log(`\nPROBLEMS (exit 1):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
}
process.exit(exitCode);
