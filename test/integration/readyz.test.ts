/**
 * /readyz on the PostgreSQL and Redis servers, through the real HTTP server: ready only when the
 * database answers, every shipped migration is applied and Redis answers; otherwise 503 and a body
 * that names what failed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/client.js';
import { migrationNames } from '../../src/platform/db/migrate.js';
import { createReadiness, type ReadinessDeps } from '../../src/platform/http/readiness.js';
import { startHttpServer } from '../../src/platform/http/server.js';
import { createKeyValueStore, type KeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { cleanTestDatabase } from '../support/file-database.js';
import { get } from '../support/prometheus.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';

const logger = createLogger({ level: 'silent' });
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(deps: ReadinessDeps): Promise<number> {
  const server: http.Server = await startHttpServer({ port: 0, logger, health: async () => true, ready: createReadiness(deps) });
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return (server.address() as AddressInfo).port;
}

function redis(url = testRedisUrl!): KeyValueStore {
  const kv = createKeyValueStore({ redisUrl: url, namespace: `readyz-${process.pid}:` });
  cleanups.push(() => kv.close());
  return kv;
}

async function readyz(port: number) {
  const { status, body, type } = await get(port, '/readyz');
  return { status, type, body: JSON.parse(body) as { status: string; checks: Record<string, string> } };
}

describeWithServer('/readyz on PostgreSQL and Redis', { databaseUrl: true, redisUrl: true }, () => {
  it('when the database answers, every migration is applied and Redis answers, then it is 200 with every check ok', async () => {
    const db = await cleanTestDatabase('server');
    cleanups.push(() => db.close());
    const port = await serve({ db, redis: redis() });

    expect(await readyz(port)).toEqual({
      status: 200,
      type: 'application/json',
      body: { status: 'ready', checks: { database: 'ok', migrations: 'ok', redis: 'ok' } },
    });
  });

  it('when Redis is configured but unreachable, then it is 503 and names Redis, within the check time limit', async () => {
    const db = await cleanTestDatabase('server');
    cleanups.push(() => db.close());
    const port = await serve({ db, redis: redis('redis://127.0.0.1:1'), timeoutMs: 2000 });

    const started = Date.now();
    const { status, body } = await readyz(port);
    expect(status).toBe(503);
    expect(body.status).toBe('not ready');
    expect(body.checks).toMatchObject({ database: 'ok', migrations: 'ok' });
    expect(['failed', 'timeout']).toContain(body.checks.redis);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('when Redis is not configured (one process, in-process store), then it is not checked and the process is ready', async () => {
    const db = await cleanTestDatabase('server');
    cleanups.push(() => db.close());
    const port = await serve({ db });

    const { status, body } = await readyz(port);
    expect(status).toBe(200);
    expect(body.checks.redis).toBe('not configured');
  });

  it('when the code ships a migration the database has not applied, then it is 503 and names the migration', async () => {
    const db = await cleanTestDatabase('server');
    cleanups.push(() => db.close());
    // The shipped migrations plus one of a newer release.
    const dir = await mkdtemp(path.join(os.tmpdir(), 'readyz-migrations-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    for (const name of [...(await migrationNames()), '29991231000000_newer_release']) {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, 'migration.sql'), 'SELECT 1\n');
    }
    const port = await serve({ db, redis: redis(), migrationsDir: dir });

    const { status, body } = await readyz(port);
    expect(status).toBe(503);
    expect(body.checks).toEqual({ database: 'ok', migrations: 'pending: 29991231000000_newer_release', redis: 'ok' });
  });

  it('when the database does not answer, then it is 503, the database failed and the migrations are unknown', async () => {
    const db = await openDatabase({ kind: 'postgres', url: 'postgresql://nobody:nothing@127.0.0.1:1/none' });
    cleanups.push(() => db.close());
    const port = await serve({ db, redis: redis(), timeoutMs: 2000 });

    const { status, body } = await readyz(port);
    expect(status).toBe(503);
    expect(body.checks.database).not.toBe('ok');
    expect(body.checks.migrations).toBe('unknown');
    expect(body.checks.redis).toBe('ok');
    // Nothing of the address or its password reaches the answer.
    expect(JSON.stringify(body)).not.toMatch(/nobody|nothing|127\.0\.0\.1/);
  });
});
