/**
 * Once per test run: when a PostgreSQL server is configured, build the migrated template database
 * that every server-mode test clones. Migrating once keeps each test's database a cheap copy.
 */
import pg from 'pg';
import { openDatabase } from '../../src/db/client.js';
import { migrateDatabase } from '../../src/db/migrate.js';
import { TEMPLATE_DATABASE, withDatabaseName } from './database.js';

export default async function setup(): Promise<void> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url) {
    if (process.env.CI) throw new Error('TEST_DATABASE_URL must be set in CI (see .ci/run)');
    return;
  }
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${TEMPLATE_DATABASE}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  const db = await openDatabase({ kind: 'postgres', url: withDatabaseName(url, TEMPLATE_DATABASE) });
  try {
    await migrateDatabase(db);
  } finally {
    await db.close();
  }
}
