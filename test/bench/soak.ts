/**
 * npm run bench:soak — an hour of an office's traffic compressed into a few minutes, on a PostgreSQL
 * server and Redis, against the bot as production runs it (compiled dist/main.js with npm start's flags,
 * long polling against a lean fake Bot API): members' updates at a steady rate (menus, commands, lists,
 * buttons, forms begun and cancelled), two announcements to 5,000 people each through the outbox, and
 * the cron jobs ticking every minute (deadline and course reminders among them; a deadline due today
 * gives the reminder tick real work). It reads the bot's own /metrics every few seconds and prints RSS,
 * heap and event-loop delay p99 over time, then checks that nothing was lost or sent twice.
 *
 * SOAK_MINUTES (default 5), SOAK_RATE (updates per second, default 40), BENCH_DATABASE_URL / BENCH_REDIS_URL
 * (default TEST_DATABASE_URL / TEST_REDIS_URL: `eval "$(bash .ci/services.sh)"` first).
 */
import { execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { sample } from '../support/prometheus.js';
import { withDatabaseName } from '../support/database.js';
import { cleanUpOnAbort } from './abort.js';
import { BotChild, killAllBots, projectBotCommand } from './updates/bot-process.js';
import { LeanBotApi } from './updates/fake-api.js';
import { buildMix } from './updates/mix.js';
import { ADMIN_ID, MEMBERS, seedDatabase, USER_ID_BASE } from './updates/seed.js';

const TOKEN = '123456789:SOAK-fake-token-only-aaaaaaaaaaaa';
const databaseServerUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const redisUrl = (process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL) || undefined;
const runId = Date.now().toString(36);
const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const fixed = (n: number, digits = 1): string => n.toFixed(digits);
const mib = (bytes: number): string => `${fixed(bytes / 2 ** 20, 0)} MiB`;

const MINUTES = Number(process.env.SOAK_MINUTES ?? 5);
const RATE = Number(process.env.SOAK_RATE ?? 40);
const SAMPLE_MS = 5_000;
const BROADCAST_RECIPIENTS = 5_000;
/** Share of the run after which memory should have stopped growing. */
const WARM_UP = 0.3;
const DRAIN_LIMIT_MS = 180_000;

if (!databaseServerUrl || !redisUrl) {
  console.error('bench:soak needs a PostgreSQL server and Redis: eval "$(bash .ci/services.sh)" first (or BENCH_DATABASE_URL and BENCH_REDIS_URL)');
  process.exit(2);
}

const cleanups: (() => Promise<unknown>)[] = [];
async function cleanup(): Promise<void> {
  killAllBots();
  for (const step of cleanups.splice(0).reverse()) await step().catch(() => {});
}
cleanUpOnAbort(cleanup, (MINUTES + 10) * 60_000, `${MINUTES + 10} minutes`);

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: databaseServerUrl });
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** A deadline for the first county's NGOs, due at the end of today (Tehran): its "due today" reminder is owed now. */
async function deadlineDueToday(db: Database): Promise<void> {
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO deadlines (id, kind, title, due_at, audience, reminder_days, status, created_by, created_at)
    SELECT 9001, 'GENERAL'::"DeadlineKind", 'گزارش فوری', date_trunc('day', now() AT TIME ZONE 'Asia/Tehran') AT TIME ZONE 'Asia/Tehran' + interval '23 hours',
           jsonb_build_object('countyIds', jsonb_build_array(min(id)), 'fieldIds', '[]'::jsonb), '[1]'::jsonb, 'OPEN'::"DeadlineStatus", ${ADMIN_ID}, now() - interval '2 days'
    FROM counties`);
  await db.prisma.$executeRawUnsafe(`
    INSERT INTO deadline_targets (deadline_id, ngo_id)
    SELECT 9001, n.id FROM ngos n WHERE n.status = 'APPROVED' AND n.county_id = (SELECT min(id) FROM counties)`);
}

interface Sample {
  atS: number;
  rss: number;
  heap: number;
  lagP99: number;
  handled: number;
  sent: number;
  due: number;
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  return res.text();
}

const sumOver = (text: string, name: string, labelPart: string) =>
  text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(labelPart))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);

let exitCode = 0;
try {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  console.log(`bench:soak: ${os.cpus().length} cores, node ${process.version}, commit ${commit}; ${MINUTES} min at ${RATE} updates/s (${int(MINUTES * 60 * RATE)} updates, about an hour of a busy office), 2 announcements × ${int(BROADCAST_RECIPIENTS)}`);
  console.log(`bot: ${projectBotCommand().label}`);

  // ---- storage: a database of its own, seeded as bench:updates seeds it (20,000 NGOs, 100,000 users)
  const name = `ngo_bench_soak_${runId}`;
  await adminQuery(`CREATE DATABASE "${name}"`);
  cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  const url = withDatabaseName(databaseServerUrl, name);
  const db = await openDatabase({ kind: 'postgres', url });
  cleanups.push(() => db.close());
  await migrateDatabase(db);
  console.log(`seeded in ${fixed((await seedDatabase(db)) / 1000)} s`);
  await deadlineDueToday(db);
  const outbox = createOutbox({ prisma: db.prisma });

  // ---- the fake Bot API, counting each announcement's copies per chat
  const api = new LeanBotApi();
  await api.listen();
  cleanups.push(() => api.close());
  const receipts = new Map<string, number>();
  const answer = Reflect.get(api, 'answer') as (method: string, params: Record<string, unknown>) => unknown;
  Reflect.set(api, 'answer', (method: string, params: Record<string, unknown>) => {
    const marker = typeof params.text === 'string' ? /^soak-announcement-\d+/.exec(params.text)?.[0] : undefined;
    if (method === 'sendMessage' && marker) receipts.set(`${marker}:${params.chat_id}`, (receipts.get(`${marker}:${params.chat_id}`) ?? 0) + 1);
    return answer.call(api, method, params);
  });

  // ---- the bot
  const port = await freePort();
  const bot = new BotChild({
    kind: 'project',
    env: {
      BOT_TOKEN: TOKEN,
      BOT_API_ROOT: `http://127.0.0.1:${api.port}`,
      DATABASE_URL: url,
      REDIS_URL: redisUrl,
      HTTP_PORT: String(port),
      ADMIN_IDS: String(ADMIN_ID),
      SEND_RATE: '200',
      LOG_LEVEL: 'warn',
    },
    probeDb: 'pg',
    probeKv: 'redis',
    cwd: new URL('../..', import.meta.url).pathname,
  });
  cleanups.push(() => bot.stop());
  const startedAt = performance.now();
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.status, () => 0);
    if (ready === 200) break;
    if (!bot.alive || performance.now() - startedAt > 60_000) throw new Error(`the bot did not become ready: ${bot.firstLines.join(' | ')}`);
    await sleep(200);
  }
  console.log(`ready (/readyz 200) ${fixed((performance.now() - startedAt) / 1000)} s after start`);

  // ---- traffic: update ids of this run only (Redis remembers handled ids for a day)
  const total = MINUTES * 60 * RATE;
  const idBase = Math.floor(Date.now() / 1000) * 1000;
  const mix = buildMix(total, 1, MEMBERS);
  for (const u of mix) u.update.update_id += idBase;
  api.enqueue(mix);
  const announcements = [0.25, 0.6].map((at, i) => ({ at, marker: `soak-announcement-${i + 1}`, sent: false }));
  const recipientsOf = (i: number) => Array.from({ length: BROADCAST_RECIPIENTS }, (_, k) => USER_ID_BASE + 1 + ((i * BROADCAST_RECIPIENTS + k) % 100_000));

  const samples: Sample[] = [];
  const runStart = performance.now();
  let nextSample = runStart;
  const durationMs = MINUTES * 60_000;
  const takeSample = async () => {
    const text = await scrape(port);
    samples.push({
      atS: (performance.now() - runStart) / 1000,
      rss: sample(text, 'process_resident_memory_bytes'),
      heap: sample(text, 'nodejs_heap_size_used_bytes'),
      lagP99: sample(text, 'nodejs_eventloop_lag_p99_seconds'),
      handled: sumOver(text, 'ngo_bot_updates_total', 'outcome="handled"'),
      sent: sample(text, 'ngo_bot_messages_total', { outcome: 'sent' }),
      due: sample(text, 'ngo_bot_outbox_due'),
    });
  };
  for (;;) {
    const elapsed = performance.now() - runStart;
    if (elapsed >= durationMs && api.offeredCount >= total) break;
    api.offer(Math.min(total, Math.floor((elapsed / 1000) * RATE)) - api.offeredCount);
    for (const [i, a] of announcements.entries()) {
      if (!a.sent && elapsed >= a.at * durationMs) {
        a.sent = true;
        await outbox.enqueue({ payload: { kind: 'TEXT', text: `${a.marker} نشست هم‌اندیشی سمن‌ها` }, recipients: recipientsOf(i), source: { type: 'broadcast', id: String(i + 1) } });
      }
    }
    if (performance.now() >= nextSample) {
      nextSample += SAMPLE_MS;
      await takeSample();
    }
    if (!bot.alive) throw new Error('the bot exited during the run');
    await sleep(100);
  }

  // ---- drain: every update answered, the outbox empty
  const drainStart = performance.now();
  for (;;) {
    const unanswered = mix.filter((u) => u.repliedAt === 0).length;
    // A claimed row's not_before is its lease end: being sent counts as waiting whatever it says.
    const waiting = await db.prisma.outboxDelivery.count({ where: { OR: [{ status: 'SENDING' }, { status: 'PENDING', notBefore: { lte: new Date() } }] } });
    if ((unanswered === 0 && waiting === 0) || performance.now() - drainStart > DRAIN_LIMIT_MS) break;
    await sleep(500);
  }
  await takeSample();
  const finalMetrics = await scrape(port);
  const stats = await bot.stats();

  // ---- figures
  console.log('\n| t (s) | RSS | heap used | event-loop p99 | updates handled | messages sent | outbox due |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const s of samples) {
    console.log(`| ${fixed(s.atS, 0)} | ${mib(s.rss)} | ${mib(s.heap)} | ${fixed(s.lagP99 * 1000, 1)} ms | ${int(s.handled)} | ${int(s.sent)} | ${int(s.due)} |`);
  }
  const after = samples.filter((s) => s.atS >= WARM_UP * MINUTES * 60);
  const firstAfter = after[0]!;
  const last = samples.at(-1)!;
  const growthPerMin = ((last.rss - firstAfter.rss) / ((last.atS - firstAfter.atS) / 60)) / 2 ** 20;
  const lagP99 = [...samples.map((s) => s.lagP99)].sort((a, b) => a - b);
  const unanswered = mix.filter((u) => u.repliedAt === 0).length;
  const expected = announcements.flatMap((a, i) => recipientsOf(i).map((chat) => `${a.marker}:${chat}`));
  const lost = expected.filter((key) => !receipts.has(key)).length;
  const duplicated = [...receipts.values()].filter((n) => n > 1).reduce((t, n) => t + n - 1, 0);
  const notSent = await db.prisma.outboxDelivery.count({ where: { status: { notIn: ['SENT', 'UNREACHABLE', 'CANCELLED'] }, notBefore: { lte: new Date() } } });
  const reminders = sumOver(finalMetrics, 'ngo_bot_reminders_enqueued_total', 'kind=');
  const jobRuns = sumOver(finalMetrics, 'ngo_bot_job_runs_total', 'outcome="ok"');
  const jobFailures = sumOver(finalMetrics, 'ngo_bot_job_runs_total', 'outcome="failed"');
  const failedUpdates = sumOver(finalMetrics, 'ngo_bot_updates_total', 'outcome="failed"');

  console.log(`
| figure | value |
|---|---|
| updates offered / answered / unanswered | ${int(total)} / ${int(total - unanswered)} / ${int(unanswered)} |
| updates failed (ngo_bot_updates_total{outcome="failed"}) | ${int(failedUpdates)} |
| announcements: copies expected / lost / duplicated | ${int(expected.length)} / ${int(lost)} / ${int(duplicated)} |
| outbox rows due and not sent at the end | ${int(notSent)} |
| reminder deliveries enqueued by the reminder ticks | ${int(reminders)} |
| cron job runs ok / failed | ${int(jobRuns)} / ${int(jobFailures)} |
| RSS after warm-up (t=${fixed(firstAfter.atS, 0)} s) → end | ${mib(firstAfter.rss)} → ${mib(last.rss)} (${fixed(growthPerMin, 2)} MiB/min) |
| RSS peak | ${mib(Math.max(...samples.map((s) => s.rss)))} |
| event-loop delay p99, per ${SAMPLE_MS / 1000} s window: median / worst | ${fixed(lagP99[Math.floor(lagP99.length / 2)]! * 1000, 1)} ms / ${fixed(lagP99.at(-1)! * 1000, 1)} ms |
| bot CPU | ${fixed((stats.cpu.user + stats.cpu.system) / 1e6, 1)} s |
| drain after the last update | ${fixed((performance.now() - drainStart) / 1000, 1)} s |`);
  if (bot.outputLines > 0) console.log(`\nthe bot wrote ${bot.outputLines} lines at warn or above; first: ${bot.firstLines.join('\n  ')}`);

  const problems = [
    unanswered > 0 && `${unanswered} updates unanswered`,
    lost > 0 && `${lost} announcement copies lost`,
    duplicated > 0 && `${duplicated} announcement copies duplicated`,
    notSent > 0 && `${notSent} outbox rows not sent`,
    growthPerMin > 2 && `RSS grew ${fixed(growthPerMin, 2)} MiB/min after warm-up`,
  ].filter(Boolean);
  console.log(problems.length ? `\nPROBLEMS: ${problems.join('; ')}` : '\nOK: 0 lost, 0 duplicated, every update answered, no RSS growth after warm-up');
  if (problems.length) exitCode = 1;
} catch (error) {
  console.error(error);
  exitCode = 1;
} finally {
  await cleanup();
}
process.exit(exitCode);
