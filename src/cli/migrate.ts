/** `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the embedded database under DATA_DIR. */
import { openDatabase } from '../platform/db/client.js';
import { migrateDatabase } from '../platform/db/migrate.js';

const url = process.env.DATABASE_URL;
const db = await openDatabase(url ? { kind: 'postgres', url } : { kind: 'pglite', dataDir: `${process.env.DATA_DIR ?? './data'}/pglite` });
try {
  const { applied } = await migrateDatabase(db);
  console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'The database is up to date.');
} finally {
  await db.close();
}
// The wasm engine leaves a timer behind; a command-line tool is done when its work is.
process.exit(0);
