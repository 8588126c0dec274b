/**
 * What one dispatcher batch knows while it sends (the rows' chats, what was withdrawn, what waits to be
 * marked SENT), and the per-chat pacing a dispatcher keeps in its own memory when told to.
 */
import { performance } from 'node:perf_hooks';
import type { SentRow } from './claimed-rows.js';

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
