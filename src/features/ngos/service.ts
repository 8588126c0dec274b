/**
 * The life of an NGO in the system: registration by its manager, review by the office, members who
 * join through the manager's invite link, profile edits. Everything an NGO later receives (courses,
 * announcements, deadlines) goes to approved NGOs only, so these rules keep the data clean.
 */
import { randomBytes } from 'node:crypto';
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox, OutboxDb } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import { authorityKey, type Authority } from './rules.js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, type Language, type Translator } from '../../platform/i18n/index.js';
import { renderNgoSummary, type NgoFacts } from './notices.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';

export interface RegistrationDraft {
  name: string;
  registrationNumber: string;
  authority: Authority;
  authorityOther?: string | null;
  fieldIds: number[];
  countyId: number;
  foundedYear?: number | null;
  memberCount?: number | null;
  managerName: string;
  managerPhone: string;
  description?: string | null;
}

export type EditableField = Exclude<keyof RegistrationDraft, 'authorityOther'>;

export interface NgoRecord extends NgoFacts {
  id: number;
  status: 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUSPENDED';
  countyId: number;
  fieldIds: number[];
  reviewedBy: bigint | null;
  submittedAt: Date;
}

export interface Membership {
  ngo: NgoRecord;
  role: 'MANAGER' | 'MEMBER';
}

const ngoInclude = { county: true, fields: { include: { field: true }, orderBy: { field: { sortOrder: 'asc' } } } } as const;
type NgoRow = Prisma.NgoGetPayload<{ include: typeof ngoInclude }>;

/** Names and reasons typed by people go into HTML messages: escape them, or the Bot API refuses the message. */
function escapeAll(params: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(params).map(([k, v]) => [k, escapeHtml(v)]));
}

function toRecord(row: NgoRow): NgoRecord {
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

export const REVIEW_ACTIONS = { approve: 'ngo_ok', reject: 'ngo_no' } as const;

/**
 * Which submission a review button was made for: an NGO edited back to review is a new submission, and
 * a button under the old notice must not approve data the admin never saw.
 */
export function submissionVersion(ngo: { submittedAt: Date }): string {
  return Math.floor(ngo.submittedAt.getTime() / 1000).toString(36);
}

export function createNgoService(deps: { prisma: PrismaClient; outbox: Outbox; translator: Translator; clock: Clock }) {
  const { prisma, outbox, translator, clock } = deps;

  const languageOf = (language: string | null | undefined): Language => (isLanguage(language) ? language : DEFAULT_LANGUAGE);

  async function loadNgo(id: number, db: OutboxDb = prisma): Promise<NgoRecord | null> {
    const row = await db.ngo.findUnique({ where: { id }, include: ngoInclude });
    return row ? toRecord(row) : null;
  }

  async function membershipOf(userId: bigint): Promise<Membership | null> {
    const member = await prisma.ngoMember.findUnique({ where: { userId }, include: { ngo: { include: ngoInclude } } });
    return member ? { ngo: toRecord(member.ngo), role: member.role } : null;
  }

  async function requireManager(userId: bigint): Promise<Membership> {
    const membership = await membershipOf(userId);
    if (!membership) throw new AppError('ngo.errors.no_ngo');
    if (membership.role !== 'MANAGER') throw new AppError('ngo.errors.manager_only');
    return membership;
  }

  /** The admin's role, and for county admins their county: re-read on every decision. */
  async function requireReviewer(adminId: bigint, ngoCountyId?: number) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    if (admin.role === 'COUNTY_ADMIN' && ngoCountyId !== undefined && admin.countyId !== ngoCountyId) {
      throw new AppError('ngo.review.other_county');
    }
    return admin;
  }

  async function checkReferences(draft: Pick<RegistrationDraft, 'countyId' | 'fieldIds'>) {
    const county = await prisma.county.findFirst({ where: { id: draft.countyId, active: true } });
    const fields = await prisma.activityField.count({ where: { id: { in: draft.fieldIds }, active: true } });
    if (!county || draft.fieldIds.length === 0 || fields !== new Set(draft.fieldIds).size) {
      throw new AppError('ngo.errors.stale_choice');
    }
  }

  /** Who reviews this NGO: the province's admins and the admins of its county. */
  async function reviewersOf(countyId: number, db: OutboxDb) {
    return db.admin.findMany({
      where: { OR: [{ role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, { role: 'COUNTY_ADMIN', countyId }] },
      include: { user: { select: { language: true } } },
    });
  }

  /** In the transaction that made the submission, so a crash cannot leave it without a notice. */
  async function notifyReviewers(ngo: NgoRecord, event: 'new' | 'edited', db: OutboxDb) {
    const reviewers = await reviewersOf(ngo.countyId, db);
    const byLanguage = new Map<Language, bigint[]>();
    for (const r of reviewers) {
      const lang = languageOf(r.user.language);
      byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), r.userId]);
    }
    for (const [lang, recipients] of byLanguage) {
      const t = translator.fixed(lang) as (key: string, o?: Record<string, unknown>) => string;
      await outbox.enqueue(
        {
          payload: {
            kind: 'TEXT',
            parseMode: 'HTML',
            text: `${t(`ngo.review.${event}_title`)}\n\n${renderNgoSummary(t, lang, ngo)}`,
            replyMarkup: reviewKeyboard(lang, ngo.id, submissionVersion(ngo)),
          },
          recipients,
          // One notice per registration and submission: a retried confirmation adds no second notice.
          dedupeKey: `ngo-review:${ngo.id}:${ngo.submittedAt.getTime()}:${lang}`,
          source: { type: 'ngo', id: String(ngo.id) },
        },
        db,
      );
    }
  }

  function reviewKeyboard(lang: Language, ngoId: number, version: string) {
    return {
      inline_keyboard: [
        [
          { text: translator.t(lang, 'ngo.review.approve_button'), callback_data: `${REVIEW_ACTIONS.approve}:${ngoId}-${version}` },
          { text: translator.t(lang, 'ngo.review.reject_button'), callback_data: `${REVIEW_ACTIONS.reject}:${ngoId}-${version}` },
        ],
      ],
    };
  }

  /**
   * Tells the NGO's manager (in their language) through the outbox. Given the transaction of the
   * change it reports, the notice commits with the change or not at all (invariant 1).
   */
  async function notifyManager(
    ngoId: number,
    key: string,
    params: Record<string, unknown>,
    dedupeKey: string,
    db: OutboxDb = prisma,
  ) {
    const manager = await db.ngoMember.findFirst({ where: { ngoId, role: 'MANAGER' }, include: { user: true } });
    if (!manager) return;
    const lang = languageOf(manager.user.language);
    await outbox.enqueue(
      {
        payload: { kind: 'TEXT', parseMode: 'HTML', text: translator.t(lang, key, escapeAll(params)) },
        recipients: [manager.userId],
        dedupeKey,
        source: { type: 'ngo', id: String(ngoId) },
      },
      db,
    );
  }

  async function adminName(adminId: bigint | null): Promise<string> {
    if (!adminId) return '—';
    const user = await prisma.user.findUnique({ where: { id: adminId } });
    return user ? [user.firstName, user.lastName].filter(Boolean).join(' ') : String(adminId);
  }

  /**
   * A decision happens once: the update only applies while the NGO is in the state the decision
   * expects, so a double tap or two admins at once give one decision and a polite answer to the other.
   */
  async function decide(
    adminId: bigint,
    ngoId: number,
    from: NgoRecord['status'],
    to: NgoRecord['status'],
    reason: string | null,
    action: string,
    notice: { key: string; params: (ngo: NgoRecord) => Record<string, unknown>; dedupeKey: (ngo: NgoRecord) => string },
    expectedVersion?: string,
  ): Promise<NgoRecord> {
    const ngo = await loadNgo(ngoId);
    if (!ngo) throw new AppError('ngo.errors.not_found');
    await requireReviewer(adminId, ngo.countyId);
    if (expectedVersion !== undefined && ngo.status === from && submissionVersion(ngo) !== expectedVersion) {
      throw new AppError('review.outdated_submission');
    }
    const now = clock.now();
    const changed = await prisma.$transaction(async (tx) => {
      const { count } = await tx.ngo.updateMany({
        where: { id: ngoId, status: from },
        data: {
          status: to,
          statusReason: reason,
          reviewedBy: adminId,
          reviewedAt: now,
          ...(to === 'APPROVED' && from === 'PENDING' ? { approvedAt: now } : {}),
        },
      });
      if (count === 1) {
        await recordAudit(tx, { actorId: adminId, action, entityType: 'ngo', entityId: String(ngoId), details: { from, to, reason } });
        await notifyManager(ngoId, notice.key, notice.params(ngo), notice.dedupeKey(ngo), tx);
      }
      return count === 1;
    });
    const current = (await loadNgo(ngoId))!;
    if (!changed) {
      throw new AppError('ngo.review.already_decided', {
        by: await adminName(current.reviewedBy),
        status: current.status,
      });
    }
    return current;
  }

  return {
    membershipOf,
    loadNgo,

    async referenceLists() {
      const [counties, fields] = await Promise.all([
        prisma.county.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
        prisma.activityField.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
      ]);
      return { counties, fields };
    },

    /** An existing NGO with this number from this authority, to tell the user before they type the rest. */
    async findRegistered(authority: Authority, authorityOther: string | null | undefined, registrationNumber: string) {
      return prisma.ngo.findUnique({
        where: { authorityKey_registrationNumber: { authorityKey: authorityKey(authority, authorityOther), registrationNumber } },
        select: { id: true, name: true },
      });
    },

    async register(userId: bigint, draft: RegistrationDraft): Promise<NgoRecord> {
      if (await prisma.ngoMember.findUnique({ where: { userId } })) throw new AppError('ngo.errors.already_member');
      await checkReferences(draft);
      const key = authorityKey(draft.authority, draft.authorityOther);
      const existing = await prisma.ngo.findUnique({
        where: { authorityKey_registrationNumber: { authorityKey: key, registrationNumber: draft.registrationNumber } },
      });
      if (existing) throw new AppError('ngo.errors.duplicate', { name: existing.name });
      const now = clock.now();
      let ngoId: number;
      try {
        ngoId = await prisma.$transaction(async (tx) => {
          const ngo = await tx.ngo.create({
            data: {
              name: draft.name,
              registrationNumber: draft.registrationNumber,
              authority: draft.authority,
              authorityOther: draft.authority === 'OTHER' ? (draft.authorityOther ?? null) : null,
              authorityKey: key,
              countyId: draft.countyId,
              foundedYear: draft.foundedYear ?? null,
              memberCount: draft.memberCount ?? null,
              managerName: draft.managerName,
              managerPhone: draft.managerPhone,
              description: draft.description ?? null,
              submittedAt: now,
              fields: { create: [...new Set(draft.fieldIds)].map((fieldId) => ({ fieldId })) },
            },
          });
          await tx.ngoMember.create({ data: { userId, ngoId: ngo.id, role: 'MANAGER', joinedAt: now } });
          await recordAudit(tx, { actorId: userId, action: 'ngo.registered', entityType: 'ngo', entityId: String(ngo.id) });
          await notifyReviewers((await loadNgo(ngo.id, tx))!, 'new', tx);
          return ngo.id;
        });
      } catch (err) {
        // Two submissions racing past the checks above: the unique keys decide, the loser is told why.
        if ((err as { code?: string }).code === 'P2002') {
          if (await prisma.ngoMember.findUnique({ where: { userId } })) throw new AppError('ngo.errors.already_member');
          throw new AppError('ngo.errors.duplicate', { name: draft.name });
        }
        throw err;
      }
      return (await loadNgo(ngoId))!;
    },

    approve(adminId: bigint, ngoId: number, version?: string): Promise<NgoRecord> {
      return decide(adminId, ngoId, 'PENDING', 'APPROVED', null, 'ngo.approved', {
        key: 'ngo.review.approved_notice',
        params: (ngo) => ({ name: ngo.name }),
        dedupeKey: (ngo) => `ngo-decision:${ngoId}:${ngo.submittedAt.getTime()}`,
      }, version);
    },

    reject(adminId: bigint, ngoId: number, reason: string, version?: string): Promise<NgoRecord> {
      return decide(adminId, ngoId, 'PENDING', 'REJECTED', reason, 'ngo.rejected', {
        key: 'ngo.review.rejected_notice',
        params: (ngo) => ({ name: ngo.name, reason }),
        dedupeKey: (ngo) => `ngo-decision:${ngoId}:${ngo.submittedAt.getTime()}`,
      }, version);
    },

    suspend(adminId: bigint, ngoId: number, reason: string): Promise<NgoRecord> {
      return decide(adminId, ngoId, 'APPROVED', 'SUSPENDED', reason, 'ngo.suspended', {
        key: 'ngo.review.suspended_notice',
        params: (ngo) => ({ name: ngo.name, reason }),
        dedupeKey: () => `ngo-suspended:${ngoId}:${clock.now().getTime()}`,
      });
    },

    reactivate(adminId: bigint, ngoId: number): Promise<NgoRecord> {
      return decide(adminId, ngoId, 'SUSPENDED', 'APPROVED', null, 'ngo.reactivated', {
        key: 'ngo.review.reactivated_notice',
        params: (ngo) => ({ name: ngo.name }),
        dedupeKey: () => `ngo-reactivated:${ngoId}:${clock.now().getTime()}`,
      });
    },

    /** Registrations waiting for review, oldest first; county admins see their county only. */
    async pending(adminId: bigint, page: number, pageSize: number) {
      const admin = await requireReviewer(adminId);
      const where: Prisma.NgoWhereInput = {
        status: 'PENDING',
        ...(admin.role === 'COUNTY_ADMIN' ? { countyId: admin.countyId ?? -1 } : {}),
      };
      const [total, rows] = await Promise.all([
        prisma.ngo.count({ where }),
        prisma.ngo.findMany({ where, orderBy: [{ submittedAt: 'asc' }, { id: 'asc' }], skip: page * pageSize, take: pageSize, include: ngoInclude }),
      ]);
      return { total, items: rows.map(toRecord) };
    },

    /** For an admin's view of one NGO (county admins: their county only). */
    async viewForAdmin(adminId: bigint, ngoId: number): Promise<NgoRecord> {
      const ngo = await loadNgo(ngoId);
      if (!ngo) throw new AppError('ngo.errors.not_found');
      await requireReviewer(adminId, ngo.countyId);
      return ngo;
    },

    async memberCount(ngoId: number): Promise<number> {
      return prisma.ngoMember.count({ where: { ngoId } });
    },

    // ---- membership -------------------------------------------------------------------------

    /** The manager's invite token, made on first use. */
    async inviteToken(managerId: bigint): Promise<string> {
      const { ngo } = await requireManager(managerId);
      const current = await prisma.ngo.findUnique({ where: { id: ngo.id }, select: { inviteToken: true } });
      if (current?.inviteToken) return current.inviteToken;
      const token = randomBytes(12).toString('base64url');
      await prisma.ngo.updateMany({ where: { id: ngo.id, inviteToken: null }, data: { inviteToken: token } });
      return (await prisma.ngo.findUnique({ where: { id: ngo.id }, select: { inviteToken: true } }))!.inviteToken!;
    },

    /** A new token: links already shared stop working. */
    async revokeInvite(managerId: bigint): Promise<string> {
      const { ngo } = await requireManager(managerId);
      const token = randomBytes(12).toString('base64url');
      await prisma.ngo.update({ where: { id: ngo.id }, data: { inviteToken: token } });
      await recordAudit(prisma, { actorId: managerId, action: 'ngo.invite_revoked', entityType: 'ngo', entityId: String(ngo.id) });
      return token;
    },

    async joinByInvite(userId: bigint, token: string): Promise<NgoRecord> {
      const ngo = await prisma.ngo.findUnique({ where: { inviteToken: token }, include: ngoInclude });
      if (!ngo || ngo.status === 'REJECTED' || ngo.status === 'SUSPENDED') throw new AppError('ngo.membership.invalid_invite');
      const existing = await prisma.ngoMember.findUnique({ where: { userId } });
      if (existing?.ngoId === ngo.id) throw new AppError('ngo.membership.already_in_this', { name: ngo.name });
      if (existing) throw new AppError('ngo.errors.already_member');
      try {
        await prisma.$transaction(async (tx) => {
          await tx.ngoMember.create({ data: { userId, ngoId: ngo.id, role: 'MEMBER', joinedAt: clock.now() } });
          await recordAudit(tx, { actorId: userId, action: 'ngo.member_joined', entityType: 'ngo', entityId: String(ngo.id) });
          const joined = await tx.user.findUnique({ where: { id: userId } });
          const key = `ngo-joined:${ngo.id}:${userId}:${clock.now().getTime()}`;
          await notifyManager(ngo.id, 'ngo.membership.joined_notice', { name: joined?.firstName ?? '' }, key, tx);
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') throw new AppError('ngo.errors.already_member');
        throw err;
      }
      return toRecord(ngo);
    },

    async listMembers(managerId: bigint) {
      const { ngo } = await requireManager(managerId);
      const members = await prisma.ngoMember.findMany({ where: { ngoId: ngo.id }, include: { user: true }, orderBy: [{ role: 'asc' }, { joinedAt: 'asc' }] });
      return members.map((m) => ({
        userId: m.userId,
        name: [m.user.firstName, m.user.lastName].filter(Boolean).join(' '),
        username: m.user.username,
        role: m.role,
        joinedAt: m.joinedAt,
      }));
    },

    async removeMember(managerId: bigint, memberId: bigint): Promise<string> {
      const { ngo } = await requireManager(managerId);
      if (memberId === managerId) throw new AppError('ngo.membership.manager_cannot_leave');
      const member = await prisma.ngoMember.findUnique({ where: { userId: memberId }, include: { user: true } });
      if (!member || member.ngoId !== ngo.id) throw new AppError('ngo.membership.not_a_member');
      const lang = languageOf(member.user.language);
      await prisma.$transaction(async (tx) => {
        await tx.ngoMember.deleteMany({ where: { userId: memberId, ngoId: ngo.id } });
        await recordAudit(tx, { actorId: managerId, action: 'ngo.member_removed', entityType: 'ngo', entityId: String(ngo.id), details: { member: String(memberId) } });
        await outbox.enqueue(
          {
            payload: { kind: 'TEXT', parseMode: 'HTML', text: translator.t(lang, 'ngo.membership.removed_notice', { name: escapeHtml(ngo.name) }) },
            recipients: [memberId],
            dedupeKey: `ngo-removed:${ngo.id}:${memberId}:${clock.now().getTime()}`,
          },
          tx,
        );
      });
      return member.user.firstName;
    },

    async leave(userId: bigint): Promise<NgoRecord> {
      const membership = await membershipOf(userId);
      if (!membership) throw new AppError('ngo.errors.no_ngo');
      if (membership.role === 'MANAGER') throw new AppError('ngo.membership.manager_cannot_leave');
      await prisma.$transaction(async (tx) => {
        await tx.ngoMember.deleteMany({ where: { userId, ngoId: membership.ngo.id } });
        await recordAudit(tx, { actorId: userId, action: 'ngo.member_left', entityType: 'ngo', entityId: String(membership.ngo.id) });
      });
      return membership.ngo;
    },

    /**
     * The manager edits the record. Changing what identifies the NGO (name, registration number,
     * licensing authority) sends it back to review; other edits apply at once.
     */
    async updateProfile(managerId: bigint, change: Partial<RegistrationDraft>): Promise<{ ngo: NgoRecord; backToReview: boolean }> {
      const { ngo } = await requireManager(managerId);
      if (ngo.status === 'SUSPENDED') throw new AppError('ngo.errors.suspended');
      if (change.countyId !== undefined || change.fieldIds !== undefined) {
        await checkReferences({ countyId: change.countyId ?? ngo.countyId, fieldIds: change.fieldIds ?? ngo.fieldIds });
      }
      const identityChanged =
        (change.name !== undefined && change.name !== ngo.name) ||
        (change.registrationNumber !== undefined && change.registrationNumber !== ngo.registrationNumber) ||
        (change.authority !== undefined &&
          authorityKey(change.authority, change.authorityOther) !== authorityKey(ngo.authority as Authority, ngo.authorityOther));
      // A rejected registration that is corrected goes back to the office too.
      const backToReview = identityChanged || ngo.status === 'REJECTED';
      const authority = (change.authority ?? ngo.authority) as Authority;
      const authorityOther = change.authority !== undefined ? (change.authorityOther ?? null) : ngo.authorityOther;
      const now = clock.now();
      const data: Prisma.NgoUncheckedUpdateInput = {
        ...(change.name !== undefined ? { name: change.name } : {}),
        ...(change.registrationNumber !== undefined ? { registrationNumber: change.registrationNumber } : {}),
        ...(change.authority !== undefined
          ? { authority, authorityOther: authority === 'OTHER' ? authorityOther : null, authorityKey: authorityKey(authority, authorityOther) }
          : {}),
        ...(change.countyId !== undefined ? { countyId: change.countyId } : {}),
        ...(change.foundedYear !== undefined ? { foundedYear: change.foundedYear } : {}),
        ...(change.memberCount !== undefined ? { memberCount: change.memberCount } : {}),
        ...(change.managerName !== undefined ? { managerName: change.managerName } : {}),
        ...(change.managerPhone !== undefined ? { managerPhone: change.managerPhone } : {}),
        ...(change.description !== undefined ? { description: change.description } : {}),
        ...(backToReview ? { status: 'PENDING', statusReason: null, reviewedBy: null, reviewedAt: null, submittedAt: now } : {}),
      };
      try {
        await prisma.$transaction(async (tx) => {
          await tx.ngo.update({ where: { id: ngo.id }, data });
          if (change.fieldIds !== undefined) {
            await tx.ngoField.deleteMany({ where: { ngoId: ngo.id } });
            await tx.ngoField.createMany({ data: [...new Set(change.fieldIds)].map((fieldId) => ({ ngoId: ngo.id, fieldId })) });
          }
          await recordAudit(tx, {
            actorId: managerId,
            action: 'ngo.edited',
            entityType: 'ngo',
            entityId: String(ngo.id),
            details: { fields: Object.keys(change), backToReview },
          });
          if (backToReview) await notifyReviewers((await loadNgo(ngo.id, tx))!, 'edited', tx);
        });
      } catch (err) {
        if ((err as { code?: string }).code === 'P2002') throw new AppError('ngo.errors.duplicate', { name: change.name ?? ngo.name });
        throw err;
      }
      return { ngo: (await loadNgo(ngo.id))!, backToReview };
    },

    renderSummary(lang: Language, ngo: NgoFacts, options?: { withPhone?: boolean }) {
      return renderNgoSummary(translator.fixed(lang) as (key: string, o?: Record<string, unknown>) => string, lang, ngo, options);
    },
  };
}

export type NgoService = ReturnType<typeof createNgoService>;
