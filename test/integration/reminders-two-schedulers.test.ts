/**
 * Two bot processes (two apps, each with its own database pool, Redis connection, scheduler and
 * dispatcher) on one PostgreSQL and one Redis, ticking the reminder job at the same moments, and also
 * running the tick's SQL side by side outside the scheduler's slot claim: every member of every NGO
 * gets each reminder exactly once, counted both in the outbox and at the fake Bot API.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import type { Clock } from '../../src/platform/text/clock.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { reminderSchedule } from '../../src/features/deadlines/rules.js';
import { createKeyValueStore } from '../../src/platform/kv/index.js';
import { createLogger } from '../../src/platform/logger.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { FakeBotApi } from '../support/fake-bot-api/index.js';
import { TEST_TOKEN } from '../support/harness.js';
import { createAudience, type AudienceNgo } from '../support/ngo-audience.js';
import { describeWithServer, testRedisUrl } from '../support/servers.js';

const ADMIN = 1001;
/** Sunday 1405/09/01 10:00 Tehran. */
const CREATED = '2026-11-22T06:30:00Z';
const DUE = { date: { jy: 1405, jm: 10, jd: 10 }, time: { hour: 12, minute: 0 } };

describeWithServer('deadline reminders with two schedulers on one PostgreSQL and Redis', { databaseUrl: true, redisUrl: true }, () => {
  let api: FakeBotApi;
  let db: TestDatabase;
  let secondDb: Database;
  let apps: App[];
  let ngos: AudienceNgo[];
  let base = Date.parse(CREATED);
  let started = Date.now();
  const clock: Clock = { now: () => new Date(base + (Date.now() - started)) };
  const setClock = (at: Date) => {
    base = at.getTime();
    started = Date.now();
  };

  beforeAll(async () => {
    api = await FakeBotApi.start({ bot: { username: 'ngo_test_bot', first_name: 'سامانه سمن' } });
    db = await createTestDatabase('server');
    secondDb = await openDatabase({ kind: 'postgres', url: db.url! });
    const logger = createLogger({ level: 'silent' });
    const config = loadConfig({ BOT_TOKEN: TEST_TOKEN, BOT_API_ROOT: api.apiRoot, ADMIN_IDS: String(ADMIN), REDIS_URL: testRedisUrl!, LOG_LEVEL: 'silent' });
    const namespace = `ngo-test:${randomUUID()}:`;
    apps = [];
    for (const [owner, database] of [['process-1', db], ['process-2', secondDb]] as const) {
      const kv = createKeyValueStore({ redisUrl: testRedisUrl, namespace });
      const app = await createApp(config, logger, { db: database, kv, clock, owner, dispatcher: { idlePollMs: 50 } });
      // Only what this test is about: the dispatchers, and ticks driven below (no polling, no cron).
      app.dispatcher.start();
      apps.push(app);
    }
    ngos = await createAudience(
      db,
      Array.from({ length: 12 }, (_, i) => ({ name: `سازمان ${i + 1}`, county: i % 2 ? 'کرمان' : 'بم', fields: ['محیط زیست'], members: 2 })),
    );
    // One member reads English: a message per language, still one per person.
    await db.prisma.user.update({ where: { id: BigInt(ngos[0]!.memberIds[0]!) }, data: { language: 'en' } });
  });

  afterAll(async () => {
    for (const app of apps ?? []) await app.stop();
    await secondDb?.close();
    await db?.close();
    await api?.close();
  });

  async function drained(): Promise<void> {
    for (let i = 0; i < 400; i++) {
      const soon = new Date(clock.now().getTime() + 5000);
      const due = await db.prisma.outboxDelivery.count({ where: { OR: [{ status: 'SENDING' }, { status: 'PENDING', notBefore: { lte: soon } }] } });
      if (due === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the outbox did not drain');
  }

  it('when both processes tick every slot, and run the tick side by side besides, then each member gets each reminder exactly once', async () => {
    const deadline = await apps[0]!.services.deadlines.createGeneral(BigInt(ADMIN), {
      title: 'گزارش عملکرد فصلی',
      description: null,
      audience: { countyIds: [], fieldIds: [] },
      dueDate: DUE.date,
      dueTime: DUE.time,
      reminderDays: [30, 7, 1, 0],
    });
    const slots = reminderSchedule({ dueAt: jalaliToDate(DUE.date, DUE.time), reminderDays: [30, 7, 1, 0] });
    expect(slots.length).toBeGreaterThanOrEqual(4);

    for (const slot of slots) {
      setClock(slot.at);
      const minuteLater = new Date(slot.at.getTime() + 60_000);
      const outcomes = await Promise.all([
        apps[0]!.scheduler.runSlot('deadline-reminders', slot.at),
        apps[1]!.scheduler.runSlot('deadline-reminders', slot.at),
        // The scheduler lets one process run a slot; the tick itself must also be safe when two run at once.
        apps[0]!.services.deadlines.remindersTick(slot.at),
        apps[1]!.services.deadlines.remindersTick(slot.at),
        apps[0]!.scheduler.runSlot('deadline-reminders', minuteLater),
        apps[1]!.scheduler.runSlot('deadline-reminders', minuteLater),
      ]);
      expect(outcomes.slice(0, 2).sort()).toEqual(['ran', 'skipped']);
      expect(outcomes.slice(4, 6).sort()).toEqual(['ran', 'skipped']);
      await drained();
    }

    const recipients = ngos.flatMap((n) => n.userIds);
    expect(recipients).toHaveLength(36);
    const rows = await db.prisma.outboxDelivery.findMany({
      where: { message: { dedupeKey: { startsWith: `reminder:${deadline.id}:` } } },
      select: { chatId: true, status: true, message: { select: { dedupeKey: true } } },
    });
    // Per recipient: one delivery per slot, all sent.
    for (const id of recipients) {
      const mine = rows.filter((r) => r.chatId === BigInt(id));
      expect(mine.map((r) => r.status)).toEqual(slots.map(() => 'SENT'));
      // reminder:<deadline>:<slot>:<language>
      expect(new Set(mine.map((r) => r.message.dedupeKey!.split(':')[2])).size).toBe(slots.length);
    }
    // And at the Bot API: each slot's text once per person, in their language.
    for (const id of recipients) {
      const english = id === ngos[0]!.memberIds[0];
      const reminders = api.texts(id).filter((t) => (english ? /Deadline reminder|The deadline has passed/ : /یادآوری مهلت|مهلت به پایان رسید/).test(t));
      expect(reminders).toHaveLength(slots.length);
    }
    expect(api.stats().rejected429).toBe(0);
  });
});
