/** The NGOs and their members, page by page, within the reader's counties. */
import type { PrismaClient } from '../../platform/db/client.js';
import { fullName, keysetPages, ngoIn } from './paging.js';
import { PAGE_SIZE } from './rules.js';
import type { ExportScope, MemberRow, NgoRow } from './types.js';

export function ngoSources(prisma: PrismaClient) {
  function ngos(scope: ExportScope): AsyncIterable<NgoRow[]> {
    return keysetPages(
      async (after: number | undefined) => {
        const rows = await prisma.ngo.findMany({
          where: { ...(scope.counties === null ? {} : { countyId: { in: scope.counties } }), ...(after === undefined ? {} : { id: { gt: after } }) },
          orderBy: { id: 'asc' },
          take: PAGE_SIZE,
          include: {
            county: { select: { name: true } },
            fields: { select: { field: { select: { name: true, sortOrder: true } } } },
            _count: { select: { members: true } },
          },
        });
        return rows.map(
          (n): NgoRow => ({
            id: n.id,
            name: n.name,
            registrationNumber: n.registrationNumber,
            authority: n.authority,
            authorityOther: n.authorityOther,
            county: n.county.name,
            fields: n.fields
              .map((f) => f.field)
              .sort((a, b) => a.sortOrder - b.sortOrder)
              .map((f) => f.name),
            status: n.status,
            foundedYear: n.foundedYear,
            memberCount: n.memberCount,
            membersInBot: n._count.members,
            managerName: n.managerName,
            managerPhone: scope.phones ? n.managerPhone : null,
            submittedAt: n.submittedAt,
            approvedAt: n.approvedAt,
          }),
        );
      },
      (row) => row.id,
    );
  }

  function members(scope: ExportScope): AsyncIterable<MemberRow[]> {
    return keysetPages(
      async (after: bigint | undefined) => {
        const rows = await prisma.ngoMember.findMany({
          where: { ...ngoIn(scope.counties), ...(after === undefined ? {} : { userId: { gt: after } }) },
          orderBy: { userId: 'asc' },
          take: PAGE_SIZE,
          include: {
            user: { select: { firstName: true, lastName: true, username: true, reachable: true } },
            ngo: { select: { id: true, name: true, managerPhone: true, county: { select: { name: true } } } },
          },
        });
        return rows.map(
          (m): MemberRow => ({
            userId: m.userId,
            name: fullName(m.user),
            username: m.user.username,
            ngoId: m.ngo.id,
            ngoName: m.ngo.name,
            county: m.ngo.county.name,
            role: m.role,
            joinedAt: m.joinedAt,
            reachable: m.user.reachable,
            // The only phone number the bot keeps is the one the manager shared at registration.
            phone: scope.phones && m.role === 'MANAGER' ? m.ngo.managerPhone : null,
          }),
        );
      },
      (row) => row.userId,
    );
  }

  return { ngos, members };
}
