/**
 * Training needs (نیازهای آموزشی): an approved NGO tells the office what training it needs, and the
 * office reads the demand grouped by topic and by county before it plans courses.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Db } from './course-store.js';
import type { Clock } from '../../platform/text/clock.js';
import {
  aggregateDemand,
  ALL_NGOS,
  validateNeedDescription,
  validateNeedParticipants,
  validateOtherTopic,
  type DemandRow,
  type Eligibility,
  type TrainingFormat,
} from './rules.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import type { SqlReader } from '../../platform/db/reader.js';
import { approvedMembershipOf } from './membership.js';
import { memberNgos } from './open-courses.js';

export interface NeedDraft {
  /** A topic of the list, or null with otherTopic for "other". */
  topicId: number | null;
  otherTopic?: string | null;
  description: string;
  participants: number;
  format: TrainingFormat;
}

export interface NeedView {
  id: number;
  topic: string;
  isOther: boolean;
  description: string;
  participants: number;
  format: TrainingFormat;
  status: 'OPEN' | 'WITHDRAWN' | 'FULFILLED';
  createdAt: Date;
}

export interface NeedDetail extends NeedView {
  ngoId: number;
  ngoName: string;
  county: string;
}

export type DemandGroup = { kind: 'topic'; topicId: number | null } | { kind: 'county'; countyId: number };

export interface Demand {
  byTopic: DemandRow<{ topicId: number | null; name: string }>[];
  byCounty: DemandRow<{ countyId: number; name: string }>[];
  totals: { ngos: number; people: number; requests: number };
}

/** The admin, read from the database on every call (invariant 4). */
export async function requireOfficeAdmin(prisma: PrismaClient, adminId: bigint) {
  const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
  if (!admin) throw new AppError('common.errors.not_admin');
  return admin;
}

/**
 * NGOs with an open need on this topic declared before `before` (the course's publication), among
 * those the course is for: they are told first and may enrol during the head start.
 */
export async function requesterNgoIds(db: Db, topicId: number | null, before: Date, eligibility: Eligibility = ALL_NGOS): Promise<Set<number>> {
  if (topicId === null) return new Set();
  const rows = await db.trainingNeed.findMany({
    where: {
      topicId,
      status: 'OPEN',
      createdAt: { lte: before },
      ngo: {
        status: 'APPROVED',
        ...(eligibility.countyIds.length ? { countyId: { in: eligibility.countyIds } } : {}),
        ...(eligibility.fieldIds.length ? { fields: { some: { fieldId: { in: eligibility.fieldIds } } } } : {}),
      },
    },
    select: { ngoId: true },
    distinct: ['ngoId'],
  });
  return new Set(rows.map((r) => r.ngoId));
}

type NeedRow = {
  id: number;
  topicId: number | null;
  otherTopic: string | null;
  description: string;
  participants: number;
  format: TrainingFormat;
  status: 'OPEN' | 'WITHDRAWN' | 'FULFILLED';
  createdAt: Date;
  topic: { name: string } | null;
};

function toView(row: NeedRow): NeedView {
  return {
    id: row.id,
    topic: row.topic?.name ?? row.otherTopic ?? '—',
    isOther: row.topicId === null,
    description: row.description,
    participants: row.participants,
    format: row.format,
    status: row.status,
    createdAt: row.createdAt,
  };
}

/** A factory that only binds the dependencies: each use case in it is a short function of its own. */
export function createTrainingService(deps: { prisma: PrismaClient; sql: SqlReader; clock: Clock }) {
  const { prisma, clock } = deps;
  const memberNgoOf = memberNgos(deps.sql);

  /** County admins see the demand of their own county only. */
  function scopeOf(admin: { role: string; countyId: number | null }) {
    return admin.role === 'COUNTY_ADMIN' ? { countyId: admin.countyId ?? -1 } : {};
  }

  async function openNeedsFor(admin: { role: string; countyId: number | null }) {
    return prisma.trainingNeed.findMany({
      where: { status: 'OPEN', ngo: { status: 'APPROVED', ...scopeOf(admin) } },
      include: { topic: true, ngo: { include: { county: true } } },
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    });
  }

  return {
    async topics() {
      return prisma.trainingTopic.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true } });
    },

    /** Fails with the reason when the user may not use course features (no NGO, or not approved). */
    async assertCanRequest(userId: bigint): Promise<void> {
      await memberNgoOf(userId);
    },

    async requestTraining(userId: bigint, draft: NeedDraft): Promise<NeedView> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      // The form validated already; a use case called from elsewhere gets the same rules.
      const description = validateNeedDescription(draft.description);
      const participants = validateNeedParticipants(String(draft.participants));
      if (!description.ok || !participants.ok || (draft.format !== 'IN_PERSON' && draft.format !== 'ONLINE')) {
        throw new AppError('courses.need.errors.invalid');
      }
      let otherTopic: string | null = null;
      if (draft.topicId === null) {
        const other = validateOtherTopic(draft.otherTopic ?? '');
        if (!other.ok) throw new AppError('courses.need.errors.invalid');
        otherTopic = other.value;
      } else {
        const topic = await prisma.trainingTopic.findFirst({ where: { id: draft.topicId, active: true } });
        if (!topic) throw new AppError('courses.need.errors.stale_topic');
        // One open request per topic: the office counts NGOs, a second request would only add noise.
        const open = await prisma.trainingNeed.findFirst({ where: { ngoId: ngo.id, topicId: draft.topicId, status: 'OPEN' } });
        if (open) throw new AppError('courses.need.errors.duplicate', { id: open.id, topic: topic.name });
      }
      const need = await prisma.$transaction(async (tx) => {
        const created = await tx.trainingNeed.create({
          data: {
            ngoId: ngo.id,
            topicId: draft.topicId,
            otherTopic,
            description: description.value,
            participants: participants.value,
            format: draft.format,
            createdBy: userId,
            createdAt: clock.now(),
          },
          include: { topic: true },
        });
        await recordAudit(tx, { actorId: userId, action: 'training_need.created', entityType: 'training_need', entityId: String(created.id), details: { ngoId: ngo.id } });
        return created;
      });
      return toView(need);
    },

    /** The NGO's open requests, newest first: any member sees the NGO's requests. */
    async openNeeds(userId: bigint): Promise<NeedView[]> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      const rows = await prisma.trainingNeed.findMany({
        where: { ngoId: ngo.id, status: 'OPEN' },
        include: { topic: true },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
      return rows.map(toView);
    },

    async withdraw(userId: bigint, needId: number): Promise<NeedView> {
      const { ngo } = await approvedMembershipOf(prisma, userId);
      const changed = await prisma.$transaction(async (tx) => {
        const { count } = await tx.trainingNeed.updateMany({ where: { id: needId, ngoId: ngo.id, status: 'OPEN' }, data: { status: 'WITHDRAWN' } });
        if (count === 1) {
          await recordAudit(tx, { actorId: userId, action: 'training_need.withdrawn', entityType: 'training_need', entityId: String(needId), details: { ngoId: ngo.id } });
        }
        return count === 1;
      });
      const need = await prisma.trainingNeed.findFirst({ where: { id: needId, ngoId: ngo.id }, include: { topic: true } });
      if (!need) throw new AppError('courses.need.errors.not_found');
      if (!changed) throw new AppError('courses.need.errors.not_open');
      return toView(need);
    },

    /** Open needs of approved NGOs, by topic and by county, the groups with the newest request first. */
    async demand(adminId: bigint): Promise<Demand> {
      const admin = await requireOfficeAdmin(prisma, adminId);
      const needs = await openNeedsFor(admin);
      const topicNames = new Map(needs.map((n) => [n.topicId, n.topic?.name ?? null]));
      const countyNames = new Map(needs.map((n) => [n.ngo.countyId, n.ngo.county.name]));
      const byTopic = aggregateDemand(needs, (n) => n.topicId).map((row) => ({
        ...row,
        key: { topicId: row.key, name: topicNames.get(row.key) ?? '' },
      }));
      const byCounty = aggregateDemand(needs, (n) => n.ngo.countyId).map((row) => ({
        ...row,
        key: { countyId: row.key, name: countyNames.get(row.key) ?? '' },
      }));
      const totals = { ngos: new Set(needs.map((n) => n.ngoId)).size, people: needs.reduce((s, n) => s + n.participants, 0), requests: needs.length };
      return { byTopic, byCounty, totals };
    },

    /** The requests behind one row of the demand, newest first. */
    async demandDetail(adminId: bigint, group: DemandGroup, limit = 30): Promise<{ title: string | null; total: number; items: NeedDetail[] }> {
      const admin = await requireOfficeAdmin(prisma, adminId);
      const needs = (await openNeedsFor(admin)).filter((n) => (group.kind === 'topic' ? n.topicId === group.topicId : n.ngo.countyId === group.countyId));
      let title: string | null = null;
      if (group.kind === 'topic' && group.topicId !== null) title = (await prisma.trainingTopic.findUnique({ where: { id: group.topicId } }))?.name ?? null;
      if (group.kind === 'county') title = (await prisma.county.findUnique({ where: { id: group.countyId } }))?.name ?? null;
      if (group.kind === 'county' && admin.role === 'COUNTY_ADMIN' && admin.countyId !== group.countyId) throw new AppError('courses.errors.other_county');
      return {
        title,
        total: needs.length,
        items: needs.slice(0, limit).map((n) => ({ ...toView(n), ngoId: n.ngoId, ngoName: n.ngo.name, county: n.ngo.county.name })),
      };
    },
  };
}

export type TrainingService = ReturnType<typeof createTrainingService>;
