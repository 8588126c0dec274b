/**
 * One factory for both runtimes: a PostgreSQL server when DATABASE_URL is set, otherwise embedded
 * PostgreSQL (PGlite) under the data directory. Same schema, same migrations, same queries.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { PrismaClient } from './generated/client.js';
import { shareAdapterParsers } from './pglite-parsers.js';
import { pgliteReader, poolReader, type SqlReader } from './reader.js';
import { prepareAdapterStatements, preparedStatements } from './pglite-prepared.js';

export type { PrismaClient } from './generated/client.js';

export type DatabaseTarget =
  | { kind: 'postgres'; url: string; poolSize?: number }
  /** dataDir undefined = in memory (tests); loadDataDir restores a dump (fast test databases). */
  | { kind: 'pglite'; dataDir?: string; loadDataDir?: Blob };

export interface Database {
  prisma: PrismaClient;
  /** Plain SQL for the hottest reads (see reader.ts). */
  sql: SqlReader;
  kind: DatabaseTarget['kind'];
  /** Connections for the schema engine, to migrate this same database; close() ends every one of them. */
  openMigrationConnection(): { adapterFactory: SqlMigrationAwareDriverAdapterFactory; close(): Promise<void> };
  /** Embedded only: a dump of the data directory (used to clone migrated test databases quickly). */
  dump?: () => Promise<Blob>;
  close(): Promise<void>;
}

/**
 * No statement of the bot (an update's, a cron job's, an export page's) may hold a connection and a core
 * longer than this on a PostgreSQL server: past it the server stops the statement. The longest the bot
 * makes (a 100,000-recipient fan-out) take about a second. Migrations have a connection of their own.
 */
export const STATEMENT_TIMEOUT_MS = 60_000;

export async function openDatabase(target: DatabaseTarget): Promise<Database> {
  if (target.kind === 'postgres') {
    // We own the pool: Prisma's $disconnect leaves a pool it was given a config for open, which keeps
    // the process alive after shutdown.
    const pool = new pg.Pool({ connectionString: target.url, max: target.poolSize ?? 10, statement_timeout: STATEMENT_TIMEOUT_MS });
    pool.on('error', () => {}); // an idle client's error surfaces again on the next query; never crash on it
    const adapterFactory = new PrismaPg(pool, { statementNameGenerator: preparedReads() });
    const prisma = new PrismaClient({ adapter: adapterFactory });
    return {
      prisma,
      sql: poolReader(pool),
      kind: 'postgres',
      openMigrationConnection: () => openEnginePool(target.url),
      close: async () => {
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }
  // Loaded only for the embedded database: a bot on a PostgreSQL server does not keep PGlite's code in memory.
  const [{ PGlite }, { PrismaPGlite }, { pgliteMemoryOptions }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('pglite-prisma-adapter'),
    import('./pglite-options.js'),
  ]);
  if (target.dataDir) await mkdir(path.resolve(target.dataDir), { recursive: true });
  // Smaller buffer pool and maintenance memory than PGlite's defaults: why and what it costs in pglite-options.ts.
  const pglite = await PGlite.create(target.dataDir ? path.resolve(target.dataDir) : undefined, {
    ...pgliteMemoryOptions(),
    loadDataDir: target.loadDataDir,
  });
  const parsers = shareAdapterParsers(pglite);
  const statements = preparedStatements();
  prepareAdapterStatements(pglite, statements);
  const adapterFactory = new PrismaPGlite(pglite) as unknown as SqlMigrationAwareDriverAdapterFactory;
  const prisma = new PrismaClient({ adapter: adapterFactory });
  // The adapter's first query makes its parsers the instance's, before any plain read (pglite-parsers.ts).
  await prisma.$queryRaw`SELECT 1`;
  return {
    prisma,
    sql: pgliteReader(pglite, parsers, statements),
    kind: 'pglite',
    openMigrationConnection: () => ({ adapterFactory, close: async () => {} }),
    dump: () => pglite.dumpDataDir('none') as Promise<Blob>,
    close: async () => {
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}

/**
 * Reads are prepared once per connection and then only bound and run: the views every member opens after
 * an announcement (deadlines, courses, their feedback) are the same few statements all day, and parsing
 * and planning them each time was most of the server's CPU per update (issue 12). Only Prisma's plain
 * SELECTs are named here (reader.ts names its own statements): writes and the cron jobs' bulk statements
 * keep a fresh plan for the data of the moment (a generic plan can be wrong for a skewed status column). The names are bounded, so statements whose text varies
 * (a list of ids written out) cannot fill a connection's memory with prepared statements.
 */
const MAX_PREPARED = 500;
function preparedReads(): (query: { sql: string }) => string {
  const names = new Map<string, string>();
  return ({ sql }) => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED && sql.length < 4_000 && /^SELECT\s/i.test(sql)) {
      name = `r${names.size}`;
      names.set(sql, name);
    }
    return name as string;
  };
}

/**
 * The schema engine keeps a pooled connection checked out after it is freed, so pool.end() alone
 * would wait for it forever. Its pool records every client it makes, and closing ends them all.
 */
function openEnginePool(url: string) {
  const clients = new Set<pg.Client>();
  class TrackedClient extends pg.Client {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      clients.add(this);
      this.on('end', () => clients.delete(this));
    }
  }
  const pool = new pg.Pool({ connectionString: url, max: 2, Client: TrackedClient });
  pool.on('error', () => {});
  return {
    adapterFactory: new PrismaPg(pool),
    close: async () => {
      await Promise.allSettled([...clients].map((client) => client.end()));
      await pool.end().catch(() => {});
    },
  };
}
