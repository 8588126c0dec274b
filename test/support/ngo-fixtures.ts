/**
 * NGOs, users and admins put straight into the database, so a test about reviewing does not have to
 * walk through the registration form first. Reference rows (counties, fields) come from the seed
 * migration, looked up by name as an admin would type them.
 */
import type { PrismaClient } from '../../src/platform/db/client.js';
import { authorityKey, type Authority } from '../../src/features/ngos/rules.js';
import type { RegistrationDraft } from '../../src/features/ngos/service.js';

type Db = { prisma: PrismaClient };
type Id = number | bigint;

export type NgoStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUSPENDED';

export interface NgoSpec {
  managerId: Id;
  name: string;
  /** Default: کرمان */
  countyName?: string;
  /** Default: PENDING */
  status?: NgoStatus;
  /** Default: now; set it to order the review queue. */
  submittedAt?: Date;
  /** Default: the first field of the seeded list. */
  fieldNames?: string[];
  registrationNumber?: string;
  authority?: Authority;
  managerFirstName?: string;
  managerLanguage?: 'fa' | 'en';
  statusReason?: string | null;
  reviewedBy?: Id | null;
  /** Ordinary members besides the manager, with their user rows. */
  members?: { id: Id; firstName?: string }[];
}

let sequence = 0;

/** A user row as the bot would have recorded it after the person's first message. */
export async function createUser(db: Db, id: Id, firstName = `User${String(id)}`, language: 'fa' | 'en' | null = 'fa') {
  return db.prisma.user.upsert({
    where: { id: BigInt(id) },
    create: { id: BigInt(id), firstName, language },
    update: {},
  });
}

export async function countyId(db: Db, name: string): Promise<number> {
  const county = await db.prisma.county.findUnique({ where: { name } });
  if (!county) throw new Error(`no county named ${name} in the seed`);
  return county.id;
}

/** An admin of the given role; county admins need the county's name. */
export async function createAdmin(db: Db, userId: Id, role: 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN', options: { countyName?: string; firstName?: string } = {}) {
  await createUser(db, userId, options.firstName);
  const county = role === 'COUNTY_ADMIN' ? await countyId(db, options.countyName ?? 'کرمان') : null;
  return db.prisma.admin.create({ data: { userId: BigInt(userId), role, countyId: county } });
}

/** The NGO with its fields, its manager's user row and the manager's membership (and its members'). */
export async function createNgo(db: Db, spec: NgoSpec): Promise<{ id: number; name: string }> {
  sequence += 1;
  await createUser(db, spec.managerId, spec.managerFirstName ?? `Manager${String(spec.managerId)}`, spec.managerLanguage ?? 'fa');
  const county = await countyId(db, spec.countyName ?? 'کرمان');
  const fields = spec.fieldNames
    ? await db.prisma.activityField.findMany({ where: { name: { in: spec.fieldNames } } })
    : await db.prisma.activityField.findMany({ orderBy: { sortOrder: 'asc' }, take: 1 });
  if (fields.length === 0) throw new Error('no activity field found for the fixture');
  const authority = spec.authority ?? 'WELFARE';
  const status = spec.status ?? 'PENDING';
  const submittedAt = spec.submittedAt ?? new Date();
  const decided = status !== 'PENDING';
  const ngo = await db.prisma.ngo.create({
    data: {
      name: spec.name,
      registrationNumber: spec.registrationNumber ?? String(70_000 + sequence),
      authority,
      authorityKey: authorityKey(authority),
      countyId: county,
      managerName: 'مدیر آزمایشی',
      managerPhone: '+989121234567',
      status,
      statusReason: spec.statusReason ?? null,
      reviewedBy: spec.reviewedBy === undefined || spec.reviewedBy === null ? null : BigInt(spec.reviewedBy),
      reviewedAt: decided ? submittedAt : null,
      approvedAt: status === 'APPROVED' || status === 'SUSPENDED' ? submittedAt : null,
      submittedAt,
      fields: { create: fields.map((f) => ({ fieldId: f.id })) },
    },
  });
  await db.prisma.ngoMember.create({ data: { userId: BigInt(spec.managerId), ngoId: ngo.id, role: 'MANAGER', joinedAt: submittedAt } });
  for (const member of spec.members ?? []) {
    await createUser(db, member.id, member.firstName);
    await db.prisma.ngoMember.create({ data: { userId: BigInt(member.id), ngoId: ngo.id, role: 'MEMBER' } });
  }
  return { id: ngo.id, name: ngo.name };
}

/**
 * A complete, valid draft for `services.ngos.register`, which also sends the reviewers' real notice.
 * Ids come from the service's own reference lists, as the registration form would use them.
 */
export async function registrationDraft(
  ngos: { referenceLists(): Promise<{ counties: { id: number; name: string }[]; fields: { id: number; name: string }[] }> },
  overrides: Partial<RegistrationDraft> & { countyName?: string } = {},
): Promise<RegistrationDraft> {
  sequence += 1;
  const { counties, fields } = await ngos.referenceLists();
  const { countyName, ...rest } = overrides;
  const county = counties.find((c) => c.name === (countyName ?? 'کرمان'));
  if (!county) throw new Error(`no county named ${countyName ?? 'کرمان'}`);
  return {
    name: `انجمن آزمایشی ${sequence}`,
    registrationNumber: String(80_000 + sequence),
    authority: 'WELFARE',
    fieldIds: [fields[0]!.id],
    countyId: county.id,
    managerName: 'زهرا احمدی',
    managerPhone: '+989131234567',
    ...rest,
  };
}
