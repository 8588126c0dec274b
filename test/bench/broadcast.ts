/**
 * `npm run bench:broadcast`: how fast, how politely and how safely an announcement goes out (issue 4,
 * "Benchmark"; issue 13 added the outages and the crash on the embedded database). It prints numbers; it is
 * not a test. It does exit 1 when an invariant breaks (a recipient lost, a duplicate beyond the rows in flight
 * at a crash or an outage, committed SENT writes lost at a crash, or the Redis outage scenario not finished
 * within 10 s of Redis coming back), so a broken run cannot be pasted as a good one.
 *
 * Shape: this process runs the fake Bot API (loopback HTTP, counters only) and owns the database; the
 * dispatcher runs in a child process (test/bench/dispatcher-worker.ts), the "bot process", so its CPU and
 * memory are measured alone and it can be killed with SIGKILL like a crashing bot. The outage scenarios put
 * a TCP proxy of the bench's own (broadcast/outage-proxy.ts) between the bot process and PostgreSQL or Redis
 * and take it down for a while; the shared servers themselves are never stopped.
 *
 * Needs PostgreSQL: BENCH_DATABASE_URL or TEST_DATABASE_URL (a server URL; the bench creates its own
 * database there and drops it at the end). Redis is optional: BENCH_REDIS_URL or TEST_REDIS_URL makes the
 * rate gate shared through Redis, as in a multi-process deployment; without it (or with BENCH_REDIS_URL set
 * empty) the in-process store is used and the Redis outage scenario is skipped.
 *
 * Knobs for investigating, not for the README numbers: BENCH_SCENARIOS=limit,headroom,crash,pg-outage,
 * redis-outage,crash-embedded (a subset), BENCH_RECIPIENTS=2000 (a quick smoke run; the outage and
 * embedded-crash scenarios send to at most 3,000), BENCH_CPU_PROF=<dir> (V8 CPU profiles of the bot processes).
 *
 * Every wait is bounded (per-scenario deadlines, a global deadline), and every exit path kills the
 * children, closes the fake server and the proxies, drops the database and removes the PGlite folder.
 */
import { setMaxListeners } from 'node:events';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import pg from 'pg';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import {
  DEFAULT_RATE,
  OUTAGE_RECIPIENTS,
  RECIPIENTS,
  TELEGRAM_LIMIT,
  TIME_SCALE,
  abort,
  cleanup,
  cleanups,
  databaseServerUrl,
  fixed,
  int,
  mib,
  printTable,
  redisUrl,
  runId,
  seconds,
} from './broadcast/common.js';
import { describeResult, problemsOf, readmeTable } from './broadcast/report.js';
import { runScenario, type ScenarioResult, type ScenarioSpec } from './broadcast/scenario.js';
import { embeddedStorage, serverStorage, type BenchStorage } from './broadcast/storage.js';

// The fake's latency sleeps each add an abort listener to its one closing signal; 32 requests in flight
// are expected here, not a leak, so Node's default warning threshold of 10 is raised for this process.
setMaxListeners(256);

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

const PG_OUTAGE_MS = 20_000;
const REDIS_OUTAGE_MS = 5_000;
/** The crash and outage scenarios: the rate and the API latency of scenario 3, so their in-flight windows compare. */
const crashLike = { ratePerSecond: 500, latencyMs: 20 } as const;

const scenarios: ScenarioSpec[] = [
  {
    key: 'limit',
    title: `1. Flood limit, clock ×${TIME_SCALE}: dispatcher ${DEFAULT_RATE * TIME_SCALE}/s against a fake limit of ${TELEGRAM_LIMIT * TIME_SCALE}/s`,
    name: '1. Flood limit',
    setup: `${DEFAULT_RATE * TIME_SCALE}/s vs fake limit ${TELEGRAM_LIMIT * TIME_SCALE}/s (= ${DEFAULT_RATE} vs ${TELEGRAM_LIMIT}/s, clock ×${TIME_SCALE})`,
    storage: 'server',
    recipients: RECIPIENTS,
    ratePerSecond: DEFAULT_RATE * TIME_SCALE,
    fakeLimit: TELEGRAM_LIMIT * TIME_SCALE,
    deadlineMs: 200_000,
  },
  {
    key: 'headroom',
    title: '2. Headroom: dispatcher 1,000/s (paid-broadcast limit), fake API unlimited',
    name: '2. Headroom',
    setup: '1,000/s, fake unlimited',
    storage: 'server',
    recipients: RECIPIENTS,
    ratePerSecond: 1000,
    deadlineMs: 120_000,
  },
  {
    key: 'crash',
    title: '3. kill -9 at 50%: dispatcher 500/s, fake API +20 ms latency, leaseMs 5 s',
    name: '3. kill -9 at 50%',
    setup: '500/s, +20 ms latency, leaseMs 5 s, SIGKILL at 50% + restart',
    storage: 'server',
    recipients: RECIPIENTS,
    ...crashLike,
    leaseMs: 5_000,
    killAt: 0.5,
    deadlineMs: 150_000,
  },
  {
    key: 'pg-outage',
    title: `4. PostgreSQL down ${PG_OUTAGE_MS / 1000} s at 35%: ${int(OUTAGE_RECIPIENTS)} recipients, dispatcher 500/s, +20 ms latency, default lease (60 s)`,
    name: `4. PostgreSQL down ${PG_OUTAGE_MS / 1000} s`,
    setup: `${int(OUTAGE_RECIPIENTS)} recipients, 500/s, +20 ms latency, proxy to PostgreSQL down at 35% for ${PG_OUTAGE_MS / 1000} s`,
    storage: 'server',
    recipients: OUTAGE_RECIPIENTS,
    ...crashLike,
    outage: { service: 'postgres', at: 0.35, downMs: PG_OUTAGE_MS },
    deadlineMs: 150_000,
  },
  {
    key: 'redis-outage',
    title: `5. Redis down ${REDIS_OUTAGE_MS / 1000} s at 35%: ${int(OUTAGE_RECIPIENTS)} recipients, dispatcher 500/s, +20 ms latency, default lease (60 s)`,
    name: `5. Redis down ${REDIS_OUTAGE_MS / 1000} s`,
    setup: `${int(OUTAGE_RECIPIENTS)} recipients, 500/s, +20 ms latency, proxy to Redis (rate gate) down at 35% for ${REDIS_OUTAGE_MS / 1000} s`,
    storage: 'server',
    recipients: OUTAGE_RECIPIENTS,
    ...crashLike,
    outage: { service: 'redis', at: 0.35, downMs: REDIS_OUTAGE_MS },
    deadlineMs: 120_000,
  },
  {
    key: 'crash-embedded',
    title: `6. kill -9 at 50% on embedded PGlite: ${int(OUTAGE_RECIPIENTS)} recipients, dispatcher 500/s, +20 ms latency, leaseMs 5 s`,
    name: '6. kill -9 at 50%, embedded PGlite',
    setup: `${int(OUTAGE_RECIPIENTS)} recipients, PGlite data folder, 500/s, +20 ms latency, leaseMs 5 s, SIGKILL at 50% + restart`,
    storage: 'embedded',
    recipients: OUTAGE_RECIPIENTS,
    ...crashLike,
    leaseMs: 5_000,
    killAt: 0.5,
    deadlineMs: 150_000,
  },
];

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
  const server = serverStorage(db, benchDatabaseUrl);
  let embedded: BenchStorage | undefined;

  console.log(
    `\nScenario 1 scales time by ×${TIME_SCALE}: at the production default (${DEFAULT_RATE}/s against Telegram's ${TELEGRAM_LIMIT}/s) ` +
      `${int(RECIPIENTS)} messages take ~${int(RECIPIENTS / DEFAULT_RATE / 60)} minutes, so both rates are multiplied by ${TIME_SCALE} ` +
      `(${DEFAULT_RATE * TIME_SCALE}/s against ${TELEGRAM_LIMIT * TIME_SCALE}/s, the same ${fixed(DEFAULT_RATE / TELEGRAM_LIMIT, 2)} ratio). ` +
      `Not scaled: retry_after (whole seconds, so one 429 costs ${TIME_SCALE}× more messages than in real time), ` +
      `HTTP/database round trips, and the dispatcher's 1 s idle poll.`,
  );
  console.log(`Scenarios 3 and 6 use leaseMs 5 s instead of the default 60 s so the restarted process waits seconds, not a minute, for the dead one's rows.`);
  console.log(
    `Scenarios 4-6 send to ${int(OUTAGE_RECIPIENTS)} recipients (${OUTAGE_RECIPIENTS === 3_000 ? 'the size issue 13 measured them at' : 'BENCH_RECIPIENTS'}); 4 and 5 keep the default 60 s lease, ` +
      `so a row left behind by a failed batch would show as a wait of up to a minute.`,
  );

  const only = process.env.BENCH_SCENARIOS?.split(',').map((k) => k.trim()).filter(Boolean);
  const unknown = only?.filter((k) => !scenarios.some((s) => s.key === k)) ?? [];
  if (unknown.length) throw new Error(`unknown BENCH_SCENARIOS key(s): ${unknown.join(', ')} (keys: ${scenarios.map((s) => s.key).join(', ')})`);
  for (const spec of scenarios.filter((s) => !only?.length || only.includes(s.key))) {
    if (spec.outage?.service === 'redis' && !redisUrl) {
      console.log(`\n=== ${spec.title} ===\n  skipped: no Redis (set BENCH_REDIS_URL or TEST_REDIS_URL)`);
      continue;
    }
    const storage = spec.storage === 'embedded' ? (embedded ??= await embeddedStorage()) : server;
    const result = await runScenario(storage, spec);
    results.push(result);
    describeResult(result);
  }

  // ---------------------------------------------------------------- verdict and README table
  const problems = problemsOf(results);
  console.log(`\nREADME table (${process.version}, ${os.cpus().length} cores, PostgreSQL ${pgVersion}, ${redisUrl ? 'Redis rate gate' : 'in-process rate gate'}):\n`);
  console.log(readmeTable(results).join('\n'));
  for (const r of results) {
    const crash = r.crash;
    if (!crash) continue;
    console.log(
      `\n${r.spec.name}: ${int(crash.orphaned)} rows were leased by the killed process; the new one sent its first message ` +
        `${crash.restartToFirstSendMs === undefined ? 'n/a' : seconds(crash.restartToFirstSendMs)} after the kill and re-sent the leased rows ` +
        `${crash.firstOrphanResendMs === undefined ? 'n/a' : seconds(crash.firstOrphanResendMs)}–${crash.lastOrphanResendMs === undefined ? 'n/a' : seconds(crash.lastOrphanResendMs)} after it ` +
        `(their lease ended at most ${seconds(crash.maxLeaseLeftMs)} after the kill; rows whose lease ran out are claimed before rows waiting their first turn).`,
    );
  }
  if (problems.length) {
    exitCode = 1;
    console.log(`\nPROBLEMS:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  } else {
    console.log('\nAll invariants held: nothing lost; duplicates only from rows in flight at a kill or an outage; no committed write lost; Redis outages recovered in time.');
  }
} catch (error) {
  exitCode = 1;
  if (!abort.aborting) console.error('\nbench:broadcast failed:', error);
} finally {
  await cleanup();
}
process.exit(exitCode);
