/**
 * What every update of a person needs before a feature sees it, asked for at once:
 * - once only: Telegram re-sends an update when it did not see our answer in time (webhooks), and a
 *   restart can fetch a batch again (polling), so an update_id is handled once (shared through Redis).
 *   It is marked seen only once handled: while a handler runs the mark says "busy" for a while (another
 *   copy is deferred, not dropped), and an update that failed because storage was down is unmarked and
 *   deferred (storage-outage.ts), so the copy Telegram sends again is handled, not dropped;
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
import { countAdmissionFailures, countUpdate, observeUpdate } from '../../metrics/index.js';
import { isStorageUnavailable, UpdateDeferred } from '../storage-outage.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The "busy" mark is short and renewed while the handler runs: a mark left behind (its process died, or a
 * command Redis's client replayed after an outage) holds Telegram's copies back for seconds, not minutes.
 */
export const BUSY_MS = 10_000;
const RENEW_MS = 4_000;
const BUSY = 'busy';
const DONE = '1';

export interface AdmitOptions {
  kv: KeyValueStore;
  sessionStore: SessionStore;
  floodPerMinute: number;
}

export function admit({ kv, sessionStore, floodPerMinute }: AdmitOptions): MiddlewareFn<BotContext> {
  const busy = busyMarks(kv);
  return async (ctx, next) => {
    // Only people in private chats are users of this bot; channel posts, groups and bots are ignored.
    const from = ctx.from;
    if (!from || from.is_bot || (ctx.chat && ctx.chat.type !== 'private')) return;
    const sessionKey = ctx.chat ? `${ctx.chat.id}:${from.id}` : undefined;
    const minute = Math.floor(Date.now() / 60_000);
    const onceKey = `update:${ctx.update.update_id}`;
    const floodKey = `flood:${from.id}:${minute}`;
    const [once, record, flood, stored] = await Promise.allSettled([
      kv.setIfAbsent(onceKey, BUSY, BUSY_MS),
      // Blocking and unblocking the bot is written at once, whatever this process remembers of the person.
      ctx.services.users.recordContact(from, { write: 'my_chat_member' in ctx.update }),
      // Read here, counted below only once the update is handled: Telegram's copies of an update given
      // back (storage down) come many times, but the person sent it once.
      kv.get(floodKey),
      sessionKey ? sessionStore.get(sessionKey) : undefined,
    ]);
    const giveBack = async (err: unknown) => {
      await kv.delete(onceKey).catch(() => {});
      return new UpdateDeferred('storage unavailable', { cause: err });
    };
    countAdmissionFailures(ctx.updateType, [once, record, flood, stored]);
    if (once.status === 'rejected') throw deferIfOutage(once.reason);
    // A duplicate is dropped quietly, whatever happened to the rest of what was asked for it; a copy of an
    // update still being handled (or whose handler died) comes back later, when the first is done.
    if (!once.value) {
      // Only a finished update is a duplicate: a mark that is busy, or that ended just now, says come back.
      if ((await kv.get(onceKey).catch(() => BUSY)) !== DONE) throw new UpdateDeferred('in flight elsewhere');
      countUpdate(ctx.updateType, 'duplicate');
      return;
    }
    const failed = [record, flood, stored].find((r) => r.status === 'rejected');
    if (failed) {
      if (isStorageUnavailable(failed.reason)) throw await giveBack(failed.reason);
      await kv.delete(onceKey).catch(() => {});
      throw failed.reason;
    }
    if (record.status !== 'fulfilled' || flood.status !== 'fulfilled' || stored.status !== 'fulfilled') return;
    const user = record.value;
    // Not awaited: the count decides now from what was read, and the write needs no answer.
    const sentThisMinute = Number(flood.value ?? 0) + 1;
    kv.increment(floodKey, 61_000).catch(() => {});
    const session = stored.value;

    ctx.user = user;
    ctx.lang = languageOr(user.language);
    ctx.fmt = formatterFor(ctx.lang);
    const translator = ctx.services.translator;
    // ctx.lang, not its value now: choosing a language switches the texts of the rest of this update.
    ctx.t = (key, options) => translator.t(ctx.lang, key, options);

    if (sentThisMinute > floodPerMinute) {
      countUpdate(ctx.updateType, 'flooded');
      if (sentThisMinute === floodPerMinute + 1) {
        if (ctx.callbackQuery) await ctx.answerCbQuery(ctx.t('common.errors.too_fast'));
        else await ctx.reply(ctx.t('common.errors.too_fast'));
      }
      await markDone().catch(() => {});
      return;
    }

    ctx.session = session ?? {};
    busy.hold(onceKey);
    try {
      // Released before the mark is ended or removed, so that no renewal can land after it.
      await observeUpdate(ctx.updateType, next).finally(() => busy.release(onceKey));
    } catch (err) {
      // Handled again from the start when it comes back: the form stays on the step it was on, and the
      // copy is not taken for a duplicate. (The mark also ends by itself, should Redis be the one down.)
      if (isStorageUnavailable(err)) throw await giveBack(err);
      // Also after a failed handler, as telegraf's session did: a form that moved to its next step before
      // the question failed to send stays on that step.
      await Promise.allSettled([saveSession(), markDone()]);
      throw err;
    }
    // The handler's work is done, so the update is not handed back even if its form's progress could not
    // be kept (that would do the work twice): the error goes to the boundary, which apologises.
    const [saved] = await Promise.allSettled([saveSession(), markDone()]);
    if (saved.status === 'rejected') throw saved.reason;

    function saveSession() {
      return sessionKey ? sessionStore.set(sessionKey, ctx.session) : Promise.resolve();
    }
    /** Sent together with the session (one round trip); if it fails, a copy sent later waits out BUSY_MS. */
    function markDone(): Promise<void> {
      return kv.set(onceKey, DONE, DAY_MS);
    }
  };
}

/**
 * The "busy" marks of the updates being handled, renewed together by one timer for the process (a timer
 * per update was a cost on every update; a renewal of all of them is one round trip).
 */
function busyMarks(kv: KeyValueStore) {
  const held = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  const renew = () => {
    for (const key of held) void kv.set(key, BUSY, BUSY_MS).catch(() => {});
  };
  return {
    hold(key: string) {
      held.add(key);
      if (timer) return;
      timer = setInterval(renew, RENEW_MS);
      timer.unref();
    },
    release(key: string) {
      held.delete(key);
      if (held.size > 0 || !timer) return;
      clearInterval(timer);
      timer = undefined;
    },
  };
}

function deferIfOutage(err: unknown): unknown {
  return isStorageUnavailable(err) ? new UpdateDeferred('storage unavailable', { cause: err }) : err;
}
