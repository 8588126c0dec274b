/**
 * The whole app, wired exactly as main.ts wires it, running against the fake Bot API over HTTP
 * (long polling, real requests) on this test file's database of the chosen storage mode, emptied
 * for each harness (test/support/file-database.ts). Started inside a test, it is closed when the
 * test finishes, passed or failed.
 */
import { randomUUID } from 'node:crypto';
import { onTestFinished } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DispatcherOptions } from '../../src/platform/delivery/dispatcher.js';
import { systemClock, type Clock } from '../../src/platform/text/clock.js';
import { createKeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { e2eStorageMode, type StorageMode, type TestDatabase } from './database.js';
import { FakeBotApi } from './fake-bot-api/index.js';
import { cleanTestDatabase } from './file-database.js';
import { testRedisUrl } from './servers.js';

export const TEST_TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';

export interface Harness {
  api: FakeBotApi;
  app: App;
  db: TestDatabase;
  logs: string[];
  /** Stops the app (as a crash or a deploy would) and starts a new one on the same database and API. */
  restart(): Promise<void>;
  /**
   * Resolves once the bot has nothing left to do for now: every update sent to it has been handled,
   * and the outbox holds no row being sent or due (or due within `withinMs`, by default the time a
   * chat's next message waits for its turn, so it counts). Rows held for later (quiet
   * hours, a head start, a retry's backoff) do not count. "Nothing was sent" is judged after this.
   */
  waitForIdle(options?: { withinMs?: number; timeoutMs?: number }): Promise<void>;
  /** Stops the app and gives the database back; done by itself when the test finishes (once however often called). */
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Default: e2eStorageMode(). */
  mode?: StorageMode;
  adminIds?: number[];
  clock?: Clock;
  env?: Record<string, string>;
  /**
   * true: Telegram's pacing of one message a second per chat, kept by the rate gate as in production.
   * Default false: a test that is not about pacing does not wait that second between a chat's
   * messages (they still go one at a time and in order: the dispatcher's perChatIntervalMs 0).
   */
  telegramPacing?: boolean;
  /** 'bale': the fake Bot API answers as Bale does, and the app is configured for Bale (BOT_PLATFORM=bale). */
  platform?: 'telegram' | 'bale';
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const mode = options.mode ?? e2eStorageMode();
  const clock = options.clock ?? systemClock;
  const platform = options.platform ?? 'telegram';
  const api = await FakeBotApi.start({ bot: { username: 'ngo_test_bot', first_name: 'سامانه سمن' }, dialect: platform });
  const db = await cleanTestDatabase(mode).catch(async (error: unknown) => {
    await api.close();
    throw error;
  });
  const logs: string[] = [];
  const logger: Logger = createLogger({ level: 'info', destination: { write: (line: string) => void logs.push(line) } });
  const namespace = `ngo-test:${randomUUID()}:`;
  const config = loadConfig({
    BOT_TOKEN: TEST_TOKEN,
    BOT_API_ROOT: api.apiRoot,
    ADMIN_IDS: (options.adminIds ?? []).join(','),
    LOG_LEVEL: 'info',
    BOT_PLATFORM: platform,
    // Server mode also exercises Redis (sessions, limiter, de-duplication); embedded mode the in-process store.
    ...(mode === 'server' && testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
    ...options.env,
  });
  // Spread by createApp into the Dispatcher's options.
  const dispatcher: Pick<DispatcherOptions, 'idlePollMs' | 'perChatIntervalMs'> = options.telegramPacing
    ? { idlePollMs: 50 }
    : { idlePollMs: 50, perChatIntervalMs: 0 };
  // A chat's next message waits this long for its turn; idle means nothing due within it either.
  const turnMs = options.telegramPacing ? 2_000 : 0;

  const build = async () => {
    const kv = createKeyValueStore({ redisUrl: config.REDIS_URL, namespace });
    const app = await createApp(config, logger, { db, kv, clock: options.clock, dispatcher });
    await app.start();
    return app;
  };

  let app: App;
  try {
    app = await build();
  } catch (error) {
    await api.close();
    await db.close();
    throw error;
  }

  let closed: Promise<void> | undefined;
  const harness: Harness = {
    api,
    db,
    logs,
    app,
    async restart() {
      await harness.app.stop();
      harness.app = await build();
    },
    async waitForIdle({ withinMs = turnMs, timeoutMs = 10_000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Handled means confirmed: telegraf asks for the next updates only after its handlers finished.
        const unhandled = api.pendingUpdates().length;
        const soon = new Date(clock.now().getTime() + withinMs);
        // A claimed row's not_before is its lease end, so a SENDING row counts whatever it says.
        const due =
          unhandled > 0
            ? undefined
            : await db.prisma.outboxDelivery.count({ where: { OR: [{ status: 'SENDING' }, { status: 'PENDING', notBefore: { lte: soon } }] } });
        if (due === 0) return;
        if (Date.now() > deadline) {
          throw new Error(`waitForIdle: still busy after ${timeoutMs} ms (${unhandled} updates unhandled, ${due ?? 'unknown'} outbox rows due)`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close() {
      closed ??= (async () => {
        try {
          await harness.app.stop();
          await api.close();
        } finally {
          await db.close();
        }
      })();
      return closed;
    },
  };
  onTestFinished(() => harness.close());
  return harness;
}
