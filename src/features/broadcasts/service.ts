/**
 * Announcements from the office to NGO members. The admin's own message is copied to every
 * recipient through the outbox, so a restart resumes where it stopped and nobody gets it twice.
 * Quiet hours (night, Friday) hold back a broadcast that is not urgent, also one already under way.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import { formatJalaliDateTime } from '../../platform/text/jalali.js';
import { toPersianDigits } from '../../platform/text/index.js';
import { DEFAULT_QUIET_HOURS, isQuietTime, nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, type Language, type Translator } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';

export interface Audience {
  countyIds: number[];
  fieldIds: number[];
  /** NGO statuses included; approved NGOs by default. */
  statuses: ('APPROVED' | 'PENDING' | 'SUSPENDED')[];
  managersOnly: boolean;
}

export const DEFAULT_AUDIENCE: Audience = { countyIds: [], fieldIds: [], statuses: ['APPROVED'], managersOnly: false };

export interface BroadcastCounts {
  sent: number;
  failed: number;
  unreachable: number;
  waiting: number;
  cancelled: number;
}

export interface BroadcastDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  /** Messages per second of the dispatcher, for the time-left estimate. */
  sendRate: number;
  /** Edits the admin's progress card in place (not a new message, so not through the outbox). */
  editMessage: (chatId: bigint, messageId: number, text: string, keyboard?: object) => Promise<void>;
}

export const BROADCAST_SOURCE = 'broadcast';
const CARD_SOURCE = 'broadcast-card';

function audienceWhere(audience: Audience): Prisma.NgoMemberWhereInput {
  return {
    ...(audience.managersOnly ? { role: 'MANAGER' } : {}),
    ngo: {
      status: { in: audience.statuses.length ? audience.statuses : ['APPROVED'] },
      ...(audience.countyIds.length ? { countyId: { in: audience.countyIds } } : {}),
      ...(audience.fieldIds.length ? { fields: { some: { fieldId: { in: audience.fieldIds } } } } : {}),
    },
  };
}

export function parseAudience(value: unknown): Audience {
  const v = (value ?? {}) as Partial<Audience>;
  const ints = (a: unknown) => (Array.isArray(a) ? a.filter((x): x is number => Number.isInteger(x)) : []);
  const statuses = Array.isArray(v.statuses) ? v.statuses.filter((s) => ['APPROVED', 'PENDING', 'SUSPENDED'].includes(s)) : [];
  return { countyIds: ints(v.countyIds), fieldIds: ints(v.fieldIds), statuses: statuses.length ? statuses : ['APPROVED'], managersOnly: v.managersOnly === true };
}

export function createBroadcastService(deps: BroadcastDeps) {
  const { prisma, outbox, translator, clock } = deps;
  const langOf = (l: string | null | undefined): Language => (isLanguage(l) ? l : DEFAULT_LANGUAGE);
  const num = (lang: Language, n: number) => (lang === 'fa' ? toPersianDigits(n) : String(n));

  async function requireAdmin(adminId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId }, include: { user: true } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  /** County admins speak only to the NGOs of their county. */
  function scoped(admin: { role: string; countyId: number | null }, audience: Audience): Audience {
    if (admin.role !== 'COUNTY_ADMIN') return audience;
    return { ...audience, countyIds: [admin.countyId ?? -1] };
  }

  async function counts(outboxMessageId: bigint | null): Promise<BroadcastCounts> {
    const result: BroadcastCounts = { sent: 0, failed: 0, unreachable: 0, waiting: 0, cancelled: 0 };
    if (outboxMessageId === null) return result;
    const rows = await prisma.outboxDelivery.groupBy({ by: ['status'], where: { messageId: outboxMessageId }, _count: true });
    for (const row of rows) {
      const n = row._count;
      if (row.status === 'SENT') result.sent += n;
      else if (row.status === 'FAILED') result.failed += n;
      else if (row.status === 'UNREACHABLE') result.unreachable += n;
      else if (row.status === 'CANCELLED') result.cancelled += n;
      else result.waiting += n;
    }
    return result;
  }

  function cardText(lang: Language, broadcastId: number, c: BroadcastCounts, state: 'sending' | 'paused' | 'done' | 'cancelled' | 'failed', total: number) {
    const t = (key: string, o?: Record<string, unknown>) => translator.t(lang, key, o);
    const secondsLeft = Math.ceil(c.waiting / Math.max(1, deps.sendRate));
    const minutesLeft = Math.max(1, Math.ceil(secondsLeft / 60));
    return [
      t(`broadcast.card.title_${state}`, { id: num(lang, broadcastId) }),
      t('broadcast.card.sent', { n: num(lang, c.sent), total: num(lang, total) }),
      t('broadcast.card.failed', { n: num(lang, c.failed + c.unreachable) }),
      t('broadcast.card.waiting', { n: num(lang, c.waiting) }),
      state === 'sending' && c.waiting > 0 ? t('broadcast.card.eta', { minutes: num(lang, minutesLeft) }) : null,
    ]
      .filter(Boolean)
      .join('\n');
  }

  function cancelKeyboard(lang: Language, id: number) {
    return { inline_keyboard: [[{ text: translator.t(lang, 'broadcast.card.cancel_button'), callback_data: `bc_cancel:${id}` }]] };
  }

  /** Fan-out at the start time (not when scheduled), so NGOs approved in between are included. */
  async function start(broadcastId: number): Promise<void> {
    const b = await prisma.broadcast.findUnique({ where: { id: broadcastId } });
    if (!b || b.status !== 'SCHEDULED') return;
    const audience = parseAudience(b.audience);
    const members = await prisma.ngoMember.findMany({ where: audienceWhere(audience), select: { userId: true, user: { select: { reachable: true } } } });
    const reachable = members.filter((m) => m.user.reachable).map((m) => m.userId);
    const known = members.filter((m) => !m.user.reachable).map((m) => m.userId);
    const { messageId } = await outbox.enqueue({
      payload: { kind: 'COPY', fromChatId: Number(b.sourceChatId), messageId: b.sourceMessageId },
      recipients: reachable,
      dedupeKey: `broadcast:${b.id}`,
      notBefore: b.startAt,
      source: { type: BROADCAST_SOURCE, id: String(b.id) },
    });
    // Members who had already blocked the bot are not sent to, but they belong in the report.
    if (known.length) {
      await prisma.$executeRaw`
        INSERT INTO outbox_deliveries (message_id, chat_id, status, last_error)
        SELECT ${messageId}, unnest(${`{${known.join(',')}}`}::text::bigint[]), 'UNREACHABLE', 'blocked the bot earlier'
        ON CONFLICT (message_id, chat_id) DO NOTHING`;
    }
    const admin = await prisma.user.findUnique({ where: { id: b.createdBy } });
    const lang = langOf(admin?.language);
    await prisma.broadcast.updateMany({
      where: { id: b.id, status: 'SCHEDULED' },
      data: { status: 'SENDING', startedAt: clock.now(), recipientCount: members.length, outboxMessageId: messageId },
    });
    await outbox.enqueue({
      payload: {
        kind: 'TEXT',
        text: cardText(lang, b.id, { sent: 0, failed: 0, unreachable: known.length, waiting: reachable.length, cancelled: 0 }, 'sending', members.length),
        replyMarkup: cancelKeyboard(lang, b.id),
      },
      recipients: [b.createdBy],
      dedupeKey: `broadcast-card:${b.id}`,
      // Rows go out by (not_before, id): ahead of the recipients, or the card would come after all of them.
      notBefore: new Date(b.startAt.getTime() - 1000),
      source: { type: CARD_SOURCE, id: String(b.id) },
    });
  }

  async function finish(b: { id: number; createdBy: bigint; outboxMessageId: bigint | null; recipientCount: number }, status: 'DONE' | 'CANCELLED' | 'FAILED') {
    const { count } = await prisma.broadcast.updateMany({ where: { id: b.id, status: 'SENDING' }, data: { status, finishedAt: clock.now() } });
    if (count === 0) return;
    await sendReport(b.id);
  }

  async function sendReport(broadcastId: number) {
    const b = (await prisma.broadcast.findUnique({ where: { id: broadcastId } }))!;
    const admin = await prisma.user.findUnique({ where: { id: b.createdBy } });
    const lang = langOf(admin?.language);
    const t = (key: string, o?: Record<string, unknown>) => translator.t(lang, key, o);
    const c = await counts(b.outboxMessageId);
    const reasons = b.outboxMessageId
      ? await prisma.outboxDelivery.groupBy({ by: ['lastError'], where: { messageId: b.outboxMessageId, status: 'FAILED' }, _count: true })
      : [];
    const lines = [
      t('broadcast.report.title', { id: num(lang, b.id) }),
      t('broadcast.report.delivered', { n: num(lang, c.sent) }),
      t('broadcast.report.unreachable', { n: num(lang, c.unreachable) }),
      t('broadcast.report.failed', { n: num(lang, c.failed) }),
      ...reasons.map((r) => `  • ${escapeHtml(r.lastError ?? '—')}: ${num(lang, r._count)}`),
      c.cancelled ? t('broadcast.report.cancelled', { n: num(lang, c.cancelled) }) : null,
    ].filter(Boolean);
    await outbox.enqueue({
      payload: { kind: 'TEXT', parseMode: 'HTML', text: lines.join('\n') },
      recipients: [b.createdBy],
      dedupeKey: `broadcast-report:${b.id}`,
      source: { type: 'broadcast-report', id: String(b.id) },
    });
    if (c.unreachable + c.failed > 0 && b.outboxMessageId) {
      await outbox.enqueue({
        payload: {
          kind: 'DOCUMENT',
          fileName: `broadcast-${b.id}-undelivered.csv`,
          contentBase64: Buffer.from(await undeliveredCsv(b.outboxMessageId, lang)).toString('base64'),
          caption: t('broadcast.report.csv_caption', { id: num(lang, b.id) }),
        },
        recipients: [b.createdBy],
        dedupeKey: `broadcast-csv:${b.id}`,
        source: { type: 'broadcast-report', id: String(b.id) },
      });
    }
  }

  /** Who did not get it, with their NGO and county, so staff can phone them. UTF-8 with BOM for Excel. */
  async function undeliveredCsv(outboxMessageId: bigint, lang: Language): Promise<string> {
    const rows = await prisma.outboxDelivery.findMany({
      where: { messageId: outboxMessageId, status: { in: ['FAILED', 'UNREACHABLE'] } },
      orderBy: { id: 'asc' },
      select: { chatId: true, status: true, lastError: true },
    });
    const members = await prisma.ngoMember.findMany({
      where: { userId: { in: rows.map((r) => r.chatId) } },
      include: { user: true, ngo: { include: { county: true } } },
    });
    const byUser = new Map(members.map((m) => [m.userId, m]));
    const t = (key: string) => translator.t(lang, key);
    const cell = (v: unknown) => `"${String(v ?? '').replace(/"/g, '""')}"`;
    const header = ['ngo', 'member', 'telegram_id', 'county', 'reason'].map((h) => cell(t(`broadcast.csv.${h}`))).join(',');
    const lines = rows.map((r) => {
      const m = byUser.get(r.chatId);
      const reason = r.status === 'UNREACHABLE' ? t('broadcast.csv.unreachable') : (r.lastError ?? '');
      return [m?.ngo.name, m ? [m.user.firstName, m.user.lastName].filter(Boolean).join(' ') : '', String(r.chatId), m?.ngo.county.name, reason].map(cell).join(',');
    });
    return `\uFEFF${[header, ...lines].join('\r\n')}\r\n`;
  }

  return {
    async countAudience(adminId: bigint, audience: Audience): Promise<number> {
      const admin = await requireAdmin(adminId);
      return prisma.ngoMember.count({ where: audienceWhere(scoped(admin, audience)) });
    },

    /**
     * Records the broadcast. Its start moves out of quiet hours unless urgent; a start that is due
     * now begins at once, a later one is started by the scheduler.
     */
    async create(
      adminId: bigint,
      input: { sourceChatId: bigint; sourceMessageId: number; contentKind: string; audience: Audience; urgent: boolean; scheduledAt?: Date },
    ) {
      const admin = await requireAdmin(adminId);
      const now = clock.now();
      if (input.scheduledAt && input.scheduledAt.getTime() < now.getTime() - 60_000) throw new AppError('broadcast.errors.past');
      const requestedAt = input.scheduledAt ?? now;
      const startAt = input.urgent ? requestedAt : nextAllowedTime(requestedAt, DEFAULT_QUIET_HOURS);
      const audience = scoped(admin, input.audience);
      const broadcast = await prisma.$transaction(async (tx) => {
        const created = await tx.broadcast.create({
          data: {
            createdBy: adminId,
            sourceChatId: input.sourceChatId,
            sourceMessageId: input.sourceMessageId,
            contentKind: input.contentKind,
            audience: audience as unknown as Prisma.InputJsonValue,
            urgent: input.urgent,
            requestedAt,
            startAt,
            recipientCount: await tx.ngoMember.count({ where: audienceWhere(audience) }),
          },
        });
        await recordAudit(tx, {
          actorId: adminId,
          action: 'broadcast.created',
          entityType: 'broadcast',
          entityId: String(created.id),
          details: { audience, urgent: input.urgent, startAt: startAt.toISOString(), recipients: created.recipientCount },
        });
        return created;
      });
      if (startAt.getTime() <= now.getTime()) await start(broadcast.id);
      return prisma.broadcast.findUniqueOrThrow({ where: { id: broadcast.id } });
    },

    /** Scheduler: starts broadcasts whose time has come. */
    async startDue(): Promise<number> {
      const due = await prisma.broadcast.findMany({ where: { status: 'SCHEDULED', startAt: { lte: clock.now() } }, select: { id: true } });
      for (const b of due) await start(b.id);
      return due.length;
    },

    /**
     * Scheduler, every few seconds: updates progress cards, holds back non-urgent broadcasts in quiet
     * hours, and closes finished ones with a report.
     */
    async progressTick(): Promise<void> {
      const now = clock.now();
      const sending = await prisma.broadcast.findMany({ where: { status: 'SENDING' } });
      for (const b of sending) {
        // A row put back to PENDING after the cancel (a per-chat wait, a retry) is stopped too.
        if (b.cancelRequested && b.outboxMessageId) await outbox.cancel(b.outboxMessageId);
        const c = await counts(b.outboxMessageId);
        const quiet = !b.urgent && isQuietTime(now);
        if (quiet && c.waiting > 0 && b.outboxMessageId) {
          const resume = nextAllowedTime(now).toISOString();
          await prisma.$executeRaw`
            UPDATE outbox_deliveries SET not_before = ${resume}::timestamptz AT TIME ZONE 'UTC'
            WHERE message_id = ${b.outboxMessageId} AND status = 'PENDING'`;
        }
        const done = c.waiting === 0;
        const admin = await prisma.user.findUnique({ where: { id: b.createdBy } });
        const lang = langOf(admin?.language);
        const card = await prisma.outboxDelivery.findFirst({
          where: { message: { dedupeKey: `broadcast-card:${b.id}` }, sentMessageId: { not: null } },
        });
        if (card?.sentMessageId) {
          const state = b.cancelRequested ? 'cancelled' : done ? 'done' : quiet ? 'paused' : 'sending';
          const text = cardText(lang, b.id, c, state, b.recipientCount);
          await deps.editMessage(card.chatId, card.sentMessageId, text, done || b.cancelRequested ? undefined : cancelKeyboard(lang, b.id)).catch(() => {});
        }
        if (done) await finish(b, b.cancelRequested ? 'CANCELLED' : 'DONE');
      }
    },

    async cancel(adminId: bigint, broadcastId: number) {
      const admin = await requireAdmin(adminId);
      const b = await prisma.broadcast.findUnique({ where: { id: broadcastId } });
      if (!b) throw new AppError('broadcast.errors.not_found');
      // County admins manage their own announcements only (the list shows them no others).
      if (admin.role === 'COUNTY_ADMIN' && b.createdBy !== adminId) throw new AppError('broadcast.errors.not_yours');
      if (b.status === 'SCHEDULED') {
        const { count } = await prisma.broadcast.updateMany({ where: { id: b.id, status: 'SCHEDULED' }, data: { status: 'CANCELLED', finishedAt: clock.now() } });
        if (count === 0) throw new AppError('broadcast.errors.already_finished');
      } else if (b.status === 'SENDING' && b.outboxMessageId && !b.cancelRequested) {
        // Rows already claimed by a dispatcher still go out; the broadcast ends, with its report, once
        // they have settled (progressTick), so the report counts them.
        await prisma.broadcast.update({ where: { id: b.id }, data: { cancelRequested: true } });
        await outbox.cancel(b.outboxMessageId);
      } else {
        throw new AppError('broadcast.errors.already_finished');
      }
      await recordAudit(prisma, { actorId: adminId, action: 'broadcast.cancelled', entityType: 'broadcast', entityId: String(b.id) });
      return prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } });
    },

    async list(adminId: bigint, limit = 10) {
      const admin = await requireAdmin(adminId);
      const rows = await prisma.broadcast.findMany({
        where: admin.role === 'COUNTY_ADMIN' ? { createdBy: adminId } : {},
        orderBy: { id: 'desc' },
        take: limit,
      });
      return Promise.all(rows.map(async (b) => ({ ...b, counts: await counts(b.outboxMessageId) })));
    },

    /**
     * A 400 for a broadcast's copy is about the message, not the recipient (the source was deleted,
     * formatting broke): every other recipient would fail the same way, so the broadcast stops and
     * the admin is told once. Returns false when the failure is not a broadcast's.
     */
    async onDeliveryFailed(failure: DeliveryFailure): Promise<boolean> {
      const b = await prisma.broadcast.findUnique({ where: { outboxMessageId: failure.messageId } });
      if (!b) return false;
      if (!/^400\b/.test(failure.reason)) return true; // retries ran out (5xx/network): counted in the report
      await outbox.cancel(failure.messageId);
      await prisma.broadcast.updateMany({ where: { id: b.id, status: 'SENDING' }, data: { failureReason: failure.reason.slice(0, 300) } });
      const admin = await prisma.user.findUnique({ where: { id: b.createdBy } });
      const lang = langOf(admin?.language);
      await outbox.enqueue({
        payload: { kind: 'TEXT', parseMode: 'HTML', text: translator.t(lang, 'broadcast.errors.stopped', { id: num(lang, b.id), reason: escapeHtml(failure.reason) }) },
        recipients: [b.createdBy],
        dedupeKey: `broadcast-stopped:${b.id}`,
      });
      await finish(b, 'FAILED');
      return true;
    },

    describeStart(lang: Language, startAt: Date) {
      return lang === 'fa'
        ? formatJalaliDateTime(startAt)
        : formatJalaliDateTime(startAt)
            .replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0))
            .replace(' ساعت ', ' at ');
    },
  };
}

export type BroadcastService = ReturnType<typeof createBroadcastService>;
