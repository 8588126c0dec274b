/**
 * Applies prisma/migrations with the WebAssembly schema engine, recording them in Prisma's own
 * `_prisma_migrations` table, so `prisma migrate deploy` and this runner agree on what is applied.
 */
import { readFile } from 'node:fs/promises';
import type { Database } from './client.js';
import { migrationsDir as defaultMigrationsDir, schemaPath } from './paths.js';
import { emptySchemaFilter, openSchemaEngine, readMigrationList } from './schema-engine.js';

export interface MigrationResult {
  applied: string[];
}

export async function migrateDatabase(
  db: Database,
  options: { migrationsDir?: string } = {},
): Promise<MigrationResult> {
  const migrationsList = await readMigrationList(options.migrationsDir ?? defaultMigrationsDir);
  const wanted = migrationsList.migrationDirectories.map((m) => m.path);
  // Fast path for every start after the first: nothing to do, so skip loading the engine.
  if (await allApplied(db, wanted)) return { applied: [] };

  const connection = db.openMigrationConnection();
  try {
    const { engine, close } = await openSchemaEngine(connection.adapterFactory, {
      path: schemaPath,
      content: await readFile(schemaPath, 'utf8'),
    });
    try {
      const { appliedMigrationNames } = await engine.applyMigrations({ migrationsList, filters: emptySchemaFilter });
      return { applied: appliedMigrationNames };
    } finally {
      await close();
    }
  } finally {
    await connection.close();
  }
}

async function allApplied(db: Database, wanted: string[]): Promise<boolean> {
  try {
    const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
      'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
    );
    const done = new Set(rows.map((r) => r.migration_name));
    return wanted.every((name) => done.has(name));
  } catch {
    return false; // no migrations table yet: a fresh database
  }
}

/**
 * Which of `wanted` (migration names, as `migrationNames` lists them) `db` has not applied, in order: for
 * /readyz (a database restored from an old dump, or migrations that failed at start). Throws when the
 * database does not answer.
 */
export async function pendingMigrations(db: Database, wanted: readonly string[]): Promise<string[]> {
  const [table] = await db.prisma.$queryRawUnsafe<{ present: boolean }[]>(`SELECT to_regclass('_prisma_migrations') IS NOT NULL AS present`);
  if (!table?.present) return [...wanted];
  const rows = await db.prisma.$queryRawUnsafe<{ migration_name: string }[]>(
    'SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL',
  );
  const done = new Set(rows.map((r) => r.migration_name));
  return wanted.filter((name) => !done.has(name));
}

/** The names of the migrations in `migrationsDir`, in the order they apply. */
export async function migrationNames(migrationsDir: string = defaultMigrationsDir): Promise<string[]> {
  return (await readMigrationList(migrationsDir)).migrationDirectories.map((m) => m.path);
}
