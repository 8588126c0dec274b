/**
 * The bot's spine: the order of middlewares at a glance. Features only add handlers; everything an
 * update passes through first is here.
 */
import { Telegraf, session } from 'telegraf';
import type { KeyValueStore } from '../kv/kv.js';
import type { Logger } from '../logger.js';
import type { Services } from '../../features/services.js';
import type { BotContext, SessionData } from './context.js';
import { adminsFeature } from '../../features/staff/bot.js';
import { broadcastFeature } from '../../features/broadcasts/bot.js';
import { cancelFeature } from '../../features/start/cancel.js';
import { coursesFeature } from '../../features/training/courses-bot.js';
import { deadlinesFeature } from '../../features/deadlines/bot.js';
import { feedbackFeature } from '../../features/feedback/bot.js';
import { helpFeature } from '../../features/start/help.js';
import { languageFeature } from '../../features/start/language.js';
import { membershipFeature } from '../../features/start/chat-member.js';
import { ngoProfileFeature } from '../../features/ngos/profile.js';
import { ngoRegistrationFeature } from '../../features/ngos/registration.js';
import { ngoReviewFeature } from '../../features/ngos/review.js';
import { startFeature } from '../../features/start/start.js';
import { unhandledFeature } from '../../features/start/unhandled.js';
import { deduplicate } from './middlewares/deduplicate.js';
import { errorBoundary } from './middlewares/error-boundary.js';
import { floodLimit } from './middlewares/flood-limit.js';
import { loadUser } from './middlewares/load-user.js';
import { sequentialize } from './middlewares/sequentialize.js';
import { FORMS } from '../../features/forms.js';
import { formRouter } from './forms/router.js';
import type { SessionStore } from './session-store.js';

export interface BotDeps {
  token: string;
  apiRoot: string;
  services: Services;
  kv: KeyValueStore;
  sessionStore: SessionStore;
  logger: Logger;
  handlerTimeoutMs?: number;
  floodPerMinute?: number;
  deepLinkRoot?: string;
}

export function createBot(deps: BotDeps): Telegraf<BotContext> {
  const handlerTimeoutMs = deps.handlerTimeoutMs ?? 30_000;
  const bot = new Telegraf<BotContext>(deps.token, {
    handlerTimeout: handlerTimeoutMs,
    telegram: { apiRoot: deps.apiRoot, webhookReply: false },
  });
  bot.context.services = deps.services;
  bot.context.deepLinkRoot = deps.deepLinkRoot ?? 'https://t.me';

  // Outermost: a child logger per update (no content, only ids), then one update per chat at a time.
  bot.use((ctx, next) => {
    ctx.log = deps.logger.child({ updateId: ctx.update.update_id });
    return next();
  });
  bot.use(sequentialize(handlerTimeoutMs));
  bot.use(errorBoundary());
  bot.use(deduplicate(deps.kv));
  bot.use(loadUser());
  bot.use(floodLimit(deps.kv, deps.floodPerMinute ?? 40));
  bot.use(
    session<SessionData, BotContext>({
      store: deps.sessionStore,
      defaultSession: () => ({}),
      getSessionKey: (ctx) => (ctx.from && ctx.chat ? `${ctx.chat.id}:${ctx.from.id}` : undefined),
    }),
  );

  bot.use(membershipFeature, startFeature, helpFeature, languageFeature, cancelFeature, adminsFeature);
  bot.use(ngoRegistrationFeature);
  bot.use(ngoReviewFeature);
  bot.use(ngoProfileFeature);
  bot.use(broadcastFeature);
  bot.use(coursesFeature);
  bot.use(deadlinesFeature);
  bot.use(feedbackFeature);
  // After the features' commands and buttons, before "unhandled": answers to the form being filled in.
  bot.use(formRouter(FORMS));
  bot.use(unhandledFeature);

  // Last resort for errors outside the boundary (in the middlewares above it): log and keep going.
  bot.catch((err, ctx) => {
    deps.logger.error({ err, updateId: ctx.update.update_id }, 'update failed outside the error boundary');
  });
  return bot;
}
