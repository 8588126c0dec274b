/**
 * The NGO a member acts for in course matters, and why someone may not use courses at all: in no NGO, or
 * an NGO pending or not approved. Shared by the needs, the enrolments and the course lists.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import { AppError } from '../../platform/errors.js';

/** The NGO a member acts for in course matters: it must exist and be approved by the office. */
export async function approvedMembershipOf(prisma: PrismaClient, userId: bigint) {
  const member = await prisma.ngoMember.findUnique({
    where: { userId },
    include: { ngo: { include: { fields: { select: { fieldId: true } } } } },
  });
  const { ngo, role } = ofApprovedNgo(member, (m) => m.ngo.status);
  return { ngo, role, fieldIds: ngo.fields.map((f) => f.fieldId) };
}

/** The membership found, or why its person may not use courses: in no NGO, an NGO pending or not approved. */
export function ofApprovedNgo<T>(found: T | null | undefined, statusOf: (found: T) => string): T {
  if (found === null || found === undefined) throw new AppError('courses.errors.no_ngo');
  const status = statusOf(found);
  if (status === 'PENDING') throw new AppError('courses.errors.ngo_pending');
  if (status !== 'APPROVED') throw new AppError('courses.errors.ngo_not_approved');
  return found;
}

