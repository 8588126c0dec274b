/**
 * The office's review: approve or reject a submission, suspend and reactivate an approved NGO, the
 * queue of submissions waiting. Every decision re-reads the admin's role and county, is audited, and
 * tells the NGO's manager through the outbox in the same transaction.
 */
import type { Prisma } from '../../platform/db/generated/client.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { decisionNotice } from './notices.js';
import { DECISIONS, submissionVersion, type Decision, type NgoRecord } from './rules.js';
import { toRecord, ngoInclude, type NgoDeps, type NgoStore } from './store.js';

/** The manager hears of a review decision once per submission, of a suspension or reactivation each time. */
const NOTICE_KEY: Record<Decision, (ngo: NgoRecord, now: Date) => string> = {
  approve: (ngo) => `ngo-decision:${ngo.id}:${ngo.submittedAt.getTime()}`,
  reject: (ngo) => `ngo-decision:${ngo.id}:${ngo.submittedAt.getTime()}`,
  suspend: (ngo, now) => `ngo-suspended:${ngo.id}:${now.getTime()}`,
  reactivate: (ngo, now) => `ngo-reactivated:${ngo.id}:${now.getTime()}`,
};

export function createReviewService(deps: NgoDeps, store: NgoStore) {
  const { prisma, translator, clock } = deps;

  async function adminName(adminId: bigint | null): Promise<string> {
    if (!adminId) return '—';
    const user = await prisma.user.findUnique({ where: { id: adminId } });
    return user ? [user.firstName, user.lastName].filter(Boolean).join(' ') : String(adminId);
  }

  /**
   * A decision happens once: the update only applies while the NGO is in the status the decision
   * starts from, so a double tap or two admins at once give one decision and a polite answer to the
   * other. `expectedVersion` (from a review button) refuses a decision on a submission since replaced.
   */
  async function decide(adminId: bigint, ngoId: number, decision: Decision, reason: string | null, expectedVersion?: string): Promise<NgoRecord> {
    const { from, to, audit } = DECISIONS[decision];
    const ngo = await store.loadNgo(ngoId);
    if (!ngo) throw new AppError('ngo.errors.not_found');
    await store.requireReviewer(adminId, ngo.countyId);
    if (expectedVersion !== undefined && ngo.status === from && submissionVersion(ngo) !== expectedVersion) {
      throw new AppError('review.outdated_submission');
    }
    const now = clock.now();
    const dedupeKey = NOTICE_KEY[decision](ngo, now);
    const changed = await prisma.$transaction(async (tx) => {
      const { count } = await tx.ngo.updateMany({
        where: { id: ngoId, status: from },
        data: {
          status: to,
          statusReason: reason,
          reviewedBy: adminId,
          reviewedAt: now,
          ...(decision === 'approve' ? { approvedAt: now } : {}),
        },
      });
      if (count === 1) {
        await recordAudit(tx, { actorId: adminId, action: audit, entityType: 'ngo', entityId: String(ngoId), details: { from, to, reason } });
        await store.notifyManager(ngoId, (lang) => decisionNotice(translator, lang, decision, ngo, reason), dedupeKey, tx);
      }
      return count === 1;
    });
    const current = (await store.loadNgo(ngoId))!;
    if (!changed) throw new AppError('ngo.review.already_decided', { by: await adminName(current.reviewedBy), status: current.status });
    return current;
  }

  return {
    approve: (adminId: bigint, ngoId: number, version?: string) => decide(adminId, ngoId, 'approve', null, version),
    reject: (adminId: bigint, ngoId: number, reason: string, version?: string) => decide(adminId, ngoId, 'reject', reason, version),
    suspend: (adminId: bigint, ngoId: number, reason: string) => decide(adminId, ngoId, 'suspend', reason),
    reactivate: (adminId: bigint, ngoId: number) => decide(adminId, ngoId, 'reactivate', null),

    /** Registrations waiting for review, oldest first; county admins see their county only. */
    async pending(adminId: bigint, page: number, pageSize: number) {
      const admin = await store.requireReviewer(adminId);
      const where: Prisma.NgoWhereInput = {
        status: 'PENDING',
        ...(admin.role === 'COUNTY_ADMIN' ? { countyId: admin.countyId ?? -1 } : {}),
      };
      const [total, rows] = await Promise.all([
        prisma.ngo.count({ where }),
        prisma.ngo.findMany({ where, orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }], skip: page * pageSize, take: pageSize, include: ngoInclude }),
      ]);
      return { total, items: rows.map(toRecord) };
    },

    /** For an admin's view of one NGO (county admins: their county only). */
    async viewForAdmin(adminId: bigint, ngoId: number): Promise<NgoRecord> {
      const ngo = await store.loadNgo(ngoId);
      if (!ngo) throw new AppError('ngo.errors.not_found');
      await store.requireReviewer(adminId, ngo.countyId);
      return ngo;
    },
  };
}
