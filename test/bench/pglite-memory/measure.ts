/**
 * `npx tsx test/bench/pglite-memory/measure.ts`: the memory floor of the embedded database (PGlite) and
 * what its settings change (issue 12). It prints numbers; it is not a test.
 *
 * It migrates and seeds one data directory (BENCH_NGOS NGOs, BENCH_USERS users), then for each variant
 * copies it and runs a child process that opens the copy, migrates it (a no-op on a migrated copy, the
 * whole schema on a first start), runs BENCH_UPDATES updates of the bot's query load (workload.ts) and
 * reports RSS, heapUsed, external and arrayBuffers after each phase (after a forced GC, so the figures are
 * what stays, not garbage), the peak RSS, the size of PGlite's WebAssembly memory, and updates/s.
 * A child process per variant, because WebAssembly memory only grows and is never given back: one
 * variant's peak would otherwise be the next one's floor.
 *
 * Variants change one setting at a time on top of PGlite 0.5.16's defaults, then the combination that
 * src/platform/db/pglite-options.ts applies, opened through openDatabase itself. "no Prisma" variants run
 * the same load as plain SQL on PGlite, which separates PGlite's memory from Prisma's.
 * BENCH_VARIANTS=name,name picks variants (substring match); BENCH_ROUNDS=n repeats them; BENCH_KEEP=1
 * keeps the temporary directory.
 */
import { fork } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { embeddedSettings, type PostgresSettings } from '../../../src/platform/db/pglite-options.js';

const NGOS = Number(process.env.BENCH_NGOS ?? 20_000);
const USERS = Number(process.env.BENCH_USERS ?? 100_000);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 3_000);

interface Variant {
  name: string;
  /** null: PGlite exactly as it ships (no startParams given). */
  settings: PostgresSettings | null;
  /** prisma: the bot's stack (PGlite + adapter + Prisma client); plain: the same load as SQL on PGlite. */
  mode: 'prisma' | 'plain';
  /** Open through openDatabase (what the bot runs) instead of the bench's own copy of it. */
  viaOpenDatabase?: boolean;
  initialMemory?: number;
  /** Start from an empty directory: initdb and every migration (the bot's first start). */
  fresh?: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'defaults (0.5.16 as shipped)', settings: null, mode: 'prisma' },
  { name: 'defaults, no Prisma', settings: null, mode: 'plain' },
  { name: 'shared_buffers=32MB', settings: { shared_buffers: '32MB' }, mode: 'prisma' },
  { name: 'shared_buffers=16MB', settings: { shared_buffers: '16MB' }, mode: 'prisma' },
  { name: 'shared_buffers=8MB', settings: { shared_buffers: '8MB' }, mode: 'prisma' },
  { name: 'work_mem=1MB', settings: { work_mem: '1MB' }, mode: 'prisma' },
  { name: 'maintenance_work_mem=16MB', settings: { maintenance_work_mem: '16MB' }, mode: 'prisma' },
  { name: 'temp_buffers=1MB', settings: { temp_buffers: '1MB' }, mode: 'prisma' },
  { name: 'max_connections=10', settings: { max_connections: '10' }, mode: 'prisma' },
  { name: 'max_wal_size=64MB min_wal_size=32MB', settings: { max_wal_size: '64MB', min_wal_size: '32MB' }, mode: 'prisma' },
  // initialMemory cannot lower the floor: below 128 MiB the module refuses the memory ("memory import 0 is
  // smaller than initial 2048"); it only raises it. So it is not among the variants.
  { name: 'applied settings (bench copy)', settings: embeddedSettings, mode: 'prisma' },
  { name: 'applied (openDatabase)', settings: embeddedSettings, mode: 'prisma', viaOpenDatabase: true },
  { name: 'applied, no Prisma', settings: embeddedSettings, mode: 'plain' },
  { name: 'first start, defaults', settings: null, mode: 'prisma', fresh: true },
  { name: 'first start, applied (openDatabase)', settings: embeddedSettings, mode: 'prisma', viaOpenDatabase: true, fresh: true },
];

interface Sample {
  phase: string;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  wasm: number | null;
  ms: number;
}
interface ChildReport {
  samples: Sample[];
  peakRss: number;
  updatesPerSecond: number;
}

// ---------------------------------------------------------------------------------------------- child

async function child(variant: Variant, dataDir: string): Promise<ChildReport> {
  let peakRss = 0;
  const timer = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
  const started = performance.now();
  const samples: Sample[] = [];
  let wasmOf: () => number | null = () => null;
  const sample = (phase: string) => {
    (globalThis as { gc?: () => void }).gc?.();
    const m = process.memoryUsage();
    peakRss = Math.max(peakRss, m.rss);
    samples.push({ phase, rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, wasm: wasmOf(), ms: performance.now() - started });
  };

  const { PGlite } = await import('@electric-sql/pglite');
  const { pgliteStartParams } = await import('../../../src/platform/db/pglite-options.js');
  const stack = variant.mode === 'prisma'
    ? {
        client: await import('../../../src/platform/db/client.js'),
        migrate: await import('../../../src/platform/db/migrate.js'),
        adapter: await import('pglite-prisma-adapter'),
        generated: await import('../../../src/platform/db/generated/client.js'),
        reader: await import('../../../src/platform/db/reader.js'),
        parsers: await import('../../../src/platform/db/pglite-parsers.js'),
        prepared: await import('../../../src/platform/db/pglite-prepared.js'),
      }
    : null;
  const { plainWorkload, prismaWorkload } = await import('./workload.js');
  sample('import');

  const options = {
    ...(variant.settings ? { startParams: pgliteStartParams(variant.settings) } : {}),
    ...(variant.initialMemory ? { initialMemory: variant.initialMemory } : {}),
  };
  let close: () => Promise<void>;
  let workload;
  if (!stack) {
    const pg = await PGlite.create(dataDir, options);
    wasmOf = () => (pg as unknown as { mod: { HEAPU8: Uint8Array } }).mod.HEAPU8.byteLength;
    sample('open');
    workload = plainWorkload(pg);
    close = () => pg.close();
  } else {
    let db;
    if (variant.viaOpenDatabase) {
      db = await stack.client.openDatabase({ kind: 'pglite', dataDir });
    } else {
      // The PGlite branch of openDatabase with this variant's options.
      const pg = await PGlite.create(dataDir, options);
      wasmOf = () => (pg as unknown as { mod: { HEAPU8: Uint8Array } }).mod.HEAPU8.byteLength;
      const parsers = stack.parsers.shareAdapterParsers(pg);
      const statements = stack.prepared.preparedStatements();
      stack.prepared.prepareAdapterStatements(pg, statements);
      const adapterFactory = new stack.adapter.PrismaPGlite(pg) as never;
      const prisma = new stack.generated.PrismaClient({ adapter: adapterFactory });
      db = {
        prisma,
        sql: stack.reader.pgliteReader(pg, parsers, statements),
        kind: 'pglite' as const,
        openMigrationConnection: () => ({ adapterFactory, close: async () => {} }),
        close: async () => {
          await prisma.$disconnect();
          await pg.close();
        },
      };
    }
    sample('open');
    await stack.migrate.migrateDatabase(db);
    sample('migrate');
    workload = prismaWorkload(db.prisma);
    close = () => db.close();
  }

  const counties = await workload.counties();
  const loadStarted = performance.now();
  for (let i = 0; i < UPDATES; i++) await workload.update(i, counties);
  const updatesPerSecond = UPDATES / ((performance.now() - loadStarted) / 1000);
  sample('load');
  await close();
  clearInterval(timer);
  return { samples, peakRss, updatesPerSecond };
}

// --------------------------------------------------------------------------------------------- parent

async function runChild(args: string[]): Promise<ChildReport | null> {
  const proc = fork(fileURLToPath(import.meta.url), args, { execArgv: [...process.execArgv, '--expose-gc'], stdio: 'inherit' });
  let report: ChildReport | null = null;
  proc.on('message', (m) => (report = m as ChildReport));
  const code = await new Promise<number | null>((resolve) => proc.on('exit', resolve));
  if (code !== 0) console.error(`child ${args[1] ?? args[0]} exited with ${code}`);
  return report;
}

async function dirSize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function prepare(dataDir: string): Promise<void> {
  const { openDatabase } = await import('../../../src/platform/db/client.js');
  const { migrateDatabase } = await import('../../../src/platform/db/migrate.js');
  const { seedStatements } = await import('./seed.js');
  const db = await openDatabase({ kind: 'pglite', dataDir });
  try {
    await migrateDatabase(db);
    for (const statement of seedStatements(NGOS, USERS)) await db.prisma.$executeRawUnsafe(statement);
  } finally {
    await db.close();
  }
}

const MiB = (n: number | null | undefined) => (n == null ? '-' : (n / 2 ** 20).toFixed(0));

async function parent(): Promise<void> {
  const only = process.env.BENCH_VARIANTS?.split(',').map((s) => s.trim()).filter(Boolean);
  const variants = VARIANTS.map((v, index) => ({ v, index })).filter(({ v }) => !only || only.some((o) => v.name.includes(o)));
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'pglite-memory-'));
  const template = path.join(tmp, 'template');
  try {
    console.log(`PGlite memory: ${NGOS} NGOs, ${USERS} users, ${UPDATES} updates per variant; temporary files in ${tmp}`);
    const seeding = performance.now();
    if (variants.some(({ v }) => !v.fresh)) await runChild(['prepare', template]);
    console.log(`seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s, data directory ${MiB(await dirSize(template).catch(() => 0))} MiB\n`);

    const rows: string[][] = [];
    // BENCH_ROUNDS > 1 runs the variants again, interleaved, to see how much updates/s varies between runs.
    const rounds = Number(process.env.BENCH_ROUNDS ?? 1);
    for (const { v, index } of Array.from({ length: rounds }, () => variants).flat()) {
      const dir = path.join(tmp, `variant-${index}`);
      if (!v.fresh) await cp(template, dir, { recursive: true });
      const report = await runChild(['child', String(index), dir]);
      if (!report) continue;
      const at = (phase: string) => report.samples.find((s) => s.phase === phase);
      const load = at('load')!;
      rows.push([
        v.name,
        MiB(at('import')?.rss),
        MiB(at('open')?.rss),
        at('migrate') ? `${MiB(at('migrate')!.rss)} (${(at('migrate')!.ms / 1000).toFixed(1)} s)` : '-',
        MiB(load.rss),
        `${MiB(load.heapUsed)}/${MiB(load.external)}/${MiB(load.arrayBuffers)}`,
        MiB(load.wasm),
        MiB(report.peakRss),
        report.updatesPerSecond.toFixed(0),
        MiB(await dirSize(dir)),
      ]);
      console.log(`${v.name}: ${JSON.stringify(rows.at(-1))}`);
      await rm(dir, { recursive: true, force: true });
    }
    const head = ['variant', 'RSS import', 'RSS open', 'RSS migrate (at)', 'RSS load', 'heap/ext/ab load', 'wasm', 'peak RSS', 'upd/s', 'dir MiB'];
    console.log('\nMiB; "load" is after the updates and a GC; wasm is PGlite\'s WebAssembly memory (it never shrinks).');
    console.log(`| ${head.join(' | ')} |\n|${head.map(() => '---').join('|')}|`);
    for (const row of rows) console.log(`| ${row.join(' | ')} |`);
  } finally {
    if (!process.env.BENCH_KEEP) await rm(tmp, { recursive: true, force: true });
  }
}

const [role, a, b] = process.argv.slice(2);
if (role === 'prepare') {
  await prepare(a!);
} else if (role === 'child') {
  const report = await child(VARIANTS[Number(a)]!, b!);
  process.send!(report, () => process.exit(0));
} else {
  await parent();
}
