/**
 * `npm run bench:exports`: the memory and time of the largest exports (issue 14): 20,000 NGOs and
 * 100,000 members, as XLSX and CSV, exported by a super admin (every row, with phones). It prints
 * numbers; it is not a test, but it exits 1 when a file misses rows or an export goes over the budget.
 *
 * The data is made with set-based SQL in a database of the bench's own: on the PostgreSQL server
 * (BENCH_DATABASE_URL or TEST_DATABASE_URL; created, migrated and dropped at the end) and on the
 * embedded database (PGlite in a temporary folder). BENCH_MODES=postgres or embedded runs one.
 *
 * Each export runs in a fresh process started as `npm start` starts the bot (--max-semi-space-size=16),
 * so one export's garbage cannot hide in the next one's figures. The process opens the database, runs
 * a small export to load everything an export uses, collects garbage, and takes its RSS and heap as the
 * baseline; then it samples both every 5 ms during the export. The budget: the peak RSS of the export
 * at most 100 MiB over that baseline (the bot holds about 190 MiB after 20,000 updates on PostgreSQL).
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createExportService, exportLayout } from '../../src/features/exports/index.js';
import type { ExportFormat, TableCode } from '../../src/features/exports/rules.js';
import { openDatabase, type Database, type DatabaseTarget } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { readerFor } from '../../src/platform/i18n/format.js';
import { createTranslator } from '../../src/platform/i18n/index.js';
import { systemClock } from '../../src/platform/text/clock.js';
import { cleanUpOnAbort } from './abort.js';

const NGOS = Number(process.env.BENCH_NGOS ?? 20_000);
const MEMBERS = Number(process.env.BENCH_MEMBERS ?? 100_000);
const MODES = (process.env.BENCH_MODES ?? 'postgres,embedded').split(',').map((m) => m.trim());
const BUDGET_MIB = 100;
const SUPER_ADMIN = 1n;
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const CASES: { table: TableCode; format: ExportFormat; rows: number }[] = [
  { table: 'ngos', format: 'xlsx', rows: NGOS },
  { table: 'ngos', format: 'csv', rows: NGOS },
  { table: 'members', format: 'xlsx', rows: MEMBERS },
  { table: 'members', format: 'csv', rows: MEMBERS },
];

const MiB = (bytes: number) => bytes / 1024 / 1024;
const fmtMiB = (bytes: number) => `${MiB(bytes).toFixed(0)} MiB`;

interface WorkerResult {
  rows: number;
  seconds: number;
  fileBytes: number;
  baselineRss: number;
  baselineHeap: number;
  peakRss: number;
  peakHeap: number;
  maxRss: number;
}

// ---- the worker: one export in a process of its own -------------------------------------------------

async function worker(target: DatabaseTarget, table: TableCode, format: ExportFormat): Promise<void> {
  const db = await openDatabase(target);
  const exports = createExportService({ prisma: db.prisma, outbox: createOutbox({ prisma: db.prisma }), clock: systemClock });
  const layout = exportLayout(readerFor(createTranslator(), 'fa'));
  // Warm-up: the modules, the queries' plans and the database's connections an export uses.
  await (await exports.build(SUPER_ADMIN, 'needs', format, layout)).dispose();
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  await new Promise((resolve) => setTimeout(resolve, 200));
  const baseline = process.memoryUsage();
  let peakRss = baseline.rss;
  let peakHeap = baseline.heapUsed;
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    peakHeap = Math.max(peakHeap, m.heapUsed);
  }, 5);
  const started = performance.now();
  const file = await exports.build(SUPER_ADMIN, table, format, layout);
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  const end = process.memoryUsage();
  const result: WorkerResult = {
    rows: file.sheets.reduce((sum, s) => sum + s.rows, 0),
    seconds,
    fileBytes: (await stat(file.path)).size,
    baselineRss: baseline.rss,
    baselineHeap: baseline.heapUsed,
    peakRss: Math.max(peakRss, end.rss),
    peakHeap: Math.max(peakHeap, end.heapUsed),
    maxRss: process.resourceUsage().maxRSS * 1024,
  };
  await file.dispose();
  await db.close();
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runWorker(target: DatabaseTarget, table: TableCode, format: ExportFormat): Promise<WorkerResult> {
  const self = fileURLToPath(import.meta.url);
  // The bot's own V8 settings (npm start and src/main.ts): a 16 MiB young generation, heap growth by half
  // the live size, and with a server Prisma's WebAssembly compiler at the baseline tier.
  const v8 = ['--max-semi-space-size=16', '--heap-growing-percent=50', ...(target.kind === 'postgres' ? ['--liftoff-only'] : [])];
  const child = spawn(process.execPath, [...v8, '--expose-gc', '--import', 'tsx', self, 'worker', JSON.stringify(target), table, format], {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', TZ: 'Asia/Tehran', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0 || !line.startsWith('{')) reject(new Error(`export worker exited with ${code}: ${out}`));
      else resolve(JSON.parse(line) as WorkerResult);
    });
  });
}

// ---- the data ---------------------------------------------------------------------------------------

/** NGOs spread over the seeded counties, each with a field, and MEMBERS people among them (the first of each NGO its manager). */
async function fill(db: Database): Promise<void> {
  const p = db.prisma;
  await p.user.create({ data: { id: SUPER_ADMIN, firstName: 'راهبر سامانه' } });
  await p.admin.create({ data: { userId: SUPER_ADMIN, role: 'SUPER_ADMIN' } });
  await p.$executeRawUnsafe(
    `INSERT INTO ngos (name, registration_number, authority, authority_key, county_id, manager_name, manager_phone, status, founded_year, member_count, submitted_at, approved_at, updated_at)
     SELECT 'انجمن آزمایشی شماره ' || g || ' برای توسعه پایدار', lpad(g::text, 6, '0'), 'WELFARE', 'WELFARE',
            (SELECT id FROM counties ORDER BY id OFFSET (g % (SELECT count(*) FROM counties)) LIMIT 1),
            'مدیر آزمایشی ' || g, '+98912' || lpad(g::text, 7, '0'), 'APPROVED', 1390 + g % 15, 10 + g % 90, now(), now(), now()
     FROM generate_series(1, $1::int) g`,
    NGOS,
  );
  await p.$executeRawUnsafe(`INSERT INTO ngo_fields (ngo_id, field_id) SELECT n.id, (SELECT min(id) FROM activity_fields) FROM ngos n`);
  await p.$executeRawUnsafe(
    `INSERT INTO users (id, first_name, last_name, username, language, updated_at)
     SELECT 1000 + g, 'عضو', 'شماره ' || g, 'member_' || g, 'fa', now() FROM generate_series(1, $1::int) g`,
    MEMBERS,
  );
  const first = (await p.ngo.findFirstOrThrow({ orderBy: { id: 'asc' } })).id;
  await p.$executeRawUnsafe(
    `INSERT INTO ngo_members (user_id, ngo_id, role)
     SELECT 1000 + g, $1::int + (g - 1) % $2::int, CASE WHEN g <= $2::int THEN 'MANAGER'::"MemberRole" ELSE 'MEMBER'::"MemberRole" END
     FROM generate_series(1, $3::int) g`,
    first,
    NGOS,
    MEMBERS,
  );
  await p.$executeRawUnsafe('ANALYZE');
}

// ---- the runs ---------------------------------------------------------------------------------------

/** One statement on the server's default database (creating and dropping the bench's own). */
async function onServer(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  await client.query(sql).finally(() => client.end());
}

async function prepare(target: DatabaseTarget): Promise<void> {
  const db = await openDatabase(target);
  try {
    await migrateDatabase(db);
    const started = performance.now();
    await fill(db);
    console.log(`  seeded ${NGOS.toLocaleString('en-US')} NGOs and ${MEMBERS.toLocaleString('en-US')} members in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await db.close();
  }
}

async function runCases(mode: string, target: DatabaseTarget): Promise<boolean> {
  let ok = true;
  console.log('\n| mode | export | rows | wall time | file size | baseline RSS / heap | peak RSS / heap | peak RSS over baseline | within 100 MiB |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const c of CASES) {
    const r = await runWorker(target, c.table, c.format);
    const over = r.peakRss - r.baselineRss;
    const holds = MiB(over) <= BUDGET_MIB;
    if (r.rows !== c.rows || !holds) ok = false;
    console.log(
      `| ${mode} | ${c.table}.${c.format} | ${r.rows.toLocaleString('en-US')}${r.rows === c.rows ? '' : ` (expected ${c.rows})`} | ${r.seconds.toFixed(2)} s | ` +
        `${(r.fileBytes / 1024 / 1024).toFixed(1)} MB | ${fmtMiB(r.baselineRss)} / ${fmtMiB(r.baselineHeap)} | ${fmtMiB(r.peakRss)} / ${fmtMiB(r.peakHeap)} | ` +
        `+${fmtMiB(over)} (process max RSS ${fmtMiB(r.maxRss)}) | ${holds ? 'yes' : 'NO'} |`,
    );
  }
  return ok;
}

async function main(): Promise<void> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => console.error('cleanup failed:', err));
  };
  const abort = cleanUpOnAbort(cleanup, 30 * 60_000, '30 minutes');
  let ok = true;
  try {
    if (MODES.includes('postgres')) {
      if (!serverUrl) throw new Error('BENCH_DATABASE_URL or TEST_DATABASE_URL must name a PostgreSQL server (eval "$(bash .ci/services.sh)")');
      const name = `bench_exports_${randomUUID().slice(0, 8)}`;
      await onServer(`CREATE DATABASE "${name}"`);
      cleanups.push(() => onServer(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
      const url = new URL(serverUrl);
      url.pathname = `/${name}`;
      const target: DatabaseTarget = { kind: 'postgres', url: url.toString() };
      console.log(`PostgreSQL database ${name}:`);
      await prepare(target);
      ok = (await runCases('PostgreSQL', target)) && ok;
    }
    if (MODES.includes('embedded') && !abort.aborting) {
      const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ngo-bench-exports-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const target: DatabaseTarget = { kind: 'pglite', dataDir };
      console.log(`\nembedded PGlite in ${dataDir}:`);
      await prepare(target);
      ok = (await runCases('embedded', target)) && ok;
    }
  } finally {
    await cleanup();
  }
  console.log(ok ? '\nevery export had every row and stayed within the budget' : '\nAN EXPORT MISSED ROWS OR WENT OVER THE BUDGET');
  if (!ok) process.exitCode = 1;
}

if (process.argv[2] === 'worker') {
  const [, , , target, table, format] = process.argv;
  await worker(JSON.parse(target!) as DatabaseTarget, table as TableCode, format as ExportFormat);
} else {
  await main();
}
