/**
 * Sends what the outbox holds. Rows are claimed in one statement (FOR UPDATE SKIP LOCKED) with a
 * lease, so any number of processes can dispatch together and a crashed process's rows are taken
 * up again when its lease ends. The only rows that can be sent twice are those in flight at a crash:
 * the API accepted them and the process died before recording it (invariant 2).
 */
import { Input, type Telegram } from 'telegraf';
import type { PrismaClient } from '../db/client.js';
import type { Clock } from '../domain/clock.js';
import { systemClock } from '../domain/clock.js';
import type { Logger } from '../logger.js';
import type { OutboxPayload } from './outbox.js';
import type { RateGate } from './rate-gate.js';
import { classifySendError, type SendOutcome } from './telegram-errors.js';

interface ClaimedRow {
  id: bigint;
  message_id: bigint;
  chat_id: bigint;
  attempts: number;
}

export interface DeliveryFailure {
  deliveryId: bigint;
  messageId: bigint;
  chatId: bigint;
  reason: string;
}

export interface DispatcherOptions {
  prisma: PrismaClient;
  telegram: Pick<Telegram, 'callApi' | 'sendDocument'>;
  gate: RateGate;
  logger: Logger;
  owner: string;
  clock?: Clock;
  batchSize?: number;
  /** Requests in flight at once; the gate still sets the rate. */
  concurrency?: number;
  leaseMs?: number;
  maxAttempts?: number;
  idlePollMs?: number;
  /** A user blocked the bot or no longer exists. */
  onUnreachable?: (chatId: bigint, reason: string) => Promise<void>;
  /** A delivery failed for good for a reason of its own (a bad message, not a bad recipient). */
  onFailed?: (failure: DeliveryFailure) => Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class Dispatcher {
  private running = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
  private readonly payloads = new Map<bigint, OutboxPayload>();
  private readonly clock: Clock;
  private readonly batchSize: number;
  private readonly concurrency: number;
  private readonly leaseMs: number;
  private readonly maxAttempts: number;

  constructor(private readonly o: DispatcherOptions) {
    this.clock = o.clock ?? systemClock;
    this.batchSize = o.batchSize ?? 100;
    this.concurrency = o.concurrency ?? 32;
    this.leaseMs = o.leaseMs ?? 60_000;
    this.maxAttempts = o.maxAttempts ?? 8;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** Called after an enqueue so new rows go out without waiting for the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let handled = 0;
      try {
        handled = await this.runOnce();
      } catch (err) {
        this.o.logger.error({ err }, 'dispatcher: batch failed');
        await sleep(1000);
      }
      if (handled === 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.o.idlePollMs ?? 1000);
          this.wakeUp = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wakeUp = undefined;
      }
    }
  }

  /** Claims one batch of due rows and sends them; returns how many rows it claimed. */
  async runOnce(): Promise<number> {
    const rows = await this.claim();
    if (rows.length === 0) return 0;
    await this.loadPayloads(rows);
    const inFlight = new Set<Promise<void>>();
    for (const row of rows) {
      if (!(await this.o.gate.tryAcquireChat(row.chat_id))) {
        // One message a second to a chat: this one waits its turn and keeps its order.
        await this.release(row, 1000, false);
        continue;
      }
      await this.o.gate.waitForSlot();
      const task = this.deliver(row).finally(() => inFlight.delete(task));
      inFlight.add(task);
      if (inFlight.size >= this.concurrency) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    return rows.length;
  }

  private async claim(): Promise<ClaimedRow[]> {
    const now = this.clock.now();
    const leaseUntil = new Date(now.getTime() + this.leaseMs);
    // A claimed row's not_before becomes its lease end: one index (status, not_before) finds both
    // due rows and rows whose lease ran out.
    return this.o.prisma.$queryRaw<ClaimedRow[]>`
      UPDATE outbox_deliveries d
      SET status = 'SENDING', lease_owner = ${this.o.owner},
          lease_until = ${leaseUntil.toISOString()}::timestamptz AT TIME ZONE 'UTC',
          not_before = ${leaseUntil.toISOString()}::timestamptz AT TIME ZONE 'UTC',
          attempts = d.attempts + 1
      FROM (
        SELECT id FROM outbox_deliveries
        WHERE status IN ('PENDING', 'SENDING') AND not_before <= ${now.toISOString()}::timestamptz AT TIME ZONE 'UTC'
        ORDER BY not_before, id
        LIMIT ${this.batchSize}
        FOR UPDATE SKIP LOCKED
      ) due
      WHERE d.id = due.id
      RETURNING d.id, d.message_id, d.chat_id, d.attempts`.then((rows) => rows.sort((a, b) => (a.id < b.id ? -1 : 1)));
  }

  private async loadPayloads(rows: ClaimedRow[]): Promise<void> {
    const missing = [...new Set(rows.map((r) => r.message_id))].filter((id) => !this.payloads.has(id));
    if (missing.length === 0) return;
    if (this.payloads.size > 1000) this.payloads.clear();
    const messages = await this.o.prisma.outboxMessage.findMany({ where: { id: { in: missing } } });
    for (const m of messages) this.payloads.set(m.id, { kind: m.kind, ...(m.payload as object) } as OutboxPayload);
  }

  private async deliver(row: ClaimedRow): Promise<void> {
    const payload = this.payloads.get(row.message_id);
    if (!payload) return; // deleted message: its rows went with it (cascade)
    let sentMessageId: number | undefined;
    try {
      sentMessageId = await this.send(row.chat_id, payload);
    } catch (error) {
      await this.handleFailure(row, classifySendError(error));
      return;
    }
    await this.o.prisma.$executeRaw`
      UPDATE outbox_deliveries
      SET status = 'SENT', sent_at = ${this.clock.now().toISOString()}::timestamptz AT TIME ZONE 'UTC',
          sent_message_id = ${sentMessageId ?? null}, lease_owner = NULL, lease_until = NULL, last_error = NULL
      WHERE id = ${row.id} AND lease_owner = ${this.o.owner}`;
  }

  private async send(chatId: bigint, payload: OutboxPayload): Promise<number | undefined> {
    const chat_id = Number(chatId);
    switch (payload.kind) {
      case 'TEXT': {
        const sent = await this.o.telegram.callApi('sendMessage', {
          chat_id,
          text: payload.text,
          ...(payload.parseMode ? { parse_mode: payload.parseMode } : {}),
          ...(payload.replyMarkup ? { reply_markup: payload.replyMarkup } : {}),
          ...(payload.disableLinkPreview ? { link_preview_options: { is_disabled: true } } : {}),
        });
        return sent.message_id;
      }
      case 'COPY': {
        const copied = await this.o.telegram.callApi('copyMessage', {
          chat_id,
          from_chat_id: payload.fromChatId,
          message_id: payload.messageId,
          ...(payload.replyMarkup ? { reply_markup: payload.replyMarkup } : {}),
        });
        return copied.message_id;
      }
      case 'DOCUMENT': {
        const sent = await this.o.telegram.sendDocument(
          chat_id,
          Input.fromBuffer(Buffer.from(payload.contentBase64, 'base64'), payload.fileName),
          { ...(payload.caption ? { caption: payload.caption } : {}), ...(payload.parseMode ? { parse_mode: payload.parseMode } : {}) },
        );
        return sent.message_id;
      }
    }
  }

  private async handleFailure(row: ClaimedRow, outcome: SendOutcome): Promise<void> {
    const log = this.o.logger;
    switch (outcome.type) {
      case 'rate_limited':
        log.warn({ retryAfterMs: outcome.retryAfterMs }, 'dispatcher: 429 from the Bot API, pausing every sender');
        await this.o.gate.pauseAll(outcome.retryAfterMs);
        await this.release(row, outcome.retryAfterMs, false);
        return;
      case 'transient':
        if (row.attempts >= this.maxAttempts) {
          await this.finish(row, 'FAILED', outcome.reason);
          log.error({ deliveryId: row.id, reason: outcome.reason }, 'dispatcher: giving up after retries');
          await this.o.onFailed?.({ deliveryId: row.id, messageId: row.message_id, chatId: row.chat_id, reason: outcome.reason });
        } else {
          // Exponential backoff with jitter: 2 s, 4 s, 8 s ... up to 5 minutes.
          const backoff = Math.min(300_000, 2000 * 2 ** (row.attempts - 1)) * (0.75 + Math.random() * 0.5);
          await this.release(row, backoff, true, outcome.reason);
        }
        return;
      case 'unreachable':
        await this.finish(row, 'UNREACHABLE', outcome.reason);
        // Nothing else queued for this chat can arrive either; a later /start makes the user reachable again.
        await this.o.prisma.$executeRaw`
          UPDATE outbox_deliveries SET status = 'UNREACHABLE', last_error = ${outcome.reason}
          WHERE chat_id = ${row.chat_id} AND status = 'PENDING'`;
        await this.o.onUnreachable?.(row.chat_id, outcome.reason);
        return;
      case 'failed':
        await this.finish(row, 'FAILED', outcome.reason);
        await this.o.onFailed?.({ deliveryId: row.id, messageId: row.message_id, chatId: row.chat_id, reason: outcome.reason });
        return;
    }
  }

  /** Puts a row back to PENDING after a delay; `counted` false gives back the attempt the claim took. */
  private async release(row: ClaimedRow, delayMs: number, counted: boolean, reason?: string): Promise<void> {
    const notBefore = new Date(this.clock.now().getTime() + delayMs).toISOString();
    await this.o.prisma.$executeRaw`
      UPDATE outbox_deliveries
      SET status = 'PENDING', not_before = ${notBefore}::timestamptz AT TIME ZONE 'UTC', lease_owner = NULL, lease_until = NULL,
          attempts = attempts - ${counted ? 0 : 1}, last_error = COALESCE(${reason ?? null}, last_error)
      WHERE id = ${row.id} AND lease_owner = ${this.o.owner}`;
  }

  private async finish(row: ClaimedRow, status: 'FAILED' | 'UNREACHABLE', reason: string): Promise<void> {
    await this.o.prisma.$executeRaw`
      UPDATE outbox_deliveries
      SET status = ${status}::"DeliveryStatus", last_error = ${reason.slice(0, 500)}, lease_owner = NULL, lease_until = NULL
      WHERE id = ${row.id} AND lease_owner = ${this.o.owner}`;
  }
}
