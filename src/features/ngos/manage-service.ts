/**
 * The office's management of one NGO: its profile for staff (record, members, courses, feedback,
 * deadlines), its member list, and corrections of its record. Every call re-reads the staff member's
 * role and county (a county admin reaches only their county's NGOs); an edit applies only to the
 * version of the NGO the admin saw, is audited with the old and new values and told to the manager,
 * all in one transaction.
 */
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';
import { startOfTehranDay } from '../../platform/text/jalali.js';
import { coversCounty, staffMember } from '../staff/index.js';
import { recordChanges, recordVersion, STAFF_EDITABLE, versionTime, type ItemChange } from './manage-rules.js';
import { staffEditNotice } from './manage-notices.js';
import type { MemberView } from './notices.js';
import { recordChange } from './registration-service.js';
import { authorityKey, type Authority, type NgoRecord, type RegistrationDraft } from './rules.js';
import { isUniqueViolation, type NgoDeps, type NgoStore } from './store.js';

/** How many of each list the profile shows; the member list has its own pages. */
const PROFILE_MEMBERS = 5;
const PROFILE_COURSES = 5;
const PROFILE_DEADLINES = 5;

export interface StaffProfile {
  ngo: NgoRecord;
  /** The version its buttons name (see recordVersion). */
  version: string;
  members: { total: number; first: MemberView[] };
  courses: {
    total: number;
    recent: { title: string; startsAt: Date; courseStatus: string; status: string; participants: number; attended: boolean | null }[];
  };
  /** Items sent in the NGO's name; anonymous ones are never counted here (they are not tied to an NGO for staff). */
  feedback: { total: number; byStatus: Record<string, number> };
  deadlines: {
    total: number;
    byStatus: Record<string, number>;
    overdue: number;
    /** Open deadlines, nearest first. */
    open: { id: number; title: string; dueAt: Date; status: string; overdue: boolean }[];
  };
}

export interface MembersPage {
  ngo: NgoRecord;
  members: MemberView[];
  total: number;
  page: number;
  pages: number;
}

const countBy = <T extends string>(rows: { status: T; _count: number }[]) => Object.fromEntries(rows.map((r) => [r.status, r._count])) as Record<string, number>;

export function createManageService(deps: NgoDeps, store: NgoStore) {
  const { prisma, translator, clock } = deps;

  /** The NGO, when the staff member's scope covers it. */
  async function scopedNgo(adminId: bigint, ngoId: number) {
    const staff = await staffMember(prisma, adminId);
    const ngo = await store.loadNgo(ngoId);
    if (!ngo) throw new AppError('ngo.errors.not_found');
    if (!coversCounty(staff, ngo.countyId)) throw new AppError('ngo.review.other_county');
    return { staff, ngo };
  }

  async function versionOf(ngoId: number): Promise<string> {
    const row = await prisma.ngo.findUniqueOrThrow({ where: { id: ngoId }, select: { updatedAt: true } });
    return recordVersion(row.updatedAt);
  }

  /** An NGO staff may correct now, still as the admin's button saw it. */
  async function editable(adminId: bigint, ngoId: number, version: string) {
    const { staff, ngo } = await scopedNgo(adminId, ngoId);
    if ((await versionOf(ngoId)) !== version) throw new AppError('ngo.manage.changed', { name: ngo.name });
    if (!STAFF_EDITABLE.includes(ngo.status)) throw new AppError('ngo.manage.not_editable');
    return { staff, ngo };
  }

  /** Another NGO holds the registration number from the authority the edit leaves: say which. */
  async function refuseTakenIdentity(ngo: NgoRecord, change: Partial<RegistrationDraft>) {
    if (change.registrationNumber === undefined && change.authority === undefined) return;
    const authority = change.authority ?? (ngo.authority as Authority);
    const other = change.authority !== undefined ? change.authorityOther : ngo.authorityOther;
    const registrationNumber = change.registrationNumber ?? ngo.registrationNumber;
    const existing = await prisma.ngo.findUnique({
      where: { authorityKey_registrationNumber: { authorityKey: authorityKey(authority, other), registrationNumber } },
      select: { id: true, name: true },
    });
    if (existing && existing.id !== ngo.id) throw new AppError('ngo.manage.duplicate', { name: existing.name });
  }

  return {
    /** The NGO's profile as staff see it. */
    async staffProfile(adminId: bigint, ngoId: number): Promise<StaffProfile> {
      const { ngo } = await scopedNgo(adminId, ngoId);
      const today = startOfTehranDay(clock.now());
      const [version, memberTotal, members, courseTotal, enrollments, feedback, targets] = await Promise.all([
        versionOf(ngoId),
        prisma.ngoMember.count({ where: { ngoId } }),
        store.membersOf(ngoId, { skip: 0, take: PROFILE_MEMBERS }),
        prisma.enrollment.count({ where: { ngoId } }),
        prisma.enrollment.findMany({
          where: { ngoId },
          include: { course: { select: { title: true, startsAt: true, status: true } } },
          orderBy: [{ course: { startsAt: 'desc' } }, { id: 'desc' }],
          take: PROFILE_COURSES,
        }),
        prisma.feedbackItem.groupBy({ by: ['status'], where: { ngoId, anonymous: false }, _count: true }),
        prisma.deadlineTarget.findMany({ where: { ngoId }, include: { deadline: { select: { id: true, title: true, dueAt: true, status: true } } } }),
      ]);
      // Overdue as the deadlines feature counts it: an open part still owed once the due date's Tehran day is over.
      const isOverdue = (t: (typeof targets)[number]) => t.deadline.status === 'OPEN' && t.status === 'PENDING' && startOfTehranDay(t.deadline.dueAt) < today;
      const open = targets
        .filter((t) => t.deadline.status === 'OPEN')
        .sort((a, b) => a.deadline.dueAt.getTime() - b.deadline.dueAt.getTime() || a.deadline.id - b.deadline.id);
      const statuses = targets.map((t) => t.status);
      return {
        ngo,
        version,
        members: { total: memberTotal, first: members },
        courses: {
          total: courseTotal,
          recent: enrollments.map((e) => ({
            title: e.course.title,
            startsAt: e.course.startsAt,
            courseStatus: e.course.status,
            status: e.status,
            participants: e.participants,
            attended: e.attended,
          })),
        },
        feedback: { total: feedback.reduce((n, f) => n + f._count, 0), byStatus: countBy(feedback) },
        deadlines: {
          total: targets.length,
          byStatus: Object.fromEntries(['PENDING', 'SUBMITTED', 'ACCEPTED'].map((s) => [s, statuses.filter((x) => x === s).length])),
          overdue: targets.filter(isOverdue).length,
          open: open.slice(0, PROFILE_DEADLINES).map((t) => ({ id: t.deadline.id, title: t.deadline.title, dueAt: t.deadline.dueAt, status: t.status, overdue: isOverdue(t) })),
        },
      };
    },

    /** One page of the NGO's members (the manager first); a page past the end gives the last. */
    async staffMembers(adminId: bigint, ngoId: number, requested: number, pageSize: number): Promise<MembersPage> {
      const { ngo } = await scopedNgo(adminId, ngoId);
      const total = await prisma.ngoMember.count({ where: { ngoId } });
      const pages = Math.max(1, Math.ceil(total / pageSize));
      const page = Math.min(requested, pages - 1);
      return { ngo, total, page, pages, members: await store.membersOf(ngoId, { skip: page * pageSize, take: pageSize }) };
    },

    /** Checked when an admin picks an item to correct, and again when the answer comes (editByStaff). */
    async staffEditTarget(adminId: bigint, ngoId: number, version: string): Promise<NgoRecord> {
      return (await editable(adminId, ngoId, version)).ngo;
    },

    /**
     * A correction by the office. It applies only while the NGO is as the admin's button saw it (one
     * conditional update), does not send the NGO back to review (the office made it), and is audited
     * with each item's old and new value; the manager is told what changed.
     */
    async editByStaff(adminId: bigint, ngoId: number, version: string, change: Partial<RegistrationDraft>): Promise<{ ngo: NgoRecord; changes: ItemChange[] }> {
      const { staff, ngo } = await editable(adminId, ngoId, version);
      // A county admin cannot move an NGO out of the county they supervise.
      if (change.countyId !== undefined && !coversCounty(staff, change.countyId)) throw new AppError('ngo.manage.county_out_of_scope');
      if (change.countyId !== undefined || change.fieldIds !== undefined) {
        await store.checkReferences({ countyId: change.countyId ?? ngo.countyId, fieldIds: change.fieldIds ?? ngo.fieldIds });
      }
      await refuseTakenIdentity(ngo, change);
      const seen = versionTime(version)!;
      try {
        return await prisma.$transaction(async (tx) => {
          // A new version even within the millisecond of the last change, so the buttons drawn before it go stale.
          const updatedAt = new Date(Math.max(Date.now(), seen.getTime() + 1));
          const { count } = await tx.ngo.updateMany({ where: { id: ngoId, updatedAt: seen }, data: { ...recordChange(ngo, change, null), updatedAt } });
          if (count === 0) throw new AppError('ngo.manage.changed', { name: ngo.name });
          if (change.fieldIds !== undefined) {
            await tx.ngoField.deleteMany({ where: { ngoId } });
            await tx.ngoField.createMany({ data: [...new Set(change.fieldIds)].map((fieldId) => ({ ngoId, fieldId })) });
          }
          const after = (await store.loadNgo(ngoId, tx))!;
          const changes = recordChanges(ngo, after);
          // Thrown inside the transaction: the same value again changes nothing, not even the version.
          if (changes.length === 0) throw new AppError('ngo.manage.unchanged');
          await recordAudit(tx, { actorId: adminId, action: 'ngo.edited_by_staff', entityType: 'ngo', entityId: String(ngoId), details: { changes } });
          await store.notifyManager(ngoId, (lang) => staffEditNotice(translator, lang, after, changes), `ngo-staff-edit:${ngoId}:${version}`, tx);
          return { ngo: after, changes };
        });
      } catch (err) {
        // Another NGO took the number between the check and the update: the database's unique key decides.
        if (isUniqueViolation(err)) await refuseTakenIdentity(ngo, change);
        throw err;
      }
    },
  };
}
