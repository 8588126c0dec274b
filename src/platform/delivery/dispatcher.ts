/**
 * Sends what the outbox holds. Rows are claimed in one statement (FOR UPDATE SKIP LOCKED) with a
 * lease, so any number of processes can dispatch together and a crashed process's rows are taken
 * up again when its lease ends. The only rows that can be sent twice are those in flight at a crash:
 * the API accepted them and the process died before recording it (invariant 2).
 */
import { performance } from 'node:perf_hooks';
import type { Telegram } from 'telegraf';
import type { PrismaClient } from '../db/client.js';
import type { Clock } from '../text/clock.js';
import { systemClock } from '../text/clock.js';
import type { Logger } from '../logger.js';
import type { OutboxPayload } from './outbox.js';
import type { RateGate } from './rate-gate.js';
import { sendPayload } from './send-payload.js';
import { classifySendError, type SendOutcome } from './telegram-errors.js';
import { claimedRows, type ClaimedRow, type ClaimedRows, type SentRow } from './claimed-rows.js';
import { CHAT_RESERVATION_SLACK_MS, newBatch, OwnChatPacing, SENT_GROUP, SENT_GROUP_MS, SENT_RETRY_FIRST_MS, SENT_RETRY_MAX_MS, TELEGRAM_CHAT_INTERVAL_MS, WITHDRAWN_CHECK_MS, type Batch } from './batch.js';
import { countFailure, countSend } from '../metrics/instruments.js';


export interface DeliveryFailure {
  deliveryId: bigint;
  messageId: bigint;
  chatId: bigint;
  reason: string;
}

export interface DispatcherOptions {
  prisma: PrismaClient;
  telegram: Pick<Telegram, 'callApi'>;
  gate: RateGate;
  logger: Logger;
  /**
   * The name this dispatcher leases rows under: one dispatcher's only (src/app.ts makes it from the host, the
   * pid and a random part). After a failure, rows leased under it that it is not sending are put back.
   */
  owner: string;
  clock?: Clock;
  batchSize?: number;
  /** Requests in flight at once; the gate still sets the rate. */
  concurrency?: number;
  leaseMs?: number;
  /**
   * A request still unanswered after this long is abandoned (and retried). Default: half the lease,
   * at most 30 s. telegraf's own limit is 500 s, far beyond the lease: a slow answer would let
   * another process take the row over and send it a second time.
   */
  sendTimeoutMs?: number;
  maxAttempts?: number;
  /** First retry delay after a 5xx or network error; it doubles each attempt (default 2000 ms). */
  backoffBaseMs?: number;
  idlePollMs?: number;
  /**
   * Least time between two messages to one chat. Unset: Telegram's one message a second per chat,
   * kept by the gate for every process together. Tests that are not about pacing turn it down (0:
   * a chat's messages go back to back, still one at a time and in order); this dispatcher then keeps
   * the chats apart by itself, for its own sends only, so never set it where several processes send.
   */
  perChatIntervalMs?: number;
  /** A user blocked the bot or no longer exists. */
  onUnreachable?: (chatId: bigint, reason: string) => Promise<void>;
  /** A delivery failed for good for a reason of its own (a bad message, not a bad recipient). */
  onFailed?: (failure: DeliveryFailure) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Dispatcher {
  private running = false;
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private wakeRequested = false;
  private readonly payloads = new Map<bigint, OutboxPayload>();
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly sendTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly ownPacing: OwnChatPacing | undefined;
  private readonly rows: ClaimedRows;
  /**
   * Sent rows whose SENT write was still failing when their batch's lease ran out: marked before anything
   * else is claimed (still only while this owner holds them: a row another process took over is not).
   */
  private unrecorded: SentRow[] = [];
  /**
   * This owner may still lease rows it is not sending: a claim whose answer was lost, or a hand-back that
   * failed (the database away). They are put back before the next claim instead of waiting for their lease.
   */
  private strays = false;

  constructor(private readonly o: DispatcherOptions) {
    this.clock = o.clock ?? systemClock;
    this.batchSize = o.batchSize ?? 100;
    this.concurrency = o.concurrency ?? 32;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.sendTimeoutMs = o.sendTimeoutMs ?? Math.min(30_000, Math.floor(this.leaseMs / 2));
    this.maxAttempts = o.maxAttempts ?? 8;
    this.backoffBaseMs = o.backoffBaseMs ?? 2000;
    this.ownPacing = o.perChatIntervalMs === undefined ? undefined : new OwnChatPacing(o.perChatIntervalMs);
    this.rows = claimedRows(o.prisma, o.owner, this.clock);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = false;
    this.loop = this.run();
  }

  /** Finishes the requests in flight and hands the rest of the batch back at once for another process. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  /** Called after an enqueue so new rows go out without waiting for the next poll. */
  wake(): void {
    // An enqueue that lands while a batch is being claimed must not wait for the next poll either.
    this.wakeRequested = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (err) {
        countFailure(err, 'dispatcher');
        this.o.logger.error({ err }, 'dispatcher: batch failed');
        await sleep(1000);
      }
      if (handled === 0 && this.running && !this.wakeRequested) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.idlePollMs ?? 1000);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
      this.wakeRequested = false;
    }
  }

  /** Claims one batch of due rows and sends them; returns how many rows it claimed. */
  async runOnce(): Promise<number> {
    await this.settleLeftovers();
    // Taken before the claim, so it ends no later than the lease the database holds.
    const batch = newBatch(performance.now() + this.leaseMs);
    let rows: ClaimedRow[];
    try {
      rows = await this.rows.claim(this.batchSize, this.leaseMs);
    } catch (error) {
      // The claim may have been made and only its answer lost: those rows would wait for their lease.
      this.strays = true;
      throw error;
    }
    if (rows.length === 0) return 0;
    batch.checkedAt = performance.now();
    const inFlight = new Set<Promise<void>>();
    // The rows from `current` on are neither sent nor handed back yet.
    let current = 0;
    try {
      await this.loadPayloads(rows);
      await this.sendBatch(rows, batch, inFlight, (index) => (current = index));
    } catch (error) {
      // A failure (Redis or the database away) ends the batch: what it had not handled yet goes back at
      // once, not after its lease; if the database is what failed, before the next claim (settleLeftovers).
      await this.rows.release(rows.slice(current), 0, false).catch(() => (this.strays = true));
      throw error;
    } finally {
      await Promise.all(inFlight);
      await this.recordSent(batch).catch((err: unknown) => this.o.logger.error({ err }, 'dispatcher: could not record sent rows before their lease ended'));
    }
    return rows.length;
  }

  /**
   * Before a claim, after a failure: records what was sent but not yet marked SENT, then puts back what this
   * owner still leases. Throws while the database is still away (and the claim would fail too). With no
   * failure behind it, it costs nothing.
   */
  private async settleLeftovers(): Promise<void> {
    if (this.unrecorded.length > 0) {
      const group = this.unrecorded;
      const recorded = new Set(await this.rows.markSent(group));
      this.unrecorded = [];
      for (const { row } of group) {
        if (!recorded.has(row.id)) this.o.logger.warn({ deliveryId: String(row.id) }, 'dispatcher: sent a row whose lease another process had taken over');
      }
    }
    if (this.strays) {
      const released = await this.rows.releaseOwn();
      this.strays = false;
      if (released > 0) this.o.logger.warn({ rows: released }, 'dispatcher: put back rows left leased by a failed claim or batch');
    }
  }

  private async sendBatch(rows: ClaimedRow[], batch: Batch, inFlight: Set<Promise<void>>, at: (index: number) => void): Promise<void> {
    for (const [index, row] of rows.entries()) {
      at(index);
      if (batch.unreachable.has(row.chat_id)) continue; // marked UNREACHABLE with the row that found out
      if (batch.withdrawn.has(row.id)) continue; // found cancelled while an earlier row waited for its turn
      if (!(await this.maySendOrHandBack(batch, rows, index))) break;
      const reservedAt = performance.now();
      const chatBusyFor = await this.reserveChat(row.chat_id, batch);
      if (chatBusyFor !== undefined) {
        // One message a second to a chat: this one waits its turn and keeps its order.
        await this.rows.release([row], this.turnOf(row.chat_id, chatBusyFor, batch), false);
        continue;
      }
      await this.o.gate.waitForSlot();
      // The wait can be long (a 429 pause, a busy shared rate): the lease or the chat may have moved on.
      if (batch.unreachable.has(row.chat_id)) continue;
      if (!(await this.maySendOrHandBack(batch, rows, index))) break;
      if (await this.isWithdrawn(row, rows.slice(index), batch)) continue;
      // The chat's interval starts at the send, not at the reservation: the slot and the check above took time.
      // Held in memory always (free); in the shared gate only when the delay went past the slack.
      if (this.ownPacing) this.ownPacing.hold(row.chat_id);
      else if (performance.now() - reservedAt > CHAT_RESERVATION_SLACK_MS) await this.o.gate.holdChat(row.chat_id);
      const task = this.deliver(row, batch).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
    }
    at(rows.length);
  }

  /**
   * True when the row was taken from this batch after the claim: cancelled (its lease is let go, so it
   * no longer counts as in flight) or taken over. Looked up for all the batch's remaining rows at once,
   * at most once per WITHDRAWN_CHECK_MS.
   */
  private async isWithdrawn(row: ClaimedRow, remaining: readonly ClaimedRow[], batch: Batch): Promise<boolean> {
    if (performance.now() - batch.checkedAt >= WITHDRAWN_CHECK_MS) {
      batch.checkedAt = performance.now();
      const ids = `{${remaining.map((r) => r.id).join(',')}}`;
      const gone = await this.o.prisma.$queryRaw<{ id: bigint }[]>`
        WITH gone AS (
          SELECT id, status, lease_owner FROM outbox_deliveries
          WHERE id = ANY (${ids}::text::bigint[]) AND (status <> 'SENDING' OR lease_owner IS DISTINCT FROM ${this.o.owner})
        ), released AS (
          UPDATE outbox_deliveries d SET lease_owner = NULL, lease_until = NULL
          FROM gone WHERE d.id = gone.id AND gone.status = 'CANCELLED' AND gone.lease_owner = ${this.o.owner}
        )
        SELECT id FROM gone`;
      for (const g of gone) batch.withdrawn.add(g.id);
    }
    return batch.withdrawn.has(row.id);
  }

  /**
   * When a row of a busy chat is due again. A chat's rows put back in one batch share the first one's
   * time, so the claim's order (due time, then id) keeps them in order: times computed a moment apart
   * could otherwise put a later row first.
   */
  private turnOf(chatId: bigint, busyForMs: number, batch: Batch): Date {
    const due = batch.turns.get(chatId) ?? this.clock.now().getTime() + Math.ceil(busyForMs);
    batch.turns.set(chatId, due);
    return new Date(due);
  }

  /** Reserves the row's chat and returns undefined when it is free, else how long the row should wait. */
  private async reserveChat(chatId: bigint, batch: Batch): Promise<number | undefined> {
    if (this.ownPacing) return this.ownPacing.reserve(chatId, batch);
    return (await this.o.gate.tryAcquireChat(chatId)) ? undefined : TELEGRAM_CHAT_INTERVAL_MS;
  }

  /**
   * A row may be sent only while its lease will outlast the request: after the lease another
   * process may claim it, and both would send it.
   */
  private maySend(batch: Batch): boolean {
    return !this.stopping && !batch.writesFailing && performance.now() + this.sendTimeoutMs < batch.leaseEnds;
  }

  /** When the batch may not send on (stopping, the lease running out, a SENT write failing), the rows from `index` go back at once. */
  private async maySendOrHandBack(batch: Batch, rows: readonly ClaimedRow[], index: number): Promise<boolean> {
    if (this.maySend(batch)) return true;
    await this.rows.release(rows.slice(index), 0, false);
    return false;
  }

  private async loadPayloads(rows: ClaimedRow[]): Promise<void> {
    // Cleared before looking for what is missing: clearing afterwards dropped payloads this batch needs.
    if (this.payloads.size > 1000) this.payloads.clear();
    const missing = [...new Set(rows.map((r) => r.message_id))].filter((id) => !this.payloads.has(id));
    if (missing.length === 0) return;
    const messages = await this.o.prisma.outboxMessage.findMany({ where: { id: { in: missing } } });
    for (const m of messages) this.payloads.set(m.id, { kind: m.kind, ...(m.payload as object) } as OutboxPayload);
  }

  /** Never rejects: one row's database or callback failure must not abandon the rest of the batch. */
  private async deliver(row: ClaimedRow, batch: Batch): Promise<void> {
    try {
      const payload = this.payloads.get(row.message_id);
      if (!payload) return; // deleted message: its rows went with it (cascade)
      let sentMessageId: number | undefined;
      try {
        sentMessageId = await sendPayload(this.o.telegram, row.chat_id, payload, this.sendTimeoutMs);
      } catch (error) {
        await this.handleFailure(row, classifySendError(error), batch);
        return;
      }
      if (batch.sent.length === 0) batch.sentSince = performance.now();
      batch.sent.push({ row, sentMessageId, sentAt: this.clock.now() });
      countSend('sent');
      if (batch.sent.length >= SENT_GROUP || performance.now() - batch.sentSince >= SENT_GROUP_MS) await this.recordSent(batch);
    } catch (err) {
      // Its hand-back or its final state may not have been written: the row may still be leased to us.
      this.strays = true;
      this.o.logger.error({ err, deliveryId: String(row.id) }, 'dispatcher: could not finish a delivery');
    }
  }

  /**
   * Marks the batch's sent rows SENT. The messages are out already: if this write is lost, the rows are
   * sent again when their lease ends. So a failed write is retried until the lease would end, and
   * meanwhile the batch sends nothing more (each further message could not be recorded either: a
   * PostgreSQL outage used to send 3% of a broadcast twice).
   */
  private async recordSent(batch: Batch): Promise<void> {
    const group = batch.sent.splice(0);
    if (group.length === 0) return;
    for (let wait = SENT_RETRY_FIRST_MS; ; wait = Math.min(wait * 2, SENT_RETRY_MAX_MS)) {
      try {
        const recorded = new Set(await this.rows.markSent(group));
        for (const { row } of group) {
          // The one way a row goes out twice (invariant 2): count it where operators look.
          if (!recorded.has(row.id)) this.o.logger.warn({ deliveryId: String(row.id) }, 'dispatcher: sent a row whose lease another process had taken over');
        }
        return;
      } catch (error) {
        if (!batch.writesFailing) this.o.logger.warn({ err: error, rows: group.length }, 'dispatcher: could not record sent rows, retrying and sending nothing more of this batch');
        batch.writesFailing = true;
        if (performance.now() + wait >= batch.leaseEnds) {
          // Still tried before the next claim: a row nobody else has claimed meanwhile is still this owner's.
          this.unrecorded.push(...group);
          throw error;
        }
        await sleep(wait);
      }
    }
  }

  private async handleFailure(row: ClaimedRow, outcome: SendOutcome, batch: Batch): Promise<void> {
    const log = this.o.logger;
    countSend(outcome.type);
    switch (outcome.type) {
      case 'rate_limited':
        log.warn({ retryAfterMs: outcome.retryAfterMs }, 'dispatcher: 429 from the Bot API, pausing every sender');
        await this.o.gate.pauseAll(outcome.retryAfterMs);
        await this.rows.release([row], outcome.retryAfterMs, false);
        return;
      case 'transient':
        if (row.attempts >= this.maxAttempts) {
          await this.rows.finish(row, 'FAILED', outcome.reason);
          countSend('failed');
          log.error({ deliveryId: row.id, reason: outcome.reason }, 'dispatcher: giving up after retries');
          await this.o.onFailed?.({ deliveryId: row.id, messageId: row.message_id, chatId: row.chat_id, reason: outcome.reason });
        } else {
          // Exponential backoff with jitter: 2 s, 4 s, 8 s ... up to 5 minutes.
          const backoff = Math.min(300_000, this.backoffBaseMs * 2 ** (row.attempts - 1)) * (0.75 + Math.random() * 0.5);
          await this.rows.release([row], backoff, true, outcome.reason);
        }
        return;
      case 'unreachable':
        batch.unreachable.add(row.chat_id);
        await this.rows.finish(row, 'UNREACHABLE', outcome.reason);
        // Nothing else queued for this chat can arrive either; a later /start makes the user reachable again.
        // Claimed rows too: one waiting for this chat's turn would otherwise be put back and sent.
        // Their lease_owner stays, so a send already on its way is still recorded as SENT.
        await this.o.prisma.$executeRaw`
          UPDATE outbox_deliveries SET status = 'UNREACHABLE', last_error = ${outcome.reason.slice(0, 500)}
          WHERE chat_id = ${row.chat_id} AND status IN ('PENDING', 'SENDING')`;
        await this.o.onUnreachable?.(row.chat_id, outcome.reason);
        return;
      case 'failed':
        await this.rows.finish(row, 'FAILED', outcome.reason);
        await this.o.onFailed?.({ deliveryId: row.id, messageId: row.message_id, chatId: row.chat_id, reason: outcome.reason });
        return;
    }
  }

}
