/**
 * What every update of a person needs before a feature sees it, asked for at once:
 * - once only: Telegram re-sends an update when it did not see our answer in time (webhooks), and a
 *   restart can fetch a batch again (polling), so an update_id is handled once (shared through Redis);
 * - who sent it: the user's record (name kept current, reachable again), language and texts;
 * - not too fast: someone sending dozens of messages a minute is slowed down politely, once a minute;
 * - their half-filled form (the session), written back only when a handler changed it.
 * The key-value commands go out together (one Redis round trip, see redis-kv.ts), and a known user
 * costs no database statement (see users.ts): a menu press pays for nothing it does not use.
 */
import type { MiddlewareFn } from 'telegraf';
import { formatterFor } from '../../i18n/format.js';
import { languageOr } from '../../i18n/index.js';
import type { KeyValueStore } from '../../kv/kv.js';
import type { BotContext } from '../context.js';
import type { SessionStore } from '../session-store.js';

const DAY_MS = 24 * 60 * 60 * 1000;

export interface AdmitOptions {
  kv: KeyValueStore;
  sessionStore: SessionStore;
  floodPerMinute: number;
}

export function admit({ kv, sessionStore, floodPerMinute }: AdmitOptions): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    // Only people in private chats are users of this bot; channel posts, groups and bots are ignored.
    const from = ctx.from;
    if (!from || from.is_bot || (ctx.chat && ctx.chat.type !== 'private')) return;
    const sessionKey = ctx.chat ? `${ctx.chat.id}:${from.id}` : undefined;
    const minute = Math.floor(Date.now() / 60_000);
    const [once, record, flood, stored] = await Promise.allSettled([
      kv.setIfAbsent(`update:${ctx.update.update_id}`, '1', DAY_MS),
      // Blocking and unblocking the bot is written at once, whatever this process remembers of the person.
      ctx.services.users.recordContact(from, { write: 'my_chat_member' in ctx.update }),
      kv.increment(`flood:${from.id}:${minute}`, 61_000),
      sessionKey ? sessionStore.get(sessionKey) : undefined,
    ]);
    if (once.status === 'rejected') throw once.reason;
    // A duplicate is dropped quietly, whatever happened to the rest of what was asked for it.
    if (!once.value) return;
    if (record.status === 'rejected') throw record.reason;
    if (flood.status === 'rejected') throw flood.reason;
    if (stored.status === 'rejected') throw stored.reason;
    const user = record.value;
    const sentThisMinute = flood.value;
    const session = stored.value;

    ctx.user = user;
    ctx.lang = languageOr(user.language);
    ctx.fmt = formatterFor(ctx.lang);
    const translator = ctx.services.translator;
    // ctx.lang, not its value now: choosing a language switches the texts of the rest of this update.
    ctx.t = (key, options) => translator.t(ctx.lang, key, options);

    if (sentThisMinute > floodPerMinute) {
      if (sentThisMinute === floodPerMinute + 1) {
        if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.too_fast'));
        else await ctx.reply(ctx.t('common.errors.too_fast'));
      }
      return;
    }

    ctx.session = session ?? {};
    try {
      await next();
    } finally {
      // Also after a failed handler, as telegraf's session did: a form that moved to its next step before
      // the question failed to send stays on that step.
      if (sessionKey) await sessionStore.set(sessionKey, ctx.session);
    }
  };
}
