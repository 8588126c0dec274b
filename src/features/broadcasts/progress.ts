/**
 * A broadcast under way: its fan-out when it starts, the admin's progress card, quiet hours, the end
 * with its report, and the stop when the message itself is refused. The outbox holds every delivery,
 * so each step can run again after a restart without sending anything twice.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Broadcast } from '../../platform/db/generated/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { type Translator, languageOr } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { isQuietTime, nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { parseAudience } from './audience.js';
import { audienceWhere } from './audience-query.js';
import {
  cardKeyboard,
  cardMessage,
  cardText,
  readerFor,
  reportMessage,
  stoppedMessage,
  undeliveredFile,
  type CardFacts,
  type Reader,
  type UndeliveredRecipient,
} from './notices.js';
import { broadcastCounts, cardState, isMessageLevelFailure, NO_COUNTS, type BroadcastCounts } from './rules.js';

export interface BroadcastDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  /** Messages per second of the dispatcher, for the time-left estimate. */
  sendRate: number;
  /** Edits the admin's progress card in place (not a new message, so not through the outbox). */
  editMessage: (chatId: bigint, messageId: number, text: string, keyboard?: object) => Promise<void>;
}

export const BROADCAST_SOURCE = 'broadcast';
const CARD_SOURCE = 'broadcast-card';
const REPORT_SOURCE = 'broadcast-report';
const cardKey = (id: number) => `broadcast-card:${id}`;

/** The admin who made a broadcast reads its card and report in their own language. */
async function readerOf({ prisma, translator }: BroadcastDeps, userId: bigint): Promise<Reader> {
  const user = await prisma.user.findUnique({ where: { id: userId }, select: { language: true } });
  return readerFor(translator, languageOr(user?.language));
}

export async function countsOf({ outbox }: BroadcastDeps, outboxMessageId: bigint | null): Promise<BroadcastCounts> {
  return outboxMessageId === null ? { ...NO_COUNTS } : broadcastCounts(await outbox.counts(outboxMessageId));
}

/**
 * Fan-out at the start time (not when scheduled), so NGOs approved in between are included. The card
 * and the copies are queued in one transaction, the card first and due earlier: no dispatcher can see
 * the copies without the card, and rows go out by (due time, id), so the card leads.
 */
export async function startBroadcast(deps: BroadcastDeps, broadcastId: number): Promise<void> {
  const { prisma, outbox, clock } = deps;
  const b = await prisma.broadcast.findUnique({ where: { id: broadcastId } });
  if (!b || b.status !== 'SCHEDULED') return;
  const members = await prisma.ngoMember.findMany({
    where: audienceWhere(parseAudience(b.audience)),
    select: { userId: true, user: { select: { reachable: true } } },
  });
  const reachable = members.filter((m) => m.user.reachable).map((m) => m.userId);
  const blocked = members.filter((m) => !m.user.reachable).map((m) => m.userId);
  const card: CardFacts = {
    id: b.id,
    counts: { ...NO_COUNTS, unreachable: blocked.length, waiting: reachable.length },
    state: 'sending',
    total: members.length,
    sendRate: deps.sendRate,
  };
  const cardPayload = cardMessage(await readerOf(deps, b.createdBy), card);
  await prisma.$transaction(async (tx) => {
    // Taken first: a cancel of the scheduled broadcast meanwhile wins, and nothing is queued.
    const { count } = await tx.broadcast.updateMany({
      where: { id: b.id, status: 'SCHEDULED' },
      data: { status: 'SENDING', startedAt: clock.now(), recipientCount: members.length },
    });
    if (count === 0) return;
    await outbox.enqueue(
      {
        payload: cardPayload,
        recipients: [b.createdBy],
        dedupeKey: cardKey(b.id),
        notBefore: new Date(b.startAt.getTime() - 1000),
        source: { type: CARD_SOURCE, id: String(b.id) },
      },
      tx,
    );
    const { messageId } = await outbox.enqueue(
      {
        payload: { kind: 'COPY', fromChatId: Number(b.sourceChatId), messageId: b.sourceMessageId },
        recipients: reachable,
        dedupeKey: `broadcast:${b.id}`,
        notBefore: b.startAt,
        source: { type: BROADCAST_SOURCE, id: String(b.id) },
      },
      tx,
    );
    // Members who had already blocked the bot are not sent to, but they belong in the report.
    if (blocked.length) await outbox.recordUnreachable(messageId, blocked, 'blocked the bot earlier', tx);
    await tx.broadcast.update({ where: { id: b.id }, data: { outboxMessageId: messageId } });
  });
}

/**
 * One broadcast under way, on each progress tick: stops what a cancel left behind, holds it back in
 * quiet hours, redraws its card, and closes it once every delivery has settled.
 */
export async function followBroadcast(deps: BroadcastDeps, b: Broadcast, now: Date): Promise<void> {
  const { outbox } = deps;
  // A row put back to PENDING after the cancel (a per-chat wait, a retry) is stopped too.
  if (b.cancelRequested && b.outboxMessageId) await outbox.cancel(b.outboxMessageId);
  const c = await countsOf(deps, b.outboxMessageId);
  const quiet = !b.urgent && isQuietTime(now);
  if (quiet && c.waiting > 0 && b.outboxMessageId) await outbox.postpone(b.outboxMessageId, nextAllowedTime(now));
  const cardMessageId = await outbox.sentMessageId(cardKey(b.id), b.createdBy);
  if (cardMessageId !== null) {
    const reader = await readerOf(deps, b.createdBy);
    const card: CardFacts = { id: b.id, counts: c, state: cardState(b, c, quiet), total: b.recipientCount, sendRate: deps.sendRate };
    // The card is a courtesy: an edit refused (too old, deleted) changes nothing about the broadcast.
    await deps.editMessage(b.createdBy, cardMessageId, cardText(reader, card), cardKeyboard(reader, card)).catch(() => {});
  }
  // After a cancel, a copy the dispatcher held may still be on its way: the report waits for it to settle.
  if (c.waiting === 0 && !(b.outboxMessageId && (await outbox.held(b.outboxMessageId)))) await finish(deps, b, b.cancelRequested ? 'CANCELLED' : 'DONE');
}

/**
 * A message-level failure of a broadcast's copy stops the whole broadcast and the admin is told once
 * (see isMessageLevelFailure). Returns false when the failure is not a broadcast's.
 */
export async function stopOnMessageFailure(deps: BroadcastDeps, failure: DeliveryFailure): Promise<boolean> {
  const { prisma, outbox } = deps;
  const b = await prisma.broadcast.findUnique({ where: { outboxMessageId: failure.messageId } });
  if (!b) return false;
  if (!isMessageLevelFailure(failure.reason)) return true;
  await outbox.cancel(failure.messageId);
  await prisma.broadcast.updateMany({ where: { id: b.id, status: 'SENDING' }, data: { failureReason: failure.reason.slice(0, 300) } });
  await outbox.enqueue({
    payload: stoppedMessage(await readerOf(deps, b.createdBy), b.id, failure.reason),
    recipients: [b.createdBy],
    // The same key for every failed copy: the admin hears it once, however many copies failed.
    dedupeKey: `broadcast-stopped:${b.id}`,
  });
  await finish(deps, b, 'FAILED');
  return true;
}

/** Closes a broadcast still sending; only the call that closes it sends the report. */
async function finish(deps: BroadcastDeps, b: Broadcast, status: 'DONE' | 'CANCELLED' | 'FAILED'): Promise<void> {
  const { count } = await deps.prisma.broadcast.updateMany({ where: { id: b.id, status: 'SENDING' }, data: { status, finishedAt: deps.clock.now() } });
  if (count > 0) await sendReport(deps, b);
}

async function sendReport(deps: BroadcastDeps, b: Broadcast): Promise<void> {
  const { outbox } = deps;
  const reader = await readerOf(deps, b.createdBy);
  const counts = await countsOf(deps, b.outboxMessageId);
  const failureReasons = b.outboxMessageId ? await outbox.failureReasons(b.outboxMessageId) : [];
  const source = { type: REPORT_SOURCE, id: String(b.id) };
  await outbox.enqueue({
    payload: reportMessage(reader, { id: b.id, counts, failureReasons }),
    recipients: [b.createdBy],
    dedupeKey: `broadcast-report:${b.id}`,
    source,
  });
  if (counts.unreachable + counts.failed > 0 && b.outboxMessageId) {
    await outbox.enqueue({
      payload: undeliveredFile(reader, b.id, await undeliveredRecipients(deps, b.outboxMessageId)),
      recipients: [b.createdBy],
      dedupeKey: `broadcast-csv:${b.id}`,
      source,
    });
  }
}

/** Who did not get it, with their NGO and county, so staff can phone them. */
async function undeliveredRecipients({ prisma, outbox }: BroadcastDeps, outboxMessageId: bigint): Promise<UndeliveredRecipient[]> {
  const rows = await outbox.undelivered(outboxMessageId);
  const members = await prisma.ngoMember.findMany({
    where: { userId: { in: rows.map((r) => r.chatId) } },
    include: { user: true, ngo: { include: { county: true } } },
  });
  const byUser = new Map(members.map((m) => [m.userId, m]));
  return rows.map((r) => {
    const m = byUser.get(r.chatId);
    return {
      chatId: r.chatId,
      ngoName: m?.ngo.name ?? null,
      memberName: m ? [m.user.firstName, m.user.lastName].filter(Boolean).join(' ') : '',
      county: m?.ngo.county.name ?? null,
      unreachable: r.status === 'UNREACHABLE',
      reason: r.reason,
    };
  });
}
