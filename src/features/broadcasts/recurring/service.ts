/**
 * Recurring announcements: an admin's message broadcast again every Jalali year on a date, or every month
 * on a day. Each occurrence is made through the broadcast service handed in (the same audience rules,
 * quiet hours, progress card and report as any announcement).
 */
import type { PrismaClient } from '../../../platform/db/client.js';
import type { Prisma } from '../../../platform/db/generated/client.js';
import { recordAudit } from '../../../platform/db/audit.js';
import { AppError } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { Clock } from '../../../platform/text/clock.js';
import { DEFAULT_AUDIENCE, parseAudience, scopeAudience } from '../audience.js';
import type { BroadcastService } from '../service.js';
import { occurrenceAround, occurrenceState, recurrenceError, type Recurrence } from './rules.js';

export interface RecurringDraft extends Recurrence {
  sourceChatId: bigint;
  sourceMessageId: number;
  contentKind: string;
}

export interface RecurringDeps {
  prisma: PrismaClient;
  clock: Clock;
  logger?: Logger;
}

/** The use cases over one set of ports; long only because it lists them, each one short. */
export function createRecurringService(deps: RecurringDeps, broadcasts: Pick<BroadcastService, 'create'>) {
  const { prisma, clock } = deps;

  async function requireAdmin(adminId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  /** Sends one rule's occurrence; false when it was not due, already sent, or refused. */
  async function fire(r: Prisma.RecurringBroadcastGetPayload<object>, now: Date): Promise<boolean> {
    const occurrence = occurrenceAround(r, now);
    const state = occurrenceState(occurrence, r.lastPeriod, now);
    if (state === 'not-yet' || state === 'done') return false;
    // The period is claimed before the broadcast is made: two processes, one claim.
    const claim = await prisma.recurringBroadcast.updateMany({
      where: { id: r.id, active: true, OR: [{ lastPeriod: null }, { lastPeriod: { not: occurrence.period } }] },
      data: { lastPeriod: occurrence.period },
    });
    if (claim.count === 0) return false;
    if (state === 'too-late') {
      deps.logger?.warn({ recurringId: r.id, period: occurrence.period }, 'recurring announcement skipped: its date passed too long ago');
      return false;
    }
    try {
      await broadcasts.create(r.createdBy, {
        sourceChatId: r.sourceChatId,
        sourceMessageId: r.sourceMessageId,
        contentKind: r.contentKind,
        audience: parseAudience(r.audience),
        urgent: false,
      });
      return true;
    } catch (err) {
      if (err instanceof AppError) {
        // The author is no longer staff, say: retrying every minute would not change that.
        deps.logger?.warn({ recurringId: r.id, code: err.code }, 'recurring announcement refused');
        return false;
      }
      // Anything else gives the claim back, so the next tick tries again.
      await prisma.recurringBroadcast.updateMany({ where: { id: r.id, lastPeriod: occurrence.period }, data: { lastPeriod: r.lastPeriod } });
      throw err;
    }
  }

  return {
    async create(adminId: bigint, draft: RecurringDraft) {
      const admin = await requireAdmin(adminId);
      const error = recurrenceError(draft);
      if (error) throw new AppError(`recurring.errors.date_${error}`);
      const now = clock.now();
      const current = occurrenceAround(draft, now);
      const audience = scopeAudience(admin, { ...DEFAULT_AUDIENCE });
      return prisma.$transaction(async (tx) => {
        const created = await tx.recurringBroadcast.create({
          data: {
            createdBy: adminId,
            sourceChatId: draft.sourceChatId,
            sourceMessageId: draft.sourceMessageId,
            contentKind: draft.contentKind,
            audience: audience as unknown as Prisma.InputJsonValue,
            rule: draft.rule,
            month: draft.rule === 'YEARLY' ? (draft.month ?? null) : null,
            day: draft.day,
            hour: draft.hour,
            minute: draft.minute,
            // This period's date has passed already: the first one sent is the next period's.
            lastPeriod: current.at.getTime() <= now.getTime() ? current.period : null,
            createdAt: now,
          },
        });
        const details = { rule: draft.rule, month: draft.month, day: draft.day, hour: draft.hour, minute: draft.minute };
        await recordAudit(tx, { actorId: adminId, action: 'recurring.created', entityType: 'recurring_broadcast', entityId: String(created.id), details });
        return created;
      });
    },

    /** Active rules; a county admin sees their own only. */
    async list(adminId: bigint) {
      const admin = await requireAdmin(adminId);
      return prisma.recurringBroadcast.findMany({
        where: { active: true, ...(admin.role === 'COUNTY_ADMIN' ? { createdBy: adminId } : {}) },
        orderBy: { id: 'asc' },
      });
    },

    async cancel(adminId: bigint, id: number) {
      const admin = await requireAdmin(adminId);
      const row = await prisma.recurringBroadcast.findUnique({ where: { id } });
      if (!row || (admin.role === 'COUNTY_ADMIN' && row.createdBy !== adminId)) throw new AppError('recurring.errors.not_found');
      const { count } = await prisma.recurringBroadcast.updateMany({ where: { id, active: true }, data: { active: false } });
      if (count === 0) throw new AppError('recurring.errors.already_cancelled');
      await recordAudit(prisma, { actorId: adminId, action: 'recurring.cancelled', entityType: 'recurring_broadcast', entityId: String(id) });
      return row;
    },

    /** Every minute: each rule whose date has come in the current period and was not yet sent for it. */
    async tick(now: Date = clock.now()): Promise<number> {
      const rules = await prisma.recurringBroadcast.findMany({ where: { active: true } });
      let started = 0;
      for (const r of rules) if (await fire(r, now)) started += 1;
      return started;
    },
  };
}

export type RecurringService = ReturnType<typeof createRecurringService>;
