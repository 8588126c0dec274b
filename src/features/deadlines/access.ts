/**
 * Who may see and do what with a deadline: staff by role and county (county admins see and act on their
 * county's NGOs only), NGO members on their own NGO's part. Each check reads the database and throws the
 * AppError that explains a refusal.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { AdminRole } from '../../platform/db/generated/enums.js';
import type { OutboxDb } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import type { SqlReader } from '../../platform/db/reader.js';
import { memberDeadlineParts } from './member-list.js';

export interface DeadlineAudience {
  countyIds: number[];
  fieldIds: number[];
}

type Staff = { role: AdminRole; countyId: number | null };

/** County admins see and act on their county's NGOs only; null for the province's staff. */
export const countyOf = (admin: Staff): number | null => (admin.role === 'COUNTY_ADMIN' ? (admin.countyId ?? -1) : null);

export function scopedAudience(admin: Staff, audience: DeadlineAudience): DeadlineAudience {
  const county = countyOf(admin);
  return county === null ? audience : { ...audience, countyIds: [county] };
}

export function generalTargetsWhere(audience: DeadlineAudience): Prisma.NgoWhereInput {
  return {
    status: 'APPROVED',
    ...(audience.countyIds.length ? { countyId: { in: audience.countyIds } } : {}),
    ...(audience.fieldIds.length ? { fields: { some: { fieldId: { in: audience.fieldIds } } } } : {}),
  };
}

/** The checks over one client; long only because it lists them, each one short. */
export function createAccess(prisma: PrismaClient, sql: SqlReader) {
  const partOf = memberDeadlineParts(sql);
  async function requireAdmin(adminId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  async function loadDeadline(deadlineId: number) {
    const deadline = await prisma.deadline.findUnique({ where: { id: deadlineId } });
    if (!deadline) throw new AppError('deadlines.errors.not_found');
    return deadline;
  }

  /** A deadline a county admin may see: one with an NGO of their county. */
  async function visibleDeadline(admin: Staff, deadlineId: number) {
    const deadline = await loadDeadline(deadlineId);
    const county = countyOf(admin);
    if (county !== null && (await prisma.deadlineTarget.count({ where: { deadlineId, ngo: { countyId: county } } })) === 0) {
      throw new AppError('deadlines.errors.not_found');
    }
    return deadline;
  }

  /** Extending or closing changes every NGO's part: a county admin may do it only when every NGO is theirs. */
  async function mayChangeWhole(admin: Staff, deadlineId: number): Promise<boolean> {
    const county = countyOf(admin);
    if (county === null) return true;
    return (await prisma.deadlineTarget.count({ where: { deadlineId, ngo: { countyId: { not: county } } } })) === 0;
  }

  async function requireWholeDeadline(admin: Staff, deadlineId: number) {
    if (!(await mayChangeWhole(admin, deadlineId))) throw new AppError('deadlines.errors.other_counties');
  }

  /** An admin's deadline that may still change as a whole: visible, wholly theirs, open. */
  async function changeableDeadline(adminId: bigint, deadlineId: number) {
    const admin = await requireAdmin(adminId);
    const deadline = await visibleDeadline(admin, deadlineId);
    await requireWholeDeadline(admin, deadlineId);
    return deadline;
  }

  /** County admins of the NGO's county when there are any, else the province's admins. */
  async function responsibleAdmins(countyId: number, db: OutboxDb = prisma) {
    const include = { user: { select: { language: true } } } as const;
    const county = await db.admin.findMany({ where: { role: 'COUNTY_ADMIN', countyId }, include });
    if (county.length > 0) return county;
    return db.admin.findMany({ where: { role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, include });
  }

  /** The NGO a project is recorded for: it exists, is approved, and (for county admins) is in their county. */
  async function projectNgo(adminId: bigint, ngoId: number) {
    const admin = await requireAdmin(adminId);
    const ngo = await prisma.ngo.findUnique({ where: { id: ngoId }, include: { county: true } });
    if (!ngo) throw new AppError('deadlines.errors.ngo_not_found', { id: ngoId });
    const county = countyOf(admin);
    if (county !== null && ngo.countyId !== county) throw new AppError('deadlines.errors.ngo_other_county');
    if (ngo.status !== 'APPROVED') throw new AppError('deadlines.errors.ngo_not_approved', { name: ngo.name });
    return { id: ngo.id, name: ngo.name, county: ngo.county.name };
  }

  /** Before the report form starts: the deadline is the user's NGO's, still open, and not yet accepted. */
  async function reportable(userId: bigint, deadlineId: number) {
    const part = await partOf(userId, deadlineId);
    if (part.targetStatus === null) throw new AppError('deadlines.errors.not_yours');
    if (part.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: part.title });
    if (part.targetStatus === 'ACCEPTED') throw new AppError('deadlines.errors.already_accepted', { title: part.title });
    return { id: deadlineId, title: part.title!, status: part.targetStatus, ngoId: part.ngoId };
  }

  /** An NGO's report as an admin may read it (their county's NGO, a report there). */
  async function reportForAdmin(adminId: bigint, deadlineId: number, ngoId: number) {
    const admin = await requireAdmin(adminId);
    const deadline = await visibleDeadline(admin, deadlineId);
    const target = await prisma.deadlineTarget.findUnique({ where: { deadlineId_ngoId: { deadlineId, ngoId } }, include: { ngo: { include: { county: true } } } });
    const county = countyOf(admin);
    if (!target || (county !== null && target.ngo.countyId !== county)) throw new AppError('deadlines.errors.not_found');
    if (!target.reportText) throw new AppError('deadlines.errors.no_report', { ngo: target.ngo.name });
    return { deadline, target };
  }

  return { requireAdmin, visibleDeadline, mayChangeWhole, changeableDeadline, responsibleAdmins, projectNgo, reportable, reportForAdmin };
}

export type DeadlineAccess = ReturnType<typeof createAccess>;
