/**
 * Prepared statements for the embedded database. PGlite sends every query as an unnamed statement, so
 * PostgreSQL parses and plans it again each time; for the reads every member makes all day (deadlines,
 * courses, the NGO card) planning cost two to four times the reading itself (issue 12: open courses
 * 1.85 ms a read, 0.83 ms prepared; a member's deadlines 0.56 ms, 0.19 ms prepared). On a server the pg
 * driver names statements and PostgreSQL keeps their plans (client.ts, reader.ts); PGlite has no such
 * call, so a statement is prepared once with SQL's PREPARE and then run with EXECUTE, its values written
 * in as literals (PREPARE decided their types, as a bound parameter's would be).
 *
 * Only values that read back exactly the same as a literal go this way (text, numbers, booleans, bigint,
 * null); anything else (lists, bytes, objects) takes PGlite's ordinary path. Prepared statements belong
 * to the connection and outlive transactions, so one that failed to prepare (say in a failed transaction)
 * is prepared again next time, and one that the server dropped or whose plan no longer fits the schema (a
 * migration) is prepared again once.
 */
import type { PGlite, Results } from '@electric-sql/pglite';
import { onEveryQueryTarget } from './pglite-parsers.js';

type Query = PGlite['query'];
type QueryOptions = Parameters<Query>[2];

/** At most this many statements are prepared per database: texts that vary cannot fill its memory. */
const MAX_PREPARED = 500;

export interface PreparedStatements {
  /** Runs `text` as the prepared statement `name` (prepared on first use), or as an ordinary query when a value cannot be a literal. */
  run<T>(target: { query: Query }, name: string, text: string, values: readonly unknown[], options?: QueryOptions): Promise<Results<T>>;
}

export function preparedStatements(): PreparedStatements {
  const prepared = new Map<string, Promise<void>>();
  const prepare = (target: { query: Query }, name: string, text: string): Promise<void> => {
    let ready = prepared.get(name);
    if (!ready) {
      const statement = `PREPARE ${name} AS ${text}`;
      ready = target.query(statement).then(
        () => undefined,
        async (error: unknown) => {
          // Still there from before (its drop failed in a failed transaction): replaced, as it may be stale.
          if ((error as { code?: unknown } | null)?.code !== '42P05') throw error;
          await target.query(`DEALLOCATE ${name}`);
          await target.query(statement);
        },
      );
      // Not prepared (a failed transaction, an error in the text): the next use tries again.
      ready.catch(() => prepared.delete(name));
      prepared.set(name, ready);
    }
    return ready;
  };
  return {
    async run<T>(target: { query: Query }, name: string, text: string, values: readonly unknown[], options?: QueryOptions): Promise<Results<T>> {
      const literals = values.map(sqlLiteral);
      if (literals.includes(undefined) || (!prepared.has(name) && prepared.size >= MAX_PREPARED)) return target.query<T>(text, [...values], options);
      const execute = `EXECUTE ${name}${literals.length ? `(${literals.join(', ')})` : ''}`;
      await prepare(target, name, text);
      try {
        return await target.query<T>(execute, [], options);
      } catch (error) {
        if (!isStalePreparation(error)) throw error;
        // Prepared again: a stale one still there is replaced (see prepare).
        prepared.delete(name);
        await prepare(target, name, text);
        return target.query<T>(execute, [], options);
      }
    },
  };
}

/** Dropped by the server (DISCARD, DEALLOCATE) or made for a table that has changed its columns since. */
function isStalePreparation(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  return e?.code === '26000' || (e?.code === '0A000' && typeof e.message === 'string' && e.message.includes('cached plan'));
}

/**
 * The value as an SQL literal, or undefined when it has none that reads back the same. Text is quoted as
 * libpq's PQescapeLiteral quotes it (E'' when it holds a backslash), whatever standard_conforming_strings
 * says; a NUL, which no PostgreSQL text can hold, is left to the ordinary path and its error.
 */
export function sqlLiteral(value: unknown): string | undefined {
  if (value === null) return 'NULL';
  if (typeof value === 'bigint') return `'${value}'`;
  if (typeof value === 'number') return Number.isFinite(value) ? `'${value}'` : undefined;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string' || value.includes('\0')) return undefined;
  const quoted = value.replaceAll("'", "''");
  return value.includes('\\') ? `E'${quoted.replaceAll('\\', '\\\\')}'` : `'${quoted}'`;
}

/**
 * Prisma's plain reads and inserts on this database as prepared statements, named by their text: they are
 * the same few statements all day, like the reads the pg driver prepares on a server (client.ts,
 * preparedReads). An insert's plan does not depend on the data (a form's progress is an insert on conflict
 * update, on every step of every form); updates and deletes, whose best plan can depend on how a status
 * column is spread at the moment, keep a fresh plan. Statements inside transactions go the same way (one
 * connection).
 */
export function prepareAdapterStatements(pglite: PGlite, statements: PreparedStatements): void {
  const names = new Map<string, string>();
  const nameOf = (sql: string): string | undefined => {
    let name = names.get(sql);
    if (name === undefined && names.size < MAX_PREPARED && sql.length < 4_000 && /^(SELECT|INSERT)\s/i.test(sql)) {
      name = `prisma_${names.size}`;
      names.set(sql, name);
    }
    return name;
  };
  const wrap = (target: { query: Query }) => {
    const query = target.query.bind(target) as Query;
    const self = { query };
    target.query = (<T>(sql: string, params?: unknown[], options?: QueryOptions) => {
      const name = params && params.length > 0 ? nameOf(sql) : undefined;
      return name ? statements.run<T>(self, name, sql, params!, options) : query<T>(sql, params, options);
    }) as Query;
  };
  onEveryQueryTarget(pglite, wrap);
}
