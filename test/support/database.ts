/**
 * Migrated databases for tests, in both storage modes. test/support/global-setup.ts migrates one
 * template of each kind once per run; every database here is a copy of it.
 * - embedded: PGlite in memory, loaded from the template's dump (NGO_TEST_PGLITE_DUMP, a file).
 * - server: a new database on the PostgreSQL server of TEST_DATABASE_URL, created from the template
 *   database (NGO_TEST_TEMPLATE), named with this run's prefix (NGO_TEST_RUN) so that the global
 *   teardown can drop whatever a crashed worker left behind, and nothing of another run.
 *
 * Which mode a suite runs on: storageModes() for the storage contract suites (both when a server is
 * configured), e2eStorageMode() for the end-to-end suites (one: the server when there is one).
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { testDatabaseUrl } from './servers.js';

export type StorageMode = 'embedded' | 'server';

/** The storage modes the contract suites (storage, outbox, kv, sessions) cover: always embedded, and the server when TEST_DATABASE_URL is set. */
export function storageModes(): StorageMode[] {
  return testDatabaseUrl ? ['embedded', 'server'] : ['embedded'];
}

/**
 * The one storage mode the end-to-end suites run on: the PostgreSQL server (with Redis) when
 * TEST_DATABASE_URL is set, as in production at scale; else embedded. The storage contract suites
 * prove both modes behave alike, so running every e2e suite twice would test the same bot twice.
 */
export function e2eStorageMode(): StorageMode {
  return testDatabaseUrl ? 'server' : 'embedded';
}

/** The e2e mode plus embedded: for the smoke suites that also prove the embedded app path (`npm start` on PGlite). */
export function smokeStorageModes(): StorageMode[] {
  return [...new Set<StorageMode>([e2eStorageMode(), 'embedded'])];
}

export function withDatabaseName(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

/** The prefix of every server database of one run: the template's name and the test databases' names start with it. */
export function runDatabasePrefix(runId: string): string {
  return `ngo_t${runId}_`;
}

export interface TestDatabase extends Database {
  mode: StorageMode;
  /** Server mode: the URL of this test's own database (for a second process or a second client). */
  url?: string;
}

let embeddedTemplate: Promise<Blob> | undefined;

/** The migrated template's dump: the global setup's file, or (a file run outside vitest's setup) one made here. */
async function migratedEmbeddedDump(): Promise<Blob> {
  embeddedTemplate ??= (async () => {
    const file = process.env.NGO_TEST_PGLITE_DUMP;
    if (file) return new Blob([await readFile(file)]);
    return dumpMigratedEmbedded();
  })();
  return embeddedTemplate;
}

/** A fresh PGlite, migrated, as a dump of its data directory. */
export async function dumpMigratedEmbedded(): Promise<Blob> {
  const db = await openDatabase({ kind: 'pglite' });
  try {
    await migrateDatabase(db);
    return await db.dump!();
  } finally {
    await db.close();
  }
}

/** A new migrated database of its own, gone when closed. */
export async function createTestDatabase(mode: StorageMode = 'embedded'): Promise<TestDatabase> {
  if (mode === 'embedded') {
    const db = await openDatabase({ kind: 'pglite', loadDataDir: await migratedEmbeddedDump() });
    return { ...db, mode };
  }
  if (!testDatabaseUrl) throw new Error('TEST_DATABASE_URL is not set');
  const template = process.env.NGO_TEST_TEMPLATE;
  const runId = process.env.NGO_TEST_RUN;
  if (!template || !runId) throw new Error('NGO_TEST_TEMPLATE is not set: run the tests through vitest (its global setup makes the template)');
  const name = `${runDatabasePrefix(runId)}${randomUUID().replace(/-/g, '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: testDatabaseUrl });
  await admin.connect();
  try {
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
      await dropServerDatabases(testDatabaseUrl!, [name]);
    },
  };
}

export async function dropServerDatabases(url: string, names: string[]): Promise<void> {
  if (names.length === 0) return;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    for (const name of names) await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
  } finally {
    await admin.end();
  }
}
