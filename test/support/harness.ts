/**
 * The whole app, wired exactly as main.ts wires it, running against the fake Bot API over HTTP
 * (long polling, real requests) on a fresh database of the chosen storage mode.
 */
import { randomUUID } from 'node:crypto';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Clock } from '../../src/platform/text/clock.js';
import { createKeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { createTestDatabase, type StorageMode, type TestDatabase } from './database.js';
import { FakeBotApi } from './fake-bot-api/index.js';
import { testRedisUrl } from './servers.js';

export const TEST_TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';

export interface Harness {
  api: FakeBotApi;
  app: App;
  db: TestDatabase;
  logs: string[];
  /** Stops the app (as a crash or a deploy would) and starts a new one on the same database and API. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  mode?: StorageMode;
  adminIds?: number[];
  clock?: Clock;
  env?: Record<string, string>;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mode = options.mode ?? 'embedded';
  const api = await FakeBotApi.start({ bot: { username: 'ngo_test_bot', first_name: 'سامانه سمن' } });
  const db = await createTestDatabase(mode);
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const namespace = `ngo-test:${randomUUID()}:`;
  const config = loadConfig({
    BOT_TOKEN: TEST_TOKEN,
    BOT_API_ROOT: api.apiRoot,
    ADMIN_IDS: (options.adminIds ?? []).join(','),
    LOG_LEVEL: 'info',
    // Server mode also exercises Redis (sessions, limiter, de-duplication); embedded mode the in-process store.
    ...(mode === 'server' && testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    ...options.env,
  });

  const build = async () => {
    const kv = createKeyValueStore({ redisUrl: config.REDIS_URL, namespace });
    const app = await createApp(config, logger, {
      db,
      kv,
      clock: options.clock,
      dispatcher: { idlePollMs: 50 },
    });
    await app.start();
    return app;
  };

  const harness: Harness = {
    api,
    db,
    logs,
    app: await build(),
    async restart() {
      await harness.app.stop();
      harness.app = await build();
    },
    async close() {
      await harness.app.stop();
      await api.close();
      await db.close();
    },
  };
  return harness;
}
