/**
 * Why: the outbox is the promise that every announcement, reminder and broadcast reaches each member
 * exactly once, at a pace Telegram accepts. These tests drive the real dispatcher against the fake
 * Bot API over HTTP, on both storages (PGlite + in-process kv, PostgreSQL + Redis), in real time.
 *
 * The suite, run once per storage by outbox.embedded.test.ts and outbox.server.test.ts: real-time
 * pacing makes it the longest suite, and two files let the two storages run side by side.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Telegram } from 'telegraf';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type PrismaClient } from '../../src/platform/db/client.js';
import { Dispatcher, type DeliveryFailure, type DispatcherOptions } from '../../src/platform/delivery/dispatcher.js';
import { createOutbox, type Outbox, type OutboxPayload } from '../../src/platform/delivery/outbox.js';
import { RateGate } from '../../src/platform/delivery/rate-gate.js';
import { MemoryKeyValueStore, RedisKeyValueStore, type KeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger } from '../../src/platform/logger.js';
import type { StorageMode, TestDatabase } from '../support/database.js';
import { cleanTestDatabase } from '../support/file-database.js';
import { FakeBotApi, type RecordedCall } from '../support/fake-bot-api/index.js';
import { testRedisUrl } from '../support/servers.js';

const TOKEN = '123456:TEST-TOKEN-not-a-real-one-aaaaaaaa';
const logger = createLogger({ level: 'silent' });

const text = (t: string): OutboxPayload => ({ kind: 'TEXT', text: t });
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i);
const at = (call: RecordedCall): number => call.at.getTime();

async function waitUntil(probe: () => Promise<boolean> | boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting until ${what}`);
    await sleep(15);
  }
}

/** One request as the dispatcher made it: times on its side of the wire, free of HTTP and server jitter. */
interface Request {
  owner: string;
  chatId: number;
  issuedAt: number;
  /** When the answer came back, and its error code if it was an error. */
  answeredAt?: number;
  errorCode?: number;
}

export function outboxSuite(mode: StorageMode): void {
  describe(`outbox and dispatcher (${mode} storage)`, () => {
    let db: TestDatabase;
    let api: FakeBotApi;
    let outbox: Outbox;
    let memoryKv: MemoryKeyValueStore;
    let namespace: string;
    let unreachable: bigint[];
    let failures: DeliveryFailure[];
    let cleanups: (() => Promise<void>)[];
    let requests: Request[];

    beforeEach(async () => {
      cleanups = [];
      requests = [];
      unreachable = [];
      failures = [];
      // The file's database of this mode, emptied: a fresh one per test cost more than the tests.
      db = await cleanTestDatabase(mode);
      api = await FakeBotApi.start();
      outbox = createOutbox({ prisma: db.prisma });
      memoryKv = new MemoryKeyValueStore();
      namespace = `test:outbox:${randomUUID()}:`;
    });

    afterEach(async () => {
      for (const cleanup of cleanups.reverse()) await cleanup();
      await memoryKv.close();
      await api.close();
      await db.close();
    });

    /**
     * The kv one dispatcher process would use. Every call reaches the same store: one in-process
     * instance, or (server mode) a new Redis connection with the same namespace, like a second process.
     */
    function kvConnection(): KeyValueStore {
      if (mode !== 'server' || !testRedisUrl) return memoryKv;
      const kv = new RedisKeyValueStore({ url: testRedisUrl, namespace });
      cleanups.push(() => kv.close());
      return kv;
    }

    /** A real telegram client on the fake API that notes each request in `requests`. */
    function telegramFor(owner: string): DispatcherOptions['telegram'] {
      const telegram = new Telegram(TOKEN, { apiRoot: api.apiRoot });
      const callApi = telegram.callApi.bind(telegram);
      telegram.callApi = (async (method: string, payload: { chat_id?: number }, options?: object) => {
        const request: Request = { owner, chatId: Number(payload.chat_id), issuedAt: Date.now() };
        requests.push(request);
        try {
          return await callApi(method as 'sendMessage', payload as never, options);
        } catch (error) {
          request.errorCode = (error as { response?: { error_code?: number } }).response?.error_code ?? -1;
          throw error;
        } finally {
          request.answeredAt = Date.now();
        }
      }) as typeof telegram.callApi;
      return telegram;
    }

    /** `perChatMs` shortens the one-second chat interval where a test is about something else. */
    function dispatcher(options: Partial<DispatcherOptions> & { rate?: number; perChatMs?: number } = {}): Dispatcher {
      const { rate = 200, perChatMs, ...rest } = options;
      const d = new Dispatcher({
        prisma: db.prisma,
        telegram: telegramFor(options.owner ?? 'A'),
        gate: new RateGate({ kv: kvConnection(), ratePerSecond: rate, ...(perChatMs ? { perChatIntervalMs: perChatMs } : {}) }),
        logger,
        owner: 'A',
        idlePollMs: 20,
        onUnreachable: async (chatId) => void unreachable.push(chatId),
        onFailed: async (failure) => void failures.push(failure),
        ...rest,
      });
      cleanups.push(() => d.stop());
      return d;
    }

    const deliveries = (messageId?: bigint, prisma: PrismaClient = db.prisma) =>
      prisma.outboxDelivery.findMany({ where: messageId === undefined ? {} : { messageId }, orderBy: [{ chatId: 'asc' }, { id: 'asc' }] });

    const unfinished = async () => (await db.prisma.outboxDelivery.count({ where: { status: { in: ['PENDING', 'SENDING'] } } })) === 0;

    const sendsTo = (chatId: number, method = 'sendMessage') => api.calls(method).filter((c) => c.chatId === chatId);

    describe('enqueue', () => {
      it('when the same dedupe key is enqueued twice with overlapping recipients, then there is one message and one row per recipient', async () => {
        let wakeUps = 0;
        outbox = createOutbox({ prisma: db.prisma, onEnqueued: () => wakeUps++ });
        const first = await outbox.enqueue({ payload: text('جلسه فردا'), recipients: [1, 2, 3, 3n], dedupeKey: 'meeting:7:reminder' });
        const second = await outbox.enqueue({ payload: text('جلسه فردا'), recipients: [2n, 3, 4, 5, 5], dedupeKey: 'meeting:7:reminder' });
        const third = await outbox.enqueue({ payload: text('جلسه فردا'), recipients: [1, 5], dedupeKey: 'meeting:7:reminder' });

        expect(first.added).toBe(3);
        expect(second).toEqual({ messageId: first.messageId, added: 2 });
        expect(third).toEqual({ messageId: first.messageId, added: 0 });
        expect(wakeUps).toBe(2);
        expect(await db.prisma.outboxMessage.count()).toBe(1);
        const rows = await deliveries(first.messageId);
        expect(rows.map((r) => r.chatId)).toEqual([1n, 2n, 3n, 4n, 5n]);
        expect(rows.every((r) => r.status === 'PENDING' && r.attempts === 0)).toBe(true);

        const other = await outbox.enqueue({ payload: text('جلسه دیگر'), recipients: [1, 2], dedupeKey: 'meeting:8:reminder' });
        expect(other.messageId).not.toBe(first.messageId);
        expect(other.added).toBe(2);
      });

      it('when messages have no dedupe key, then each enqueue is a message of its own', async () => {
        const a = await outbox.enqueue({ payload: text('یک'), recipients: [1] });
        const b = await outbox.enqueue({ payload: text('یک'), recipients: [1] });
        expect(a.messageId).not.toBe(b.messageId);
        expect(await db.prisma.outboxDelivery.count()).toBe(2);
      });

      it('when a broadcast goes to 20,000 members (and is repeated), then every member has exactly one row', async () => {
        const recipients = range(9_000_000_000, 20_000); // beyond 32 bits, like real Telegram ids
        const first = await outbox.enqueue({ payload: text('فراخوان'), recipients, dedupeKey: 'broadcast:1' });
        const again = await outbox.enqueue({ payload: text('فراخوان'), recipients: [...recipients, 42], dedupeKey: 'broadcast:1' });
        expect(first.added).toBe(20_000);
        expect(again).toEqual({ messageId: first.messageId, added: 1 });
        const [stats] = await db.prisma.$queryRaw<{ n: bigint; distinct_chats: bigint; lo: bigint; hi: bigint }[]>`
          SELECT count(*) AS n, count(DISTINCT chat_id) AS distinct_chats, min(chat_id) AS lo, max(chat_id) AS hi
          FROM outbox_deliveries WHERE chat_id >= 9000000000`;
        expect(stats).toEqual({ n: 20_000n, distinct_chats: 20_000n, lo: 9_000_000_000n, hi: 9_000_019_999n });
      });
    });

    describe('delivery', () => {
      it('when text, copy and document messages are enqueued, then each recipient gets each exactly once and the rows record it', async () => {
        const keyboard = { inline_keyboard: [[{ text: 'ثبت‌نام', callback_data: 'event:12:join' }]] };
        const html = '<b>کارگاه</b> آموزشی روز <i>شنبه</i>';
        const members = range(1001, 30);
        const announcement = await outbox.enqueue({ payload: { kind: 'TEXT', text: html, parseMode: 'HTML', replyMarkup: keyboard }, recipients: members });
        // The admin's own message, to be copied to members as it is.
        const posted = api.user(500).sendText('اطلاعیهٔ مهم');
        const sourceId = posted.update.message.message_id;
        const copy = await outbox.enqueue({ payload: { kind: 'COPY', fromChatId: 500, messageId: sourceId }, recipients: [1001, 1002, 1003] });
        const csv = 'نام,شهرستان\nانجمن,بیرجند\n';
        const report = await outbox.enqueue({
          payload: { kind: 'DOCUMENT', fileName: 'report.csv', contentBase64: Buffer.from(csv).toString('base64'), caption: 'گزارش ماه' },
          recipients: [1004, 1005],
        });

        dispatcher().start();
        await waitUntil(unfinished, 'every row is finished');

        for (const chatId of members) {
          const sent = sendsTo(chatId);
          expect(sent, `chat ${chatId}`).toHaveLength(1);
          expect(sent[0]!.params).toMatchObject({ text: html, parse_mode: 'HTML' });
          expect(sent[0]!.replyMarkup).toEqual(keyboard);
          expect(sent[0]!.response.ok).toBe(true);
        }
        // The fake parses the HTML like Telegram does: the tags became entities.
        expect(api.message(1001, (sendsTo(1001)[0]!.response as { result: { message_id: number } }).result.message_id)).toMatchObject({
          text: 'کارگاه آموزشی روز شنبه',
        });

        const copies = api.calls('copyMessage');
        expect(copies.map((c) => c.chatId).sort()).toEqual([1001, 1002, 1003]);
        for (const c of copies) {
          expect(c.params).toMatchObject({ from_chat_id: 500, message_id: sourceId });
          expect(c.response.ok).toBe(true);
        }

        const documents = api.calls('sendDocument');
        expect(documents.map((c) => c.chatId).sort()).toEqual([1004, 1005]);
        for (const d of documents) {
          expect(d.response.ok).toBe(true);
          expect(d.upload?.fileName).toBe('report.csv');
          expect(d.upload?.bytes?.toString()).toBe(csv);
          expect(d.text).toBe('گزارش ماه');
        }
        expect(api.sentMessages()).toHaveLength(30 + 3 + 2);

        const methods = [
          [announcement.messageId, 'sendMessage'],
          [copy.messageId, 'copyMessage'],
          [report.messageId, 'sendDocument'],
        ] as const;
        for (const [messageId, method] of methods) {
          for (const row of await deliveries(messageId)) {
            expect(row).toMatchObject({ status: 'SENT', attempts: 1, leaseOwner: null, leaseUntil: null, lastError: null });
            expect(row.sentAt).toBeInstanceOf(Date);
            const call = sendsTo(Number(row.chatId), method)[0]!;
            expect(row.sentMessageId).toBe((call.response as { result: { message_id: number } }).result.message_id);
          }
        }
        expect(failures).toEqual([]);
        expect(unreachable).toEqual([]);
      });

      it('when rows are enqueued to a running dispatcher, then they go out at once rather than at the next poll', async () => {
        const d = dispatcher({ idlePollMs: 5_000 });
        outbox = createOutbox({ prisma: db.prisma, onEnqueued: () => d.wake() });
        d.start();
        await sleep(100); // let it fall idle
        const started = Date.now();
        await outbox.enqueue({ payload: text('فوری'), recipients: [7] });
        const call = await api.waitForMessage(7, undefined, 3_000);
        expect(at(call) - started).toBeLessThan(1_000);
      });

      it('when a message is cancelled, then its pending rows are never sent and other messages still are', async () => {
        const kept = await outbox.enqueue({ payload: text('بماند'), recipients: [1, 2, 3] });
        const dropped = await outbox.enqueue({ payload: text('لغو شد'), recipients: [2, 3, 4, 5] });
        expect(await outbox.cancel(dropped.messageId)).toBe(4);
        expect(await outbox.cancel(dropped.messageId)).toBe(0);

        dispatcher().start();
        await waitUntil(unfinished, 'every row is finished');
        await sleep(200);

        expect(api.sentMessages().map((c) => c.text)).toEqual(['بماند', 'بماند', 'بماند']);
        expect((await deliveries(kept.messageId)).map((r) => r.status)).toEqual(['SENT', 'SENT', 'SENT']);
        expect((await deliveries(dropped.messageId)).map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED', 'CANCELLED']);
        expect(await outbox.cancel(kept.messageId)).toBe(0);
        expect((await deliveries(kept.messageId)).map((r) => r.status)).toEqual(['SENT', 'SENT', 'SENT']);
      });
    });

    describe('cancel of claimed rows', () => {
      it('when a message is cancelled while the dispatcher holds its rows waiting for their turn, then at most the one on its way goes out and the rest stay cancelled', async () => {
        const { messageId } = await outbox.enqueue({ payload: text('اطلاعیه'), recipients: range(3001, 6) });
        dispatcher({ rate: 2 }).start();
        await waitUntil(() => api.sentMessages().length >= 1, 'the first row is sent');
        // The whole batch was claimed at once: nothing is PENDING, every unsent row is SENDING.
        expect((await deliveries(messageId)).filter((r) => r.status === 'PENDING')).toEqual([]);
        const sentBefore = api.sentMessages().length;

        // A send answered but not yet recorded is stopped too, and then recorded as SENT all the same.
        expect(await outbox.cancel(messageId)).toBeGreaterThanOrEqual(6 - sentBefore);
        const cancelledAt = requests.length;
        await waitUntil(async () => (await outbox.held(messageId)) === 0, 'the dispatcher lets the cancelled rows go', 5_000);
        await sleep(1_200); // past another turn of the gate: nothing more goes out

        expect(requests.length - cancelledAt).toBeLessThanOrEqual(1);
        const rows = await deliveries(messageId);
        const sent = rows.filter((r) => r.status === 'SENT').length;
        expect(sent).toBe(api.sentMessages().length);
        expect(sent).toBeLessThanOrEqual(sentBefore + 1);
        expect(rows.filter((r) => r.status === 'CANCELLED')).toHaveLength(6 - sent);
        // Let go: no cancelled row keeps a lease, so none looks in flight.
        expect(rows.every((r) => r.leaseOwner === null)).toBe(true);
        const counts = await outbox.counts(messageId);
        expect({ sent: counts.SENT, cancelled: counts.CANCELLED, sending: counts.SENDING }).toEqual({ sent, cancelled: 6 - sent, sending: 0 });
      });

      it('when a row is cancelled while its request is on its way, then it is recorded as SENT, and held until then', async () => {
        api.setLatency('sendMessage', 600);
        const { messageId } = await outbox.enqueue({ payload: text('در راه'), recipients: [3101] });
        dispatcher().start();
        await waitUntil(() => requests.length === 1, 'the request is on its way');

        expect(await outbox.cancel(messageId)).toBe(1);
        expect(await outbox.held(messageId)).toBe(1);
        await waitUntil(async () => (await outbox.held(messageId)) === 0, 'the send is recorded', 5_000);

        expect(api.sentMessages().map((c) => c.text)).toEqual(['در راه']);
        expect((await deliveries(messageId)).map((r) => r.status)).toEqual(['SENT']);
      });
    });

    describe('pacing', () => {
      it('when 40 members are sent to at 10 per second, then no sliding second has more than the gate allows and it takes ~4 s', async () => {
        await outbox.enqueue({ payload: text('خبرنامه'), recipients: range(2001, 40) });
        dispatcher({ rate: 10 }).start();
        await waitUntil(unfinished, 'every row is finished');

        expect(api.sentMessages()).toHaveLength(40);
        const times = requests.map((r) => r.issuedAt).sort((a, b) => a - b);
        // The gate admits rate/5 per 200 ms window, and any second spans at most six windows. The
        // span is 950 ms rather than 1000: a busy test machine delays some requests a little.
        const capacity = 10 + 10 / 5;
        let busiest = 0;
        for (let i = 0; i < times.length; i++) {
          let j = i;
          while (j < times.length && times[j]! < times[i]! + 950) j++;
          busiest = Math.max(busiest, j - i);
        }
        expect(busiest).toBeLessThanOrEqual(capacity);
        expect(times.at(-1)! - times[0]!).toBeGreaterThanOrEqual(3_000);
        expect(api.stats().rejected429).toBe(0);
      });

      it('when three messages go to one chat, then they arrive in enqueue order at least ~a second apart', async () => {
        for (const t of ['اول', 'دوم', 'سوم']) await outbox.enqueue({ payload: text(t), recipients: [77] });
        await outbox.enqueue({ payload: text('دیگری'), recipients: [78] });
        dispatcher().start();
        await waitUntil(unfinished, 'every row is finished');

        expect(api.texts(77)).toEqual(['اول', 'دوم', 'سوم']);
        const times = requests.filter((r) => r.chatId === 77).map((r) => r.issuedAt);
        expect(times).toHaveLength(3);
        expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(900);
        expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(900);
        // The busy chat does not hold up another chat.
        expect(requests.find((r) => r.chatId === 78)!.issuedAt - times[0]!).toBeLessThan(500);
        // Waiting for its turn is not an attempt.
        expect((await deliveries()).map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
      });

      it('when the dispatcher keeps chats apart itself with no interval (as e2e tests do), then a chat still gets its messages one at a time, in order', async () => {
        for (const t of ['اول', 'دوم', 'سوم']) await outbox.enqueue({ payload: text(t), recipients: [77] });
        await outbox.enqueue({ payload: text('دیگری'), recipients: [78] });
        dispatcher({ perChatIntervalMs: 0 }).start();
        await waitUntil(unfinished, 'every row is finished');

        expect(api.texts(77)).toEqual(['اول', 'دوم', 'سوم']);
        const sends = requests.filter((r) => r.chatId === 77);
        expect(sends).toHaveLength(3);
        // Each request to the chat starts only once the one before it was answered.
        for (let i = 1; i < sends.length; i++) expect(sends[i]!.issuedAt).toBeGreaterThanOrEqual(sends[i - 1]!.answeredAt!);
        // Not Telegram's second between them (two seconds for three): the interval is what the test chose.
        expect(sends[2]!.issuedAt - sends[0]!.issuedAt).toBeLessThan(1_500);
        expect((await deliveries()).map((r) => r.attempts)).toEqual([1, 1, 1, 1]);
      });

      it('when the dispatcher keeps chats apart itself with a short interval, then a chat\'s messages are that far apart', async () => {
        for (const t of ['اول', 'دوم', 'سوم']) await outbox.enqueue({ payload: text(t), recipients: [77] });
        dispatcher({ perChatIntervalMs: 200 }).start();
        await waitUntil(unfinished, 'every row is finished');

        expect(api.texts(77)).toEqual(['اول', 'دوم', 'سوم']);
        const times = requests.filter((r) => r.chatId === 77).map((r) => r.issuedAt);
        expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(180);
        expect(times[2]! - times[1]!).toBeGreaterThanOrEqual(180);
        expect((await deliveries()).map((r) => r.attempts)).toEqual([1, 1, 1]);
      });

      it('when Telegram answers 429 retry_after 1, then nothing is sent for that second and the row goes out afterwards without an extra attempt', async () => {
        api.failNext('sendMessage', { error_code: 429, retry_after: 1 });
        const { messageId } = await outbox.enqueue({ payload: text('یادآوری'), recipients: range(3001, 8) });
        dispatcher({ rate: 10 }).start();
        await waitUntil(unfinished, 'every row is finished');

        const limited = api.calls('sendMessage').find((c) => c.response.ok === false)!;
        expect(limited.response).toMatchObject({ error_code: 429, parameters: { retry_after: 1 } });
        expect(api.sentMessages()).toHaveLength(8);
        const got429At = requests.find((r) => r.errorCode === 429)!.answeredAt!;
        // Requests made before the 429 came back are already on their way; none may start during the pause.
        const issued = requests.map((r) => r.issuedAt);
        expect(issued.filter((t) => t > got429At + 10 && t < got429At + 995)).toEqual([]);
        // At most three went out before the 429 came back (two windows of two, one of them the 429).
        expect(issued.filter((t) => t >= got429At + 995).length).toBeGreaterThanOrEqual(5);
        const rows = await deliveries(messageId);
        expect(rows.map((r) => r.status)).toEqual(Array(8).fill('SENT'));
        expect(rows.map((r) => r.attempts)).toEqual(Array(8).fill(1));
        expect(sendsTo(limited.chatId as number)).toHaveLength(2);
      });

      it('when one dispatcher gets a 429, then another dispatcher sharing the kv pauses too', async () => {
        api.failNext('sendMessage', { error_code: 429, retry_after: 1 });
        const first = await outbox.enqueue({ payload: text('اولی'), recipients: [4000] });
        const a = dispatcher({ owner: 'A' });
        a.start();
        const limited = await api.waitForCall('sendMessage', (c) => c.response.ok === false, 5_000);
        const answeredAt = at(limited) + limited.durationMs;
        // A has recorded the pause once it has put the row back.
        await waitUntil(async () => (await deliveries(first.messageId))[0]!.status === 'PENDING', 'A released the row');
        await a.stop();

        await outbox.enqueue({ payload: text('بعدی'), recipients: range(4001, 6) });
        const b = dispatcher({ owner: 'B' });
        b.start();
        await waitUntil(unfinished, 'every row is finished');

        const sent = api.sentMessages();
        expect(sent).toHaveLength(7);
        for (const call of sent) expect(at(call), `send to ${String(call.chatId)}`).toBeGreaterThanOrEqual(answeredAt + 1_000 - 10);
      });
    });

    describe('failures', () => {
      it('when a member blocked the bot (403), then their rows are unreachable, reported once, and nothing else is sent to them', async () => {
        api.failNext('sendMessage', { error_code: 403, chatId: 66 }); // one 403: any later attempt would succeed
        const m1 = await outbox.enqueue({ payload: text('یک'), recipients: [66, 65, 67, 71, 72, 73, 74] });
        const m2 = await outbox.enqueue({ payload: text('دو'), recipients: [66, 68] });
        const later = await outbox.enqueue({ payload: text('فردا'), recipients: [66, 65], notBefore: new Date(Date.now() + 3_600_000) });
        // At 10 a second m2's row for 66 comes up in the same batch well after the 403 came back.
        dispatcher({ rate: 10 }).start();
        await waitUntil(async () => (await db.prisma.outboxDelivery.count({ where: { status: 'SENT' } })) === 7, 'seven rows are sent');
        await waitUntil(() => unreachable.length > 0, 'the member is reported');
        await sleep(1_200); // a row for chat 66 put back to wait its turn would have been sent by now

        expect(sendsTo(66)).toHaveLength(1);
        expect(api.sentMessages(66)).toEqual([]);
        expect(unreachable).toEqual([66n]);
        const row66 = async (messageId: bigint) => (await deliveries(messageId)).find((r) => r.chatId === 66n)!;
        for (const messageId of [m1.messageId, m2.messageId, later.messageId]) {
          expect(await row66(messageId)).toMatchObject({ status: 'UNREACHABLE', lastError: 'Forbidden: bot was blocked by the user' });
        }
        expect((await deliveries(later.messageId)).find((r) => r.chatId === 65n)!.status).toBe('PENDING');
        expect(api.sentMessages().map((c) => c.chatId).sort()).toEqual([65, 67, 68, 71, 72, 73, 74]);
        expect(failures).toEqual([]);
      });

      it('when the chat is not found (400), then it is treated like a block', async () => {
        api.failNext('sendMessage', { error_code: 400, description: 'Bad Request: chat not found', chatId: 69 });
        const m1 = await outbox.enqueue({ payload: text('یک'), recipients: [69, 70] });
        const m2 = await outbox.enqueue({ payload: text('دو'), recipients: [69] });
        dispatcher().start();
        await waitUntil(unfinished, 'every row is finished');

        expect(sendsTo(69)).toHaveLength(1);
        expect(unreachable).toEqual([69n]);
        expect((await deliveries(m1.messageId)).map((r) => r.status)).toEqual(['UNREACHABLE', 'SENT']);
        expect((await deliveries(m2.messageId))[0]).toMatchObject({ status: 'UNREACHABLE', lastError: 'Bad Request: chat not found' });
        expect(failures).toEqual([]);
      });

      it('when Telegram answers 500 twice, then the row is retried with backoff and sent on the third attempt', async () => {
        api.failNext('sendMessage', { error_code: 500, times: 2 });
        const { messageId } = await outbox.enqueue({ payload: text('دوباره'), recipients: [80] });
        dispatcher({ backoffBaseMs: 100, perChatMs: 50 }).start();
        await waitUntil(unfinished, 'every row is finished');

        const calls = sendsTo(80);
        expect(calls.map((c) => c.httpStatus)).toEqual([500, 500, 200]);
        // Backoff: about 100 ms then 200 ms (±25 % jitter), not a hot loop.
        expect(at(calls[1]!) - at(calls[0]!)).toBeGreaterThanOrEqual(70);
        expect(at(calls[2]!) - at(calls[1]!)).toBeGreaterThanOrEqual(145);
        expect((await deliveries(messageId))[0]).toMatchObject({ status: 'SENT', attempts: 3, lastError: null });
        expect(failures).toEqual([]);
      });

      it('when the network fails, then the row is retried and the stored reason carries no token', async () => {
        // A port that refuses connections stands in for a network outage on the first two attempts.
        const dead = new Telegram(TOKEN, { apiRoot: 'http://127.0.0.1:1' });
        const live = new Telegram(TOKEN, { apiRoot: api.apiRoot });
        let attempts = 0;
        const telegram = {
          callApi: ((...args: Parameters<Telegram['callApi']>) => (++attempts <= 2 ? dead : live).callApi(...args)) as Telegram['callApi'],
        };
        const { messageId } = await outbox.enqueue({ payload: text('شبکه'), recipients: [81] });
        dispatcher({ telegram, backoffBaseMs: 50, perChatMs: 50 }).start();
        await waitUntil(async () => (await deliveries(messageId))[0]!.attempts >= 1 && (await deliveries(messageId))[0]!.status === 'PENDING', 'a failed attempt');
        const retrying = (await deliveries(messageId))[0]!;
        expect(retrying.lastError).toMatch(/FetchError: ECONN/);
        expect(retrying.lastError).not.toContain('TEST-TOKEN');
        await waitUntil(unfinished, 'every row is finished');
        expect((await deliveries(messageId))[0]).toMatchObject({ status: 'SENT', attempts: 3 });
        expect(api.sentMessages(81)).toHaveLength(1);
      });

      it('when Telegram does not answer within the send timeout, then the request is abandoned and the row retried', async () => {
        api.setLatency('sendMessage', 2_000);
        const { messageId } = await outbox.enqueue({ payload: text('کند'), recipients: [84] });
        // The retry comes 450–750 ms after giving up: time enough to make the fake fast again first.
        dispatcher({ sendTimeoutMs: 300, backoffBaseMs: 600, perChatMs: 50 }).start();
        await waitUntil(async () => (await deliveries(messageId))[0]!.lastError !== null, 'the first attempt is given up');
        api.setLatency('sendMessage', 0);
        expect((await deliveries(messageId))[0]!.lastError).toBe('AbortError: aborted');
        await waitUntil(unfinished, 'every row is finished');

        expect((await deliveries(messageId))[0]).toMatchObject({ status: 'SENT', attempts: 2 });
        const [first, retry] = requests;
        expect(first!.errorCode).toBe(-1); // no answer, a network-level error
        expect(first!.answeredAt! - first!.issuedAt).toBeLessThan(1_000);
        // The retry went out while the fake still sat on the first request.
        expect(retry!.issuedAt - first!.issuedAt).toBeLessThan(2_000);
        expect(retry!.errorCode).toBeUndefined();
      });

      it('when every attempt fails with 502, then after maxAttempts the row fails and the sender is told once', async () => {
        api.failNext('sendMessage', { error_code: 502, times: Infinity, chatId: 82 });
        const { messageId } = await outbox.enqueue({ payload: text('ناموفق'), recipients: [82, 83] });
        dispatcher({ backoffBaseMs: 30, maxAttempts: 3, perChatMs: 20 }).start();
        await waitUntil(unfinished, 'every row is finished');
        await sleep(300);

        expect(sendsTo(82)).toHaveLength(3);
        const rows = await deliveries(messageId);
        expect(rows[0]).toMatchObject({ chatId: 82n, status: 'FAILED', attempts: 3, lastError: '502: Bad Gateway' });
        expect(rows[1]).toMatchObject({ chatId: 83n, status: 'SENT' });
        expect(failures).toEqual([{ deliveryId: rows[0]!.id, messageId, chatId: 82n, reason: '502: Bad Gateway' }]);
        expect(unreachable).toEqual([]);
      });

      it('when Telegram rejects the message itself (400 can’t parse entities), then each row fails at once with the reason', async () => {
        const { messageId } = await outbox.enqueue({ payload: { kind: 'TEXT', text: '<b>بدون بستن', parseMode: 'HTML' }, recipients: [90, 91, 92] });
        dispatcher().start();
        await waitUntil(unfinished, 'every row is finished');
        await sleep(300);

        expect(api.calls('sendMessage')).toHaveLength(3);
        const rows = await deliveries(messageId);
        for (const row of rows) {
          expect(row).toMatchObject({ status: 'FAILED', attempts: 1 });
          expect(row.lastError).toMatch(/^400: Bad Request: can't parse entities/);
        }
        expect(failures.map((f) => f.deliveryId).sort()).toEqual(rows.map((r) => r.id).sort());
        expect(failures.every((f) => f.messageId === messageId && f.reason === rows[0]!.lastError)).toBe(true);
        expect(unreachable).toEqual([]);
      });
    });

    describe('the database or Redis failing mid-batch', () => {
      /** The test database, with its SENT writes failing while `failing()` says so, and counted in `sentWrites`. */
      let sentWrites = 0;
      function withFailingSentWrites(failing: () => boolean): PrismaClient {
        return new Proxy(db.prisma, {
          get(target, prop, receiver) {
            if (prop === '$executeRaw' || prop === '$queryRaw') {
              const raw = (target[prop] as (strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>).bind(target);
              return (strings: TemplateStringsArray, ...values: unknown[]) => {
                if (!strings.join('?').includes("SET status = 'SENT'")) return raw(strings, ...values);
                sentWrites++;
                return failing() ? Promise.reject(new Error('Connection terminated unexpectedly')) : raw(strings, ...values);
              };
            }
            const value: unknown = Reflect.get(target, prop, receiver);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      }

      /**
       * The test database with the statements whose text includes `match` failing while `failing()` says so:
       * `lost` runs the statement first and then fails (its answer lost on the way back, the claim case),
       * else it fails without reaching the database.
       */
      function withFailingStatements(match: string, failing: () => boolean, lost = false): PrismaClient {
        return new Proxy(db.prisma, {
          get(target, prop, receiver) {
            if (prop === '$executeRaw' || prop === '$queryRaw') {
              const raw = (target[prop] as (strings: TemplateStringsArray, ...values: unknown[]) => Promise<unknown>).bind(target);
              return async (strings: TemplateStringsArray, ...values: unknown[]) => {
                if (!strings.join('?').includes(match) || !failing()) return raw(strings, ...values);
                if (lost) await raw(strings, ...values);
                throw new Error('Connection terminated unexpectedly');
              };
            }
            const value: unknown = Reflect.get(target, prop, receiver);
            return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
          },
        });
      }

      it('when recording a sent row fails twice, then it is retried and the member gets the message once, not again after the lease', async () => {
        let failures = 0;
        const prisma = withFailingSentWrites(() => ++failures <= 2);
        const { messageId } = await outbox.enqueue({ payload: text('یک بار'), recipients: [90] });
        dispatcher({ prisma, leaseMs: 1500, perChatMs: 50 }).start();
        await waitUntil(unfinished, 'the row is finished');
        await sleep(2000); // past the lease: a row left SENDING would be claimed and sent again now
        expect(sendsTo(90)).toHaveLength(1);
        expect((await deliveries(messageId))[0]).toMatchObject({ status: 'SENT', attempts: 1 });
      });

      it('when sent rows cannot be recorded for a while, then nothing more of the batch is sent until they can, and nobody gets a message twice', async () => {
        let down = true;
        let downFrom: number | undefined;
        let upAt = Infinity;
        const prisma = withFailingSentWrites(() => {
          if (down && downFrom === undefined) {
            downFrom = Date.now();
            setTimeout(() => {
              down = false;
              upAt = Date.now();
            }, 600);
          }
          return down;
        });
        const chats = [91, 92, 93, 94, 95];
        await outbox.enqueue({ payload: text('اطلاعیه'), recipients: chats });
        dispatcher({ prisma, concurrency: 1, perChatMs: 1, leaseMs: 10_000 }).start();
        await waitUntil(unfinished, 'every row is finished');
        // Only the send whose record failed happened while the database was away.
        const whileDown = requests.filter((r) => r.issuedAt > downFrom! && r.issuedAt < upAt);
        expect(whileDown).toEqual([]);
        for (const chat of chats) expect(sendsTo(chat), `chat ${chat}`).toHaveLength(1);
      });

      it('when 120 rows go out in one batch, then they are marked SENT a group at a time, not one statement each', async () => {
        sentWrites = 0;
        const prisma = withFailingSentWrites(() => false);
        const chats = Array.from({ length: 120 }, (_, i) => 1000 + i);
        await outbox.enqueue({ payload: text('گروهی'), recipients: chats });
        dispatcher({ prisma, perChatMs: 1, rate: 1000, batchSize: 200 }).start();
        await waitUntil(unfinished, 'every row is finished');
        expect(await db.prisma.outboxDelivery.count({ where: { status: 'SENT', sentMessageId: { not: null } } })).toBe(120);
        // Groups of up to 50 (or what 100 ms brought): a handful of statements, not 120.
        expect(sentWrites).toBeGreaterThanOrEqual(3);
        expect(sentWrites).toBeLessThanOrEqual(30);
      });

      it('when Redis fails in the middle of a batch, then the rest of the batch goes back at once, not after its lease', async () => {
        const gate = new RateGate({ kv: kvConnection(), ratePerSecond: 200 });
        const waitForSlot = gate.waitForSlot.bind(gate);
        let slots = 0;
        gate.waitForSlot = async () => {
          if (++slots === 3) throw new Error('Connection is closed.');
          return waitForSlot();
        };
        const chats = [101, 102, 103, 104, 105, 106];
        await outbox.enqueue({ payload: text('ادامه'), recipients: chats });
        dispatcher({ gate, concurrency: 1, perChatMs: 1, leaseMs: 30_000 }).start();
        // The batch fails at its third row; the dispatcher pauses a second and claims the rest again.
        await waitUntil(unfinished, 'every row is finished', 8_000);
        for (const chat of chats) expect(sendsTo(chat), `chat ${chat}`).toHaveLength(1);
      });
      it('when a claim is made but its answer is lost, then its rows go back before the next claim, not after their lease', async () => {
        let claims = 0;
        const prisma = withFailingStatements("SET status = 'SENDING'", () => ++claims === 1, true);
        const chats = [111, 112, 113, 114];
        const { messageId } = await outbox.enqueue({ payload: text('گم‌شده'), recipients: chats });
        dispatcher({ prisma, perChatMs: 1, leaseMs: 30_000 }).start();
        // The failed claim costs the dispatcher its one-second pause, not the 30 s lease.
        await waitUntil(unfinished, 'every row is finished', 8_000);
        for (const chat of chats) expect(sendsTo(chat), `chat ${chat}`).toHaveLength(1);
        // The lost claim's attempt was given back with the rows.
        expect((await deliveries(messageId)).map((r) => [r.status, r.attempts])).toEqual(chats.map(() => ['SENT', 1]));
      });

      it('when a batch fails and handing its rows back fails too (the database away), then they go back before the next claim, not after their lease', async () => {
        const gate = new RateGate({ kv: kvConnection(), ratePerSecond: 200 });
        const waitForSlot = gate.waitForSlot.bind(gate);
        let slots = 0;
        gate.waitForSlot = async () => {
          if (++slots === 2) throw new Error('Connection is closed.');
          return waitForSlot();
        };
        let handBacks = 0;
        const prisma = withFailingStatements("WHEN status = 'SENDING' THEN 'PENDING'", () => ++handBacks === 1);
        const chats = [121, 122, 123, 124, 125];
        await outbox.enqueue({ payload: text('بازگشت'), recipients: chats });
        dispatcher({ prisma, gate, concurrency: 1, perChatMs: 1, leaseMs: 30_000 }).start();
        await waitUntil(unfinished, 'every row is finished', 8_000);
        for (const chat of chats) expect(sendsTo(chat), `chat ${chat}`).toHaveLength(1);
      });
    });

    describe('several dispatchers', () => {
      it('when a dispatcher dies holding rows, then another sends them once its lease has ended, and only then', async () => {
        const { messageId } = await outbox.enqueue({ payload: text('پس از مرگ'), recipients: range(5001, 5) });
        // Killed mid-send before anything reached the API: its requests never come back.
        const hanging = { callApi: () => new Promise<never>(() => {}) };
        const a = dispatcher({ owner: 'A', leaseMs: 1_500, telegram: hanging as unknown as DispatcherOptions['telegram'] });
        const claimedFrom = Date.now();
        void a.runOnce();
        await waitUntil(async () => (await deliveries(messageId)).every((r) => r.status === 'SENDING' && r.leaseOwner === 'A'), 'A claimed every row');

        const b = dispatcher({ owner: 'B' });
        b.start();
        await waitUntil(unfinished, 'every row is finished');

        for (const chatId of range(5001, 5)) expect(api.sentMessages(chatId), `chat ${chatId}`).toHaveLength(1);
        expect(api.calls()).toHaveLength(5);
        for (const call of api.calls()) expect(at(call)).toBeGreaterThanOrEqual(claimedFrom + 1_500);
        expect((await deliveries(messageId)).map((r) => r.status)).toEqual(Array(5).fill('SENT'));
      });

      it('when a dispatcher dies holding rows while others wait, then its rows go out first once its lease has ended, not behind the queue', async () => {
        const dead = range(5101, 5);
        await outbox.enqueue({ payload: text('اول'), recipients: dead });
        const hanging = { callApi: () => new Promise<never>(() => {}) };
        // A's chats are held for 1 ms only: the test is about the queue's order, not the one-second chat interval
        // (a chat A reserved a moment before its lease ended would rightly make B's first send to it wait).
        const a = dispatcher({ owner: 'A', leaseMs: 1_000, batchSize: 5, perChatMs: 1, telegram: hanging as unknown as DispatcherOptions['telegram'] });
        void a.runOnce();
        await waitUntil(async () => (await db.prisma.outboxDelivery.count({ where: { status: 'SENDING', leaseOwner: 'A' } })) === 5, 'A claimed its rows');
        // Enqueued while A holds its rows, so due before A's lease ends: claimed by not_before alone, A's rows would come last.
        const waiting = range(5201, 40);
        await outbox.enqueue({ payload: text('دوم'), recipients: waiting });
        await waitUntil(async () => (await db.prisma.outboxDelivery.count({ where: { status: 'SENDING', leaseUntil: { lt: new Date() } } })) === 5, "A's lease has ended", 5_000);

        dispatcher({ owner: 'B', batchSize: 10, rate: 100, perChatMs: 1 }).start();
        await waitUntil(unfinished, 'every row is finished');
        const order = requests.filter((r) => r.owner === 'B').sort((x, y) => x.issuedAt - y.issuedAt).map((r) => r.chatId);
        expect(order).toHaveLength(45);
        expect(order.slice(0, 5).sort()).toEqual(dead);
        for (const chatId of [...dead, ...waiting]) expect(api.sentMessages(chatId), `chat ${chatId}`).toHaveLength(1);
      });

      it('when two dispatchers race over 300 rows, then every member gets exactly one message', async () => {
        const { messageId } = await outbox.enqueue({ payload: text('همه'), recipients: range(6001, 300) });
        const prismaB =
          mode === 'server'
            ? await (async () => {
                // Its own pool, as a second process would have, so the two claims really race.
                const second = await openDatabase({ kind: 'postgres', url: db.url! });
                cleanups.push(() => second.close());
                // Connected and warmed up before the race: a first connection and Prisma's first query on a
                // loaded machine could otherwise take longer than A needs for all 300 rows.
                await second.prisma.outboxDelivery.count({ where: { messageId } });
                return second.prisma;
              })()
            : db.prisma;
        // Small batches in server mode mean many claims, so some of them overlap in time.
        const batchSize = mode === 'server' ? 3 : 25;
        // A rate that keeps the run near two seconds: at 500/s a busy machine could let A finish all 300 rows
        // before B made its first claim, and the race would not be tested.
        const a = dispatcher({ owner: 'A', rate: 150, batchSize });
        const b = dispatcher({ owner: 'B', rate: 150, batchSize, prisma: prismaB });
        // One claim each at the same moment first: on a loaded machine B's first connection could otherwise
        // come after A had sent everything, and the race would not be tested.
        await Promise.all([a.runOnce(), b.runOnce()]);
        a.start();
        b.start();
        await waitUntil(unfinished, 'every row is finished', 20_000);

        const perChat = new Map<number, number>();
        for (const call of api.sentMessages()) perChat.set(call.chatId as number, (perChat.get(call.chatId as number) ?? 0) + 1);
        expect(perChat.size).toBe(300);
        expect([...perChat].filter(([, n]) => n !== 1)).toEqual([]);
        expect(api.calls('sendMessage')).toHaveLength(300);
        expect(requests).toHaveLength(300);
        // Both took part, or the race was not tested.
        expect(requests.filter((r) => r.owner === 'A').length).toBeGreaterThan(0);
        expect(requests.filter((r) => r.owner === 'B').length).toBeGreaterThan(0);
        const odd = (await deliveries(messageId)).filter((r) => r.status !== 'SENT' || r.attempts !== 1);
        expect(odd.map((r) => [r.chatId, r.status, r.attempts])).toEqual([]);
      });

      it('when a batch takes longer than the lease, then the slow dispatcher stops at its lease and no row is sent twice', async () => {
        // 4 messages a second: eight rows take two seconds, the lease lasts one.
        const { messageId } = await outbox.enqueue({ payload: text('آهسته'), recipients: range(7001, 8) });
        const a = dispatcher({ owner: 'A', rate: 4, leaseMs: 1_000 });
        const b = dispatcher({ owner: 'B', rate: 4, leaseMs: 1_000 });
        a.start();
        await sleep(50);
        b.start();
        await waitUntil(unfinished, 'every row is finished', 15_000);

        for (const chatId of range(7001, 8)) expect(api.sentMessages(chatId), `chat ${chatId}`).toHaveLength(1);
        expect(api.calls('sendMessage')).toHaveLength(8);
        expect((await deliveries(messageId)).map((r) => r.status)).toEqual(Array(8).fill('SENT'));
      });
    });
  });
}
