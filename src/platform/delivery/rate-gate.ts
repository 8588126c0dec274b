/**
 * Send pacing shared by every dispatcher process (through Redis when configured):
 * - a global rate in short windows, so a burst at a window edge stays near the configured rate
 *   (whole-second windows would allow twice the rate across a boundary, and Telegram answers 429);
 * - at most one message per second to one chat, as Telegram asks;
 * - a global pause after a 429, honoured by every process for retry_after seconds.
 */
import type { KeyValueStore } from '../kv/kv.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface RateGateOptions {
  kv: KeyValueStore;
  ratePerSecond: number;
  perChatIntervalMs?: number;
  /** Wall-clock time source; pacing is about real seconds, not the business clock. */
  now?: () => number;
}

export class RateGate {
  private readonly capacity: number;
  private readonly windowMs: number;
  private readonly perChatIntervalMs: number;
  private readonly now: () => number;
  private pauseCache = { until: 0, checkedAt: -Infinity };

  constructor(private readonly options: RateGateOptions) {
    this.capacity = Math.max(1, Math.round(options.ratePerSecond / 5));
    this.windowMs = (1000 * this.capacity) / options.ratePerSecond;
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.now = options.now ?? Date.now;
  }

  /** Resolves when this process may send one more message. */
  async waitForSlot(): Promise<void> {
    for (;;) {
      const pausedFor = (await this.pausedUntil()) - this.now();
      if (pausedFor > 0) {
        await sleep(pausedFor);
        continue;
      }
      const now = this.now();
      const window = Math.floor(now / this.windowMs);
      const count = await this.options.kv.increment(`rate:${window}`, Math.ceil(this.windowMs * 2) + 1000);
      if (count <= this.capacity) {
        // A 429 this process saw while the increment was on its way (a Redis round trip) wins over the slot.
        if (this.pauseCache.until <= this.now()) return;
        continue;
      }
      await sleep(Math.max(1, (window + 1) * this.windowMs - now));
    }
  }

  /** True when no message went to this chat within the last interval (and reserves the chat). */
  async tryAcquireChat(chatId: bigint | number): Promise<boolean> {
    return this.options.kv.setIfAbsent(`chat:${chatId}`, '1', this.perChatIntervalMs);
  }

  /**
   * Re-reserves the chat from now. Called when the reservation was taken a while before the send
   * (the send waited for a slot or a pause), so the next message to the chat still waits a full interval.
   */
  async holdChat(chatId: bigint | number): Promise<void> {
    await this.options.kv.set(`chat:${chatId}`, '1', this.perChatIntervalMs);
  }

  async pauseAll(ms: number): Promise<void> {
    const until = this.now() + ms;
    this.pauseCache = { until: Math.max(until, this.pauseCache.until), checkedAt: this.now() };
    // A shorter retry_after seen by another process must not cut a longer pause short.
    const shared = Number((await this.options.kv.get('pause-until')) ?? 0);
    if (until > shared) await this.options.kv.set('pause-until', String(until), Math.ceil(ms));
  }

  /** Re-reads the shared pause at most every 200 ms: one read per message would double the Redis traffic. */
  async pausedUntil(): Promise<number> {
    const now = this.now();
    if (now - this.pauseCache.checkedAt >= 200) {
      const shared = Number((await this.options.kv.get('pause-until')) ?? 0);
      this.pauseCache = { until: Math.max(shared, this.pauseCache.until > now ? this.pauseCache.until : 0), checkedAt: now };
    }
    return this.pauseCache.until;
  }
}
