/**
 * Telegram's side of webhook mode, for tests and benches: takes the updates users make in the fake Bot
 * API and POSTs them to the bot's webhook (round robin over several processes, as a load balancer
 * would), with the secret header, and sends again every update that was not answered 2xx, later, as
 * Telegram does. An update is confirmed (and leaves the fake API's queue) once a process took it.
 *
 * The fake API refuses getUpdates while a webhook is set, as Telegram does; the bot sets one at start,
 * so this takes it over (deleteWebhook) and reads the queue itself, playing the part of Telegram's
 * delivery machinery. The bot's setWebhook call stays in the fake API's record.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import type { Update } from 'telegraf/types';

/** A loopback port free now, for a bot process's HTTP_PORT. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** The path the bot serves its webhook on for a secret (src/app.ts: a hash of the secret). */
export const webhookPath = (secret: string): string => `/telegram/${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`;

export interface WebhookTarget {
  url: string;
  secret: string;
}

export interface DeliveryStats {
  /** POSTs made, and how they were answered. */
  posts: number;
  byStatus: Record<string, number>;
  /** Updates confirmed after at least one failed try. */
  redelivered: number;
  /** update_id -> tries it took. */
  tries: Map<number, number>;
}

export class WebhookTelegram {
  readonly stats: DeliveryStats = { posts: 0, byStatus: {}, redelivered: 0, tries: new Map() };
  private stopped = false;
  private loop: Promise<void> | undefined;
  private next = 0;

  constructor(
    private readonly apiRoot: string,
    private readonly token: string,
    private readonly targets: () => readonly WebhookTarget[],
    private readonly options: { retryDelayMs?: number; requestTimeoutMs?: number } = {},
  ) {}

  start(): this {
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** One POST of `body` (anything: a test may send garbage) to the first target; returns the status. */
  static async post(target: WebhookTarget, body: string, headers: Record<string, string> = {}): Promise<number> {
    const res = await fetch(target.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': target.secret, ...headers },
      body,
    });
    await res.arrayBuffer();
    return res.status;
  }

  private async api<T>(method: string, params: object): Promise<T> {
    const res = await fetch(`${this.apiRoot}/bot${this.token}/${method}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const json = (await res.json()) as { ok: boolean; result: T; description?: string };
    if (!json.ok) throw new Error(`${method}: ${json.description}`);
    return json.result;
  }

  private async run(): Promise<void> {
    let offset = 0;
    while (!this.stopped) {
      let batch: Update[];
      try {
        batch = await this.api<Update[]>('getUpdates', { offset, timeout: 0, limit: 100 });
      } catch {
        // 409: the bot (re)set its webhook; the queue is ours to deliver all the same.
        if (this.stopped) return;
        await this.api('deleteWebhook', {}).catch(() => {});
        await sleep(20);
        continue;
      }
      if (batch.length === 0) {
        await sleep(20);
        continue;
      }
      const ok = await Promise.all(batch.map((u) => this.deliver(u)));
      const firstFailed = ok.indexOf(false);
      offset = firstFailed === -1 ? batch[batch.length - 1]!.update_id + 1 : batch[firstFailed]!.update_id;
      if (firstFailed !== -1) await sleep(this.options.retryDelayMs ?? 500);
    }
  }

  private async deliver(update: Update): Promise<boolean> {
    const targets = this.targets();
    const target = targets[this.next++ % targets.length]!;
    const tries = (this.stats.tries.get(update.update_id) ?? 0) + 1;
    this.stats.tries.set(update.update_id, tries);
    this.stats.posts++;
    let status: number | string;
    try {
      const res = await fetch(target.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': target.secret },
        body: JSON.stringify(update),
        signal: AbortSignal.timeout(this.options.requestTimeoutMs ?? 60_000),
      });
      await res.arrayBuffer();
      status = res.status;
    } catch (err) {
      status = (err as Error).name;
    }
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    const ok = typeof status === 'number' && status >= 200 && status < 300;
    if (ok && tries > 1) this.stats.redelivered++;
    return ok;
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
