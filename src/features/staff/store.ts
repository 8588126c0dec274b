/** What the staff use cases share: who may manage the staff, how a staff member is shown, the super admins' lock. */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { AdminRole } from '../../platform/db/generated/enums.js';
import { AppError } from '../../platform/errors.js';

export interface AdminView {
  userId: bigint;
  name: string;
  role: AdminRole;
  county: string | null;
}

export const fullName = (user: { firstName: string; lastName: string | null }): string => [user.firstName, user.lastName].filter(Boolean).join(' ');

export const adminInclude = { user: true, county: true } as const;

export function adminView(admin: Prisma.AdminGetPayload<{ include: typeof adminInclude }>): AdminView {
  return { userId: admin.userId, name: fullName(admin.user), role: admin.role, county: admin.county?.name ?? null };
}

/** Staff management is for super admins: read from the database on every call, never from a session. */
export async function requireSuperAdmin(prisma: Pick<PrismaClient, 'admin'>, actorId: bigint): Promise<void> {
  const admin = await prisma.admin.findUnique({ where: { userId: actorId }, select: { role: true } });
  if (!admin) throw new AppError('common.errors.not_admin');
  if (admin.role !== 'SUPER_ADMIN') throw new AppError('admin.only_super');
}

/**
 * The super admins, locked until the transaction ends: two super admins removing each other at the
 * same moment are served one after the other, so the second sees that only one is left.
 */
export async function lockedSuperAdmins(tx: Prisma.TransactionClient): Promise<bigint[]> {
  const rows = await tx.$queryRaw<{ user_id: bigint }[]>`SELECT user_id FROM admins WHERE role = 'SUPER_ADMIN' FOR UPDATE`;
  return rows.map((r) => BigInt(r.user_id));
}

/** An active county by id, or AppError: a county button may be stale (a county merged or retired since). */
export async function activeCounty(prisma: Pick<PrismaClient, 'county'>, countyId: number): Promise<{ id: number; name: string }> {
  const county = await prisma.county.findFirst({ where: { id: countyId, active: true }, select: { id: true, name: true } });
  if (!county) throw new AppError('admin.county_gone');
  return county;
}
