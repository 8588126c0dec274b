/**
 * What one dispatcher batch knows while it sends (the rows' chats, what was withdrawn, what waits to be
 * marked SENT), the timings it keeps, and the per-chat pacing a dispatcher keeps in its own memory when told to.
 */
import { performance } from 'node:perf_hooks';
import type { SentRow } from './claimed-rows.js';

/** A chat reserved this long before its send slot came is reserved again, so its interval starts at the send. */
export const CHAT_RESERVATION_SLACK_MS = 100;

/** Telegram's limit: one message a second to one chat. */
export const TELEGRAM_CHAT_INTERVAL_MS = 1000;

/**
 * How old the batch's knowledge of its own rows may be when one is sent: a row cancelled after the
 * claim (a broadcast stopped by its admin) is dropped if the cancel came more than this before its turn.
 * One query per window, whatever the rate, rather than one per message.
 */
export const WITHDRAWN_CHECK_MS = 200;
/**
 * Sent rows are marked SENT together: when this many wait, or the oldest has waited this long, and at the
 * end of each batch. One statement for a group instead of one per message was a quarter of the
 * dispatcher's CPU at 1,000 messages a second; a crash can now send again what was sent in the last
 * SENT_GROUP_MS (rows in flight, as before, just a few more).
 */
export const SENT_GROUP = 50;
export const SENT_GROUP_MS = 100;
/** A failed SENT write is tried again after this long, doubling up to the maximum (see recordSent). */
export const SENT_RETRY_FIRST_MS = 100;
export const SENT_RETRY_MAX_MS = 2000;

export interface Batch {
  /** Real-time (monotonic) end of this batch's lease. */
  leaseEnds: number;
  /** Chats found unreachable during this batch: their other claimed rows must not go out. */
  unreachable: Set<bigint>;
  /** Chats sent to in this batch (own pacing only): a chat's next row waits for the next batch. */
  chats: Set<bigint>;
  /** Rows taken from this batch since the claim (cancelled, or no longer this process's), and when that was last looked up. */
  withdrawn: Set<bigint>;
  checkedAt: number;
  /** When a chat's rows put back in this batch are due (epoch ms). */
  turns: Map<bigint, number>;
  /** A sent row could not be marked SENT: nothing more of this batch is sent (see recordSent). */
  writesFailing: boolean;
  /** Sent rows waiting to be marked SENT, and since when the first of them waits (monotonic ms). */
  sent: SentRow[];
  sentSince: number;
}

/** Per-chat pacing kept by one dispatcher in its own memory (`perChatIntervalMs`). */
export class OwnChatPacing {
  /** Monotonic time from which each chat may be sent to again. */
  private readonly nextSend = new Map<bigint, number>();

  constructor(private readonly intervalMs: number) {}

  /** Reserves the chat and returns undefined when it is free, else how long its row should wait. */
  reserve(chatId: bigint, batch: Batch): number | undefined {
    const now = performance.now();
    const wait = Math.max(0, (this.nextSend.get(chatId) ?? 0) - now);
    // One row per chat per batch even with no interval: the batch's sends run concurrently, and a
    // chat's messages must arrive one after the other, in order.
    if (wait > 0 || batch.chats.has(chatId)) return wait;
    batch.chats.add(chatId);
    this.hold(chatId, now);
    return undefined;
  }

  hold(chatId: bigint, now = performance.now()): void {
    if (this.nextSend.size > 10_000) {
      for (const [chat, at] of this.nextSend) if (at <= now) this.nextSend.delete(chat);
    }
    this.nextSend.set(chatId, now + this.intervalMs);
  }
}

/** A new batch whose lease (monotonic ms) ends at `leaseEnds`. */
export function newBatch(leaseEnds: number): Batch {
  return { leaseEnds, unreachable: new Set(), chats: new Set(), withdrawn: new Set(), checkedAt: 0, turns: new Map(), writesFailing: false, sent: [], sentSince: 0 };
}
