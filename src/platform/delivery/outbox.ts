/**
 * The outbox: every message that is not an immediate reply is stored here before anything is sent
 * (invariant 1). One row per (message, recipient), unique on that pair, so repeating a fan-out or a
 * cron tick cannot create a second delivery (invariant 2).
 */
import type { PrismaClient } from '../db/client.js';
import type { Prisma } from '../db/generated/client.js';
import type { Clock } from '../text/clock.js';
import { systemClock } from '../text/clock.js';

import type { InlineKeyboardMarkup } from 'telegraf/types';

export type InlineKeyboard = InlineKeyboardMarkup;

export type OutboxPayload =
  | { kind: 'TEXT'; text: string; parseMode?: 'HTML'; replyMarkup?: InlineKeyboard; disableLinkPreview?: boolean }
  | { kind: 'COPY'; fromChatId: number | string; messageId: number; replyMarkup?: InlineKeyboard }
  | { kind: 'DOCUMENT'; fileName: string; contentBase64: string; caption?: string; parseMode?: 'HTML' };

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

/** The app's client, or a transaction: enqueue inside the caller's transaction to commit a state change and its message together. */
export type OutboxDb = PrismaClient | Prisma.TransactionClient;

export interface Outbox {
  enqueue(request: EnqueueRequest, db?: OutboxDb): Promise<EnqueueResult>;
  /** Stops deliveries not yet sent (e.g. a cancelled broadcast); returns how many were stopped. */
  cancel(messageId: bigint): Promise<number>;
}

export function createOutbox(deps: { prisma: PrismaClient; clock?: Clock; onEnqueued?: () => void }): Outbox {
  const { prisma, onEnqueued } = deps;
  const clock = deps.clock ?? systemClock;
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
      // Chunks keep one statement's parameters small even for tens of thousands of recipients.
      for (let i = 0; i < recipients.length; i += 5000) {
        const chunk = `{${recipients.slice(i, i + 5000).join(',')}}`;
        added += await target.$executeRaw`
          INSERT INTO outbox_deliveries (message_id, chat_id, not_before)
          SELECT ${messageId}, unnest(${chunk}::text::bigint[]), ${notBefore}::timestamptz AT TIME ZONE 'UTC'
          ON CONFLICT (message_id, chat_id) DO NOTHING`;
      }
      if (added > 0) onEnqueued?.();
      return { messageId, added };
    },

    async cancel(messageId) {
      return prisma.$executeRaw`
        UPDATE outbox_deliveries SET status = 'CANCELLED', lease_owner = NULL
        WHERE message_id = ${messageId} AND status = 'PENDING'`;
    },
  };
}
