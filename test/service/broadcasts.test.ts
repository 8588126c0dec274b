/**
 * The broadcasts use cases on the embedded database, without Telegram: who an audience reaches, when a
 * broadcast may start, what its start, cancel, quiet hours and a refused message leave in the outbox.
 * No dispatcher runs: a test marks deliveries sent or failed itself, as the dispatcher would.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { toPersianDigits } from '../../src/platform/text/persian-text.js';
import { DEFAULT_AUDIENCE, type Audience } from '../../src/features/broadcasts/index.js';
import { createAudience, expectedRecipients, MIXED_AUDIENCE, type AudienceFilter, type AudienceNgo } from '../support/ngo-audience.js';
import { countyId, createAdmin } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const ADMIN = 1001n;
const COUNTY_ADMIN = 1002n;
/** Sunday 1405/09/01 10:00 Tehran: a working morning. */
const SUNDAY_MORNING = new Date('2026-11-22T06:30:00Z');
/** Sunday 1405/09/01 23:00 Tehran: quiet hours. */
const SUNDAY_NIGHT = new Date('2026-11-22T19:30:00Z');
/** Monday 1405/09/02 07:00 Tehran: when quiet hours end. */
const MONDAY_MORNING = jalaliToDate({ jy: 1405, jm: 9, jd: 2 }, { hour: 7, minute: 0 });

const h = useServiceHarness({ start: SUNDAY_MORNING, staff: [{ id: ADMIN, role: 'PROVINCE_ADMIN' }] });
let service: typeof h.services.broadcasts;
let ngos: AudienceNgo[];

beforeEach(async () => {
  service = h.services.broadcasts;
  ngos = await createAudience(h.db, MIXED_AUDIENCE);
});

const message = (overrides: Partial<Parameters<typeof service.create>[1]> = {}) => ({
  sourceChatId: ADMIN,
  sourceMessageId: 10,
  contentKind: 'text',
  audience: DEFAULT_AUDIENCE,
  urgent: false,
  ...overrides,
});

async function fieldId(name: string): Promise<number> {
  return (await h.prisma.activityField.findUniqueOrThrow({ where: { name } })).id;
}

async function deliveries(outboxMessageId: bigint | null) {
  return h.prisma.outboxDelivery.findMany({ where: { messageId: outboxMessageId! }, orderBy: { chatId: 'asc' } });
}

/** Messages queued to the admin (card, report, file, stop notice), by their key. */
async function toAdmin() {
  const rows = await h.prisma.outboxMessage.findMany({ where: { deliveries: { some: { chatId: ADMIN } } }, include: { deliveries: true }, orderBy: { id: 'asc' } });
  return new Map(rows.map((m) => [m.dedupeKey!.replace(/:\d+$/, ''), m]));
}

const textOf = (m: { payload: unknown } | undefined) => String((m?.payload as { text?: string } | undefined)?.text);

/** What the dispatcher would do on success: mark every waiting copy sent. */
async function deliverAll(outboxMessageId: bigint | null) {
  await h.prisma.outboxDelivery.updateMany({ where: { messageId: outboxMessageId!, status: 'PENDING' }, data: { status: 'SENT', sentAt: h.clock.now() } });
}

describe('broadcasts service', () => {
  it('when the audience filters by county, field, status or managers only, then the count is exactly the members the fixture names', async () => {
    const [kerman, bam, environment] = [await countyId(h.db, 'کرمان'), await countyId(h.db, 'بم'), await fieldId('محیط زیست')];
    const cases: [Audience, AudienceFilter][] = [
      [DEFAULT_AUDIENCE, {}],
      [{ ...DEFAULT_AUDIENCE, countyIds: [kerman, bam] }, { counties: ['کرمان', 'بم'] }],
      [{ ...DEFAULT_AUDIENCE, fieldIds: [environment] }, { fields: ['محیط زیست'] }],
      [{ ...DEFAULT_AUDIENCE, statuses: ['APPROVED', 'SUSPENDED', 'PENDING'] }, { statuses: ['APPROVED', 'SUSPENDED', 'PENDING'] }],
      [{ ...DEFAULT_AUDIENCE, countyIds: [kerman], managersOnly: true }, { counties: ['کرمان'], managersOnly: true }],
      [{ ...DEFAULT_AUDIENCE, countyIds: [kerman], statuses: ['APPROVED', 'SUSPENDED'] }, { counties: ['کرمان'], statuses: ['APPROVED', 'SUSPENDED'] }],
    ];
    for (const [audience, filter] of cases) {
      expect({ filter, count: await service.countAudience(ADMIN, audience) }).toEqual({ filter, count: expectedRecipients(ngos, filter).length });
    }
  });

  it('when a county admin counts any audience, then only their own county is counted, and a non-admin is refused', async () => {
    const kerman = await countyId(h.db, 'کرمان');
    await createAdmin(h.db, COUNTY_ADMIN, 'COUNTY_ADMIN', { countyName: 'بم' });
    const bamOnly = expectedRecipients(ngos, { counties: ['بم'] }).length;
    expect(await service.countAudience(COUNTY_ADMIN, DEFAULT_AUDIENCE)).toBe(bamOnly);
    expect(await service.countAudience(COUNTY_ADMIN, { ...DEFAULT_AUDIENCE, countyIds: [kerman] })).toBe(bamOnly);
    await expect(service.countAudience(BigInt(ngos[0]!.managerId), DEFAULT_AUDIENCE)).rejects.toMatchObject({ code: 'common.errors.not_admin' });
  });

  it('when a time more than a minute past is scheduled, then it is refused and nothing is recorded; within the minute it starts at once', async () => {
    await expect(service.create(ADMIN, message({ scheduledAt: new Date(h.clock.now().getTime() - 2 * 60_000) }))).rejects.toMatchObject({ code: 'broadcast.errors.past' });
    expect(await h.prisma.broadcast.count()).toBe(0);
    expect(await h.prisma.outboxMessage.count()).toBe(0);
    expect(await h.prisma.auditLog.count({ where: { action: 'broadcast.created' } })).toBe(0);

    const b = await service.create(ADMIN, message({ scheduledAt: new Date(h.clock.now().getTime() - 30_000) }));
    expect(b.status).toBe('SENDING');
  });

  it('when a broadcast starts, then one delivery is queued per reachable member, the blocked member is recorded unreachable, and the card goes out first', async () => {
    const blocked = ngos[1]!.managerId;
    await h.prisma.user.update({ where: { id: BigInt(blocked) }, data: { reachable: false } });
    const expected = expectedRecipients(ngos);

    const b = await service.create(ADMIN, message());
    expect(b).toMatchObject({ status: 'SENDING', recipientCount: expected.length });
    const rows = await deliveries(b.outboxMessageId);
    expect(rows.filter((d) => d.status === 'PENDING').map((d) => Number(d.chatId))).toEqual(expected.filter((id) => id !== blocked));
    expect(rows.filter((d) => d.status === 'UNREACHABLE').map((d) => [Number(d.chatId), d.lastError])).toEqual([[blocked, 'blocked the bot earlier']]);
    const copy = await h.prisma.outboxMessage.findUniqueOrThrow({ where: { id: b.outboxMessageId! } });
    expect(copy).toMatchObject({ kind: 'COPY', sourceType: 'broadcast', sourceId: String(b.id), payload: { fromChatId: Number(ADMIN), messageId: 10 } });

    const card = (await toAdmin()).get('broadcast-card')!;
    expect(textOf(card)).toContain('ارسال اطلاعیه شماره ۱</b> در جریان است');
    expect(textOf(card)).toContain(`ارسال‌شده: ۰ از ${toPersianDigits(expected.length)}`);
    expect((card.payload as { replyMarkup: unknown }).replyMarkup).toEqual({ inline_keyboard: [[{ text: '✖️ لغو ارسال باقی‌مانده', callback_data: 'bc_cancel:1' }]] });
    expect(card.deliveries[0]!.notBefore.getTime()).toBeLessThan(rows[0]!.notBefore.getTime());
    // Queued before the copies too, so a dispatcher claiming them together sends the card first.
    expect(card.deliveries[0]!.id).toBeLessThan(rows[0]!.id);

    // The scheduler's next minute finds nothing more to start: no second fan-out.
    expect(await service.startDue()).toBe(0);
    expect(await h.prisma.outboxDelivery.count({ where: { message: { sourceType: 'broadcast' } } })).toBe(expected.length);
  });

  it('when "send now" is pressed at night, then it waits for the morning with nothing queued, and an urgent one goes out at once', async () => {
    h.clock.set(SUNDAY_NIGHT);
    const held = await service.create(ADMIN, message());
    expect(held).toMatchObject({ status: 'SCHEDULED', outboxMessageId: null });
    expect(held.startAt.toISOString()).toBe(MONDAY_MORNING.toISOString());
    expect(await service.startDue()).toBe(0);
    expect(await h.prisma.outboxMessage.count()).toBe(0);

    const urgent = await service.create(ADMIN, message({ urgent: true }));
    expect(urgent.status).toBe('SENDING');

    h.clock.set(new Date(MONDAY_MORNING.getTime() + 60_000));
    expect(await service.startDue()).toBe(1);
    const started = await h.prisma.broadcast.findUniqueOrThrow({ where: { id: held.id } });
    expect(started.status).toBe('SENDING');
    expect((await deliveries(started.outboxMessageId)).every((d) => d.notBefore.getTime() === MONDAY_MORNING.getTime())).toBe(true);
  });

  it('when a sending broadcast is cancelled, then its waiting deliveries stop and the next tick closes it with a report that counts them', async () => {
    const expected = expectedRecipients(ngos);
    const b = await service.create(ADMIN, message());
    const first = (await deliveries(b.outboxMessageId))[0]!;
    await h.prisma.outboxDelivery.update({ where: { id: first.id }, data: { status: 'SENT', sentAt: h.clock.now() } });

    expect(await service.cancel(ADMIN, b.id)).toMatchObject({ status: 'SENDING', cancelRequested: true });
    const rows = await deliveries(b.outboxMessageId);
    expect(rows.filter((d) => d.status === 'CANCELLED')).toHaveLength(expected.length - 1);
    expect(rows.filter((d) => d.status === 'PENDING')).toHaveLength(0);
    await expect(service.cancel(ADMIN, b.id)).rejects.toMatchObject({ code: 'broadcast.errors.already_finished' });

    await service.progressTick();
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('CANCELLED');
    const report = textOf((await toAdmin()).get('broadcast-report'));
    expect(report).toContain('رسیده: ۱');
    expect(report).toContain(`لغوشده پیش از ارسال: ${toPersianDigits(expected.length - 1)}`);
    const audit = await h.prisma.auditLog.findMany({ where: { entityType: 'broadcast' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => a.action)).toEqual(['broadcast.created', 'broadcast.cancelled']);
  });

  it('when a broadcast is cancelled while a dispatcher holds its copies, then they are cancelled too, and the tick waits for the one on its way before the report', async () => {
    const expected = expectedRecipients(ngos);
    const b = await service.create(ADMIN, message());
    const leaseUntil = new Date(h.clock.now().getTime() + 60_000);
    // As a dispatcher's claim leaves them: every copy SENDING under its lease.
    await h.prisma.outboxDelivery.updateMany({ where: { messageId: b.outboxMessageId! }, data: { status: 'SENDING', leaseOwner: 'A', leaseUntil } });

    const cancelled = await service.cancel(ADMIN, b.id);
    expect(cancelled.counts).toMatchObject({ sent: 0, waiting: 0, cancelled: expected.length });
    const rows = await deliveries(b.outboxMessageId);
    expect(rows.every((d) => d.status === 'CANCELLED' && d.leaseOwner === 'A')).toBe(true);

    // One copy was already on its way: the tick waits for the dispatcher to settle it, with no report yet.
    await service.progressTick();
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('SENDING');
    expect((await toAdmin()).has('broadcast-report')).toBe(false);
    await h.prisma.outboxDelivery.update({ where: { id: rows[0]!.id }, data: { status: 'SENT', leaseOwner: null, leaseUntil: null } });
    await h.prisma.outboxDelivery.updateMany({ where: { messageId: b.outboxMessageId!, status: 'CANCELLED' }, data: { leaseOwner: null, leaseUntil: null } });

    await service.progressTick();
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('CANCELLED');
    const report = textOf((await toAdmin()).get('broadcast-report'));
    expect(report).toContain('رسیده: ۱');
    expect(report).toContain(`لغوشده پیش از ارسال: ${toPersianDigits(expected.length - 1)}`);
  });

  it('when quiet hours begin while a broadcast is sending, then its waiting deliveries move to the morning and the card says paused; an urgent one is not held', async () => {
    const b = await service.create(ADMIN, message());
    const urgent = await service.create(ADMIN, message({ urgent: true }));
    await h.prisma.outboxDelivery.updateMany({ where: { chatId: ADMIN, message: { dedupeKey: `broadcast-card:${b.id}` } }, data: { status: 'SENT', sentMessageId: 777 } });

    h.clock.set(SUNDAY_NIGHT);
    await service.progressTick();
    const held = await deliveries(b.outboxMessageId);
    expect(held.length).toBeGreaterThan(0);
    expect(held.every((d) => d.notBefore.getTime() === MONDAY_MORNING.getTime())).toBe(true);
    expect((await deliveries(urgent.outboxMessageId)).every((d) => d.notBefore.getTime() < SUNDAY_NIGHT.getTime())).toBe(true);

    expect(h.edits).toHaveLength(1);
    expect(h.edits[0]).toMatchObject({ chatId: ADMIN, messageId: 777 });
    expect(h.edits[0]!.text).toContain('ارسال در ساعات استراحت متوقف است');
    expect(h.edits[0]!.keyboard).toEqual({ inline_keyboard: [[{ text: '✖️ لغو ارسال باقی‌مانده', callback_data: `bc_cancel:${b.id}` }]] });
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('SENDING');
  });

  it('when every copy has settled, then the tick closes the broadcast once with a report and a file naming who was not reached', async () => {
    const blocked = ngos[2]!;
    await h.prisma.user.update({ where: { id: BigInt(blocked.managerId) }, data: { reachable: false } });
    const expected = expectedRecipients(ngos);
    const b = await service.create(ADMIN, message());
    await deliverAll(b.outboxMessageId);

    await service.progressTick();
    await service.progressTick();
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('DONE');
    const queued = await toAdmin();
    expect(await h.prisma.outboxMessage.count({ where: { sourceType: 'broadcast-report' } })).toBe(2);
    const report = textOf(queued.get('broadcast-report'));
    expect(report).toContain(`رسیده: ${toPersianDigits(expected.length - 1)}`);
    expect(report).toContain('در دسترس نبودند (ربات را مسدود کرده یا حساب خود را حذف کرده‌اند): ۱');
    const file = queued.get('broadcast-csv')!.payload as { fileName: string; contentBase64: string };
    expect(file.fileName).toBe(`broadcast-${b.id}-undelivered.csv`);
    const csv = Buffer.from(file.contentBase64, 'base64').toString('utf8');
    expect(csv.split('\r\n')[0]).toBe('\uFEFF"سازمان","عضو","شناسه کاربری","شهرستان","علت"');
    expect(csv).toContain(`"${blocked.name}","مدیر ${blocked.name}","${blocked.managerId}","بم","ربات را مسدود کرده یا حساب حذف شده است"`);
    expect(csv).not.toContain(ngos[0]!.name);
  });

  it('when a copy is refused with a 400, then the broadcast stops once: the rest is cancelled and the admin is told one time', async () => {
    const b = await service.create(ADMIN, message());
    const [one, two] = await deliveries(b.outboxMessageId);
    const failure = (d: typeof one, reason: string) => ({ deliveryId: d!.id, messageId: b.outboxMessageId!, chatId: d!.chatId, reason });

    // Retries that ran out are the recipient's: the broadcast goes on.
    expect(await service.onDeliveryFailed(failure(one, '502: Bad Gateway'))).toBe(true);
    expect((await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).status).toBe('SENDING');
    // Not a broadcast's message at all.
    expect(await service.onDeliveryFailed({ ...failure(one, '400: Bad Request'), messageId: 999_999n })).toBe(false);

    const reason = '400: Bad Request: message to copy not found';
    expect(await service.onDeliveryFailed(failure(one, reason))).toBe(true);
    expect(await service.onDeliveryFailed(failure(two, reason))).toBe(true);
    expect(await h.prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } })).toMatchObject({ status: 'FAILED', failureReason: reason });
    expect((await deliveries(b.outboxMessageId)).filter((d) => d.status === 'PENDING')).toHaveLength(0);
    const stopped = await h.prisma.outboxMessage.findMany({ where: { dedupeKey: { startsWith: 'broadcast-stopped:' } }, include: { deliveries: true } });
    expect(stopped).toHaveLength(1);
    expect(stopped[0]!.deliveries.map((d) => d.chatId)).toEqual([ADMIN]);
    expect(textOf(stopped[0])).toContain(`اطلاعیه شماره ۱`);
    expect(textOf(stopped[0])).toContain('message to copy not found');
    expect(await h.prisma.outboxMessage.count({ where: { dedupeKey: `broadcast-report:${b.id}` } })).toBe(1);
  });
});
