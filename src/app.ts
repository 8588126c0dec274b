/**
 * The composition root as a function: config -> storage -> services -> bot, dispatcher, scheduler,
 * http. main.ts runs it for real; end-to-end tests run the very same wiring against a fake Bot API.
 */
import { createHash, randomUUID } from 'node:crypto';
import type http from 'node:http';
import os from 'node:os';
import type { Telegraf } from 'telegraf';
import { contactDetailsOf, deepLinkRootOf, platformOf, useContactDetails, type Config } from './config.js';
import { openDatabase, type Database } from './platform/db/client.js';
import { migrateDatabase } from './platform/db/migrate.js';
import { Dispatcher, type DispatcherOptions } from './platform/delivery/dispatcher.js';
import { createOutbox } from './platform/delivery/outbox.js';
import { RateGate } from './platform/delivery/rate-gate.js';
import { systemClock, type Clock } from './platform/text/clock.js';
import { createTranslator } from './platform/i18n/index.js';
import { startHttpServer } from './platform/http/server.js';
import { createWebhookHandler, type WebhookHandler } from './platform/http/webhook.js';
import { handleUntilDone } from './platform/bot/storage-outage.js';
import { createReadiness } from './platform/http/readiness.js';
import { createMetricsEndpoint } from './platform/metrics/index.js';
import { Scheduler } from './platform/scheduler/scheduler.js';
import { createKeyValueStore } from './platform/kv/index.js';
import type { KeyValueStore } from './platform/kv/kv.js';
import type { Logger } from './platform/logger.js';
import { createCommandMenu } from './platform/bot/commands.js';
import { adminCommands, memberCommands } from './platform/bot/feature.js';
import type { BotContext } from './platform/bot/context.js';
import { createBot } from './platform/bot/create-bot.js';
import { createDatabaseSessionStore, createKvSessionStore } from './platform/bot/session-store.js';
import { createServices, FEATURES, type Services } from './features/index.js';

const SESSION_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** How long a stop waits for the updates being handled (main.ts exits regardless after 15 s). */
const SHUTDOWN_DRAIN_MS = 10_000;

export interface App {
  db: Database;
  kv: KeyValueStore;
  services: Services;
  bot: Telegraf<BotContext>;
  dispatcher: Dispatcher;
  scheduler: Scheduler;
  /** Starts receiving updates (polling or webhook), dispatching and scheduling. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface AppOverrides {
  /** An already open database (tests hand in a migrated one). */
  db?: Database;
  kv?: KeyValueStore;
  clock?: Clock;
  /** Tests shorten the polling and dispatch intervals, and may turn the per-chat pacing down. */
  dispatcher?: Partial<Pick<DispatcherOptions, 'idlePollMs' | 'concurrency' | 'leaseMs' | 'perChatIntervalMs'>>;
  owner?: string;
}

export async function createApp(config: Config, logger: Logger, overrides: AppOverrides = {}): Promise<App> {
  const clock = overrides.clock ?? systemClock;
  useContactDetails(contactDetailsOf(config));
  const owner = overrides.owner ?? `${os.hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;

  const db =
    overrides.db ??
    (await openDatabase(
      config.DATABASE_URL ? { kind: 'postgres', url: config.DATABASE_URL } : { kind: 'pglite', dataDir: `${config.DATA_DIR}/pglite` },
    ));
  const { applied } = await migrateDatabase(db);
  if (applied.length) logger.info({ applied }, 'database migrated');

  const kv = overrides.kv ?? createKeyValueStore({ redisUrl: config.REDIS_URL, logger });
  const sharedKv = Boolean(config.REDIS_URL);
  const translator = createTranslator();

  let dispatcher: Dispatcher | undefined;
  const outbox = createOutbox({ prisma: db.prisma, clock, onEnqueued: () => dispatcher?.wake() });
  // The bot is built after the services; edits go through it once it exists.
  let bot: Telegraf<BotContext> | undefined;
  const services = createServices({
    prisma: db.prisma,
    sql: db.sql,
    kv,
    outbox,
    translator,
    clock,
    sendRate: config.SEND_RATE,
    editMessage: async (chatId, messageId, text, keyboard) => {
      await bot!.telegram.editMessageText(Number(chatId), messageId, undefined, text, {
        parse_mode: 'HTML',
        ...(keyboard ? { reply_markup: keyboard as never } : {}),
      });
    },
  });
  await services.admins.ensureSuperAdmins(config.ADMIN_IDS);

  const commandMenu = createCommandMenu({ member: memberCommands(FEATURES), admin: adminCommands(FEATURES) }, translator);
  const sessionStore = sharedKv
    ? createKvSessionStore(kv, SESSION_TTL_MS)
    : createDatabaseSessionStore(db.prisma, db.sql, SESSION_TTL_MS, () => clock.now());
  bot = createBot({
    token: config.BOT_TOKEN,
    apiRoot: config.BOT_API_ROOT,
    deepLinkRoot: deepLinkRootOf(config),
    platform: platformOf(config),
    services,
    features: FEATURES,
    commandMenu,
    kv,
    sessionStore,
    logger,
  });

  dispatcher = new Dispatcher({
    prisma: db.prisma,
    telegram: bot.telegram,
    gate: new RateGate({ kv, ratePerSecond: config.SEND_RATE }),
    logger,
    owner,
    clock,
    ...overrides.dispatcher,
    onUnreachable: (chatId, reason) => services.users.markUnreachable(chatId, reason),
    onFailed: async (failure) => {
      logger.warn({ deliveryId: String(failure.deliveryId), reason: failure.reason }, 'delivery failed');
      if (await services.broadcasts.onDeliveryFailed(failure)) return;
      await services.deliveryAlerts.notifySender(failure);
    },
  });

  const scheduler = new Scheduler({ prisma: db.prisma, kv, logger, owner, clock, useKvLease: sharedKv });
  scheduler.register('maintenance', '30 3 * * *', async ({ now }) => {
    // job_runs only has to outlive a slot's possible duplicates; the five-second progress job alone
    // writes 17,000 rows a day, so two days are kept.
    await scheduler.pruneRuns(new Date(now.getTime() - 2 * 24 * 60 * 60 * 1000));
    await db.prisma.session.deleteMany({ where: { expiresAt: { lt: now } } });
  });

  for (const feature of FEATURES) {
    for (const job of feature.jobs ?? []) scheduler.register(job.name, job.cron, (tick) => job.run(services, tick).then(() => {}));
  }

  // /readyz and /metrics beside /healthz, on HTTP_PORT (see src/platform/http/server.ts for who may reach them).
  const probes = { ready: createReadiness({ db, ...(sharedKv ? { redis: kv } : {}) }), metrics: createMetricsEndpoint({ backlog: () => outbox.backlog() }) };
  let server: http.Server | undefined;
  let polling: Promise<void> | undefined;
  let webhook: WebhookHandler | undefined;
  let stopping = false;

  return {
    db,
    kv,
    services,
    bot,
    dispatcher,
    scheduler,
    async start() {
      // Each staff member's menu also follows their own place in an NGO (a manager sees no /register).
      const staff = await Promise.all(
        (await services.admins.staffLanguages()).map(async (person) => ({ ...person, hide: (await services.ngos.commandPlace(person.chatId)).hide })),
      );
      await commandMenu.publish(bot.telegram, staff, logger);
      dispatcher!.start();
      scheduler.start();
      const allowedUpdates = ['message', 'callback_query', 'my_chat_member'] as const;
      if (config.WEBHOOK_URL && config.WEBHOOK_SECRET && config.HTTP_PORT) {
        // The path carries a hash of the secret so that it is unguessable; Telegram also sends the
        // secret itself in a header, which the handler checks first (platform/http/webhook.ts).
        const path = `/telegram/${createHash('sha256').update(config.WEBHOOK_SECRET).digest('hex').slice(0, 32)}`;
        bot.botInfo ??= await bot.telegram.getMe();
        webhook = createWebhookHandler({ secret: config.WEBHOOK_SECRET, logger, handleUpdate: (update) => bot.handleUpdate(update) });
        server = await startHttpServer({ port: config.HTTP_PORT, logger, health, ...probes, webhook: { path, handler: webhook } });
        await bot.telegram.setWebhook(`https://${new URL(config.WEBHOOK_URL).host}${path}`, {
          secret_token: config.WEBHOOK_SECRET,
          allowed_updates: [...allowedUpdates],
        });
      } else {
        if (config.HTTP_PORT) server = await startHttpServer({ port: config.HTTP_PORT, logger, health, ...probes });
        await bot.telegram.deleteWebhook();
        const me = await bot.telegram.getMe();
        bot.botInfo = me;
        // Not bot.launch(): it gives no sign of when polling has begun, so a stop() during start-up
        // would miss it and leave polling running. startPolling sets up polling before it returns.
        const telegraf = bot as unknown as { startPolling(allowedUpdates: string[]): Promise<void>; polling?: { skipOffsetSync: boolean } };
        // An update given back (storage down) is tried again in place: its batch is not confirmed past it.
        const handle = bot.handleUpdate.bind(bot);
        bot.handleUpdate = (update, res) =>
          handleUntilDone(() => handle(update, res), {
            stopping: () => stopping,
            onRetry: (err, attempt) => logger.warn({ updateId: update.update_id, reason: err.reason, attempt }, 'update held until storage is back'),
            // Stopping while it is held: telegraf would confirm the batch on its way out, so it must not.
            onGiveUp: () => void (telegraf.polling && (telegraf.polling.skipOffsetSync = true)),
          });
        polling = telegraf.startPolling([...allowedUpdates]);
        polling.catch((err: unknown) => logger.fatal({ err }, 'polling stopped with an error'));
        logger.info({ username: me.username }, 'bot started (long polling)');
      }
    },
    async stop() {
      stopping = true;
      // Webhook: new updates get 503 (Telegram sends them again, to a process that is running), and
      // those being handled finish, within a bound.
      if (webhook && !(await webhook.close(SHUTDOWN_DRAIN_MS))) logger.warn({ inFlight: webhook.inFlight }, 'stopped with updates still being handled');
      try {
        bot.stop('shutdown');
      } catch {
        // not running (webhook mode, or never launched)
      }
      await polling?.catch(() => {});
      await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
      await scheduler.stop();
      await dispatcher!.stop();
      await kv.close();
      if (!overrides.db) await db.close();
    },
  };

  async function health(): Promise<boolean> {
    await db.prisma.$queryRaw`SELECT 1`;
    return true;
  }
}
