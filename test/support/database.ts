/**
 * Fresh, migrated databases for tests, in both storage modes.
 * - embedded: PGlite in memory, cloned from a dump of one migrated instance (a fresh PGlite plus
 *   migrations costs seconds; a clone costs a fraction of that).
 * - server: a new database on the PostgreSQL server of TEST_DATABASE_URL, created from a template that
 *   test/support/global-setup.ts migrated once for the whole run.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { testDatabaseUrl } from './servers.js';

export type StorageMode = 'embedded' | 'server';


let embeddedTemplate: Promise<Blob> | undefined;

async function migratedEmbeddedDump(): Promise<Blob> {
  embeddedTemplate ??= (async () => {
    const db = await openDatabase({ kind: 'pglite' });
    await migrateDatabase(db);
    const dump = await db.dump!();
    await db.close();
    return dump;
  })();
  return embeddedTemplate;
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

export interface TestDatabase extends Database {
  mode: StorageMode;
  /** Server mode: the URL of this test's own database (for a second process or a second client). */
  url?: string;
}

export async function createTestDatabase(mode: StorageMode = 'embedded'): Promise<TestDatabase> {
  if (mode === 'embedded') {
    const db = await openDatabase({ kind: 'pglite', loadDataDir: await migratedEmbeddedDump() });
    return { ...db, mode };
  }
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const name = `ngo_test_${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
    const template = process.env.NGO_TEST_TEMPLATE;
    if (!template) throw new Error('NGO_TEST_TEMPLATE is not set: run the tests through vitest (its global setup makes the template)');
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.end();
  }
  const url = withDatabaseName(testDatabaseUrl, name);
  const db = await openDatabase({ kind: 'postgres', url });
  return {
    ...db,
    mode,
    url,
    close: async () => {
      await db.close();
      const drop = new pg.Client({ connectionString: testDatabaseUrl });
      await drop.connect();
      await drop.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await drop.end();
    },
  };
}

/** The storage modes this run covers: always embedded, and the server when TEST_DATABASE_URL is set. */
export function storageModes(): StorageMode[] {
  return testDatabaseUrl ? ['embedded', 'server'] : ['embedded'];
}
