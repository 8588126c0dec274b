/**
 * Graceful shutdown of the real entry point in webhook mode (issue 16), as an operator's SIGTERM (docker
 * stop, systemd, a rolling deploy) meets it: a child process running src/main.ts on a PostgreSQL
 * database of its own, against the fake Bot API, with replies and an announcement's sends slowed down
 * so that they are in flight when the signal comes. It must stop taking updates (503, so Telegram sends
 * them to a process that is running), finish the updates and sends in flight, hand back the outbox rows
 * it had claimed, and exit 0; a second signal exits at once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { describeWithServer } from '../support/servers.js';
import { freePort, WebhookTelegram, type WebhookTarget, webhookPath } from '../support/webhook-telegram.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';
const SECRET = 'shutdown_secret-0123456789';
const RECIPIENTS = Array.from({ length: 200 }, (_, i) => 5001 + i);

interface Running {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; ms: number }>;
  signalledAt: number;
}


async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string, running?: Running): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${running?.output() ?? ''}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describeWithServer('graceful shutdown in webhook mode', { databaseUrl: true }, () => {
  let db: TestDatabase | undefined;
  let api: FakeBotApi | undefined;
  let running: Running | undefined;
  let cwd: string | undefined;

  afterEach(async () => {
    running?.child.kill('SIGKILL');
    await running?.exited;
    await api?.close();
    await db?.close();
    if (cwd) await rm(cwd, { recursive: true, force: true });
    running = api = db = cwd = undefined;
  });

  async function start(): Promise<{ running: Running; target: WebhookTarget; db: TestDatabase; api: FakeBotApi }> {
    db = await createTestDatabase('server');
    api = await FakeBotApi.start();
    const port = await freePort();
    cwd = await mkdtemp(path.join(os.tmpdir(), 'ngo-shutdown-'));
    const child = spawn(process.execPath, ['--import', TSX, path.join(ROOT, 'src/main.ts')], {
      cwd,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        BOT_TOKEN: TOKEN,
        BOT_API_ROOT: api.apiRoot,
        DATABASE_URL: db.url!,
        HTTP_PORT: String(port),
        WEBHOOK_URL: 'https://bot.example.org/hook',
        WEBHOOK_SECRET: SECRET,
        SEND_RATE: '5',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const r: Running = {
      child,
      output: () => out,
      signalledAt: 0,
      exited: new Promise((resolve) => child.once('exit', (code) => resolve({ code, ms: Date.now() - r.signalledAt }))),
    };
    running = r;
    const hookPath = webhookPath(SECRET);
    await until(() => api!.calls('setWebhook').length > 0, 60_000, 'the bot to set its webhook', r);
    return { running: r, target: { url: `http://127.0.0.1:${port}${hookPath}`, secret: SECRET }, db, api };
  }

  const startUpdate = (api: FakeBotApi, userId: number) => JSON.stringify(api.user(userId, { first_name: 'مریم' }).sendCommand('start').update);

  it('when SIGTERM comes while updates and an announcement are being handled, then they finish, new updates get 503, claimed rows go back and it exits 0', async () => {
    const { running, target, db, api } = await start();
    // Every send takes 1.5 s and the announcement goes at 5 a second: replies and sends are in flight when
    // the signal comes, and most of the announcement is still to go.
    api.setLatency('sendMessage', 1_500);
    await createOutbox({ prisma: db.prisma }).enqueue({ payload: { kind: 'TEXT', text: 'اطلاعیه آزمایشی' }, recipients: RECIPIENTS });
    await until(async () => (await db.prisma.outboxDelivery.count({ where: { status: 'SENDING' } })) > 0, 20_000, 'the dispatcher to claim rows', running);

    const inFlight = [6001, 6002, 6003].map((id) => WebhookTelegram.post(target, startUpdate(api, id)));
    await new Promise((resolve) => setTimeout(resolve, 300));
    running.signalledAt = Date.now();
    running.child.kill('SIGTERM');
    await until(() => running.output().includes('shutting down'), 5_000, 'the shutdown to begin', running);

    expect(await WebhookTelegram.post(target, startUpdate(api, 6004))).toBe(503);
    expect(await Promise.all(inFlight)).toEqual([200, 200, 200]);
    const { code, ms } = await running.exited;
    expect(code, running.output()).toBe(0);
    expect(ms).toBeLessThan(15_000);

    // The updates in flight were answered; the one refused was not handled here.
    for (const id of [6001, 6002, 6003]) expect(api.sentMessages(id).length).toBeGreaterThan(0);
    expect(api.sentMessages(6004)).toHaveLength(0);
    // Nothing is left claimed: rows not sent are waiting for the next process, at once, and each sent row is marked.
    const rows = await db.prisma.outboxDelivery.findMany();
    expect(rows.filter((r) => r.status === 'SENDING')).toEqual([]);
    expect(rows.filter((r) => r.status === 'PENDING' && r.leaseOwner !== null)).toEqual([]);
    const sentChats = new Set(api.sentMessages().filter((c) => RECIPIENTS.includes(Number(c.chatId))).map((c) => Number(c.chatId)));
    expect(new Set(rows.filter((r) => r.status === 'SENT').map((r) => Number(r.chatId)))).toEqual(sentChats);
    expect(rows.filter((r) => r.status === 'PENDING').length).toBeGreaterThan(0);
  });

  it('when a second signal comes while the first is still waiting for a handler, then it exits at once', async () => {
    const { running, target, api } = await start();
    api.setLatency('sendMessage', 20_000);
    const stuck = WebhookTelegram.post(target, startUpdate(api, 6101)).catch(() => 0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    running.child.kill('SIGTERM');
    await until(() => running.output().includes('shutting down'), 5_000, 'the shutdown to begin', running);
    running.signalledAt = Date.now();
    running.child.kill('SIGTERM');
    const { code, ms } = await running.exited;
    expect(code).toBe(130);
    expect(ms).toBeLessThan(1_000);
    await stuck;
  });
});
