/** The members an audience names, as a Prisma filter: the one query behind counts and fan-out. */
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Audience } from './audience.js';

export function audienceWhere(audience: Audience): Prisma.NgoMemberWhereInput {
  return {
    ...(audience.managersOnly ? { role: 'MANAGER' } : {}),
    ngo: {
      status: { in: audience.statuses.length ? audience.statuses : ['APPROVED'] },
      ...(audience.countyIds.length ? { countyId: { in: audience.countyIds } } : {}),
      ...(audience.fieldIds.length ? { fields: { some: { fieldId: { in: audience.fieldIds } } } } : {}),
    },
  };
}
