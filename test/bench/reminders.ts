/**
 * `npm run bench:reminders`: how long one reminder tick takes when 100,000 (deadline, recipient) pairs are
 * due at once, and how long the next tick takes to find that there is nothing left to enqueue (issue 5,
 * "Benchmark"). It prints numbers; it is not a test. It exits 1 when a count is wrong (a pair missing, or
 * anything enqueued twice), so a broken run cannot be pasted as a good one.
 *
 * Runs on a PostgreSQL server (BENCH_DATABASE_URL or TEST_DATABASE_URL, a server URL: the bench creates a
 * fresh database there, migrates it, fills it with set-based SQL, and drops it at the end) and on the
 * embedded database (PGlite, in a temporary data folder, removed at the end). BENCH_MODES=postgres or
 * BENCH_MODES=embedded runs one of them.
 *
 * Two shapes of the same 100,000 pairs (BENCH_PAIRS scales both):
 * - "many recipients per NGO": 10 deadlines × 5,000 NGOs × 2 members;
 * - "one member per NGO": 1 deadline × 100,000 NGOs × 1 member (the worst case before reminders became one
 *   message per (deadline, slot, language): it made 100,000 messages).
 * For each: the first tick (select + insert messages and deliveries), the repeated tick (finds every key
 * taken, inserts nothing), two ticks at once on an emptied outbox (two processes racing), and a first tick
 * with stale statistics (the planner last saw an empty outbox that now holds a rolled-back run's dead rows).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import type { Clock } from '../../src/platform/text/clock.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { reminderSchedule } from '../../src/features/deadlines/rules.js';
import { createTranslator, LANGUAGES } from '../../src/platform/i18n/index.js';
import { createDeadlineService, type DeadlineService } from '../../src/features/deadlines/service.js';

const PAIRS = Number(process.env.BENCH_PAIRS ?? 100_000);
const MODES = (process.env.BENCH_MODES ?? 'postgres,embedded').split(',').map((m) => m.trim());
const serverUrl = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL;
const DUE = jalaliToDate({ jy: 1405, jm: 12, jd: 1 }, { hour: 23, minute: 59 });
const CREATED = new Date('2026-11-22T06:30:00Z');

interface Shape {
  name: string;
  deadlines: number;
  ngos: number;
  membersPerNgo: number;
}

const SHAPES: Shape[] = [
  { name: 'many recipients per NGO', deadlines: 10, ngos: PAIRS / 20, membersPerNgo: 2 },
  { name: 'one member per NGO', deadlines: 1, ngos: PAIRS, membersPerNgo: 1 },
];

const ms = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 0 })} ms`;
const int = (n: number) => n.toLocaleString('en-US');

function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** NGOs, their members and the deadlines' targets, all in a few INSERT ... SELECT statements. */
async function fill(db: Database, shape: Shape, firstNgoNumber: number, firstUserId: number): Promise<number[]> {
  const p = db.prisma;
  const county = (await p.county.findFirstOrThrow({ orderBy: { id: 'asc' } })).id;
  const inserted = await p.$queryRawUnsafe<{ first: number }[]>(
    `WITH inserted AS (
       INSERT INTO ngos (name, registration_number, authority, authority_key, county_id, manager_name, manager_phone, status, approved_at, updated_at)
       SELECT 'سمن آزمایشی ' || g, 'BENCH-' || g, 'WELFARE', 'WELFARE', $1, 'مدیر', '+989121234567', 'APPROVED', now(), now()
       FROM generate_series($2::int, $3::int) g
       RETURNING id)
     SELECT min(id) AS first FROM inserted`,
    county,
    firstNgoNumber,
    firstNgoNumber + shape.ngos - 1,
  );
  const first = inserted[0]!.first;
  const members = shape.ngos * shape.membersPerNgo;
  await p.$executeRawUnsafe(
    `INSERT INTO users (id, first_name, language, updated_at)
     SELECT $1::bigint + g, 'عضو ' || g, 'fa', now() FROM generate_series(0, $2::int - 1) g`,
    firstUserId,
    members,
  );
  // Member g belongs to NGO first + g / membersPerNgo; the first of each NGO is its manager.
  await p.$executeRawUnsafe(
    `INSERT INTO ngo_members (user_id, ngo_id, role)
     SELECT $1::bigint + g, $2::int + g / $3::int, CASE WHEN g % $3::int = 0 THEN 'MANAGER'::"MemberRole" ELSE 'MEMBER'::"MemberRole" END
     FROM generate_series(0, $4::int - 1) g`,
    firstUserId,
    first,
    shape.membersPerNgo,
    members,
  );
  const deadlineIds: number[] = [];
  for (let i = 0; i < shape.deadlines; i++) {
    const d = await p.deadline.create({
      data: { kind: 'GENERAL', title: `گزارش آزمایشی ${i + 1}`, dueAt: DUE, reminderDays: [30, 7, 1, 0], createdBy: 1n, createdAt: CREATED, audience: {} },
    });
    await p.$executeRawUnsafe(
      `INSERT INTO deadline_targets (deadline_id, ngo_id) SELECT $1::int, g FROM generate_series($2::int, $3::int) g`,
      d.id,
      first,
      first + shape.ngos - 1,
    );
    deadlineIds.push(d.id);
  }
  return deadlineIds;
}

async function counts(db: Database): Promise<{ messages: number; deliveries: number }> {
  const [row] = await db.prisma.$queryRawUnsafe<{ messages: bigint; deliveries: bigint }[]>(
    `SELECT (SELECT count(*) FROM outbox_messages) AS messages, (SELECT count(*) FROM outbox_deliveries) AS deliveries`,
  );
  return { messages: Number(row!.messages), deliveries: Number(row!.deliveries) };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

/** Fills, ticks and checks every shape on one database; returns the table rows and whether a count was wrong. */
async function measure(db: Database): Promise<{ rows: string[][]; failed: boolean }> {
  let failed = false;
  // The 7-day reminder slot of the due date: every pair is due at once.
  const slot = reminderSchedule({ dueAt: DUE, reminderDays: [30, 7, 1, 0] }).find((s) => s.key.startsWith('7d-'))!;
  const now = new Date(slot.at.getTime() + 5_000);
  const clock: Clock = { now: () => now };
  const services = (): DeadlineService =>
    createDeadlineService({ prisma: db.prisma, sql: db.sql, outbox: createOutbox({ prisma: db.prisma, clock }), translator: createTranslator(), clock });

  let ngoNumber = 1;
  let userId = 10_000_000;
  const rows: string[][] = [];
  for (const shape of SHAPES) {
    const fillTime = await timed(() => fill(db, shape, ngoNumber, userId));
    const ids = fillTime.result;
    ngoNumber += shape.ngos;
    userId += shape.ngos * shape.membersPerNgo;
    // One message per (deadline, slot, language), a delivery per member.
    const expected = { messages: shape.deadlines * LANGUAGES.length, deliveries: shape.deadlines * shape.ngos * shape.membersPerNgo };
    await db.prisma.$executeRawUnsafe('ANALYZE');

    // Only this shape's deadlines are open while it is measured.
    await db.prisma.deadline.updateMany({ where: { id: { notIn: ids } }, data: { status: 'CLOSED' } });
    await db.prisma.deadline.updateMany({ where: { id: { in: ids } }, data: { status: 'OPEN' } });
    await db.prisma.$executeRawUnsafe('TRUNCATE outbox_messages, outbox_deliveries');

    const process1 = services();
    const first = await timed(() => process1.remindersTick(now));
    const afterFirst = await counts(db);
    // The next minute in the same process, then in a new one (a restart, or a second process): the
    // first skips the slots it has enqueued, the second finds the slots' keys in the outbox.
    const sameProcess = await timed(() => process1.remindersTick(new Date(now.getTime() + 60_000)));
    const repeat = await timed(() => services().remindersTick(new Date(now.getTime() + 120_000)));
    const afterRepeat = await counts(db);

    await db.prisma.$executeRawUnsafe('TRUNCATE outbox_messages, outbox_deliveries');
    const race = await timed(() => Promise.all([services().remindersTick(now), services().remindersTick(now)]));
    const afterRace = await counts(db);

    // Stale statistics (issue 13): the planner last saw an empty outbox, which now holds the dead rows of a
    // run that was rolled back. This state once flipped the tick's plan to nested loops over every pair.
    await db.prisma.$executeRawUnsafe('TRUNCATE outbox_messages, outbox_deliveries');
    await db.prisma.$executeRawUnsafe('ANALYZE outbox_messages');
    await db.prisma.$executeRawUnsafe('ANALYZE outbox_deliveries');
    await db.prisma.$executeRawUnsafe('ALTER TABLE outbox_messages SET (autovacuum_enabled = false)');
    await db.prisma.$executeRawUnsafe('ALTER TABLE outbox_deliveries SET (autovacuum_enabled = false)');
    await db.prisma
      .$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`WITH m AS (
            INSERT INTO outbox_messages (kind, payload, dedupe_key)
            SELECT 'TEXT', '{}', 'reminder:dead:' || i FROM generate_series(1, ${shape.ngos}) AS i RETURNING id)
          INSERT INTO outbox_deliveries (message_id, chat_id) SELECT id, id FROM m`);
        throw new Error('rolled back');
      })
      .catch(() => {});
    const stale = await timed(() => services().remindersTick(now));
    const afterStale = await counts(db);
    await db.prisma.$executeRawUnsafe('ALTER TABLE outbox_messages RESET (autovacuum_enabled)');
    await db.prisma.$executeRawUnsafe('ALTER TABLE outbox_deliveries RESET (autovacuum_enabled)');

    const okFirst = afterFirst.messages === expected.messages && afterFirst.deliveries === expected.deliveries;
    const okRepeat =
      repeat.result.deliveries + sameProcess.result.deliveries === 0 && afterRepeat.messages === expected.messages && afterRepeat.deliveries === expected.deliveries;
    const okRace = afterRace.deliveries === expected.deliveries && race.result[0].deliveries + race.result[1].deliveries === expected.deliveries;
    const okStale = afterStale.messages === expected.messages && afterStale.deliveries === expected.deliveries;
    failed ||= !(okFirst && okRepeat && okRace && okStale);

    console.log(`${shape.name}: ${shape.deadlines} deadline(s) × ${int(shape.ngos)} NGOs × ${shape.membersPerNgo} member(s)   (fixtures ${ms(fillTime.ms)})`);
    console.log(`  first tick     ${ms(first.ms).padStart(9)}   enqueued ${int(afterFirst.messages)} messages, ${int(afterFirst.deliveries)} deliveries${okFirst ? '' : '   ✗ expected ' + int(expected.deliveries)}`);
    console.log(`  repeated tick  ${ms(sameProcess.ms).padStart(9)}   same process: enqueued ${int(sameProcess.result.deliveries)} deliveries`);
    console.log(`  repeated tick  ${ms(repeat.ms).padStart(9)}   new process: enqueued ${int(repeat.result.messages)} messages, ${int(repeat.result.deliveries)} deliveries${okRepeat ? '' : '   ✗ expected none'}`);
    console.log(`  two at once    ${ms(race.ms).padStart(9)}   enqueued ${int(afterRace.deliveries)} deliveries in all (${int(race.result[0].deliveries)} + ${int(race.result[1].deliveries)})${okRace ? '' : '   ✗'}`);
    console.log(`  stale stats    ${ms(stale.ms).padStart(9)}   first tick after a rolled-back run, statistics of an empty outbox: ${int(afterStale.deliveries)} deliveries${okStale ? '' : '   ✗'}\n`);
    rows.push([shape.name, ms(first.ms), ms(sameProcess.ms), ms(repeat.ms), `${ms(race.ms)} (${int(race.result[0].deliveries)} + ${int(race.result[1].deliveries)})`, ms(stale.ms)]);
  }
  return { rows, failed };
}

async function onServer(): Promise<{ rows: string[][]; failed: boolean }> {
  if (!serverUrl) {
    console.error('Set TEST_DATABASE_URL (or BENCH_DATABASE_URL) to a PostgreSQL server URL; the bench makes and drops its own database there.');
    process.exit(2);
  }
  const name = `ngo_bench_reminders_${randomUUID().replace(/-/g, '').slice(0, 12)}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  let db: Database | undefined;
  try {
    db = await openDatabase({ kind: 'postgres', url: withDatabaseName(serverUrl, name), poolSize: 4 });
    const migration = await timed(() => migrateDatabase(db!));
    const [version] = await db.prisma.$queryRawUnsafe<{ server_version: string }[]>('SHOW server_version');
    console.log(`PostgreSQL ${version!.server_version}, database ${name}: migrated in ${ms(migration.ms)}; ${int(PAIRS)} (deadline, recipient) pairs per shape\n`);
    return await measure(db);
  } finally {
    await db?.close();
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).catch((err: unknown) => console.error('could not drop the bench database:', err));
  }
}

async function embedded(): Promise<{ rows: string[][]; failed: boolean }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ngo-bench-reminders-'));
  let db: Database | undefined;
  try {
    db = await openDatabase({ kind: 'pglite', dataDir });
    const migration = await timed(() => migrateDatabase(db!));
    console.log(`embedded PGlite in ${dataDir}: migrated in ${ms(migration.ms)}; ${int(PAIRS)} (deadline, recipient) pairs per shape\n`);
    return await measure(db);
  } finally {
    await db?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let failed = false;
  const tables: string[] = [];
  for (const mode of MODES) {
    if (mode !== 'postgres' && mode !== 'embedded') throw new Error(`BENCH_MODES: unknown mode ${mode}`);
    console.log(`== ${mode === 'postgres' ? 'PostgreSQL server' : 'embedded database'}`);
    const result = mode === 'postgres' ? await onServer() : await embedded();
    failed ||= result.failed;
    tables.push(...result.rows.map((r) => `| ${mode === 'postgres' ? 'PostgreSQL' : 'embedded'} | ${r.join(' | ')} |`));
  }
  console.log('| database | shape | first tick (select + enqueue) | repeated tick, same process | repeated tick, new process | two ticks at once | first tick, stale statistics and dead rows |');
  console.log('|---|---|---|---|---|---|---|');
  for (const line of tables) console.log(line);
  if (failed) {
    console.error('\nA count was wrong: see ✗ above.');
    process.exit(1);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
