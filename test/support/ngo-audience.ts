/**
 * NGOs with their managers and members put straight into the database, for tests about who an
 * announcement reaches. Counties and fields are the seeded ones, named as an admin sees them.
 * `expectedRecipients` restates the audience rules independently of the service, so a test compares
 * the bot's count with what the fixture says rather than with the service's own query.
 */
import type { PrismaClient } from '../../src/platform/db/client.js';

type Db = { prisma: PrismaClient };

export type AudienceNgoStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUSPENDED';

export interface AudienceNgoSpec {
  name: string;
  county: string;
  fields: string[];
  /** Default: APPROVED */
  status?: AudienceNgoStatus;
  /** Ordinary members besides the manager; default 0. */
  members?: number;
}

export interface AudienceNgo {
  id: number;
  name: string;
  county: string;
  fields: string[];
  status: AudienceNgoStatus;
  managerId: number;
  memberIds: number[];
  /** The manager first, then the members. */
  userIds: number[];
}

export interface AudienceFilter {
  counties?: string[];
  fields?: string[];
  /** Default: APPROVED only, as the bot's default audience. */
  statuses?: AudienceNgoStatus[];
  managersOnly?: boolean;
}

/**
 * Six NGOs in four counties and four fields, of every status, with members: an announcement's
 * audience filtered by county, field, status or managers only reaches a different part of it each time.
 */
export const MIXED_AUDIENCE: readonly AudienceNgoSpec[] = [
  { name: 'انجمن حامیان محیط زیست کرمان', county: 'کرمان', fields: ['محیط زیست'], members: 2 },
  { name: 'کانون جوانان رفسنجان', county: 'رفسنجان', fields: ['ورزش و جوانان'], members: 1 },
  { name: 'مؤسسه سلامت بم', county: 'بم', fields: ['بهداشت و سلامت', 'محیط زیست'], members: 1 },
  { name: 'جمعیت یاوران سلامت کرمان', county: 'کرمان', fields: ['بهداشت و سلامت'], members: 2 },
  { name: 'خیریه امید جیرفت', county: 'جیرفت', fields: ['امور خیریه'], status: 'PENDING', members: 1 },
  { name: 'انجمن ورزشی کرمان', county: 'کرمان', fields: ['ورزش و جوانان'], status: 'SUSPENDED' },
];

let registration = 0;

/** Creates the NGOs in order; user ids are handed out from `firstUserId` upwards. */
export async function createAudience(db: Db, specs: readonly AudienceNgoSpec[], options: { firstUserId?: number } = {}): Promise<AudienceNgo[]> {
  let nextUserId = options.firstUserId ?? 700_000;
  const counties = new Map((await db.prisma.county.findMany()).map((c) => [c.name, c.id]));
  const fields = new Map((await db.prisma.activityField.findMany()).map((f) => [f.name, f.id]));
  const lookup = (map: Map<string, number>, name: string, what: string) => {
    const id = map.get(name);
    if (id === undefined) throw new Error(`no ${what} named ${name} in the seed`);
    return id;
  };

  const created: AudienceNgo[] = [];
  for (const spec of specs) {
    const status = spec.status ?? 'APPROVED';
    const managerId = nextUserId++;
    const memberIds = Array.from({ length: spec.members ?? 0 }, () => nextUserId++);
    await db.prisma.user.createMany({
      data: [
        { id: BigInt(managerId), firstName: 'مدیر', lastName: spec.name, language: 'fa' },
        ...memberIds.map((id, i) => ({ id: BigInt(id), firstName: `عضو ${i + 1}`, lastName: spec.name, language: 'fa' })),
      ],
    });
    registration += 1;
    const decidedAt = status === 'PENDING' ? null : new Date();
    const ngo = await db.prisma.ngo.create({
      data: {
        name: spec.name,
        registrationNumber: String(90_000 + registration),
        authority: 'WELFARE',
        authorityKey: 'WELFARE',
        countyId: lookup(counties, spec.county, 'county'),
        managerName: 'مدیر آزمایشی',
        managerPhone: '+989121234567',
        status,
        reviewedAt: decidedAt,
        approvedAt: status === 'APPROVED' || status === 'SUSPENDED' ? decidedAt : null,
        fields: { create: spec.fields.map((name) => ({ fieldId: lookup(fields, name, 'field of activity') })) },
      },
    });
    await db.prisma.ngoMember.createMany({
      data: [
        { userId: BigInt(managerId), ngoId: ngo.id, role: 'MANAGER' as const },
        ...memberIds.map((id) => ({ userId: BigInt(id), ngoId: ngo.id, role: 'MEMBER' as const })),
      ],
    });
    created.push({ id: ngo.id, name: spec.name, county: spec.county, fields: spec.fields, status, managerId, memberIds, userIds: [managerId, ...memberIds] });
  }
  return created;
}

/** Who an announcement with this filter should reach, by the rules of issue 4. */
export function expectedRecipients(ngos: AudienceNgo[], filter: AudienceFilter = {}): number[] {
  const statuses = filter.statuses ?? ['APPROVED'];
  return ngos
    .filter((n) => statuses.includes(n.status))
    .filter((n) => !filter.counties?.length || filter.counties.includes(n.county))
    .filter((n) => !filter.fields?.length || n.fields.some((f) => filter.fields!.includes(f)))
    .flatMap((n) => (filter.managersOnly ? [n.managerId] : n.userIds))
    .sort((a, b) => a - b);
}
