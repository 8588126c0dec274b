/**
 * Announcements from the office to NGO members: the use cases staff call (count an audience, create,
 * cancel, list) and those the scheduler and dispatcher call (start, progress, a refused message). The
 * admin's own message is copied to every recipient through the outbox, so a restart resumes where it
 * stopped and nobody gets it twice. Quiet hours (night, Friday) hold back a broadcast that is not
 * urgent, also one already under way. Use cases return records and counts; the words are in notices.ts.
 */
import type { Broadcast, Prisma } from '../../platform/db/generated/client.js';
import type { DeliveryFailure } from '../../platform/delivery/dispatcher.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { scopeAudience, type Audience } from './audience.js';
import { audienceWhere } from './audience-query.js';

import { countsOf, followBroadcast, startBroadcast, stopOnMessageFailure, type BroadcastDeps } from './progress.js';
import { isInThePast, startTimeFor, type BroadcastCounts } from './rules.js';

export { BROADCAST_SOURCE, type BroadcastDeps } from './progress.js';
// Callers that imported the audience from here before it had its own module (recurring, deadlines).

export interface NewBroadcast {
  sourceChatId: bigint;
  sourceMessageId: number;
  contentKind: string;
  audience: Audience;
  urgent: boolean;
  /** Absent: now. */
  scheduledAt?: Date;
}

/** The factory only binds the dependencies; each use case in it is short and reads on its own. */
export function createBroadcastService(deps: BroadcastDeps) {
  const { prisma, outbox, clock } = deps;

  async function requireAdmin(adminId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  return {
    async countAudience(adminId: bigint, audience: Audience): Promise<number> {
      const admin = await requireAdmin(adminId);
      return prisma.ngoMember.count({ where: audienceWhere(scopeAudience(admin, audience)) });
    },

    /**
     * Records the broadcast. Its start moves out of quiet hours unless urgent; a start that is due
     * now begins at once, a later one is started by the scheduler.
     */
    async create(adminId: bigint, input: NewBroadcast): Promise<Broadcast> {
      const admin = await requireAdmin(adminId);
      const now = clock.now();
      if (input.scheduledAt && isInThePast(input.scheduledAt, now)) throw new AppError('broadcast.errors.past');
      const requestedAt = input.scheduledAt ?? now;
      const startAt = startTimeFor(requestedAt, input.urgent);
      const audience = scopeAudience(admin, input.audience);
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
      if (startAt.getTime() <= now.getTime()) await startBroadcast(deps, broadcast.id);
      return prisma.broadcast.findUniqueOrThrow({ where: { id: broadcast.id } });
    },

    /** Scheduler: starts broadcasts whose time has come. */
    async startDue(): Promise<number> {
      const due = await prisma.broadcast.findMany({ where: { status: 'SCHEDULED', startAt: { lte: clock.now() } }, select: { id: true } });
      for (const b of due) await startBroadcast(deps, b.id);
      return due.length;
    },

    /**
     * Scheduler, every few seconds: updates progress cards, holds back non-urgent broadcasts in quiet
     * hours, and closes finished ones with a report.
     */
    async progressTick(): Promise<void> {
      const now = clock.now();
      const sending = await prisma.broadcast.findMany({ where: { status: 'SENDING' } });
      for (const b of sending) await followBroadcast(deps, b, now);
    },

    /** Returns the broadcast with its counts just after the cancel (what was sent, stopped, or already on its way). */
    async cancel(adminId: bigint, broadcastId: number): Promise<Broadcast & { counts: BroadcastCounts }> {
      const admin = await requireAdmin(adminId);
      const b = await prisma.broadcast.findUnique({ where: { id: broadcastId } });
      if (!b) throw new AppError('broadcast.errors.not_found');
      // County admins manage their own announcements only (the list shows them no others).
      if (admin.role === 'COUNTY_ADMIN' && b.createdBy !== adminId) throw new AppError('broadcast.errors.not_yours');
      if (b.status === 'SCHEDULED') {
        const { count } = await prisma.broadcast.updateMany({ where: { id: b.id, status: 'SCHEDULED' }, data: { status: 'CANCELLED', finishedAt: clock.now() } });
        if (count === 0) throw new AppError('broadcast.errors.already_finished');
      } else if (b.status === 'SENDING' && b.outboxMessageId && !b.cancelRequested) {
        // Claimed rows are stopped too: only a copy already on its way may still go out. The broadcast
        // ends, with its report, once that has settled (progressTick), so the report counts it.
        await prisma.broadcast.update({ where: { id: b.id }, data: { cancelRequested: true } });
        await outbox.cancel(b.outboxMessageId);
      } else {
        throw new AppError('broadcast.errors.already_finished');
      }
      await recordAudit(prisma, { actorId: adminId, action: 'broadcast.cancelled', entityType: 'broadcast', entityId: String(b.id) });
      const after = await prisma.broadcast.findUniqueOrThrow({ where: { id: b.id } });
      return { ...after, counts: await countsOf(deps, after.outboxMessageId) };
    },

    /** The latest broadcasts with their delivery counts; a county admin sees only their own. */
    async list(adminId: bigint, limit = 10): Promise<(Broadcast & { counts: BroadcastCounts })[]> {
      const admin = await requireAdmin(adminId);
      const rows = await prisma.broadcast.findMany({
        where: admin.role === 'COUNTY_ADMIN' ? { createdBy: adminId } : {},
        orderBy: { id: 'desc' },
        take: limit,
      });
      return Promise.all(rows.map(async (b) => ({ ...b, counts: await countsOf(deps, b.outboxMessageId) })));
    },

    /** Dispatcher: a failed delivery. False when it is not a broadcast's (another feature's alert handles it). */
    onDeliveryFailed(failure: DeliveryFailure): Promise<boolean> {
      return stopOnMessageFailure(deps, failure);
    },
  };
}

export type BroadcastService = ReturnType<typeof createBroadcastService>;
