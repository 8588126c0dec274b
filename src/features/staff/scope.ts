/**
 * What a staff member may see: the province's staff every NGO, a county admin the NGOs of their county.
 * The one place new office features (statistics, exports, search, audit) ask; read from the database on
 * every call, never from a session (invariant 4).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { AdminRole } from '../../platform/db/generated/enums.js';
import { AppError } from '../../platform/errors.js';

export interface StaffMember {
  userId: bigint;
  role: AdminRole;
  /** Only for a county admin: the county whose NGOs they supervise. */
  countyId: number | null;
}

/** The staff member acting, or AppError 'common.errors.not_admin' for anyone else. */
export async function staffMember(prisma: Pick<PrismaClient, 'admin'>, userId: bigint): Promise<StaffMember> {
  const admin = await prisma.admin.findUnique({ where: { userId }, select: { userId: true, role: true, countyId: true } });
  if (!admin) throw new AppError('common.errors.not_admin');
  return admin;
}

/** The counties a staff member covers: null for the whole province. A county admin without a county sees nothing. */
export function scopedCounties(staff: StaffMember): number[] | null {
  if (staff.role !== 'COUNTY_ADMIN') return null;
  return staff.countyId === null ? [] : [staff.countyId];
}

/** A Prisma filter on NGOs that keeps those within the staff member's scope. */
export function ngoScope(staff: StaffMember): Prisma.NgoWhereInput {
  const counties = scopedCounties(staff);
  return counties === null ? {} : { countyId: { in: counties } };
}

/** True when an NGO of this county is within the staff member's scope. */
export function coversCounty(staff: StaffMember, countyId: number): boolean {
  const counties = scopedCounties(staff);
  return counties === null || counties.includes(countyId);
}
