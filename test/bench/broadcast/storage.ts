/**
 * Where a scenario's outbox lives. On the PostgreSQL server the bench and the bot process share the bench
 * database (the bench reads it while the bot sends). Embedded PGlite is one process's database: the bench
 * fills a data folder before the bot process starts (open, migrate, enqueue, close), asks the bot process
 * for its counts while it runs, and opens the folder again only when every bot process is gone.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openDatabase, type Database } from '../../../src/platform/db/client.js';
import { migrateDatabase } from '../../../src/platform/db/migrate.js';
import { createOutbox } from '../../../src/platform/delivery/outbox.js';
import type { StatusCounts, WorkerConfig } from '../dispatcher-worker.js';
import type { BotProcess } from './bot-process.js';
import { PAYLOAD, cleanups } from './common.js';

export interface Enqueued {
  enqueueMs: number;
}

export interface BenchStorage {
  readonly kind: 'postgres' | 'pglite';
  /** The server database's URL (what the bot process connects to); none for PGlite. */
  readonly url?: string;
  /** Empties the outbox and enqueues one message for every recipient; returns how long the enqueue took. */
  fill(recipients: number[], dedupeKey: string, sourceId: string): Promise<Enqueued>;
  /** The database as the bot process opens it; `viaUrl` replaces the server URL (the outage proxy). */
  workerDatabase(viaUrl?: string): WorkerConfig['database'];
  /** Rows by status now; undefined when it cannot be known at the moment (embedded, no live bot process). */
  counts(current: BotProcess | undefined): Promise<StatusCounts | undefined>;
  /** Rows by status once every bot process is gone, and how many rows were claimed more than once (attempts > 1). */
  finalCounts(): Promise<{ counts: StatusCounts; claimedAgain: number }>;
  /** PostgreSQL backends serving the bench database (their CPU is the database's share); none for PGlite. */
  backends(): Promise<number[]>;
  /** The chats of the rows SENDING now, read by the bench itself (server only: the outage scenarios). */
  sending?(): Promise<number[]>;
}

async function statusCounts(db: Database): Promise<StatusCounts> {
  const rows = await db.prisma.$queryRaw<{ status: string; n: bigint }[]>`
    SELECT status::text AS status, count(*) AS n FROM outbox_deliveries GROUP BY status`;
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

async function finalCounts(db: Database): Promise<{ counts: StatusCounts; claimedAgain: number }> {
  const [again] = await db.prisma.$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM outbox_deliveries WHERE attempts > 1`;
  return { counts: await statusCounts(db), claimedAgain: Number(again?.n ?? 0) };
}

async function enqueue(db: Database, recipients: number[], dedupeKey: string, sourceId: string): Promise<Enqueued> {
  const outbox = createOutbox({ prisma: db.prisma });
  const started = performance.now();
  const { added } = await outbox.enqueue({ payload: PAYLOAD, recipients, dedupeKey, source: { type: 'bench', id: sourceId } });
  const enqueueMs = performance.now() - started;
  if (added !== recipients.length) throw new Error(`enqueue added ${added} rows, expected ${recipients.length}`);
  return { enqueueMs };
}

/** The bench database on the PostgreSQL server, open in this process the whole run. */
export function serverStorage(db: Database, url: string): BenchStorage {
  return {
    kind: 'postgres',
    url,
    async fill(recipients, dedupeKey, sourceId) {
      await db.prisma.$executeRaw`TRUNCATE outbox_deliveries, outbox_messages RESTART IDENTITY`;
      return enqueue(db, recipients, dedupeKey, sourceId);
    },
    workerDatabase: (viaUrl) => ({ kind: 'postgres', url: viaUrl ?? url }),
    counts: () => statusCounts(db),
    finalCounts: () => finalCounts(db),
    async backends() {
      const rows = await db.prisma.$queryRaw<{ pid: number }[]>`
        SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`;
      return rows.map((r) => Number(r.pid));
    },
    async sending() {
      const rows = await db.prisma.$queryRaw<{ chat_id: bigint }[]>`SELECT chat_id FROM outbox_deliveries WHERE status = 'SENDING'`;
      return rows.map((r) => Number(r.chat_id));
    },
  };
}

/** An embedded PGlite data folder of its own under the system's temporary directory, removed at the end. */
export async function embeddedStorage(): Promise<BenchStorage> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'ngo-bench-pglite-'));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const withFolder = async <T>(fn: (db: Database) => Promise<T>): Promise<T> => {
    const db = await openDatabase({ kind: 'pglite', dataDir });
    try {
      return await fn(db);
    } finally {
      await db.close();
    }
  };
  let migrated = false;
  return {
    kind: 'pglite',
    fill: (recipients, dedupeKey, sourceId) =>
      withFolder(async (db) => {
        if (!migrated) await migrateDatabase(db);
        migrated = true;
        await db.prisma.$executeRaw`TRUNCATE outbox_deliveries, outbox_messages RESTART IDENTITY`;
        return enqueue(db, recipients, dedupeKey, sourceId);
      }),
    workerDatabase: () => ({ kind: 'pglite', dataDir }),
    counts: async (current) => current?.counts(),
    finalCounts: () => withFolder(finalCounts),
    backends: async () => [],
  };
}
