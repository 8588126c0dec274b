/**
 * `npm run bench:outages-writing` (issue 16): outages while people are writing, not only while the bot
 * sends. Two bot processes (src/main.ts, webhook mode) share a PostgreSQL database and Redis, each
 * reached through a loopback TCP proxy that can cut every connection (test/bench/broadcast/outage-proxy.ts).
 * Members of approved NGOs fill in the feedback form (command, a type button, the text, continue, the
 * send button) through the fake Bot API, and Telegram's side (test/support/webhook-telegram.ts) posts
 * each update to the two processes in turn and sends again whatever was not answered 2xx. PostgreSQL goes
 * down for 20 s, then Redis for 10 s. Printed: updates lost (never answered 2xx), feedback items lost or
 * stored twice, replies sent twice, steps that got no answer, and whether the processes recovered
 * without a restart.
 *
 * Needs the PostgreSQL and Redis servers (eval "$(bash .ci/services.sh)"). BENCH_USERS, BENCH_FORMS
 * (per user, at most 5: the daily limit), BENCH_PG_DOWN_S, BENCH_REDIS_DOWN_S change the run.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt, randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { t } from '../support/conversation.js';
import { FakeBotApi, type FakeUser } from '../support/fake-bot-api/index.js';
import { createNgo } from '../support/ngo-fixtures.js';
import { freePort, WebhookTelegram, webhookPath } from '../support/webhook-telegram.js';
import { cleanUpOnAbort } from './abort.js';
import { OutageProxy } from './broadcast/outage-proxy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const USERS = Number(process.env.BENCH_USERS ?? 40);
const FORMS = Math.min(5, Number(process.env.BENCH_FORMS ?? 4));
const PG_DOWN_MS = Number(process.env.BENCH_PG_DOWN_S ?? 20) * 1000;
const REDIS_DOWN_MS = Number(process.env.BENCH_REDIS_DOWN_S ?? 10) * 1000;
const PG_DOWN_AT_MS = 12_000;
const REDIS_DOWN_AT_MS = PG_DOWN_AT_MS + PG_DOWN_MS + 15_000;
/** A step with no answer within this long is counted as stuck (its update lost or its form broken). */
const STEP_TIMEOUT_MS = 90_000;
const SECRET = 'bench_outages_writing-secret-01';
const TOKEN = '123456789:BENCH-fake-token-only';
const databaseUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const redisUrl = process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL;
// Ids of people and updates far from any other run's, since the bot processes use Redis's default namespace.
const FIRST_USER = 810_000_000 + randomInt(0, 1_000_000) * 100;
const FIRST_UPDATE = 900_000_000 + randomInt(0, 1_000_000) * 1_000;

const cleanups: (() => Promise<unknown>)[] = [];
const cleanup = async () => {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
};
cleanUpOnAbort(cleanup, 10 * 60_000, '10 minutes');


interface BotProcess {
  child: ChildProcess;
  port: number;
  errorLines: number;
  exited: boolean;
}

function startBot(env: Record<string, string>, port: number, name: string): BotProcess {
  const child = spawn(process.execPath, ['--max-semi-space-size=16', '--import', import.meta.resolve('tsx'), path.join(ROOT, 'src/main.ts')], {
    cwd: '/tmp',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env, HTTP_PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const bot: BotProcess = { child, port, errorLines: 0, exited: false };
  let pending = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      if (/"level":(50|60)/.test(line)) {
        bot.errorLines++;
        if (process.env.BENCH_VERBOSE) console.log(`  [${name}] ${line.slice(0, 300)}`);
      }
    }
  });
  child.once('exit', () => (bot.exited = true));
  cleanups.push(async () => child.kill('SIGKILL'));
  return bot;
}

async function createBenchDatabase(): Promise<{ db: Database; url: string; name: string }> {
  const name = `ngo_bench_outw_${randomUUID().replace(/-/g, '').slice(0, 10)}`;
  const admin = new pg.Client({ connectionString: databaseUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: databaseUrl });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.end();
  });
  const u = new URL(databaseUrl!);
  u.pathname = `/${name}`;
  const db = await openDatabase({ kind: 'postgres', url: u.toString() });
  cleanups.push(() => db.close());
  await migrateDatabase(db);
  return { db, url: u.toString(), name };
}

interface Outcome {
  api: FakeBotApi;
  tries: (updateId: number) => number | undefined;
  sent: string[];
  confirmed: string[];
  stuck: number;
  stepMs: number[];
}

/** One member filling in the feedback form FORMS times, waiting for each answer as a person would. */
async function member(user: FakeUser, index: number, outcome: Outcome): Promise<void> {
  await sleep(randomInt(0, 8_000));
  const step = async (act: () => { update_id: number; mark: number; update: object }, includes: string) => {
    const started = performance.now();
    const sent = act();
    try {
      await user.waitForReply((c) => String(c.text).includes(includes), { timeoutMs: STEP_TIMEOUT_MS });
      outcome.stepMs.push(performance.now() - started);
      return true;
    } catch {
      outcome.stuck++;
      if (process.env.BENCH_VERBOSE) {
        const shown = outcome.api.sentMessages(user.id).filter((c) => c.seq > sent.mark).map((c) => String(c.text).slice(0, 60));
        const pressId = (sent.update as { callback_query?: { id: string } }).callback_query?.id;
        const answers = outcome.api.calls('answerCallbackQuery').filter((c) => c.params.callback_query_id === pressId).map((c) => c.params.text ?? '(silent)');
        console.log(`  stuck: member ${index} waited for "${includes}" after update ${sent.update_id} (tries ${outcome.tries(sent.update_id)}); shown: ${JSON.stringify(shown)}; press answers: ${JSON.stringify(answers)}`);
      }
      return false;
    }
  };
  for (let form = 0; form < FORMS; form++) {
    const marker = `پیشنهاد ${index}-${form} برای نشست‌های هم‌اندیشی`;
    const think = () => sleep(randomInt(1_500, 2_500));
    if (!(await step(() => user.sendCommand('feedback'), 'نوع پیام خود را انتخاب کنید'))) return;
    await think();
    if (!(await step(() => user.pressButtonByText('💡 پیشنهاد'), 'خود را بنویسید'))) return;
    await think();
    outcome.sent.push(marker);
    if (!(await step(() => user.sendText(marker), 'اگر عکس یا فایلی'))) return;
    await think();
    if (!(await step(() => user.sendText(t('feedback.form.continue')), 'پیش از ارسال'))) return;
    await think();
    if (!(await step(() => user.pressButtonByText('📨 ارسال با نام من'), 'شماره پیگیری'))) return;
    outcome.confirmed.push(marker);
    await sleep(randomInt(4_000, 10_000));
  }
}

const pct = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
};

async function main(): Promise<void> {
  if (!databaseUrl || !redisUrl) throw new Error('set TEST_DATABASE_URL and TEST_REDIS_URL (eval "$(bash .ci/services.sh)")');
  const { db, url } = await createBenchDatabase();
  const users = Array.from({ length: USERS }, (_, i) => FIRST_USER + i);
  for (const [i, id] of users.entries()) await createNgo(db, { managerId: id, name: `انجمن آزمون ${i}`, status: 'APPROVED' });

  const api = await FakeBotApi.start({ firstUpdateId: FIRST_UPDATE, token: TOKEN });
  cleanups.push(() => api.close());
  const pgTarget = new URL(databaseUrl);
  const redisTarget = new URL(redisUrl);
  const pgProxy = await OutageProxy.start({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
  const redisProxy = await OutageProxy.start({ host: redisTarget.hostname, port: Number(redisTarget.port || 6379) });
  cleanups.push(() => pgProxy.close(), () => redisProxy.close());

  const env = {
    BOT_TOKEN: TOKEN,
    BOT_API_ROOT: api.apiRoot,
    DATABASE_URL: pgProxy.url(url),
    REDIS_URL: redisProxy.url(redisUrl),
    WEBHOOK_URL: 'https://bot.example.org/hook',
    WEBHOOK_SECRET: SECRET,
  };
  const bots = [startBot(env, await freePort(), 'bot-1'), startBot(env, await freePort(), 'bot-2')];
  const pids = bots.map((b) => b.child.pid);
  const hookPath = webhookPath(SECRET);
  const targets = bots.map((b) => ({ url: `http://127.0.0.1:${b.port}${hookPath}`, secret: SECRET }));
  const deadline = Date.now() + 60_000;
  while (api.calls('setWebhook').length < 2) {
    if (Date.now() > deadline || bots.some((b) => b.exited)) throw new Error('the bot processes did not start');
    await sleep(100);
  }
  const telegram = new WebhookTelegram(api.apiRoot, TOKEN, () => targets, { retryDelayMs: 1_000 }).start();
  cleanups.push(() => telegram.stop());

  console.log(`outages while writing: ${USERS} members x ${FORMS} feedback forms, 2 webhook processes, PostgreSQL + Redis through cutting proxies`);
  const started = performance.now();
  const at = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const outcome: Outcome = { api, tries: (id) => telegram.stats.tries.get(id), sent: [], confirmed: [], stuck: 0, stepMs: [] };
  const people = Promise.all(users.map((id, i) => member(api.user(id, { first_name: 'عضو' }), i, outcome)));

  const timeline = (async () => {
    await sleep(PG_DOWN_AT_MS);
    console.log(`  ${at()}: PostgreSQL down (${pgProxy.goDown()} connections cut) for ${PG_DOWN_MS / 1000} s`);
    await sleep(PG_DOWN_MS);
    pgProxy.up();
    console.log(`  ${at()}: PostgreSQL up`);
    await sleep(REDIS_DOWN_AT_MS - PG_DOWN_AT_MS - PG_DOWN_MS);
    console.log(`  ${at()}: Redis down (${redisProxy.goDown()} connections cut) for ${REDIS_DOWN_MS / 1000} s`);
    await sleep(REDIS_DOWN_MS);
    redisProxy.up();
    console.log(`  ${at()}: Redis up`);
  })();
  await Promise.all([people, timeline]);
  // Let the last deliveries and the outbox settle.
  const settle = Date.now() + 30_000;
  while (api.pendingUpdates().length > 0 && Date.now() < settle) await sleep(200);
  await sleep(1_000);
  console.log(`  ${at()}: every member done`);

  const items = await db.prisma.feedbackMessage.findMany({ select: { text: true } });
  const stored = new Map<string, number>();
  for (const { text } of items) stored.set(text ?? '', (stored.get(text ?? '') ?? 0) + 1);
  const lostItems = outcome.confirmed.filter((m) => !stored.has(m)).length;
  const duplicatedItems = [...stored.values()].filter((n) => n > 1).length;
  const unconfirmedStored = outcome.sent.filter((m) => stored.has(m) && !outcome.confirmed.includes(m)).length;
  // The confirmation names the item's tracking number: the same number confirmed twice is a step done twice.
  const confirmations = new Map<string, number>();
  let slowedDown = 0;
  for (const call of api.sentMessages()) {
    const text = String(call.text ?? '');
    const tracking = /شماره پیگیری: <b>([۰-۹]+)<\/b>/.exec(text)?.[1];
    if (tracking) confirmations.set(tracking, (confirmations.get(tracking) ?? 0) + 1);
    if (text === t('common.errors.too_fast')) slowedDown++;
  }
  const repeatedConfirmations = [...confirmations.values()].filter((n) => n > 1).length;
  const unanswered = api.pendingUpdates().length;
  const s = telegram.stats;
  const rows: [string, string][] = [
    ['feedback forms sent / confirmed to the member', `${outcome.sent.length} / ${outcome.confirmed.length} (of ${USERS * FORMS})`],
    ['feedback items lost (confirmed, not stored)', String(lostItems)],
    ['feedback items stored twice', String(duplicatedItems)],
    ['stored but never confirmed to the member', String(unconfirmedStored)],
    ['confirmations sent twice', String(repeatedConfirmations)],
    ['steps with no answer within 90 s (stuck)', String(outcome.stuck)],
    ['members told to slow down (flood limit)', String(slowedDown)],
    ['updates never answered 2xx (lost)', String(unanswered)],
    ['webhook posts, by answer', `${s.posts}: ${JSON.stringify(s.byStatus)}`],
    ['updates posted more than once (sent again)', `${[...s.tries.values()].filter((n) => n > 1).length} of ${s.tries.size}`],
    ['answer time per step p50 / p95 / max', `${(pct(outcome.stepMs, 50) / 1000).toFixed(2)} / ${(pct(outcome.stepMs, 95) / 1000).toFixed(1)} / ${(pct(outcome.stepMs, 100) / 1000).toFixed(1)} s`],
    ['recovered without a restart', bots.every((b) => !b.exited) && bots.every((b, i) => b.child.pid === pids[i]) ? 'yes (both processes ran throughout)' : 'NO'],
    ['error lines logged (both processes)', bots.map((b) => b.errorLines).join(' + ')],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) console.log(`  ${k.padEnd(width)}  ${v}`);
  for (const bot of bots) bot.child.kill('SIGTERM');
  await Promise.all(bots.map((b) => new Promise((resolve) => (b.exited ? resolve(null) : b.child.once('exit', resolve)))));
}

main()
  .then(cleanup, async (err: unknown) => {
    console.error(err);
    await cleanup();
    process.exitCode = 1;
  })
  .finally(() => process.exit());
