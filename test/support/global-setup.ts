/**
 * Once per test run: when a PostgreSQL server is configured, build the migrated template database
 * that every server-mode test clones. Migrating once keeps each test's database a cheap copy. The
 * template is named for this run, so two runs on one server (two developers, a helper and CI) do not
 * drop each other's template.
 */
import pg from 'pg';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { withDatabaseName } from './database.js';

export default async function setup(): Promise<() => Promise<void>> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI (see .ci/run)');
    return async () => {};
  }
  const template = `ngo_bot_template_${process.pid}_${Date.now().toString(36)}`;
  // Test workers are started after this and inherit the variable.
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
  return async () => {
    const drop = new pg.Client({ connectionString: url });
    await drop.connect();
    await drop.query(`DROP DATABASE IF EXISTS "${template}" WITH (FORCE)`).catch(() => {});
    await drop.end();
  };
}
