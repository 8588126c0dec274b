/**
 * Deadlines (مهلت‌ها): an approved project of one NGO (three months by default) or a reporting deadline for
 * a group of NGOs; the NGOs' reports, the office's acceptance, extensions and closing. Each use case
 * checks (access.ts), decides, writes in one transaction with its audit row and queues its notices
 * (notices.ts through targets.ts), and returns data or throws AppError. The reminder engine and the
 * digest live in reminder-service.ts.
 */
import { isValidJalaaliDate } from 'jalaali-js';
import type { PrismaClient } from '../../platform/db/client.js';
import type { SqlReader } from '../../platform/db/reader.js';
import { memberDeadlines } from './member-list.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { DeadlineTargetStatus } from '../../platform/db/generated/enums.js';
import { recordAudit } from '../../platform/db/audit.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import { DEFAULT_LANGUAGE, isLanguage, LANGUAGES, type Language, type Translator } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { jalaliToDate, startOfTehranDay, toJalali, type JalaliDate, type TimeOfDay } from '../../platform/text/jalali.js';
import { validateText } from '../../platform/text/persian-text.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { countyOf, createAccess, generalTargetsWhere, scopedAudience, type DeadlineAudience } from './access.js';
import { acceptedNotice, extendedNotice, newDeadlineNotice, reportReceivedNotice, readerFor } from './notices.js';
import { createReminderEngine, BULK_TIMEOUT_MS } from './reminder-service.js';
import { dueSlot, endOfTehranDay, isOverdue, jalaliDayKey, REPORT_LIMITS, tehranDateOf } from './rules.js';
import { cancelQueuedReminders, enqueueReminders } from './reminder-fan-out.js';
import { enqueueForTargets, NOTICE_SOURCE, type TargetMessage } from './targets.js';

export type { DeadlineAudience } from './access.js';

export interface ProjectDraft {
  ngoId: number;
  title: string;
  amountToman: number;
  startDate: JalaliDate;
  dueDate: JalaliDate;
  reminderDays: number[];
}

export interface GeneralDraft {
  title: string;
  description: string | null;
  audience: DeadlineAudience;
  dueDate: JalaliDate;
  dueTime: TimeOfDay;
  reminderDays: number[];
}

export interface ReportInput {
  text: string;
  fileId?: string | null;
  fileName?: string | null;
}

export interface DeadlineDeps {
  prisma: PrismaClient;
  sql: SqlReader;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
}

/** Open deadlines listed for an admin at once (the nearest first). */
const ADMIN_LIST_LIMIT = 12;

function assertValidDate(date: JalaliDate) {
  if (!isValidJalaaliDate(date.jy, date.jm, date.jd)) throw new AppError('deadlines.errors.date_invalid');
}

function validTitle(title: string): string {
  const checked = validateText(title, { min: 3, max: 200 });
  if (!checked.ok) throw new AppError('deadlines.errors.title');
  return checked.value;
}

/** The use cases over one set of ports; long only because it lists them, each one short. */
export function createDeadlineService(deps: DeadlineDeps) {
  const { prisma, outbox, translator, clock } = deps;
  const access = createAccess(prisma, deps.sql);
  const engine = createReminderEngine(deps);
  const deadlinesOf = memberDeadlines(deps.sql);
  /** One notice per language, each rendered for its readers. */
  const inEveryLanguage = (deadlineId: number, slotKey: string, render: (lang: Language) => TargetMessage['payload']): TargetMessage[] =>
    LANGUAGES.map((lang) => ({ deadlineId, slotKey, lang, payload: render(lang) }));

  /** Creation: the deadline, its targets, the audit row and the NGOs' notice, all or nothing. */
  async function create(
    adminId: bigint,
    data: Omit<Prisma.DeadlineUncheckedCreateInput, 'createdBy' | 'createdAt'>,
    targets: (tx: Prisma.TransactionClient, deadlineId: number) => Promise<number>,
  ) {
    const now = clock.now();
    return prisma.$transaction(async (tx) => {
      const deadline = await tx.deadline.create({ data: { ...data, createdBy: adminId, createdAt: now } });
      const count = await targets(tx, deadline.id);
      if (count === 0) throw new AppError('deadlines.errors.no_ngos');
      const details = { kind: deadline.kind, ngoId: deadline.ngoId, dueAt: deadline.dueAt.toISOString(), targets: count, audience: data.audience ?? null };
      await recordAudit(tx, { actorId: adminId, action: 'deadline.created', entityType: 'deadline', entityId: String(deadline.id), details });
      const messages = inEveryLanguage(deadline.id, jalaliDayKey(tehranDateOf(deadline.dueAt)), (lang) => newDeadlineNotice(readerFor(translator, lang), deadline, now));
      await enqueueForTargets(outbox, tx, messages, { keyPrefix: 'deadline-new', statuses: ['PENDING'], notBefore: nextAllowedTime(now), sourceType: NOTICE_SOURCE });
      return { ...deadline, targetCount: count };
    }, { timeout: BULK_TIMEOUT_MS, maxWait: BULK_TIMEOUT_MS });
  }

  /** Tells the admins responsible for an NGO (and the deadline's author, when in scope) of its report. */
  async function tellAdminsOfReport(
    tx: Prisma.TransactionClient,
    report: { deadlineId: number; ngo: { id: number; name: string; countyId: number; county: { name: string } }; text: string; input: ReportInput; resubmitted: boolean; at: Date },
  ) {
    const { deadlineId, ngo } = report;
    const deadline = await tx.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
    const admins = await access.responsibleAdmins(ngo.countyId, tx);
    const creator = await tx.admin.findUnique({ where: { userId: deadline.createdBy }, include: { user: { select: { language: true } } } });
    if (creator && (creator.role !== 'COUNTY_ADMIN' || creator.countyId === ngo.countyId)) admins.push(creator);
    const byLang = new Map<Language, bigint[]>();
    for (const a of admins) {
      const lang = isLanguage(a.user.language) ? a.user.language : DEFAULT_LANGUAGE;
      const list = byLang.get(lang) ?? [];
      if (!list.includes(a.userId)) list.push(a.userId);
      byLang.set(lang, list);
    }
    for (const [lang, recipients] of byLang) {
      const payload = reportReceivedNotice(readerFor(translator, lang), {
        resubmitted: report.resubmitted,
        ngo: { id: ngo.id, name: ngo.name, county: ngo.county.name },
        deadline,
        text: report.text,
        hasFile: Boolean(report.input.fileId),
        fileName: report.input.fileName ?? null,
      });
      const dedupeKey = `deadline-report:${deadlineId}:${ngo.id}:${report.at.getTime()}:${lang}`;
      await outbox.enqueue({ payload: { kind: 'TEXT', ...payload }, recipients, dedupeKey, source: { type: NOTICE_SOURCE, id: String(deadlineId) } }, tx);
    }
  }

  return {
    now: () => clock.now(),
    projectNgo: access.projectNgo,

    reportable: access.reportable,
    reportForAdmin: access.reportForAdmin,
    remindersTick: engine.remindersTick,
    overdueDigest: engine.overdueDigest,

    async countAudience(adminId: bigint, audience: DeadlineAudience): Promise<number> {
      const admin = await access.requireAdmin(adminId);
      return prisma.ngo.count({ where: generalTargetsWhere(scopedAudience(admin, audience)) });
    },

    async createProject(adminId: bigint, draft: ProjectDraft) {
      const now = clock.now();
      assertValidDate(draft.startDate);
      assertValidDate(draft.dueDate);
      const ngo = await access.projectNgo(adminId, draft.ngoId);
      const title = validTitle(draft.title);
      if (!Number.isSafeInteger(draft.amountToman) || draft.amountToman <= 0) throw new AppError('deadlines.errors.amount_format');
      const startsAt = jalaliToDate(draft.startDate);
      const dueAt = endOfTehranDay(draft.dueDate);
      if (jalaliToDate(draft.dueDate).getTime() < startsAt.getTime()) throw new AppError('deadlines.errors.due_before_start');
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      return create(
        adminId,
        { kind: 'PROJECT', title, ngoId: ngo.id, amountToman: BigInt(draft.amountToman), startsAt, dueAt, reminderDays: draft.reminderDays },
        async (tx, deadlineId) => {
          await tx.deadlineTarget.create({ data: { deadlineId, ngoId: ngo.id } });
          return 1;
        },
      );
    },

    async createGeneral(adminId: bigint, draft: GeneralDraft) {
      const admin = await access.requireAdmin(adminId);
      const now = clock.now();
      assertValidDate(draft.dueDate);
      const title = validTitle(draft.title);
      const description = draft.description === null ? null : validateText(draft.description, { min: 3, max: 1000, multiline: true });
      if (description && !description.ok) throw new AppError('deadlines.errors.description');
      const dueAt = jalaliToDate(draft.dueDate, draft.dueTime);
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      const audience = scopedAudience(admin, draft.audience);
      return create(
        adminId,
        { kind: 'GENERAL', title, description: description?.ok ? description.value : null, dueAt, audience: audience as unknown as Prisma.InputJsonValue, reminderDays: draft.reminderDays },
        async (tx, deadlineId) => {
          const ngos = await tx.ngo.findMany({ where: generalTargetsWhere(audience), select: { id: true } });
          const { count } = await tx.deadlineTarget.createMany({ data: ngos.map((n) => ({ deadlineId, ngoId: n.id })) });
          return count;
        },
      );
    },

    /** Open deadlines of the user's NGO, nearest first. */
    async listForMember(userId: bigint) {
      return { ...(await deadlinesOf(userId)), now: clock.now() };
    },

    /**
     * The NGO's report: its part becomes SUBMITTED (again, when re-submitted before acceptance), queued
     * reminders stop, and the admins responsible are told, in one transaction.
     */
    async submitReport(userId: bigint, deadlineId: number, input: ReportInput) {
      const text = validateText(input.text, { ...REPORT_LIMITS, multiline: true });
      if (!text.ok) throw new AppError(`deadlines.errors.report_${text.error === 'too_long' ? 'too_long' : 'text'}`);
      const target = await access.reportable(userId, deadlineId);
      const ngo = await prisma.ngo.findUniqueOrThrow({ where: { id: target.ngoId }, include: { county: true } });
      const now = clock.now();
      const resubmitted = target.status === 'SUBMITTED';
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadlineTarget.updateMany({
          where: { deadlineId, ngoId: ngo.id, status: { in: ['PENDING', 'SUBMITTED'] }, deadline: { status: 'OPEN' } },
          data: { status: 'SUBMITTED', reportText: text.value, reportFileId: input.fileId ?? null, reportFileName: input.fileName ?? null, submittedBy: userId, submittedAt: now },
        });
        // Accepted or closed between the check above and now: the check's own error explains it.
        if (count === 0) throw new AppError('deadlines.errors.closed', { title: target.title });
        await recordAudit(tx, { actorId: userId, action: 'deadline.report_submitted', entityType: 'deadline', entityId: String(deadlineId), details: { ngoId: ngo.id, resubmitted } });
        await cancelQueuedReminders(outbox, tx, deadlineId, ngo.id);
        await tellAdminsOfReport(tx, { deadlineId, ngo, text: text.value, input, resubmitted, at: now });
      });
      return { title: target.title, resubmitted };
    },

    /** Open deadlines with how many NGOs are done, waiting, overdue (county admins: their county's NGOs). */
    async listForAdmin(adminId: bigint) {
      const county = countyOf(await access.requireAdmin(adminId));
      const ngoFilter: Prisma.DeadlineTargetWhereInput = county === null ? {} : { ngo: { countyId: county } };
      const deadlines = await prisma.deadline.findMany({ where: { status: 'OPEN', targets: { some: ngoFilter } }, orderBy: [{ dueAt: 'asc' }, { id: 'asc' }], take: ADMIN_LIST_LIMIT });
      const counts = await prisma.deadlineTarget.groupBy({ by: ['deadlineId', 'status'], where: { deadlineId: { in: deadlines.map((d) => d.id) }, ...ngoFilter }, _count: true });
      const now = clock.now();
      return deadlines.map((d) => {
        const of = (s: DeadlineTargetStatus) => counts.find((c) => c.deadlineId === d.id && c.status === s)?._count ?? 0;
        const pending = of('PENDING');
        return { ...d, accepted: of('ACCEPTED'), submitted: of('SUBMITTED'), pending, overdue: isOverdue(d.dueAt, now) ? pending : 0, now };
      });
    },

    /** One deadline with every NGO's part (county admins: their county's NGOs). */
    async pageForAdmin(adminId: bigint, deadlineId: number) {
      const admin = await access.requireAdmin(adminId);
      const deadline = await access.visibleDeadline(admin, deadlineId);
      const county = countyOf(admin);
      const targets = await prisma.deadlineTarget.findMany({
        where: { deadlineId, ...(county === null ? {} : { ngo: { countyId: county } }) },
        include: { ngo: { include: { county: true } } },
        orderBy: [{ ngo: { name: 'asc' } }],
      });
      const now = clock.now();
      // A county admin is offered extend and close only on a deadline whose NGOs are all theirs.
      const changeable = await access.mayChangeWhole(admin, deadlineId);
      return { deadline, targets, now, overdue: isOverdue(deadline.dueAt, now), changeable };
    },

    /** Accepts an NGO's report once (a double tap or two admins: one acceptance); the NGO is told. */
    async accept(adminId: bigint, deadlineId: number, ngoId: number) {
      const { deadline, target } = await access.reportForAdmin(adminId, deadlineId, ngoId);
      if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
      const now = clock.now();
      const accepted = await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadlineTarget.updateMany({ where: { deadlineId, ngoId, status: 'SUBMITTED' }, data: { status: 'ACCEPTED', acceptedBy: adminId, acceptedAt: now } });
        if (count === 0) return false;
        await recordAudit(tx, { actorId: adminId, action: 'deadline.report_accepted', entityType: 'deadline', entityId: String(deadlineId), details: { ngoId } });
        const messages = inEveryLanguage(deadlineId, 'accepted', (lang) => acceptedNotice(readerFor(translator, lang), deadline));
        await enqueueForTargets(outbox, tx, messages, { keyPrefix: 'deadline-accepted', statuses: ['ACCEPTED'], ngoIds: [ngoId], notBefore: nextAllowedTime(now), sourceType: NOTICE_SOURCE });
        return true;
      });
      if (!accepted) {
        const current = await prisma.deadlineTarget.findUniqueOrThrow({ where: { deadlineId_ngoId: { deadlineId, ngoId } } });
        throw new AppError(current.status === 'ACCEPTED' ? 'deadlines.errors.already_accepted_admin' : 'deadlines.errors.no_report', { ngo: target.ngo.name });
      }
      return { deadline, ngo: target.ngo };
    },

    /**
     * A later due date (the time of day is kept). Reminders follow the new date: their slot keys name it,
     * and reminders queued for the old one are cancelled. The NGOs still working on it are told; for
     * those, the notice counts as the reminder of the slot current now, so the tick does not repeat it.
     */
    async extend(adminId: bigint, deadlineId: number, newDate: JalaliDate) {
      const deadline = await access.changeableDeadline(adminId, deadlineId);
      if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
      assertValidDate(newDate);
      const dueAt = jalaliToDate(newDate, toJalali(deadline.dueAt));
      const now = clock.now();
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      if (startOfTehranDay(dueAt).getTime() <= startOfTehranDay(deadline.dueAt).getTime()) throw new AppError('deadlines.errors.extend_not_later');
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.deadline.updateMany({ where: { id: deadlineId, status: 'OPEN', dueAt: deadline.dueAt }, data: { dueAt } });
        if (count === 0) throw new AppError('deadlines.errors.changed');
        const fresh = await tx.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
        const details = { from: deadline.dueAt.toISOString(), to: dueAt.toISOString() };
        await recordAudit(tx, { actorId: adminId, action: 'deadline.extended', entityType: 'deadline', entityId: String(deadlineId), details });
        await cancelQueuedReminders(outbox, tx, deadlineId);
        const render = (lang: Language) => extendedNotice(readerFor(translator, lang), fresh, deadline, now);
        const current = dueSlot(engine.scheduleOf(fresh), now, fresh.createdAt);
        const dueKey = jalaliDayKey(tehranDateOf(dueAt));
        const notBefore = nextAllowedTime(now);
        const extendedTo = (statuses: DeadlineTargetStatus[]) => ({ keyPrefix: 'deadline-extended', statuses, notBefore, sourceType: NOTICE_SOURCE });
        if (current) await enqueueReminders(outbox, tx, inEveryLanguage(deadlineId, current.slot.key, render), notBefore);
        else await enqueueForTargets(outbox, tx, inEveryLanguage(deadlineId, `extended-${dueKey}`, render), extendedTo(['PENDING']));
        await enqueueForTargets(outbox, tx, inEveryLanguage(deadlineId, dueKey, render), extendedTo(['SUBMITTED']));
        return fresh;
      });
    },

    async close(adminId: bigint, deadlineId: number) {
      const deadline = await access.changeableDeadline(adminId, deadlineId);
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadline.updateMany({ where: { id: deadlineId, status: 'OPEN' }, data: { status: 'CLOSED', closedAt: now } });
        if (count === 0) throw new AppError('deadlines.errors.closed', { title: deadline.title });
        await recordAudit(tx, { actorId: adminId, action: 'deadline.closed', entityType: 'deadline', entityId: String(deadlineId) });
        await cancelQueuedReminders(outbox, tx, deadlineId);
      });
      return { ...deadline, status: 'CLOSED' as const, closedAt: now };
    },
  };
}

export type DeadlineService = ReturnType<typeof createDeadlineService>;
