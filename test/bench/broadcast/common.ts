/**
 * Settings, formatting, machine-load counters and the cleanup registry shared by the parts of
 * `npm run bench:broadcast` (test/bench/broadcast.ts is the entry point and says what the bench is).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import type { OutboxPayload } from '../../../src/platform/delivery/outbox.js';
import { cleanUpOnAbort } from '../abort.js';

// ------------------------------------------------------------------ settings

/** BENCH_RECIPIENTS overrides it for a quick smoke run; the README numbers are for 20,000. */
export const RECIPIENTS = Number(process.env.BENCH_RECIPIENTS ?? 20_000);
/**
 * The outage and embedded-crash scenarios send to this many: the size issue 13 measured them at. They are
 * about what an outage costs (rows lost, sent twice, the wait afterwards), which does not grow with the list.
 */
export const OUTAGE_RECIPIENTS = Math.min(RECIPIENTS, 3_000);
/** Private-chat ids: positive, so the fake treats them as users; contiguous, so counters are an array. */
export const FIRST_CHAT_ID = 700_000_001;
export const TOKEN = '123456789:BENCH-fake-token-only';
/** Production default of SEND_RATE (src/config.ts) and Telegram's documented bulk limit. */
export const DEFAULT_RATE = 25;
export const TELEGRAM_LIMIT = 30;
/** Scenario 1 runs this many times faster than real time (see the scenario for what scales and what does not). */
export const TIME_SCALE = 10;
/** Nothing in the bench may keep running longer than this, whatever goes wrong. */
export const GLOBAL_DEADLINE_MS = 14 * 60_000;
export const POLL_MS = 250;

export const PAYLOAD: OutboxPayload = {
  kind: 'TEXT',
  parseMode: 'HTML',
  // A realistic announcement: Persian, formatted, a few hundred bytes (the fake parses the HTML like Telegram).
  text:
    '<b>اطلاعیه دفتر امور اجتماعی و فرهنگی استانداری</b>\n' +
    'نشست هم‌اندیشی سازمان‌های مردم‌نهاد استان روز سه‌شنبه ساعت ۱۰ در سالن اجتماعات استانداری برگزار می‌شود. ' +
    'حضور مدیر عامل یا نماینده‌ی معرفی‌شده‌ی هر سازمان الزامی است.\n<i>هفته‌ی سازمان‌های مردم‌نهاد: ۲۰ تا ۲۵ مرداد</i>',
};

export const databaseServerUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
// An empty BENCH_REDIS_URL= is a deliberate "no Redis", not a fall-through to TEST_REDIS_URL.
export const redisUrl = (process.env.BENCH_REDIS_URL ?? process.env.TEST_REDIS_URL) || undefined;
export const runId = randomUUID().replace(/-/g, '').slice(0, 12);
export const workerPath = fileURLToPath(new URL('../dispatcher-worker.ts', import.meta.url));
// The child runs TypeScript through tsx's loader, resolved from here so the cwd does not matter.
export const tsxLoader = import.meta.resolve('tsx');

// ------------------------------------------------------------------ formatting

export const int = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fixed = (n: number, digits = 1): string =>
  n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const seconds = (ms: number): string => `${fixed(ms / 1000)} s`;
export const optSeconds = (ms: number | undefined): string => (ms === undefined ? 'n/a' : seconds(ms));
export const mib = (bytes: number): string => `${fixed(bytes / 1024 / 1024, 0)} MiB`;

export function printTable(title: string, rows: [string, string][]): void {
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

export function machineTicks(): { busy: number; total: number } | undefined {
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
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLK_TCK; // utime, stime
  } catch {
    return undefined;
  }
}

// ------------------------------------------------------------------ cleanup registry

export const cleanups: (() => Promise<void>)[] = [];
let cleaningUp: Promise<void> | undefined;
/** Runs every cleanup once, newest first; each is bounded so a stuck one cannot hold the others. */
export function cleanup(): Promise<void> {
  cleaningUp ??= (async () => {
    for (const fn of cleanups.reverse()) {
      await Promise.race([fn().catch((error: unknown) => console.error('cleanup step failed:', error)), sleep(10_000)]);
    }
  })();
  return cleaningUp;
}
export const abort = cleanUpOnAbort(cleanup, GLOBAL_DEADLINE_MS, seconds(GLOBAL_DEADLINE_MS));
