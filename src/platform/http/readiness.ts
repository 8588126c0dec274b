/**
 * /readyz: may this process take traffic? Yes when the database answers, every migration shipped with
 * the code is applied (a process of a new release must not serve a database still on the old schema),
 * and Redis answers when it is configured. Each check has its own time limit, so a storage that hangs
 * makes the answer "not ready" rather than no answer.
 */
import type { Database } from '../db/client.js';
import { migrationNames, pendingMigrations } from '../db/migrate.js';
import type { KeyValueStore } from '../kv/kv.js';

export interface Readiness {
  ready: boolean;
  /** Per check: "ok", or what is wrong in a few words (never an address, a password or an error text). */
  checks: Record<'database' | 'migrations' | 'redis', string>;
}

export interface ReadinessDeps {
  db: Database;
  /** The shared key-value store, when REDIS_URL is set; unset: Redis is not checked. */
  redis?: KeyValueStore;
  migrationsDir?: string;
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 3000;

export function createReadiness(deps: ReadinessDeps): () => Promise<Readiness> {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // The migrations a process ships with do not change while it runs.
  let wanted: Promise<string[]> | undefined;
  return async () => {
    wanted ??= migrationNames(deps.migrationsDir);
    const names = await wanted;
    const [database, pending, redis] = await Promise.all([
      check(deps.db.prisma.$queryRaw`SELECT 1`, timeoutMs),
      settle(pendingMigrations(deps.db, names), timeoutMs),
      deps.redis ? check(deps.redis.get('readyz'), timeoutMs) : Promise.resolve('not configured'),
    ]);
    const migrations =
      pending.status !== 'ok' ? (database === 'ok' ? pending.status : 'unknown') : pending.value.length === 0 ? 'ok' : `pending: ${pending.value.join(', ')}`;
    const checks = { database, migrations, redis };
    return { ready: database === 'ok' && migrations === 'ok' && (redis === 'ok' || redis === 'not configured'), checks };
  };
}

async function check(work: Promise<unknown>, timeoutMs: number): Promise<string> {
  return (await settle(work, timeoutMs)).status;
}

type Settled<T> = { status: 'ok'; value: T } | { status: 'failed' | 'timeout' };

async function settle<T>(work: Promise<T>, timeoutMs: number): Promise<Settled<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Settled<T>>((resolve) => (timer = setTimeout(() => resolve({ status: 'timeout' }), timeoutMs)));
  try {
    return await Promise.race([work.then((value): Settled<T> => ({ status: 'ok', value }), (): Settled<T> => ({ status: 'failed' })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
