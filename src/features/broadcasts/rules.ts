/** Pure decisions about a broadcast: when it starts, how its progress reads, when it stops. */
import type { DeliveryCounts } from '../../platform/delivery/outbox.js';
import { DEFAULT_QUIET_HOURS, nextAllowedTime } from '../../platform/text/quiet-hours.js';

/** What the admin sent, as listed in /broadcasts. An animation plays as a video, so it is listed as one. */
export type ContentKind = 'text' | 'photo' | 'document' | 'video';

/** A broadcast's deliveries as the card and the report count them. */
export interface BroadcastCounts {
  sent: number;
  failed: number;
  unreachable: number;
  /** Not yet settled: waiting for its time, a retry, or in a dispatcher's hands. */
  waiting: number;
  cancelled: number;
}

export const NO_COUNTS: BroadcastCounts = { sent: 0, failed: 0, unreachable: 0, waiting: 0, cancelled: 0 };

export function broadcastCounts(d: DeliveryCounts): BroadcastCounts {
  return { sent: d.SENT, failed: d.FAILED, unreachable: d.UNREACHABLE, waiting: d.PENDING + d.SENDING, cancelled: d.CANCELLED };
}

/** A time typed a moment ago for "now" is not refused as past: a minute of grace. */
const PAST_GRACE_MS = 60_000;

export function isInThePast(scheduledAt: Date, now: Date): boolean {
  return scheduledAt.getTime() < now.getTime() - PAST_GRACE_MS;
}

/** A broadcast that is not urgent waits until quiet hours (night, Friday) are over. */
export function startTimeFor(requestedAt: Date, urgent: boolean): Date {
  return urgent ? requestedAt : nextAllowedTime(requestedAt, DEFAULT_QUIET_HOURS);
}

export type CardState = 'sending' | 'paused' | 'done' | 'cancelled' | 'failed';

export function cardState(b: { cancelRequested: boolean }, counts: BroadcastCounts, quiet: boolean): CardState {
  if (b.cancelRequested) return 'cancelled';
  if (counts.waiting === 0) return 'done';
  return quiet ? 'paused' : 'sending';
}

/** Whole minutes left at the dispatcher's rate, never less than one while anything waits. */
export function minutesLeft(waiting: number, sendRate: number): number {
  return Math.max(1, Math.ceil(Math.ceil(waiting / Math.max(1, sendRate)) / 60));
}

/**
 * A 400 for a broadcast's copy is about the message, not the recipient (the source was deleted,
 * formatting broke): every other recipient would fail the same way. Other failures (retries of 5xx
 * or network errors ran out) are the recipient's and are counted in the report.
 */
export function isMessageLevelFailure(reason: string): boolean {
  return /^400\b/.test(reason);
}
