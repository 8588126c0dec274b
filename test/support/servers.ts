import { describe } from 'vitest';

/**
 * Suites that need a real PostgreSQL or Redis server read their URL from the environment.
 * In CI a missing URL fails the run (a suite must never be skipped silently there);
 * on a developer's machine the suite is skipped with a visible warning.
 */
export const testDatabaseUrl = process.env.TEST_DATABASE_URL;
export const testRedisUrl = process.env.TEST_REDIS_URL;

export function describeWithServer(
  name: string,
  requirements: { databaseUrl?: boolean; redisUrl?: boolean },
  body: () => void,
): void {
  const missing: string[] = [];
  if (requirements.databaseUrl && !testDatabaseUrl) missing.push('TEST_DATABASE_URL');
  if (requirements.redisUrl && !testRedisUrl) missing.push('TEST_REDIS_URL');
  if (missing.length === 0) {
    describe(name, body);
    return;
  }
  if (process.env.CI) {
    throw new Error(`${name}: ${missing.join(', ')} must be set in CI (see .ci/run)`);
  }
  console.warn(`SKIPPED "${name}": set ${missing.join(', ')} to run it (bash .ci/services.sh starts both servers)`);
  describe.skip(name, body);
}
