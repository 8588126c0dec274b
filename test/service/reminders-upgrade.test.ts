/**
 * Upgrading a running office's database to reminders keyed per (deadline, slot, language): a slot told
 * under the old per-NGO keys counts as told, and reminders still queued under them can still be
 * cancelled (migration 20261130130000_reminders_per_slot).
 */
import { cp, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/platform/db/client.js';
import { migrateDatabase } from '../../src/platform/db/migrate.js';
import { migrationsDir } from '../../src/platform/db/paths.js';
import { createOutbox } from '../../src/platform/delivery/outbox.js';
import { createDeadlineService } from '../../src/features/deadlines/service.js';
import { reminderSchedule } from '../../src/features/deadlines/rules.js';
import { createTranslator } from '../../src/platform/i18n/index.js';

const MIGRATION = '20261130130000_reminders_per_slot';
let db: Database | undefined;
let before: string | undefined;

afterEach(async () => {
  await db?.close();
  if (before) await rm(before, { recursive: true, force: true });
});

it('when a database whose reminders were keyed per NGO is upgraded, then the slot told before is not told again and its queued rows can still be stopped', async () => {
  // The migrations up to the one before this change.
  before = await mkdtemp(path.join(os.tmpdir(), 'migrations-'));
  await cp(migrationsDir, before, { recursive: true, filter: (src) => !src.includes(MIGRATION) });
  db = await openDatabase({ kind: 'pglite' });
  await migrateDatabase(db, { migrationsDir: before });
  const p = db.prisma;

  const county = (await p.county.findFirstOrThrow()).id;
  const ngo = await p.ngo.create({
    data: { name: 'انجمن یاوران سلامت', registrationNumber: '1234', authority: 'WELFARE', authorityKey: 'WELFARE', countyId: county, managerName: 'مدیر', managerPhone: '+989121234567', status: 'APPROVED', approvedAt: new Date() },
  });
  await p.user.createMany({ data: [{ id: 501n, firstName: 'مدیر' }, { id: 502n, firstName: 'عضو' }] });
  await p.ngoMember.createMany({ data: [{ userId: 501n, ngoId: ngo.id, role: 'MANAGER' }, { userId: 502n, ngoId: ngo.id, role: 'MEMBER' }] });
  const dueAt = new Date('2026-12-20T20:29:00Z');
  const createdAt = new Date('2026-11-22T06:30:00Z');
  const deadline = await p.deadline.create({ data: { kind: 'GENERAL', title: 'گزارش پاییز', dueAt, reminderDays: [30, 7, 1, 0], createdBy: 1n, createdAt, audience: {} } });
  await p.deadlineTarget.create({ data: { deadlineId: deadline.id, ngoId: ngo.id } });
  const slot = reminderSchedule({ dueAt, reminderDays: [30, 7, 1, 0] }).find((s) => s.key.startsWith('7d-'))!;
  // What the old code queued for this slot: one message per (deadline, NGO, language), still waiting.
  for (const lang of ['fa', 'en']) {
    await p.outboxMessage.create({
      data: {
        kind: 'TEXT',
        payload: { text: 'یادآوری' },
        dedupeKey: `reminder:${deadline.id}:${ngo.id}:${slot.key}:${lang}`,
        sourceType: 'deadline-reminder',
        sourceId: `${deadline.id}:${ngo.id}`,
        deliveries: lang === 'fa' ? { create: [{ chatId: 501n }, { chatId: 502n }] } : undefined,
      },
    });
  }

  await migrateDatabase(db);
  const now = new Date(slot.at.getTime() + 60_000);
  const clock = { now: () => now };
  const service = createDeadlineService({ prisma: p, sql: db.sql, outbox: createOutbox({ prisma: p, clock }), translator: createTranslator(), clock });

  expect(await service.remindersTick(now)).toEqual({ messages: 0, deliveries: 0 });
  expect(await p.outboxDelivery.count()).toBe(2);

  // The NGO's report stops what the old code had queued.
  await service.submitReport(501n, deadline.id, { text: 'گزارش فعالیت‌های پاییز' });
  const statuses = await p.outboxDelivery.findMany({ where: { message: { sourceType: 'deadline-reminder' } }, select: { status: true } });
  expect(statuses.map((s) => s.status)).toEqual(['CANCELLED', 'CANCELLED']);
});
