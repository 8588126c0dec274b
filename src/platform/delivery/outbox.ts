/**
 * The outbox: every message that is not an immediate reply is stored here before anything is sent
 * (invariant 1). One row per (message, recipient), unique on that pair, so repeating a fan-out or a
 * cron tick cannot create a second delivery (invariant 2).
 *
 * This module is the only code that writes (or reads by SQL) outbox_messages and outbox_deliveries:
 * features say what they want (enqueue, fan out from a query, cancel, postpone) and every write that
 * adds deliveries wakes the dispatcher, so nothing waits for its idle poll.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import type { PrismaClient } from '../db/client.js';
import { Prisma } from '../db/generated/client.js';
import type { Clock } from '../text/clock.js';
import { systemClock } from '../text/clock.js';
import { countEnqueued } from '../metrics/instruments.js';

export type InlineKeyboard = InlineKeyboardMarkup;

export type OutboxPayload =
  | { kind: 'TEXT'; text: string; parseMode?: 'HTML'; replyMarkup?: InlineKeyboard; disableLinkPreview?: boolean }
  | { kind: 'COPY'; fromChatId: number | string; messageId: number; replyMarkup?: InlineKeyboard }
  | { kind: 'DOCUMENT'; fileName: string; contentBase64: string; caption?: string; parseMode?: 'HTML' };

/** A TEXT payload as stored (the kind lives in its own column). */
export type TextContent = Omit<Extract<OutboxPayload, { kind: 'TEXT' }>, 'kind'>;

export interface EnqueueRequest {
  payload: OutboxPayload;
  recipients: readonly (bigint | number)[];
  /** Natural key of the event: the same key returns the same message, so a retry adds no message. */
  dedupeKey?: string;
  notBefore?: Date;
  createdBy?: bigint | number;
  source?: { type: string; id: string };
}

export interface EnqueueResult {
  messageId: bigint;
  /** Deliveries this call added (0 when every recipient already had one). */
  added: number;
}

export interface FanOutRequest {
  /**
   * A query with one row per (message, recipient), with the columns
   * `dedupe_key text, payload jsonb, source_id text, chat_id bigint`. Rows that share a dedupe key
   * must share the payload and source id: they become one message with a delivery per chat.
   */
  targets: Prisma.Sql;
  sourceType: string;
  notBefore: Date;
}

/** A keyed message to create (see Outbox.createMessages). */
export interface NewMessage {
  dedupeKey: string;
  payload: OutboxPayload;
  source: { type: string; id: string };
}

export interface FanOutResult {
  messages: number;
  deliveries: number;
}

/** A delivery stopped before it was sent, with what is needed to queue it again. */
export interface StoppedDelivery {
  chatId: bigint;
  notBefore: Date;
  dedupeKey: string | null;
}

export type DeliveryCounts = Record<'PENDING' | 'SENDING' | 'SENT' | 'FAILED' | 'UNREACHABLE' | 'CANCELLED', number>;

/** What is waiting to be sent, for /metrics. */
export interface OutboxBacklog {
  /** Pending deliveries whose time has come, and those being sent. */
  due: number;
  /** Pending deliveries held for later. */
  scheduled: number;
  /** How long the oldest due pending delivery has waited past its time; 0 when none is due. */
  oldestDueAgeSeconds: number;
}

/** The app's client, or a transaction: enqueue inside the caller's transaction to commit a state change and its message together. */
export type OutboxDb = PrismaClient | Prisma.TransactionClient;

export interface Outbox {
  enqueue(request: EnqueueRequest, db?: OutboxDb): Promise<EnqueueResult>;
  /** One message per dedupe key and a delivery per chat, from a query; keys that exist already are skipped whole. */
  fanOut(request: FanOutRequest, db?: OutboxDb): Promise<FanOutResult>;
  /**
   * Creates the messages whose keys are new, in one statement, and returns the ids of those it created
   * (by key); a key that has a message already is left alone. For fan-outs that give one message many
   * recipients: only a message created now gets deliveries (see `deliver`).
   */
  createMessages(messages: readonly NewMessage[], db?: OutboxDb): Promise<Map<string, bigint>>;
  /**
   * A delivery per row of `recipients`, a query with the columns `message_id bigint, chat_id bigint` and no
   * pair twice; returns how many were added. One statement, whatever the number of rows. `sourceType` (the
   * messages' source) only labels what /metrics counts.
   */
  deliver(request: { recipients: Prisma.Sql; notBefore: Date; sourceType?: string }, db?: OutboxDb): Promise<number>;
  /** SQL that is true when none of `keys` (an SQL text[] expression) has a message yet; for a fan-out's target query. */
  noMessageWithKey(keys: Prisma.Sql): Prisma.Sql;
  /** The keys among `keys` that have a message already. */
  existingKeys(keys: readonly string[], db?: OutboxDb): Promise<Set<string>>;
  /**
   * Stops deliveries not yet sent (e.g. a cancelled broadcast), also those a dispatcher has claimed: it
   * drops them before their turn, and one already on its way is recorded as SENT. Returns how many were stopped.
   */
  cancel(messageId: bigint, db?: OutboxDb): Promise<number>;
  /** Stops the not-yet-sent deliveries of the messages of a source (type, ids); optionally only for some chats. */
  cancelBySource(source: { type: string; ids: readonly string[]; chatIds?: readonly bigint[] }, db?: OutboxDb): Promise<StoppedDelivery[]>;
  /**
   * Stops the not-yet-sent deliveries of every message whose key starts with `prefix`, and renames those keys
   * (adding `suffix`) so that the same events can be queued again with new content (a course moved in time).
   */
  retireKeys(prefix: string, suffix: string, db?: OutboxDb): Promise<number>;
  /** Records recipients that are known to be unreachable, so reports count them without sending. */
  recordUnreachable(messageId: bigint, chatIds: readonly bigint[], reason: string, db?: OutboxDb): Promise<void>;
  /** Moves the not-yet-sent deliveries of a message to a later time (quiet hours). */
  postpone(messageId: bigint, until: Date, db?: OutboxDb): Promise<number>;
  counts(messageId: bigint, db?: OutboxDb): Promise<DeliveryCounts>;
  /**
   * Delivery counts summed over several messages (the office's statistics), and how many of the messages
   * have a delivery counted; with `chats`, a query of one `chat_id bigint` column, only deliveries to those chats.
   */
  totals(messageIds: readonly bigint[], chats?: Prisma.Sql, db?: OutboxDb): Promise<{ counts: DeliveryCounts; messages: number }>;
  /**
   * Cancelled deliveries of a message that a dispatcher still holds (claimed before the cancel): one may
   * be on its way and become SENT. Counts settle when this is 0 (the dispatcher let them go, or their lease ran out).
   */
  held(messageId: bigint, db?: OutboxDb): Promise<number>;
  /** Why deliveries of a message failed, with how many failed for each reason. */
  failureReasons(messageId: bigint, db?: OutboxDb): Promise<{ reason: string | null; count: number }[]>;
  /** Recipients that did not get a message (failed or unreachable), with the reason. */
  undelivered(messageId: bigint, db?: OutboxDb): Promise<{ chatId: bigint; status: string; reason: string | null }[]>;
  /** Who made a message (for alerts to the sender), and the message's own source. */
  origin(messageId: bigint, db?: OutboxDb): Promise<{ createdBy: bigint | null; sourceType: string | null; sourceId: string | null } | null>;
  /** The message id the platform gave a delivery of a message to a chat, once sent (to edit it later). */
  sentMessageId(dedupeKey: string, chatId: bigint, db?: OutboxDb): Promise<number | null>;
  /** What is waiting to be sent now (one statement over the partial index of unsent rows). */
  backlog(): Promise<OutboxBacklog>;
}

const ZERO_COUNTS: DeliveryCounts = { PENDING: 0, SENDING: 0, SENT: 0, FAILED: 0, UNREACHABLE: 0, CANCELLED: 0 };
/** Recipients per statement: keeps one statement's parameters small even for tens of thousands. */
const CHUNK = 5000;

const bigintArray = (ids: readonly (bigint | number)[]) => `{${ids.join(',')}}`;
const textArray = (values: readonly string[]) => JSON.stringify(values);

export function createOutbox(deps: { prisma: PrismaClient; clock?: Clock; onEnqueued?: () => void }): Outbox {
  const { prisma } = deps;
  const clock = deps.clock ?? systemClock;

  /**
   * A caller's transaction may commit a little after this returns: wake the dispatcher now and once more
   * shortly after, so a message committed with its state change does not wait for the idle poll.
   */
  const wake = (inTransaction: boolean) => {
    deps.onEnqueued?.();
    if (inTransaction) setTimeout(() => deps.onEnqueued?.(), 50).unref?.();
  };

  return {
    async enqueue(request, db) {
      const { payload, dedupeKey } = request;
      const { kind, ...content } = payload;
      const recipients = [...new Set(request.recipients.map((r) => BigInt(r)))];
      const notBefore = (request.notBefore ?? clock.now()).toISOString();
      const insertMessage = async (tx: OutboxDb) => {
        const inserted = await tx.$queryRaw<{ id: bigint }[]>`
          INSERT INTO outbox_messages (kind, payload, dedupe_key, created_by, source_type, source_id)
          VALUES (${kind}::"OutboxKind", ${JSON.stringify(content)}::jsonb, ${dedupeKey ?? null},
                  ${request.createdBy === undefined ? null : BigInt(request.createdBy)},
                  ${request.source?.type ?? null}, ${request.source?.id ?? null})
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id`;
        if (inserted[0]) return inserted[0].id;
        const existing = await tx.outboxMessage.findUniqueOrThrow({ where: { dedupeKey: dedupeKey! }, select: { id: true } });
        return existing.id;
      };
      const target = db ?? prisma;
      const messageId = db ? await insertMessage(db) : await prisma.$transaction((tx) => insertMessage(tx));
      let added = 0;
      for (let i = 0; i < recipients.length; i += CHUNK) {
        added += await target.$executeRaw`
          INSERT INTO outbox_deliveries (message_id, chat_id, not_before)
          SELECT ${messageId}, unnest(${bigintArray(recipients.slice(i, i + CHUNK))}::text::bigint[]), ${notBefore}::timestamptz AT TIME ZONE 'UTC'
          ON CONFLICT (message_id, chat_id) DO NOTHING`;
      }
      if (added > 0) wake(db !== undefined);
      countEnqueued(request.source?.type, added, dedupeKey);
      return { messageId, added };
    },

    async fanOut(request, db = prisma) {
      const [result] = await db.$queryRaw<{ messages: bigint; deliveries: bigint }[]>`
        WITH target AS (${request.targets}),
        inserted AS (
          INSERT INTO outbox_messages (kind, payload, dedupe_key, source_type, source_id)
          SELECT DISTINCT ON (dedupe_key) 'TEXT', payload, dedupe_key, ${request.sourceType}, source_id FROM target
          -- One order for every process: two ticks inserting the same keys wait for each other, never deadlock.
          ORDER BY dedupe_key
          ON CONFLICT (dedupe_key) DO NOTHING
          RETURNING id, dedupe_key
        ),
        delivered AS (
          INSERT INTO outbox_deliveries (message_id, chat_id, not_before)
          SELECT i.id, t.chat_id, ${request.notBefore.toISOString()}::timestamptz AT TIME ZONE 'UTC'
          FROM inserted i JOIN target t ON t.dedupe_key = i.dedupe_key
          ON CONFLICT (message_id, chat_id) DO NOTHING
          RETURNING 1
        )
        SELECT (SELECT count(*) FROM inserted) AS messages, (SELECT count(*) FROM delivered) AS deliveries`;
      const outcome = { messages: Number(result?.messages ?? 0), deliveries: Number(result?.deliveries ?? 0) };
      if (outcome.deliveries > 0) wake(db !== prisma);
      countEnqueued(request.sourceType, outcome.deliveries);
      return outcome;
    },

    async createMessages(messages, db = prisma) {
      if (messages.length === 0) return new Map();
      const rows = JSON.stringify(
        messages.map(({ dedupeKey, payload: { kind, ...content }, source }) => ({ kind, content, dedupe_key: dedupeKey, source_type: source.type, source_id: source.id })),
      );
      const created = await db.$queryRaw<{ id: bigint; dedupe_key: string }[]>`
        INSERT INTO outbox_messages (kind, payload, dedupe_key, source_type, source_id)
        SELECT kind::"OutboxKind", content, dedupe_key, source_type, source_id
        FROM jsonb_to_recordset(${rows}::jsonb) AS m(kind text, content jsonb, dedupe_key text, source_type text, source_id text)
        -- One order for every process: two callers inserting the same keys wait for each other, never deadlock.
        ORDER BY dedupe_key
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, dedupe_key`;
      return new Map(created.map((m) => [m.dedupe_key, m.id]));
    },

    async deliver(request, db = prisma) {
      const added = await db.$executeRaw`
        INSERT INTO outbox_deliveries (message_id, chat_id, not_before)
        SELECT r.message_id, r.chat_id, ${request.notBefore.toISOString()}::timestamptz AT TIME ZONE 'UTC'
        FROM (${request.recipients}) r`;
      if (added > 0) wake(db !== prisma);
      countEnqueued(request.sourceType, added);
      return added;
    },

    noMessageWithKey(keys) {
      return Prisma.sql`NOT EXISTS (SELECT 1 FROM outbox_messages o WHERE o.dedupe_key = ANY (${keys}))`;
    },

    async existingKeys(keys, db = prisma) {
      if (keys.length === 0) return new Set();
      const rows = await db.outboxMessage.findMany({ where: { dedupeKey: { in: [...keys] } }, select: { dedupeKey: true } });
      return new Set(rows.map((r) => r.dedupeKey!));
    },

    async cancel(messageId, db = prisma) {
      // The lease stays: a claimed row keeps its owner, so the dispatcher can still record a send already
      // on its way as SENT, and held() counts the row until the dispatcher lets it go.
      return db.$executeRaw`
        UPDATE outbox_deliveries SET status = 'CANCELLED'
        WHERE message_id = ${messageId} AND status IN ('PENDING', 'SENDING')`;
    },

    async cancelBySource(source, db = prisma) {
      if (source.ids.length === 0) return [];
      const chats = source.chatIds ? bigintArray(source.chatIds) : null;
      // source_id is matched for equality (index on source_type, source_id), never by a LIKE prefix.
      // Only rows still PENDING are stopped: one a dispatcher has just claimed goes out as it is.
      const rows = await db.$queryRaw<{ chat_id: bigint; not_before_ms: bigint; dedupe_key: string | null }[]>`
        UPDATE outbox_deliveries d SET status = 'CANCELLED', lease_owner = NULL
        FROM outbox_messages m
        WHERE d.message_id = m.id AND d.status = 'PENDING' AND m.source_type = ${source.type}
          AND m.source_id IN (SELECT jsonb_array_elements_text(${textArray(source.ids)}::jsonb))
          AND (${chats}::text IS NULL OR d.chat_id = ANY (${chats}::text::bigint[]))
        RETURNING d.chat_id, (EXTRACT(EPOCH FROM d.not_before) * 1000)::bigint AS not_before_ms, m.dedupe_key`;
      return rows.map((r) => ({ chatId: r.chat_id, notBefore: new Date(Number(r.not_before_ms)), dedupeKey: r.dedupe_key }));
    },

    async retireKeys(prefix, suffix, db = prisma) {
      const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const stopped = await db.$executeRaw`
        UPDATE outbox_deliveries SET status = 'CANCELLED', lease_owner = NULL
        WHERE status = 'PENDING' AND message_id IN (SELECT id FROM outbox_messages WHERE dedupe_key LIKE ${pattern})`;
      // A key renamed once is not renamed again: its suffix already frees the original key.
      await db.$executeRaw`
        UPDATE outbox_messages SET dedupe_key = dedupe_key || ${suffix}
        WHERE dedupe_key LIKE ${pattern} AND dedupe_key NOT LIKE '%:moved-%'`;
      return stopped;
    },

    async recordUnreachable(messageId, chatIds, reason, db = prisma) {
      for (let i = 0; i < chatIds.length; i += CHUNK) {
        await db.$executeRaw`
          INSERT INTO outbox_deliveries (message_id, chat_id, status, last_error)
          SELECT ${messageId}, unnest(${bigintArray(chatIds.slice(i, i + CHUNK))}::text::bigint[]), 'UNREACHABLE', ${reason}
          ON CONFLICT (message_id, chat_id) DO NOTHING`;
      }
    },

    async postpone(messageId, until, db = prisma) {
      return db.$executeRaw`
        UPDATE outbox_deliveries SET not_before = ${until.toISOString()}::timestamptz AT TIME ZONE 'UTC'
        WHERE message_id = ${messageId} AND status = 'PENDING'`;
    },

    async counts(messageId, db = prisma) {
      const rows = await db.outboxDelivery.groupBy({ by: ['status'], where: { messageId }, _count: true });
      const counts = { ...ZERO_COUNTS };
      for (const row of rows) counts[row.status] = row._count;
      return counts;
    },

    async totals(messageIds, chats, db = prisma) {
      const counts = { ...ZERO_COUNTS };
      if (messageIds.length === 0) return { counts, messages: 0 };
      const rows = await db.$queryRaw<{ status: keyof DeliveryCounts; n: number; messages: number }[]>`
        WITH d AS (
          SELECT message_id, status FROM outbox_deliveries
          WHERE message_id = ANY (${bigintArray(messageIds)}::bigint[]) ${chats ? Prisma.sql`AND chat_id IN (${chats})` : Prisma.empty})
        SELECT status::text AS status, count(*)::int AS n, (SELECT count(DISTINCT message_id)::int FROM d) AS messages
        FROM d GROUP BY status`;
      for (const row of rows) counts[row.status] = row.n;
      return { counts, messages: rows[0]?.messages ?? 0 };
    },

    async held(messageId, db = prisma) {
      const [row] = await db.$queryRaw<{ n: number }[]>`
        SELECT count(*)::int AS n FROM outbox_deliveries
        WHERE message_id = ${messageId} AND status = 'CANCELLED' AND lease_owner IS NOT NULL
          AND lease_until > ${clock.now().toISOString()}::timestamptz AT TIME ZONE 'UTC'`;
      return row?.n ?? 0;
    },

    async failureReasons(messageId, db = prisma) {
      const rows = await db.outboxDelivery.groupBy({ by: ['lastError'], where: { messageId, status: 'FAILED' }, _count: true });
      return rows.map((r) => ({ reason: r.lastError, count: r._count }));
    },

    async undelivered(messageId, db = prisma) {
      const rows = await db.outboxDelivery.findMany({
        where: { messageId, status: { in: ['FAILED', 'UNREACHABLE'] } },
        select: { chatId: true, status: true, lastError: true },
        orderBy: { id: 'asc' },
      });
      return rows.map((r) => ({ chatId: r.chatId, status: r.status, reason: r.lastError }));
    },

    async origin(messageId, db = prisma) {
      return db.outboxMessage.findUnique({ where: { id: messageId }, select: { createdBy: true, sourceType: true, sourceId: true } });
    },

    async sentMessageId(dedupeKey, chatId, db = prisma) {
      const row = await db.outboxDelivery.findFirst({
        where: { chatId, status: 'SENT', message: { dedupeKey } },
        select: { sentMessageId: true },
      });
      return row?.sentMessageId ?? null;
    },

    async backlog() {
      const now = clock.now().toISOString();
      // A claimed row's not_before is its lease end: being sent counts as due whatever it says.
      const [row] = await prisma.$queryRaw<{ due: number; scheduled: number; age: number }[]>`
        WITH unsent AS (
          SELECT status, not_before, not_before <= (${now}::timestamptz AT TIME ZONE 'UTC') AS is_due
          FROM outbox_deliveries WHERE status IN ('PENDING', 'SENDING'))
        SELECT count(*) FILTER (WHERE status = 'SENDING' OR is_due)::int AS due,
               count(*) FILTER (WHERE status = 'PENDING' AND NOT is_due)::int AS scheduled,
               COALESCE(EXTRACT(EPOCH FROM ((${now}::timestamptz AT TIME ZONE 'UTC') - min(not_before) FILTER (WHERE status = 'PENDING' AND is_due))), 0)::float8 AS age
        FROM unsent`;
      return { due: row?.due ?? 0, scheduled: row?.scheduled ?? 0, oldestDueAgeSeconds: Math.max(0, row?.age ?? 0) };
    },
  };
}
