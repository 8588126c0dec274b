/**
 * Once per test run, before any worker starts: migrate the templates every test database is copied
 * from, so no test file pays for migrations (seconds) again.
 * - embedded: a PGlite migrated once, its data directory dumped to a temporary file
 *   (NGO_TEST_PGLITE_DUMP); workers load it.
 * - server (TEST_DATABASE_URL set): a template database (NGO_TEST_TEMPLATE) that test databases are
 *   created from. Its name and the test databases' names carry this run's id (NGO_TEST_RUN), so two
 *   runs on one server (two developers, a helper and CI) never drop each other's, and the teardown
 *   drops whatever a crashed worker of this run left.
 * Workers are started after this and inherit the variables. A run of the unit project alone makes
 * no template.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { dropServerDatabases, dumpMigratedEmbedded, runDatabasePrefix, withDatabaseName } from './database.js';

/** The projects whose tests open databases. */
const DATABASE_PROJECTS = new Set(['service', 'integration', 'e2e']);

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const running = project.vitest.projects.map((p) => p.name);
  if (!running.some((name) => DATABASE_PROJECTS.has(name))) return async () => {};

  const url = process.env.TEST_DATABASE_URL;
  if (!url && process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI (see .ci/run)');
  const runId = `${process.pid}_${Date.now().toString(36)}`;
  process.env.NGO_TEST_RUN = runId;

  const [dumpDir] = await Promise.all([makeEmbeddedTemplate(), url ? makeServerTemplate(url, runId) : undefined]);

  return async () => {
    await rm(dumpDir, { recursive: true, force: true });
    if (url) await dropRunDatabases(url, runId);
  };
}

async function makeEmbeddedTemplate(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ngo-bot-test-template-'));
  const file = path.join(dir, 'pglite-migrated.tar');
  await writeFile(file, Buffer.from(await (await dumpMigratedEmbedded()).arrayBuffer()));
  process.env.NGO_TEST_PGLITE_DUMP = file;
  return dir;
}

async function makeServerTemplate(url: string, runId: string): Promise<void> {
  const template = `${runDatabasePrefix(runId)}template`;
  process.env.NGO_TEST_TEMPLATE = template;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${template}"`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ kind: 'postgres', url: withDatabaseName(url, template) });
  try {
    await migrateDatabase(db);
  } finally {
    await db.close();
  }
}

/** The template and any test database of this run still there (a worker that crashed or timed out). */
async function dropRunDatabases(url: string, runId: string): Promise<void> {
  const prefix = runDatabasePrefix(runId);
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  let names: string[];
  try {
    const { rows } = await admin.query<{ datname: string }>('SELECT datname FROM pg_database WHERE left(datname, length($1)) = $1', [prefix]);
    names = rows.map((r) => r.datname);
  } finally {
    await admin.end();
  }
  await dropServerDatabases(url, names);
}
