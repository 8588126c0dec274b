/**
 * /metrics and /readyz of the real app (wired as main.ts wires it) on its HTTP port: people write and
 * press buttons, an admin sends an announcement through the fake Bot API with one recipient blocked,
 * one 429 and one server error on the way, and the counters moved by exactly what happened.
 * Counters are process-wide, so the test compares a scrape before with one after.
 */
import { createServer } from 'node:net';
import { expect, it } from 'vitest';
import { e2eStorageMode } from '../support/database.js';
import { reply } from '../support/conversation.js';
import { startOffice, testClock } from '../support/fixtures.js';
import { expectedRecipients, MIXED_AUDIENCE } from '../support/ngo-audience.js';
import { get, sample } from '../support/prometheus.js';

const ADMIN = 1001;
/** Sunday 1405/09/01 10:00 Tehran: a working morning, outside quiet hours. */
const SUNDAY_MORNING = '2026-11-22T06:30:00Z';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

it(`when people write and an announcement goes out (${e2eStorageMode()} storage), then /metrics counts the updates, sends, 429s, retries and unreachable members, and /readyz is ready`, async () => {
  const port = await freePort();
  const { h, audience } = await startOffice({ adminIds: [ADMIN], clock: testClock(SUNDAY_MORNING), audience: MIXED_AUDIENCE, env: { HTTP_PORT: String(port) } });
  const recipients = expectedRecipients(audience);
  const [blocked, limited, failing] = [audience[1]!.managerId, audience[0]!.managerId, audience[3]!.managerId];
  const before = (await get(port, '/metrics')).body;

  const member = h.api.user(audience[0]!.memberIds[0]!);
  member.sendCommand('start');
  await reply(member, '');
  member.sendCommand('help');
  await reply(member, '');

  h.api.blockUser(blocked);
  h.api.failNext('copyMessage', { chatId: limited, error_code: 429, retry_after: 1 });
  h.api.failNext('copyMessage', { chatId: failing, error_code: 502 });
  const admin = h.api.user(ADMIN, { first_name: 'مهسا' });
  admin.sendCommand('broadcast');
  await reply(admin, 'اطلاعیه را همان‌گونه که باید');
  admin.sendText('نشست هم‌اندیشی سازمان‌های مردم‌نهاد');
  await reply(admin, 'مخاطبان اطلاعیه');
  const preview = admin.pressButtonByText('👁 ادامه و پیش‌نمایش');
  await admin.waitForReply((c) => String(c.text).includes('پیش‌نمایش اطلاعیه'), { after: preview.mark });
  admin.pressButtonByText('📤 ارسال اکنون');
  await h.api.waitForMessage(ADMIN, (c) => String(c.text).includes('گزارش اطلاعیه شماره ۱'), { timeoutMs: 30_000 });
  await h.waitForIdle({ timeoutMs: 20_000 });

  const scrape = await get(port, '/metrics');
  expect(scrape.status).toBe(200);
  expect(scrape.type).toContain('text/plain');
  const after = scrape.body;
  const delta = (name: string, labels: Record<string, string> = {}) => sample(after, name, labels) - sample(before, name, labels);

  // Updates: the member's two commands and the admin's messages and presses, all handled, each timed.
  expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'handled' })).toBe(4);
  expect(delta('ngo_bot_updates_total', { type: 'callback_query', outcome: 'handled' })).toBe(2);
  expect(delta('ngo_bot_update_duration_seconds_count', { type: 'message' })).toBe(4);
  expect(delta('ngo_bot_updates_total', { type: 'message', outcome: 'failed' })).toBe(0);

  // Sends: every SENT row once; the blocked manager unreachable; one 429 and one 502, each sent after.
  const sentRows = await h.db.prisma.outboxDelivery.count({ where: { status: 'SENT' } });
  expect(sentRows).toBeGreaterThanOrEqual(recipients.length - 1);
  expect(delta('ngo_bot_messages_total', { outcome: 'sent' })).toBe(sentRows);
  expect(delta('ngo_bot_messages_total', { outcome: 'unreachable' })).toBe(1);
  expect(delta('ngo_bot_messages_total', { outcome: 'rate_limited' })).toBe(1);
  expect(delta('ngo_bot_messages_total', { outcome: 'retried' })).toBe(1);
  expect(delta('ngo_bot_messages_total', { outcome: 'failed' })).toBe(0);
  expect(delta('ngo_bot_outbox_enqueued_total', { source: 'broadcast' })).toBe(recipients.length);

  // Nothing waits now, and the process's own metrics are there.
  expect(sample(after, 'ngo_bot_outbox_due')).toBe(0);
  expect(sample(after, 'ngo_bot_outbox_oldest_due_age_seconds')).toBe(0);
  expect(sample(after, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  expect(after).toContain('nodejs_eventloop_lag_p99_seconds');
  expect(after).not.toContain(String(blocked));

  const ready = await get(port, '/readyz');
  expect(ready.status).toBe(200);
  expect(JSON.parse(ready.body)).toMatchObject({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  expect((await get(port, '/healthz')).status).toBe(200);
});
