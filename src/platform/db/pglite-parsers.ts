/**
 * PGlite copies its whole table of type parsers (about 300, one per type and array type) into a new object
 * for every query that brings parsers of its own (`{ ...defaults, ...options.parsers }`), and Prisma's
 * adapter brings the same two dozen parsers on every query: the copy cost 0.2 ms a query, more than the
 * query itself (issue 12, embedded database). Here the adapter's parsers become the instance's own, and
 * its queries go without them: the same values, no copy.
 *
 * The adapter's parsers are learnt from its first query (they are one constant object in the adapter) and
 * put back before every query, since PGlite adds array types' parsers after a migration. The plain SQL
 * reads (reader.ts) bring no parsers either: they read the adapter's text forms (see pgliteReader).
 */
import type { PGlite, Transaction } from '@electric-sql/pglite';

type QueryOptions = Parameters<PGlite['query']>[2];
type Parsers = NonNullable<NonNullable<QueryOptions>['parsers']>;
type Query = PGlite['query'];

export interface SharedParsers {
  /** True once the adapter's parsers are the instance's: before that, plain reads would get PGlite's own forms. */
  ready(): boolean;
  /** PGlite's query as it was, for a read that brings its own parsers (they must not be taken for the adapter's). */
  unshared: PGlite['query'];
}

export function shareAdapterParsers(pglite: PGlite): SharedParsers {
  let adopted: Parsers | undefined;
  const withoutParsers = (options: QueryOptions): QueryOptions => {
    const parsers = options?.parsers;
    if (!parsers) return options;
    adopted ??= parsers;
    // Another set of parsers than the adapter's is passed on as it came.
    if (parsers !== adopted) return options;
    Object.assign(pglite.parsers, adopted);
    const { parsers: _ignored, ...rest } = options;
    return rest;
  };
  const unshared = pglite.query.bind(pglite) as Query;
  const share = (target: { query: Query }) => {
    const query = target.query.bind(target) as Query;
    target.query = ((sql: string, params?: unknown[], options?: QueryOptions) => query(sql, params, withoutParsers(options))) as Query;
  };
  onEveryQueryTarget(pglite, share);
  return {
    ready: () => {
      if (adopted) Object.assign(pglite.parsers, adopted);
      return adopted !== undefined;
    },
    unshared,
  };
}

/**
 * Applies `wrap` to the instance and to the transaction object of every transaction: transactions run
 * their statements on an object of their own, whose query is not the instance's.
 */
export function onEveryQueryTarget(pglite: PGlite, wrap: (target: { query: Query }) => void): void {
  wrap(pglite);
  const transaction = pglite.transaction.bind(pglite);
  pglite.transaction = (<T>(callback: (tx: Transaction) => Promise<T>) =>
    transaction((tx) => {
      wrap(tx);
      return callback(tx);
    })) as PGlite['transaction'];
}
