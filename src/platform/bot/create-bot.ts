/**
 * The bot's spine: the order of middlewares at a glance. Features only add handlers, read from the
 * registry; everything an update passes through first is here.
 */
import { Context, Telegraf, type MiddlewareFn } from 'telegraf';
import type { KeyValueStore } from '../kv/kv.js';
import type { Logger } from '../logger.js';
import type { CommandMenu } from './commands.js';
import type { AppServices, BotContext } from './context.js';
import { createBotApiTransport } from './bot-api-transport.js';
import { applyDialect, type BotPlatform } from './dialect.js';
import type { FeatureModule } from './feature.js';
import { formRouter } from './forms/router.js';
import { Handlers } from './handlers.js';
import { admit } from './middlewares/admit.js';
import { errorBoundary } from './middlewares/error-boundary.js';
import { sequentialize } from './middlewares/sequentialize.js';
import type { SessionStore } from './session-store.js';
import { isDeferred } from './storage-outage.js';
import { answerCallbackOnce } from './ui.js';

export interface BotDeps {
  token: string;
  apiRoot: string;
  services: AppServices;
  features: readonly FeatureModule<never>[];
  commandMenu: CommandMenu;
  kv: KeyValueStore;
  sessionStore: SessionStore;
  logger: Logger;
  handlerTimeoutMs?: number;
  floodPerMinute?: number;
  deepLinkRoot?: string;
  /** The Bot API's dialect (Bale takes no HTML and lacks the command menu); default telegram. */
  platform?: BotPlatform;
}

/**
 * The spine's middlewares run one after the other, each given the next as a plain function: telegraf's own
 * composition makes two async functions and their promises per middleware per update, and that garbage was
 * a noticeable part of the bot's CPU (issue 12). Each middleware calls next at most once, with no new context.
 */
export function chain<C extends Context>(...middlewares: MiddlewareFn<C>[]): MiddlewareFn<C> {
  return (ctx, next) => {
    const step = async (i: number): Promise<void> => {
      const middleware = middlewares[i];
      if (middleware) await middleware(ctx, () => step(i + 1));
      else await next();
    };
    return step(0);
  };
}

export function createBot(deps: BotDeps): Telegraf<BotContext> {
  const handlerTimeoutMs = deps.handlerTimeoutMs ?? 30_000;
  const transport = createBotApiTransport(deps.apiRoot, deps.token);
  // Each update's logger carries its id; made only when something is logged (most updates log nothing).
  class UpdateContext extends Context {
    #log: Logger | undefined;
    // telegraf makes a Telegram client per update: its JSON calls take the lean way too.
    constructor(...args: ConstructorParameters<typeof Context>) {
      super(...args);
      transport.attach(this.telegram);
    }
    get log(): Logger {
      return (this.#log ??= deps.logger.child({ updateId: this.update.update_id }));
    }
    set log(logger: Logger) {
      this.#log = logger;
    }
  }
  const bot = new Telegraf<BotContext>(deps.token, {
    contextType: UpdateContext as unknown as new (...args: ConstructorParameters<typeof Context>) => BotContext,
    handlerTimeout: handlerTimeoutMs,
    telegram: { apiRoot: deps.apiRoot, webhookReply: false },
  });
  const forms = new Map(deps.features.flatMap((f) => f.forms ?? []).map((form) => [form.name, form]));
  bot.context.services = deps.services;
  bot.context.forms = forms;
  bot.context.commandMenu = deps.commandMenu;
  bot.context.deepLinkRoot = deps.deepLinkRoot ?? 'https://t.me';
  const platform = deps.platform ?? 'telegram';
  transport.attach(bot.telegram);
  applyDialect(bot.telegram, platform);

  // Outermost: the dialect (telegraf gives each update its own Telegram client; it speaks the dialect
  // as bot.telegram does), then one update per chat at a time.
  if (platform !== 'telegram') {
    bot.use((ctx, next) => {
      applyDialect(ctx.telegram, platform);
      return next();
    });
  }
  bot.use(
    chain<BotContext>(
      sequentialize(handlerTimeoutMs),
      answerCallbackOnce(),
      errorBoundary(),
      admit({ kv: deps.kv, sessionStore: deps.sessionStore, floodPerMinute: deps.floodPerMinute ?? 40 }),
      // Every feature's commands and buttons in one flat table, tried in registry order (see handlers.ts).
      new Handlers<BotContext>(...deps.features.flatMap((f) => (f.composer ? [f.composer] : []))).middleware(),
      // After the features' commands and buttons, before the catch-all: answers to the form being filled in.
      formRouter(),
      new Handlers<BotContext>(...deps.features.flatMap((f) => (f.fallback ? [f.fallback] : []))).middleware(),
    ),
  );

  // Last resort for errors outside the boundary (in the middlewares above it): log and keep going. An
  // update given back (storage down) goes on out of handleUpdate, for the webhook or the polling loop.
  bot.catch((err, ctx) => {
    if (isDeferred(err)) throw err;
    deps.logger.error({ err, updateId: ctx.update.update_id }, 'update failed outside the error boundary');
  });
  return bot;
}
