/**
 * Memory settings of the embedded database (PGlite), chosen by test/bench/pglite-memory/measure.ts.
 *
 * PGlite runs PostgreSQL inside one WebAssembly memory that starts at 128 MiB (the module's minimum:
 * PGlite's `initialMemory` can only raise it) and never shrinks, so the process keeps whatever the
 * database's peak ever touched. As it ships, 0.5.16 takes initdb's `shared_buffers = 128MB`: the buffer
 * pool alone fills the initial memory, which then grows to 189 MiB, and the RSS follows as the pool fills.
 *
 * - shared_buffers = 32MB: the pool sits inside the initial memory, so it never grows for the cache.
 *   Measured on 20,000 NGOs / 100,000 users: about 100 MiB less RSS after the load, same updates/s
 *   (a page not in the pool is a read from the operating system's file cache, not from the disk).
 *   wal_buffers follows it (1/32 of it) by PostgreSQL's own rule.
 * - maintenance_work_mem = 16MB (from 64MB): what one CREATE INDEX or VACUUM may take. Only a migration
 *   on a big table uses it, but that one peak would stay in the WebAssembly memory for the process's life.
 *   The index is built the same, in more passes.
 *
 * Left as they are, because measuring showed no gain: work_mem (4MB, per sort, given back), temp_buffers
 * (the bot makes no temporary tables), WAL sizes (WAL is in files on disk with a data directory),
 * max_connections (PGlite is one backend; the slots cost 5 MiB that now fit in the initial memory).
 * Durability is PGlite's own: it already runs with fsync off (-F in its default start parameters) and
 * `relaxedDurability` only matters for IndexedDB, so nothing here changes what a commit guarantees.
 */
import { PGlite, type PGliteOptions } from '@electric-sql/pglite';

export type PostgresSettings = Record<string, string>;

export const embeddedSettings: PostgresSettings = {
  shared_buffers: '32MB',
  maintenance_work_mem: '16MB',
};

/**
 * PGlite's own start parameters (single-user mode and the rest, kept whole: startParams replaces them)
 * plus `-c name=value` per setting. Command-line settings are not written to the data directory, so
 * a directory made with other settings opens with these, and removing one restores PGlite's default.
 */
export function pgliteStartParams(settings: PostgresSettings = embeddedSettings): string[] {
  return [...PGlite.defaultStartParams, ...Object.entries(settings).flatMap(([name, value]) => ['-c', `${name}=${value}`])];
}

export function pgliteMemoryOptions(settings: PostgresSettings = embeddedSettings): Pick<PGliteOptions, 'startParams'> {
  return { startParams: pgliteStartParams(settings) };
}
