/**
 * Webhook mode end to end (issue 16): the app as main.ts wires it with WEBHOOK_URL, WEBHOOK_SECRET and
 * HTTP_PORT, Telegram's side played by test/support/webhook-telegram.ts over loopback HTTP. Every
 * request is answered: a wrong secret 403 before the body is read, a body over 1 MiB 413 without reading
 * the rest, a body that is not an update 400 without touching the bot; and an update that could not be
 * handled because Redis was down is answered 503, sent again, and then handled exactly once, the form
 * being filled in going on from where it was.
 */
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutageProxy } from '../bench/broadcast/outage-proxy.js';
import { reply, replyText, t } from '../support/conversation.js';
import { e2eStorageMode } from '../support/database.js';
import { startOffice } from '../support/fixtures.js';
import { createAdmin } from '../support/ngo-fixtures.js';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import type { Harness } from '../support/harness.js';
import { testRedisUrl } from '../support/servers.js';
import { freePort, WebhookTelegram, type WebhookTarget, webhookPath } from '../support/webhook-telegram.js';

const SECRET = 'webhook_secret-for-tests-0123456789';
const MEMBER = 2002;
const COUNTY_ADMIN = 3004; // رفسنجان: the member's NGO is in کرمان


/** Node's fetch cannot send a body that never ends on purpose: a raw request, answered or not. */
function rawPost(port: number, path: string, headers: Record<string, string>, bodyBytes: number): Promise<{ status: number; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    socket.on('data', (chunk) => {
      answer += chunk.toString('latin1');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) {
        resolve({ status: Number(status[1]), ms: performance.now() - started });
        socket.destroy();
      }
    });
    socket.on('error', () => {}); // the server drops the connection after answering: expected
    socket.on('close', () => reject(new Error(`closed without an answer: ${answer.slice(0, 100)}`)));
    const head = Object.entries({ host: 'localhost', 'content-type': 'application/json', ...headers })
      .map(([k, v]) => `${k}: ${v}\r\n`)
      .join('');
    socket.write(`POST ${path} HTTP/1.1\r\n${head}\r\n`);
    const chunk = Buffer.alloc(64 * 1024, 'a');
    let sent = 0;
    const pump = () => {
      while (sent < bodyBytes && !socket.destroyed) {
        sent += chunk.length;
        if (!socket.write(headers['transfer-encoding'] ? `${chunk.length.toString(16)}\r\n${chunk.toString()}\r\n` : chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
}

describe(`webhook mode (${e2eStorageMode()} storage)`, () => {
  let h: Harness;
  let telegram: WebhookTelegram | undefined;
  let target: WebhookTarget;
  let port: number;
  let path: string;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => void rejections.push(reason);

  beforeEach(() => {
    rejections.length = 0;
    process.on('unhandledRejection', onRejection);
  });
  afterEach(async () => {
    process.off('unhandledRejection', onRejection);
    await telegram?.stop();
    telegram = undefined;
  });

  async function setup(env: Record<string, string> = {}) {
    port = await freePort();
    path = webhookPath(SECRET);
    ({ h } = await startOffice({
      ngos: [{ managerId: MEMBER, name: 'انجمن حامیان محیط زیست کرمان', status: 'APPROVED', managerFirstName: 'زهرا' }],
      env: { WEBHOOK_URL: 'https://bot.example.org/hook', WEBHOOK_SECRET: SECRET, HTTP_PORT: String(port), ...env },
    }));
    target = { url: `http://127.0.0.1:${port}${path}`, secret: SECRET };
    telegram = new WebhookTelegram(h.api.apiRoot, h.api.token, () => [target], { retryDelayMs: 200 }).start();
    return { member: h.api.user(MEMBER, { first_name: 'زهرا' }) };
  }

  it('when the bot starts in webhook mode, then it sets its webhook with the secret and answers people through it', async () => {
    const { member } = await setup();
    const set = h.api.calls('setWebhook').at(-1)!;
    expect(set.params).toMatchObject({ url: `https://bot.example.org${path}`, secret_token: SECRET });
    member.sendCommand('start');
    await reply(member);
    await waitUntil(() => telegram!.stats.posts === 1 && telegram!.stats.byStatus[200] === 1, 5_000);
  });

  it('when a request has no secret or a wrong one, then it gets 403 and the bot never sees it, however large', async () => {
    await setup();
    const update = JSON.stringify({ update_id: 5, message: { message_id: 1, date: 0, chat: { id: MEMBER, type: 'private' }, from: { id: MEMBER, is_bot: false, first_name: 'x' }, text: '/start' } });
    expect(await WebhookTelegram.post({ ...target, secret: 'wrong-secret-wrong-secret-0123456' }, update)).toBe(403);
    expect(await WebhookTelegram.post(target, update, { 'x-telegram-bot-api-secret-token': '' })).toBe(403);
    const huge = await rawPost(port, path, { 'content-length': String(64 * 1024 * 1024) }, 64 * 1024 * 1024);
    expect(huge.status).toBe(403);
    expect(huge.ms).toBeLessThan(2_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.api.sentMessages(MEMBER)).toHaveLength(0);
  });

  it('when a body with the secret is over 1 MiB, then it gets 413 at once, declared or streamed, and the bot goes on', async () => {
    const { member } = await setup();
    const declared = await rawPost(port, path, { 'x-telegram-bot-api-secret-token': SECRET, 'content-length': String(64 * 1024 * 1024) }, 64 * 1024 * 1024);
    expect(declared.status).toBe(413);
    const streamed = await rawPost(port, path, { 'x-telegram-bot-api-secret-token': SECRET, 'transfer-encoding': 'chunked' }, 64 * 1024 * 1024);
    expect(streamed.status).toBe(413);
    expect(streamed.ms).toBeLessThan(5_000);
    member.sendCommand('start');
    await reply(member);
  });

  it.each([
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[{"update_id": 7}]'],
    ['a string', '"update"'],
    ['malformed JSON', '{"update_id": 7, "message": '],
    ['an empty body', ''],
    ['an object without update_id', '{"message": {"text": "/start"}}'],
    ['a negative update_id', '{"update_id": -1}'],
  ])('when the body is %s, then it gets 400, the bot is not touched and nothing is left unhandled', async (_what, body) => {
    const { member } = await setup();
    expect(await WebhookTelegram.post(target, body)).toBe(400);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rejections).toEqual([]);
    expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
    member.sendCommand('start');
    await reply(member);
  });

  it('when an update that is not a person\'s message comes (a channel post, an unknown kind), then it is answered 200 and nothing is logged as an error', async () => {
    await setup();
    expect(await WebhookTelegram.post(target, JSON.stringify({ update_id: 900, channel_post: { message_id: 1, date: 0, chat: { id: -100, type: 'channel' }, text: 'x' } }))).toBe(200);
    expect(await WebhookTelegram.post(target, JSON.stringify({ update_id: 901, something_new: { id: 1 } }))).toBe(200);
    expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
  });

  it('when Redis is down while a person fills in a form, then their answers get 503, come again when it is back, and the form goes on from where it was, once', async () => {
    if (!testRedisUrl) throw new Error('TEST_REDIS_URL is needed for this test (bash .ci/services.sh)');
    const redisTarget = new URL(testRedisUrl);
    const proxy = await OutageProxy.start({ host: redisTarget.hostname, port: Number(redisTarget.port) });
    try {
      const { member } = await setup({ REDIS_URL: proxy.url(testRedisUrl) });
      member.sendCommand('feedback');
      await replyText(member, 'نوع پیام خود را انتخاب کنید');
      const press = member.pressButtonByText('💡 پیشنهاد');
      await replyText(member, 'خود را بنویسید');
      // Telegram has its answer (the step is saved) before Redis goes.
      await waitUntil(() => h.api.pendingUpdates().every((u) => u.update_id !== press.update_id), 5_000);

      proxy.goDown();
      const text = 'برگزاری کارگاه آموزشی در شهرستان‌ها';
      const answer = member.sendText(text);
      await waitUntil(() => (telegram!.stats.byStatus[503] ?? 0) > 0, 10_000);
      expect(h.api.sentMessages(MEMBER).filter((c) => c.seq > answer.mark)).toHaveLength(0);
      proxy.up();

      // Sent again and handled: the form moves on to its next step, exactly once.
      await reply(member, 'اگر عکس یا فایلی', { timeoutMs: 20_000 });
      member.sendText(t('feedback.form.continue'));
      await replyText(member, 'پیش از ارسال');
      member.pressButtonByText('📨 ارسال با نام من');
      await replyText(member, 'شماره پیگیری');
      await h.waitForIdle();
      const items = await h.db.prisma.feedbackItem.findMany({ include: { messages: true } });
      expect(items.map((i) => i.messages.map((m) => m.text))).toEqual([[text]]);
      expect(h.api.sentMessages(MEMBER).filter((c) => c.seq > answer.mark && String(c.text).includes('اگر عکس یا فایلی'))).toHaveLength(1);
      expect(telegram!.stats.tries.get(answer.update_id)).toBeGreaterThan(1);
      expect(rejections).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it('when a county admin opens another county\'s feedback item from a button, then the press gets one answer: the reason, as an alert', async () => {
    await setup();
    await createAdmin(h.db, COUNTY_ADMIN, 'COUNTY_ADMIN', { countyName: 'رفسنجان' });
    const item = await h.app.services.feedback.submit(BigInt(MEMBER), { type: 'SUGGESTION', parts: ['پیشنهاد'], attachments: [], anonymous: false });
    const pressed = h.api.user(COUNTY_ADMIN).pressButton(`fbi_v:${item.id}`);
    await waitUntil(() => telegram!.stats.byStatus[200] === 1, 10_000);
    const answers = h.api.calls('answerCallbackQuery').filter((c) => c.params.callback_query_id === pressed.update.callback_query.id);
    expect(answers.map((c) => [c.response.ok, c.params.show_alert, c.params.text])).toEqual([
      [true, true, t('feedback.errors.not_found', { id: toPersianDigits(item.id) })],
    ]);
    expect(h.api.sentMessages(COUNTY_ADMIN)).toHaveLength(0);
    expect(h.logs.filter((l) => l.includes('"level":50'))).toEqual([]);
  });

  it('when the same update is delivered twice, at once or later, then it is handled once', async () => {
    const { member } = await setup();
    await telegram!.stop();
    telegram = undefined;
    expect(await WebhookTelegram.post(target, JSON.stringify(member.sendCommand('start').update))).toBe(200);
    const once = h.api.sentMessages(MEMBER).length;
    expect(once).toBeGreaterThan(0);

    const update = JSON.stringify(member.sendCommand('start').update);
    const both = await Promise.all([WebhookTelegram.post(target, update), WebhookTelegram.post(target, update)]);
    // The copy that comes while the first is being handled is told to come back later (503).
    expect(both).toContain(200);
    expect(both.every((status) => status === 200 || status === 503)).toBe(true);
    expect(await WebhookTelegram.post(target, update)).toBe(200);
    expect(h.api.sentMessages(MEMBER)).toHaveLength(2 * once);
  });
});

describe(`long polling when storage is down (${e2eStorageMode()} storage)`, () => {
  it('when Redis is down as a person answers a form, then the update is held and handled once Redis is back: no apology, the form goes on, once', async () => {
    if (!testRedisUrl) throw new Error('TEST_REDIS_URL is needed for this test (bash .ci/services.sh)');
    const redisTarget = new URL(testRedisUrl);
    const proxy = await OutageProxy.start({ host: redisTarget.hostname, port: Number(redisTarget.port) });
    try {
      const { h } = await startOffice({
        ngos: [{ managerId: MEMBER, name: 'انجمن حامیان محیط زیست کرمان', status: 'APPROVED' }],
        env: { REDIS_URL: proxy.url(testRedisUrl) },
      });
      const member = h.api.user(MEMBER, { first_name: 'زهرا' });
      member.sendCommand('feedback');
      await replyText(member, 'نوع پیام خود را انتخاب کنید');
      const press = member.pressButtonByText('💡 پیشنهاد');
      await replyText(member, 'خود را بنویسید');
      await h.api.waitForConfirmed(press.update_id);

      proxy.goDown();
      const answer = member.sendText('برگزاری کارگاه آموزشی');
      await waitUntil(() => h.logs.some((l) => l.includes('update held until storage is back')), 10_000);
      // Not confirmed to Telegram while held: a crash now would get it again.
      expect(h.api.pendingUpdates().map((u) => u.update_id)).toContain(answer.update_id);
      proxy.up();

      await reply(member, 'اگر عکس یا فایلی', { timeoutMs: 20_000 });
      await h.api.waitForConfirmed(answer.update_id);
      const after = h.api.sentMessages(MEMBER).filter((c) => c.seq > answer.mark).map((c) => String(c.text));
      expect(after.filter((text) => text.includes('اگر عکس یا فایلی'))).toHaveLength(1);
      expect(after.filter((text) => text === t('common.errors.generic'))).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('waitUntil: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
