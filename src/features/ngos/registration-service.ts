/**
 * An NGO's record as its manager makes it: registration, and edits afterwards. A submission (the first
 * one, or an edit that sends the NGO back to review) is stored with its notice to the reviewers in
 * one transaction, so the office cannot miss it.
 */
import { languageOr } from '../../platform/i18n/index.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { OutboxDb } from '../../platform/delivery/outbox.js';
import type { Language } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { reviewNotice } from './notices.js';
import { authorityKey, editNeedsReview, type Authority, type NgoRecord, type RegistrationDraft } from './rules.js';
import { isUniqueViolation, type NgoDeps, type NgoStore } from './store.js';
import { officeContactParams } from '../staff/index.js';

/** The province's admins and the admins of the NGO's county, one notice per language. */
async function notifyReviewers({ outbox, translator }: NgoDeps, ngo: NgoRecord, event: 'new' | 'edited', db: OutboxDb) {
  const reviewers = await db.admin.findMany({
    where: { OR: [{ role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, { role: 'COUNTY_ADMIN', countyId: ngo.countyId }] },
    include: { user: { select: { language: true } } },
  });
  const byLanguage = new Map<Language, bigint[]>();
  for (const r of reviewers) {
    const lang = languageOr(r.user.language);
    byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), r.userId]);
  }
  for (const [lang, recipients] of byLanguage) {
    await outbox.enqueue(
      {
        payload: reviewNotice(translator, lang, ngo, event),
        recipients,
        // One notice per registration and submission: a retried confirmation adds no second notice.
        dedupeKey: `ngo-review:${ngo.id}:${ngo.submittedAt.getTime()}:${lang}`,
        source: { type: 'ngo', id: String(ngo.id) },
      },
      db,
    );
  }
}

/** The registration use cases; each method is short, the factory is as long as they are together. */
export function createRegistrationService(deps: NgoDeps, store: NgoStore) {
  const { prisma, clock } = deps;

  const identity = (authority: Authority, authorityOther: string | null | undefined, registrationNumber: string) => ({
    authorityKey_registrationNumber: { authorityKey: authorityKey(authority, authorityOther), registrationNumber },
  });

  return {
    async referenceLists() {
      const [counties, fields] = await Promise.all([
        prisma.county.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
        prisma.activityField.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }], select: { id: true, name: true } }),
      ]);
      return { counties, fields };
    },

    /** An existing NGO with this number from this authority, to tell the user before they type the rest. */
    async findRegistered(authority: Authority, authorityOther: string | null | undefined, registrationNumber: string) {
      return prisma.ngo.findUnique({ where: identity(authority, authorityOther, registrationNumber), select: { id: true, name: true } });
    },

    /** One NGO per person, one NGO per (authority, number); the person becomes its manager. */
    async register(userId: bigint, draft: RegistrationDraft): Promise<NgoRecord> {
      if (await prisma.ngoMember.findUnique({ where: { userId } })) throw new AppError('ngo.errors.already_member');
      await store.checkReferences(draft);
      const existing = await prisma.ngo.findUnique({ where: identity(draft.authority, draft.authorityOther, draft.registrationNumber) });
      if (existing) throw new AppError('ngo.errors.duplicate', { name: existing.name });
      const now = clock.now();
      let ngoId: number;
      try {
        ngoId = await prisma.$transaction(async (tx) => {
          const ngo = await tx.ngo.create({ data: newRecord(draft, now) });
          await tx.ngoMember.create({ data: { userId, ngoId: ngo.id, role: 'MANAGER', joinedAt: now } });
          await recordAudit(tx, { actorId: userId, action: 'ngo.registered', entityType: 'ngo', entityId: String(ngo.id) });
          await notifyReviewers(deps, (await store.loadNgo(ngo.id, tx))!, 'new', tx);
          return ngo.id;
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          if (await prisma.ngoMember.findUnique({ where: { userId } })) throw new AppError('ngo.errors.already_member');
          throw new AppError('ngo.errors.duplicate', { name: draft.name });
        }
        throw err;
      }
      return (await store.loadNgo(ngoId))!;
    },

    /**
     * The manager edits the record. Whether the edit goes back to the office is editNeedsReview's
     * decision; either way it applies at once.
     */
    async updateProfile(managerId: bigint, change: Partial<RegistrationDraft>): Promise<{ ngo: NgoRecord; backToReview: boolean }> {
      const { ngo } = await store.requireManager(managerId);
      if (ngo.status === 'SUSPENDED') throw new AppError('ngo.errors.suspended', officeContactParams());
      if (change.countyId !== undefined || change.fieldIds !== undefined) {
        await store.checkReferences({ countyId: change.countyId ?? ngo.countyId, fieldIds: change.fieldIds ?? ngo.fieldIds });
      }
      const backToReview = editNeedsReview(ngo, change);
      const data = recordChange(ngo, change, backToReview ? clock.now() : null);
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
          if (backToReview) await notifyReviewers(deps, (await store.loadNgo(ngo.id, tx))!, 'edited', tx);
        });
      } catch (err) {
        if (isUniqueViolation(err)) throw new AppError('ngo.errors.duplicate', { name: change.name ?? ngo.name });
        throw err;
      }
      return { ngo: (await store.loadNgo(ngo.id))!, backToReview };
    },
  };
}

function newRecord(draft: RegistrationDraft, submittedAt: Date): Prisma.NgoUncheckedCreateInput {
  return {
    name: draft.name,
    registrationNumber: draft.registrationNumber,
    authority: draft.authority,
    authorityOther: draft.authority === 'OTHER' ? (draft.authorityOther ?? null) : null,
    authorityKey: authorityKey(draft.authority, draft.authorityOther),
    countyId: draft.countyId,
    foundedYear: draft.foundedYear ?? null,
    memberCount: draft.memberCount ?? null,
    managerName: draft.managerName,
    managerPhone: draft.managerPhone,
    description: draft.description ?? null,
    submittedAt,
    fields: { create: [...new Set(draft.fieldIds)].map((fieldId) => ({ fieldId })) },
  };
}

/** The columns an edit changes; `resubmittedAt` when it goes back to review (a new submission, undecided). */
export function recordChange(ngo: NgoRecord, change: Partial<RegistrationDraft>, resubmittedAt: Date | null): Prisma.NgoUncheckedUpdateManyInput {
  const authority = (change.authority ?? ngo.authority) as Authority;
  const authorityOther = change.authority !== undefined ? (change.authorityOther ?? null) : ngo.authorityOther;
  return {
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
    ...(resubmittedAt ? { status: 'PENDING', statusReason: null, reviewedBy: null, reviewedAt: null, submittedAt: resubmittedAt } : {}),
  };
}
