/**
 * What every NGO use case reads the same way: an NGO as a record, a person's membership, the checks
 * of who may act (manager, reviewer) and the notice to an NGO's manager. Shared by the registration,
 * review and membership services.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { SqlReader } from '../../platform/db/reader.js';
import type { Outbox, OutboxDb, OutboxPayload } from '../../platform/delivery/outbox.js';
import { type Language, type Translator, languageOr } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { AppError } from '../../platform/errors.js';
import type { MemberView } from './notices.js';
import { mayReview, type Membership, type NgoRecord, type RegistrationDraft } from './rules.js';

export interface NgoDeps {
  prisma: PrismaClient;
  sql: SqlReader;
  outbox: Outbox;
  /** For the notices queued through the outbox (see notices.ts); use cases themselves make no text. */
  translator: Translator;
  clock: Clock;
}

export const ngoInclude = { county: true, fields: { include: { field: true }, orderBy: { field: { sortOrder: 'asc' } } } } as const;
type NgoRow = Prisma.NgoGetPayload<{ include: typeof ngoInclude }>;

export function toRecord(row: NgoRow): NgoRecord {
  return {
    id: row.id,
    name: row.name,
    registrationNumber: row.registrationNumber,
    authority: row.authority,
    authorityOther: row.authorityOther,
    fields: row.fields.map((f) => f.field.name),
    fieldIds: row.fields.map((f) => f.fieldId),
    county: row.county.name,
    countyId: row.countyId,
    foundedYear: row.foundedYear,
    memberCount: row.memberCount,
    managerName: row.managerName,
    managerPhone: row.managerPhone,
    description: row.description,
    status: row.status,
    statusReason: row.statusReason,
    reviewedBy: row.reviewedBy,
    submittedAt: row.submittedAt,
    approvedAt: row.approvedAt,
  };
}


/** Two requests racing past a check: the database's unique key decides, and the loser is told why. */
export function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'P2002';
}

export function createNgoStore({ prisma, outbox }: NgoDeps) {
  async function loadNgo(id: number, db: OutboxDb = prisma): Promise<NgoRecord | null> {
    const row = await db.ngo.findUnique({ where: { id }, include: ngoInclude });
    return row ? toRecord(row) : null;
  }

  async function membershipOf(userId: bigint): Promise<Membership | null> {
    const member = await prisma.ngoMember.findUnique({ where: { userId }, include: { ngo: { include: ngoInclude } } });
    return member ? { ngo: toRecord(member.ngo), role: member.role } : null;
  }

  return {
    loadNgo,
    membershipOf,

    /** The NGO's people as lists show them: the manager first, then members in the order they joined. */
    async membersOf(ngoId: number, page: { skip: number; take: number } | null = null): Promise<MemberView[]> {
      const members = await prisma.ngoMember.findMany({
        where: { ngoId },
        include: { user: true },
        orderBy: [{ role: 'asc' }, { joinedAt: 'asc' }, { userId: 'asc' }],
        ...(page ?? {}),
      });
      return members.map((m) => ({
        userId: m.userId,
        name: [m.user.firstName, m.user.lastName].filter(Boolean).join(' '),
        username: m.user.username,
        role: m.role,
        joinedAt: m.joinedAt,
      }));
    },

    async requireManager(userId: bigint): Promise<Membership> {
      const membership = await membershipOf(userId);
      if (!membership) throw new AppError('ngo.errors.no_ngo');
      if (membership.role !== 'MANAGER') throw new AppError('ngo.errors.manager_only');
      return membership;
    },

    /** The admin's role, and for county admins their county: re-read on every decision. */
    async requireReviewer(adminId: bigint, ngoCountyId?: number) {
      const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
      if (!admin) throw new AppError('common.errors.not_admin');
      if (ngoCountyId !== undefined && !mayReview(admin, ngoCountyId)) throw new AppError('ngo.review.other_county');
      return admin;
    },

    /** The county and fields chosen are still on the lists (an admin may have retired one meanwhile). */
    async checkReferences(draft: Pick<RegistrationDraft, 'countyId' | 'fieldIds'>) {
      const county = await prisma.county.findFirst({ where: { id: draft.countyId, active: true } });
      const fields = await prisma.activityField.count({ where: { id: { in: draft.fieldIds }, active: true } });
      if (!county || draft.fieldIds.length === 0 || fields !== new Set(draft.fieldIds).size) {
        throw new AppError('ngo.errors.stale_choice');
      }
    },

    /**
     * Tells the NGO's manager (in their language) through the outbox. Given the transaction of the
     * change it reports, the notice commits with the change or not at all (invariant 1).
     */
    async notifyManager(ngoId: number, payload: (lang: Language) => OutboxPayload, dedupeKey: string, db: OutboxDb = prisma) {
      const manager = await db.ngoMember.findFirst({ where: { ngoId, role: 'MANAGER' }, include: { user: true } });
      if (!manager) return;
      await outbox.enqueue(
        { payload: payload(languageOr(manager.user.language)), recipients: [manager.userId], dedupeKey, source: { type: 'ngo', id: String(ngoId) } },
        db,
      );
    },
  };
}

export type NgoStore = ReturnType<typeof createNgoStore>;
