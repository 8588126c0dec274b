/**
 * Plain SQL for the few reads every member makes all day (their deadlines, their feedback): after an
 * announcement a province's members open the same two or three lists thousands of times a minute, and
 * Prisma's client cost more CPU than the rest of such an update (issue 12's profile). These reads are
 * one statement each, prepared once per connection on a server; everything else stays on Prisma, and so
 * does every write but one: a form's progress when there is no Redis to keep it, written at every step of
 * every form (bot/session-store.ts), a statement that returns the row it wrote.
 *
 * Values come back as Prisma gives them: int8 as bigint, `timestamp` columns (Prisma's DateTime, kept in
 * UTC) as Date, json as objects. Enums must be selected as text (`status::text`), and columns named as
 * the model names them (`due_at AS "dueAt"`). Other types come as each database's driver reads them,
 * which differs for `date` and for arrays of int8 or timestamps: add them to both readers before selecting one.
 */
import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { SharedParsers } from './pglite-parsers.js';
import type { PreparedStatements } from './pglite-prepared.js';

/** A read statement with the shape of its rows; `name` is its prepared statement's name on a server. */
export interface SqlRead<Row> {
  readonly name: string;
  readonly text: string;
  /** Never set: carries the row type. */
  readonly row?: Row;
}

export function sqlRead<Row>(name: string, text: string): SqlRead<Row> {
  return { name: `read_${name}`, text };
}

export type SqlValue = string | number | bigint | boolean | Date | null;

export interface SqlReader {
  rows<Row>(read: SqlRead<Row>, values: readonly SqlValue[]): Promise<Row[]>;
}

const INT8 = 20;
const TIMESTAMP = 1114;
const TIMESTAMPTZ = 1184;
const JSON_OID = 114;
const JSONB = 3802;

/** Prisma keeps DateTime as `timestamp` without a zone, in UTC: read it as UTC whatever the process's zone. */
const parseTimestamp = (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
const PARSERS: Record<number, (text: string) => unknown> = {
  [INT8]: (text) => BigInt(text),
  [TIMESTAMP]: parseTimestamp,
  [TIMESTAMPTZ]: (text) => new Date(text),
};

/** A Date as UTC (a `timestamp` column takes it as written), a bigint as its digits. */
function toParam(value: SqlValue): string | number | boolean | null {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function poolReader(pool: pg.Pool): SqlReader {
  const types = {
    getTypeParser: ((oid: number, format?: string) => (format !== 'binary' && PARSERS[oid]) || pg.types.getTypeParser(oid, format as 'text')) as typeof pg.types.getTypeParser,
  };
  return {
    async rows<Row>(read: SqlRead<Row>, values: readonly SqlValue[]) {
      const result = await pool.query({ name: read.name, text: read.text, values: values.map(toParam), types });
      return result.rows as Row[];
    },
  };
}

/**
 * The embedded database's rows come with the Prisma adapter's parsers (pglite-parsers.ts): int8, json and
 * timestamps as text, timestamps in ISO form with their UTC offset. They are read into Prisma's types here
 * rather than by parsers passed with the query, which PGlite would copy its whole parser table for.
 */
const FROM_ADAPTER_TEXT: Record<number, (text: string) => unknown> = {
  [INT8]: (text) => BigInt(text),
  [TIMESTAMP]: (text) => new Date(text),
  [TIMESTAMPTZ]: (text) => new Date(text),
  [JSON_OID]: (text) => JSON.parse(text) as unknown,
  [JSONB]: (text) => JSON.parse(text) as unknown,
};

/** Each read is prepared on first use and then only run, as on a server (pglite-prepared.ts). */
export function pgliteReader(pglite: PGlite, parsers: SharedParsers, statements: PreparedStatements): SqlReader {
  return {
    async rows<Row>(read: SqlRead<Row>, values: readonly SqlValue[]) {
      // Until Prisma's adapter has made a query (openDatabase makes one), the instance has PGlite's own parsers.
      if (!parsers.ready()) return (await parsers.unshared<Row>(read.text, values.map(toParam), { parsers: PARSERS })).rows;
      const result = await statements.run<Record<string, unknown>>(pglite, read.name, read.text, values.map(toParam));
      const converted = result.fields.filter((f) => FROM_ADAPTER_TEXT[f.dataTypeID]);
      for (const row of result.rows) {
        for (const field of converted) {
          const value = row[field.name];
          if (typeof value === 'string') row[field.name] = FROM_ADAPTER_TEXT[field.dataTypeID]!(value);
        }
      }
      return result.rows as Row[];
    },
  };
}

/**
 * Reads by key asked for in the same turn of the event loop, made as one statement: a batch of updates
 * from Telegram asks for the same small thing (a role) once per person, within the same millisecond.
 * `load` gets the distinct keys and answers with what it found; a key it did not find gets undefined.
 * Nothing is remembered between turns, so every read is as fresh as an unbatched one.
 */
export function batchedLookup<K, V>(load: (keys: K[]) => Promise<Map<K, V>>): (key: K) => Promise<V | undefined> {
  type Waiter = { resolve: (value: V | undefined) => void; reject: (error: unknown) => void };
  let batch: Map<K, Waiter[]> | undefined;
  const flush = (asked: Map<K, Waiter[]>) => {
    batch = undefined;
    load([...asked.keys()]).then(
      (found) => asked.forEach((waiters, key) => waiters.forEach((w) => w.resolve(found.get(key)))),
      (error: unknown) => asked.forEach((waiters) => waiters.forEach((w) => w.reject(error))),
    );
  };
  return (key) =>
    new Promise<V | undefined>((resolve, reject) => {
      if (!batch) {
        batch = new Map();
        // After this turn's I/O callbacks and their promise jobs: the whole batch has asked by then.
        setImmediate(flush, batch);
      }
      const waiters = batch.get(key);
      if (waiters) waiters.push({ resolve, reject });
      else batch.set(key, [{ resolve, reject }]);
    });
}

/** Ids that make up one key of a batched read (a person, and the course or item they opened). */
export type KeyIds = readonly (bigint | number)[];

/** A read of the rows of the keys asked for in one turn (perKeyRows): its statement and the keys' columns. */
export interface KeyedRead<Row> {
  readonly read: SqlRead<Row>;
  readonly columns: readonly string[];
}

/**
 * `text` gets `asked`, a relation of the keys with the int8 columns `columns` names, to read from or join to
 * (`FROM ${asked} a`, `m.user_id IN (SELECT user_id FROM ${asked} a)`); its own parameters begin at $2.
 * The keys come as one JSON parameter, read by json_to_recordset: PostgreSQL guesses the same number of
 * rows for it whatever is asked, so it keeps one plan for the statement. From a list it can count at
 * planning (unnest of an array) it would plan every run again, as a plan for an unknown number of keys
 * looks dearer than one for the keys at hand: a single key, which is what most reads are outside a rush,
 * would pay for planning every time (four times the reading, for a course's card).
 */
export function keyedRead<Row>(name: string, columns: readonly string[], text: (asked: string) => string): KeyedRead<Row> {
  const asked = `(SELECT * FROM json_to_recordset($1::json) AS k(${columns.map((column) => `${column} bigint`).join(', ')}))`;
  return { read: sqlRead<Row>(name, text(asked)), columns };
}

/** The rows of these distinct keys (their ids in the order of the read's columns) in one statement; `shared` from $2. */
export function keyedRows<Row>(sql: SqlReader, { read, columns }: KeyedRead<Row>, keys: readonly (readonly (bigint | number | string)[])[], shared: readonly SqlValue[] = []): Promise<Row[]> {
  // The ids are whole numbers (perKeyRows checks them; other callers pass ids they read), written as JSON
  // numbers: exact at any size for int8.
  const json = `[${keys.map((key) => `{${columns.map((column, i) => `"${column}":${key[i]}`).join(',')}}`).join(',')}]`;
  return sql.rows(read, [json, ...shared]);
}

/**
 * Rows for several keys in one statement, handed out per key: the keys asked for in one turn are read
 * together (batchedLookup), with the values `shared` gives at the moment of reading (the start of the day,
 * say) as the read's own parameters. `keyOf` names the key each row answers (an id read as int8 comes
 * back a bigint; it matches the same number asked for). A key asked for with no rows, or with an id that
 * is not a whole number (which would fail the statement for everyone read with it), gets [].
 */
export function perKeyRows<Row, Key extends KeyIds>(
  sql: SqlReader,
  read: KeyedRead<Row>,
  keyOf: (row: Row) => KeyIds,
  shared: () => SqlValue[] = () => [],
): (...key: Key) => Promise<Row[]> {
  const lookup = batchedLookup(async (keys: string[]) => {
    const rows = await keyedRows(sql, read, keys.map((key) => key.split(':')), shared());
    return groupRows(rows, (row) => keyOf(row).join(':'));
  });
  return async (...key) => (key.every(isWholeId) ? ((await lookup(key.join(':'))) ?? []) : []);
}

const INT8_MIN = -(2n ** 63n);
const INT8_MAX = 2n ** 63n - 1n;
/** An id the keys' int8 columns can hold; anything else would fail the statement for everyone read with it. */
const isWholeId = (id: bigint | number) => (typeof id === 'bigint' ? id >= INT8_MIN && id <= INT8_MAX : Number.isSafeInteger(id));

/** Rows of several people in one statement (perKeyRows with the person as the key, `user_id`): each row names its person `forUser`. */
export function perUserRows<Row extends { forUser: bigint }>(sql: SqlReader, read: KeyedRead<Row>, shared?: () => SqlValue[]): (userId: bigint) => Promise<Row[]> {
  return perKeyRows<Row, [bigint]>(sql, read, (row) => [row.forUser], shared);
}

/** Rows grouped by a key of theirs (what a batched read was asked for), in the order they came. */
function groupRows<Row, K>(rows: readonly Row[], keyOf: (row: Row) => K): Map<K, Row[]> {
  const grouped = new Map<K, Row[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = grouped.get(key);
    if (list) list.push(row);
    else grouped.set(key, [row]);
  }
  return grouped;
}

/** Rows grouped by the person they are for, in the order they came. */
export function byUser<Row extends { forUser: bigint }>(rows: readonly Row[]): Map<bigint, Row[]> {
  return groupRows(rows, (row) => row.forUser);
}
