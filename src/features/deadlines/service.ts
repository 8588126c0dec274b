/**
 * Deadlines (مهلت‌ها): an approved project of one NGO (three months by default) or a reporting deadline for
 * a group of NGOs; the NGOs' reports, the office's acceptance, extensions and closing; the reminder
 * engine that runs every minute; the admins' daily digest of overdue NGOs; and announcements that repeat
 * every Jalali year or month.
 *
 * The engine is set-based: one tick is one SQL statement that selects every (deadline, NGO) whose slot is
 * due and inserts the outbox messages and their deliveries, keyed `reminder:<deadline>:<ngo>:<slot>:<lang>`
 * with ON CONFLICT DO NOTHING. Repeated ticks, two processes or a restart therefore add nothing twice,
 * and 100,000 recipients cost one statement, not 100,000 round trips. A message is per NGO and language:
 * the text is rendered in TypeScript once per deadline and language, so members who chose English read
 * English. Slots come from src/domain/reminders.ts (pure, clock injected).
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { AdminRole, DeadlineTargetStatus } from '../../platform/db/generated/enums.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox, OutboxDb } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import {
  jalaliToDate,
  startOfTehranDay,
  toJalali,
  type JalaliDate,
  type TimeOfDay,
} from '../../platform/text/jalali.js';
import { formatNumber, toPersianDigits, validateText } from '../../platform/text/persian-text.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import {
  daysLeft,
  dueSlot,
  endOfTehranDay,
  isOverdue,
  jalaliDayKey,
  occurrenceAround,
  reminderDaysOf,
  reminderSchedule,
  tehranDateOf,
  type DueSlot,
  type Recurrence,
  type ReminderSlot,
} from './rules.js';
import { isValidJalaaliDate } from 'jalaali-js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, LANGUAGES, type Language, type Translator } from '../../platform/i18n/index.js';
import type { Logger } from '../../platform/logger.js';
import { jalali } from '../ngos/notices.js';
import { recordAudit } from '../../platform/db/audit.js';
import { createBroadcastService, DEFAULT_AUDIENCE, parseAudience, type Audience } from '../broadcasts/service.js';
import { AppError } from '../../platform/errors.js';

export interface DeadlineAudience {
  countyIds: number[];
  fieldIds: number[];
}

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

export interface RecurringDraft {
  sourceChatId: bigint;
  sourceMessageId: number;
  contentKind: string;
  rule: 'YEARLY' | 'MONTHLY';
  month: number | null;
  day: number;
  hour: number;
  minute: number;
}

export interface TickResult {
  messages: number;
  deliveries: number;
}

export interface DeadlineDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  sendRate: number;
  editMessage: (chatId: bigint, messageId: number, text: string, keyboard?: object) => Promise<void>;
  logger?: Logger;
}

/** Callback actions that the outbox messages carry; the bot feature handles them. */
export const DEADLINE_ACTIONS = { submit: 'dl_sub', view: 'dl_view', report: 'dl_rep', accept: 'dl_acc', extend: 'dl_ext', close: 'dl_close' } as const;

export const REMINDER_SOURCE = 'deadline-reminder';
const NOTICE_SOURCE = 'deadline';
const REPORT_LIMITS = { min: 3, max: 3500 } as const;
/** A yearly or monthly announcement missed by more than this (the bot was down) is skipped, not sent stale. */
const RECURRING_MAX_LATE_MS = 3 * 86_400_000;
/** Lines of a digest before "and N more": one Telegram message holds 4,096 characters. */
const DIGEST_MAX_LINES = 20;
/** How much of a report the admins' notice quotes; the whole report is one button away. */
const NOTICE_REPORT_CHARS = 1200;
/** Open deadlines listed for an admin at once (the nearest first). */
const ADMIN_LIST_LIMIT = 12;
const SCHEDULE_CACHE_LIMIT = 10_000;
/**
 * A tick that enqueues 100,000 reminders, or a deadline made for thousands of NGOs, takes seconds (see
 * test/bench/reminders.ts): Prisma's default 5 s for a transaction is too tight.
 */
const TICK_TIMEOUT_MS = 5 * 60_000;

type Kind = 'PROJECT' | 'GENERAL';

interface DeadlineFacts {
  id: number;
  kind: Kind;
  title: string;
  dueAt: Date;
  amountToman?: bigint | null;
  startsAt?: Date | null;
}

/** One message per (deadline, NGO, language), rendered once per deadline and language. */
interface TargetMessage {
  deadlineId: number;
  slotKey: string;
  lang: Language;
  payload: { text: string; parseMode: 'HTML'; replyMarkup?: object };
}

/** At most `max` characters (not UTF-16 units, so no half emoji), with an ellipsis when cut. */
export function clip(text: string, max: number): string {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
}

export function createDeadlineService(deps: DeadlineDeps) {
  const { prisma, outbox, translator, clock } = deps;
  // A second instance of the (stateless) broadcast service: recurring announcements go through its create().
  const broadcasts = createBroadcastService(deps);
  const langOf = (l: string | null | undefined): Language => (isLanguage(l) ? l : DEFAULT_LANGUAGE);
  const num = (lang: Language, n: number | string) => (lang === 'fa' ? toPersianDigits(n) : String(n));
  const t = (lang: Language, key: string, o?: Record<string, unknown>) => translator.t(lang, key, o);

  // ---- presentation shared by notices and the bot ------------------------------------------------

  /** Project deadlines run to the end of a day (the date says it all); general ones name the hour. */
  function dueText(lang: Language, d: { kind: Kind; dueAt: Date }): string {
    if (d.kind === 'PROJECT') return jalali(lang, d.dueAt);
    return broadcasts.describeStart(lang, d.dueAt);
  }

  function leftText(lang: Language, dueAt: Date, now: Date): string {
    const days = daysLeft(dueAt, now);
    if (days > 1) return t(lang, 'deadlines.left.days', { n: num(lang, days) });
    if (days === 1) return t(lang, 'deadlines.left.tomorrow');
    if (days === 0) return t(lang, 'deadlines.left.today');
    return t(lang, 'deadlines.left.overdue', { n: num(lang, -days) });
  }

  function amountText(lang: Language, amount: bigint | number): string {
    const n = Number(amount);
    return t(lang, 'deadlines.amount', { amount: lang === 'fa' ? formatNumber(n) : n.toLocaleString('en-US') });
  }

  function submitKeyboard(lang: Language, deadlineId: number) {
    return { inline_keyboard: [[{ text: t(lang, 'deadlines.ngo.submit_button'), callback_data: `${DEADLINE_ACTIONS.submit}:${deadlineId}` }]] };
  }

  /** The lines every NGO notice shares: title, project facts, due date and days left. */
  function factsLines(lang: Language, d: DeadlineFacts, now: Date): string[] {
    return [
      t(lang, 'deadlines.facts.title', { title: escapeHtml(d.title) }),
      d.kind === 'PROJECT' && d.amountToman ? t(lang, 'deadlines.facts.amount', { value: amountText(lang, d.amountToman) }) : null,
      d.kind === 'PROJECT' && d.startsAt ? t(lang, 'deadlines.facts.start', { value: jalali(lang, d.startsAt) }) : null,
      t(lang, 'deadlines.facts.due', { value: dueText(lang, d), left: leftText(lang, d.dueAt, now) }),
    ].filter((l): l is string => l !== null);
  }

  function ngoPayload(lang: Language, lines: (string | null)[], deadlineId: number, withButton = true): TargetMessage['payload'] {
    return {
      text: lines.filter((l): l is string => l !== null).join('\n'),
      parseMode: 'HTML',
      ...(withButton ? { replyMarkup: submitKeyboard(lang, deadlineId) } : {}),
    };
  }

  function reminderPayload(lang: Language, d: DeadlineFacts, due: DueSlot, now: Date): TargetMessage['payload'] {
    const overdue = due.slot.kind === 'overdue';
    return ngoPayload(
      lang,
      [
        t(lang, overdue ? 'deadlines.notice.overdue_title' : 'deadlines.notice.reminder_title'),
        '',
        ...factsLines(lang, d, now),
        '',
        t(lang, overdue ? 'deadlines.notice.overdue_body' : 'deadlines.notice.reminder_body'),
        due.late ? `\n${t(lang, 'deadlines.notice.late')}` : null,
      ],
      d.id,
    );
  }

  // ---- who may do what ----------------------------------------------------------------------------

  async function requireAdmin(adminId: bigint) {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  /** County admins see and act on their county's NGOs only. */
  const countyOf = (admin: { role: AdminRole; countyId: number | null }): number | null =>
    admin.role === 'COUNTY_ADMIN' ? (admin.countyId ?? -1) : null;

  async function loadDeadline(deadlineId: number) {
    const deadline = await prisma.deadline.findUnique({ where: { id: deadlineId } });
    if (!deadline) throw new AppError('deadlines.errors.not_found');
    return deadline;
  }

  /** A deadline a county admin may see: one with an NGO of their county. */
  async function visibleDeadline(admin: { role: AdminRole; countyId: number | null }, deadlineId: number) {
    const deadline = await loadDeadline(deadlineId);
    const county = countyOf(admin);
    if (county !== null && (await prisma.deadlineTarget.count({ where: { deadlineId, ngo: { countyId: county } } })) === 0) {
      throw new AppError('deadlines.errors.not_found');
    }
    return deadline;
  }

  /** Extending or closing changes every NGO's part: a county admin may do it only when every NGO is theirs. */
  async function requireWholeDeadline(admin: { role: AdminRole; countyId: number | null }, deadlineId: number) {
    const county = countyOf(admin);
    if (county === null) return;
    const others = await prisma.deadlineTarget.count({ where: { deadlineId, ngo: { countyId: { not: county } } } });
    if (others > 0) throw new AppError('deadlines.errors.other_counties');
  }

  async function requireMemberNgo(userId: bigint) {
    const member = await prisma.ngoMember.findUnique({ where: { userId }, include: { ngo: true } });
    if (!member) throw new AppError('deadlines.errors.no_ngo');
    if (member.ngo.status !== 'APPROVED') throw new AppError('deadlines.errors.ngo_not_approved_member');
    return member;
  }

  /** County admins of the NGO's county when there are any, else the province's admins. */
  async function responsibleAdmins(countyId: number, db: OutboxDb = prisma) {
    const county = await db.admin.findMany({ where: { role: 'COUNTY_ADMIN', countyId }, include: { user: { select: { language: true } } } });
    if (county.length > 0) return county;
    return db.admin.findMany({ where: { role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, include: { user: { select: { language: true } } } });
  }

  // ---- the set-based fan-out ----------------------------------------------------------------------

  /**
   * Inserts, in one statement, one outbox message per (deadline, target NGO, language) and a delivery
   * for each reachable member of that NGO who reads that language. Messages whose dedupe key exists
   * already are skipped together with their deliveries, which is what makes every caller idempotent.
   * Only approved NGOs, and targets in one of `statuses`.
   */
  async function enqueueForTargets(
    db: Prisma.TransactionClient,
    messages: TargetMessage[],
    options: { keyPrefix: string; statuses: DeadlineTargetStatus[]; ngoIds?: number[]; notBefore: Date; sourceType: string },
  ): Promise<TickResult> {
    if (messages.length === 0) return { messages: 0, deliveries: 0 };
    const rows = JSON.stringify(messages.map((m) => ({ deadline_id: m.deadlineId, slot_key: m.slotKey, lang: m.lang, payload: m.payload })));
    const otherLanguages = JSON.stringify(LANGUAGES.filter((l) => l !== DEFAULT_LANGUAGE));
    const allLanguages = JSON.stringify(LANGUAGES);
    const statuses = JSON.stringify(options.statuses);
    const ngoIds = JSON.stringify(options.ngoIds ?? []);
    const everyNgo = options.ngoIds === undefined;
    // The row estimates of jsonb_to_recordset make the planner JIT-compile this statement, which costs
    // about half a second even when there is nothing to insert: every minute, for nothing.
    await db.$executeRaw`SET LOCAL jit = off`;
    const [result] = await db.$queryRaw<{ messages: bigint; deliveries: bigint }[]>`
      WITH slot AS (
        SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS s(deadline_id int, slot_key text, lang text, payload jsonb)
      ),
      due AS (
        -- (deadline, NGO) pairs not yet told for this slot in any language: a member who switches language
        -- later is not told twice, and a repeated tick stops here after one index probe per language.
        SELECT t.deadline_id, t.ngo_id, ${options.keyPrefix} || ':' || t.deadline_id || ':' || t.ngo_id || ':' || d.slot_key AS key_base
        FROM (SELECT DISTINCT deadline_id, slot_key FROM slot) d
        JOIN deadline_targets t ON t.deadline_id = d.deadline_id
        JOIN ngos n ON n.id = t.ngo_id AND n.status = 'APPROVED'
        WHERE t.status::text IN (SELECT jsonb_array_elements_text(${statuses}::jsonb))
          AND (${everyNgo} OR t.ngo_id IN (SELECT (jsonb_array_elements_text(${ngoIds}::jsonb))::int))
          AND NOT EXISTS (
            SELECT 1 FROM outbox_messages o
            WHERE o.dedupe_key = ANY (ARRAY(SELECT ${options.keyPrefix} || ':' || t.deadline_id || ':' || t.ngo_id || ':' || d.slot_key || ':' || l
                                            FROM jsonb_array_elements_text(${allLanguages}::jsonb) l))
          )
      ),
      reader AS (
        SELECT m.ngo_id, m.user_id,
               CASE WHEN u.language IN (SELECT jsonb_array_elements_text(${otherLanguages}::jsonb)) THEN u.language ELSE ${DEFAULT_LANGUAGE} END AS lang
        FROM ngo_members m JOIN users u ON u.id = m.user_id
        WHERE u.reachable AND m.ngo_id IN (SELECT ngo_id FROM due)
      ),
      target AS (
        SELECT due.deadline_id, due.ngo_id, s.lang, s.payload, due.key_base || ':' || s.lang AS dedupe_key
        FROM due JOIN slot s ON s.deadline_id = due.deadline_id
        WHERE EXISTS (SELECT 1 FROM reader r WHERE r.ngo_id = due.ngo_id AND r.lang = s.lang)
      ),
      inserted AS (
        INSERT INTO outbox_messages (kind, payload, dedupe_key, source_type, source_id)
        SELECT 'TEXT', payload, dedupe_key, ${options.sourceType}, deadline_id || ':' || ngo_id FROM target
        -- One order for every process: two ticks inserting the same keys wait for each other, never deadlock.
        ORDER BY dedupe_key
        ON CONFLICT (dedupe_key) DO NOTHING
        RETURNING id, dedupe_key
      ),
      delivered AS (
        INSERT INTO outbox_deliveries (message_id, chat_id, not_before)
        SELECT i.id, r.user_id, ${options.notBefore.toISOString()}::timestamptz AT TIME ZONE 'UTC'
        FROM inserted i
        JOIN target g ON g.dedupe_key = i.dedupe_key
        JOIN reader r ON r.ngo_id = g.ngo_id AND r.lang = g.lang
        ON CONFLICT (message_id, chat_id) DO NOTHING
        RETURNING 1
      )
      SELECT (SELECT count(*) FROM inserted) AS messages, (SELECT count(*) FROM delivered) AS deliveries`;
    return { messages: Number(result?.messages ?? 0), deliveries: Number(result?.deliveries ?? 0) };
  }

  /** Reminders queued but not yet sent (held for the morning) stop when the NGO's part is done or the deadline changes. */
  async function cancelQueuedReminders(db: OutboxDb, deadlineId: number, ngoId?: number): Promise<void> {
    // source_id is '<deadline>:<ngo>': matched for equality (index on source_type, source_id), never by a LIKE prefix.
    await db.$executeRaw`
      UPDATE outbox_deliveries d SET status = 'CANCELLED', lease_owner = NULL
      FROM outbox_messages m
      WHERE d.message_id = m.id AND d.status = 'PENDING' AND m.source_type = ${REMINDER_SOURCE}
        AND m.source_id IN (
          SELECT t.deadline_id || ':' || t.ngo_id FROM deadline_targets t
          WHERE t.deadline_id = ${deadlineId} AND (${ngoId ?? null}::int IS NULL OR t.ngo_id = ${ngoId ?? null}::int)
        )`;
  }

  /** Tells admins (each in their language) through the outbox, in the caller's transaction. */
  async function notifyAdmins(
    db: OutboxDb,
    admins: { userId: bigint; user: { language: string | null } }[],
    render: (lang: Language) => { text: string; replyMarkup?: object },
    dedupeKey: (lang: Language) => string,
    source: { type: string; id: string },
  ) {
    const byLang = new Map<Language, bigint[]>();
    for (const a of admins) {
      const lang = langOf(a.user.language);
      const list = byLang.get(lang) ?? [];
      if (!list.includes(a.userId)) list.push(a.userId);
      byLang.set(lang, list);
    }
    for (const [lang, recipients] of byLang) {
      const { text, replyMarkup } = render(lang);
      await outbox.enqueue(
        { payload: { kind: 'TEXT', parseMode: 'HTML', text, ...(replyMarkup ? { replyMarkup: replyMarkup as never } : {}) }, recipients, dedupeKey: dedupeKey(lang), source },
        db,
      );
    }
  }

  // ---- schedules ----------------------------------------------------------------------------------

  const schedules = new Map<string, ReminderSlot[]>();
  /**
   * (deadline, slot) pairs this process has enqueued: later ticks of the same slot skip them without
   * asking the database. Only a shortcut: targets never come back to PENDING, and a new due date makes
   * new slot keys; another process, or this one after a restart, finds the same answer in the outbox.
   */
  const enqueuedSlots = new Set<string>();
  function scheduleOf(d: { id: number; dueAt: Date; reminderDays: unknown }): ReminderSlot[] {
    const days = reminderDaysOf(d.reminderDays);
    const key = `${d.id}:${d.dueAt.getTime()}:${days.join(',')}`;
    let schedule = schedules.get(key);
    if (!schedule) {
      if (schedules.size >= SCHEDULE_CACHE_LIMIT) schedules.clear();
      schedule = reminderSchedule({ dueAt: d.dueAt, reminderDays: days });
      schedules.set(key, schedule);
    }
    return schedule;
  }

  function assertValidDate(date: JalaliDate) {
    if (!isValidJalaaliDate(date.jy, date.jm, date.jd)) throw new AppError('deadlines.errors.date_invalid');
  }

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
      await recordAudit(tx, {
        actorId: adminId,
        action: 'deadline.created',
        entityType: 'deadline',
        entityId: String(deadline.id),
        details: { kind: deadline.kind, ngoId: deadline.ngoId, dueAt: deadline.dueAt.toISOString(), targets: count, audience: data.audience ?? null },
      });
      const messages = LANGUAGES.map((lang) => ({
        deadlineId: deadline.id,
        slotKey: jalaliDayKey(tehranDateOf(deadline.dueAt)),
        lang,
        payload: ngoPayload(lang, [t(lang, 'deadlines.notice.new_title'), '', ...factsLines(lang, deadline, now), deadline.description ? `\n${escapeHtml(deadline.description)}` : null, '', t(lang, 'deadlines.notice.new_body')], deadline.id),
      }));
      await enqueueForTargets(tx, messages, { keyPrefix: 'deadline-new', statuses: ['PENDING'], notBefore: nextAllowedTime(now), sourceType: NOTICE_SOURCE });
      return { ...deadline, targetCount: count };
    }, { timeout: TICK_TIMEOUT_MS, maxWait: TICK_TIMEOUT_MS });
  }

  function generalTargetsWhere(audience: DeadlineAudience): Prisma.NgoWhereInput {
    return {
      status: 'APPROVED',
      ...(audience.countyIds.length ? { countyId: { in: audience.countyIds } } : {}),
      ...(audience.fieldIds.length ? { fields: { some: { fieldId: { in: audience.fieldIds } } } } : {}),
    };
  }

  function scopedAudience(admin: { role: AdminRole; countyId: number | null }, audience: DeadlineAudience): DeadlineAudience {
    const county = countyOf(admin);
    return county === null ? audience : { ...audience, countyIds: [county] };
  }

  // ---- checks the use cases share -----------------------------------------------------------------

  /** The NGO a project is recorded for: it exists, is approved, and (for county admins) is in their county. */
  async function projectNgo(adminId: bigint, ngoId: number) {
    const admin = await requireAdmin(adminId);
    const ngo = await prisma.ngo.findUnique({ where: { id: ngoId }, include: { county: true } });
    if (!ngo) throw new AppError('deadlines.errors.ngo_not_found', { id: ngoId });
    const county = countyOf(admin);
    if (county !== null && ngo.countyId !== county) throw new AppError('deadlines.errors.ngo_other_county');
    if (ngo.status !== 'APPROVED') throw new AppError('deadlines.errors.ngo_not_approved', { name: ngo.name });
    return { id: ngo.id, name: ngo.name, county: ngo.county.name };
  }

  /** Before the report form starts: the deadline is the user's NGO's, still open, and not yet accepted. */
  async function reportable(userId: bigint, deadlineId: number) {
    const member = await requireMemberNgo(userId);
    const target = await prisma.deadlineTarget.findUnique({ where: { deadlineId_ngoId: { deadlineId, ngoId: member.ngoId } }, include: { deadline: true } });
    if (!target) throw new AppError('deadlines.errors.not_yours');
    if (target.deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: target.deadline.title });
    if (target.status === 'ACCEPTED') throw new AppError('deadlines.errors.already_accepted', { title: target.deadline.title });
    return { id: target.deadline.id, title: target.deadline.title, status: target.status, ngoId: member.ngoId };
  }

  async function reportForAdmin(adminId: bigint, deadlineId: number, ngoId: number) {
    const admin = await requireAdmin(adminId);
    const deadline = await visibleDeadline(admin, deadlineId);
    const target = await prisma.deadlineTarget.findUnique({ where: { deadlineId_ngoId: { deadlineId, ngoId } }, include: { ngo: { include: { county: true } } } });
    const county = countyOf(admin);
    if (!target || (county !== null && target.ngo.countyId !== county)) throw new AppError('deadlines.errors.not_found');
    if (!target.reportText) throw new AppError('deadlines.errors.no_report', { ngo: target.ngo.name });
    return { deadline, target };
  }

  // ---- the use cases ------------------------------------------------------------------------------

  return {
    now: () => clock.now(),
    dueText,
    leftText,
    amountText,

    projectNgo,

    async countAudience(adminId: bigint, audience: DeadlineAudience): Promise<number> {
      const admin = await requireAdmin(adminId);
      return prisma.ngo.count({ where: generalTargetsWhere(scopedAudience(admin, audience)) });
    },

    async createProject(adminId: bigint, draft: ProjectDraft) {
      const now = clock.now();
      assertValidDate(draft.startDate);
      assertValidDate(draft.dueDate);
      const ngo = await projectNgo(adminId, draft.ngoId);
      const title = validateText(draft.title, { min: 3, max: 200 });
      if (!title.ok) throw new AppError('deadlines.errors.title');
      if (!Number.isSafeInteger(draft.amountToman) || draft.amountToman <= 0) throw new AppError('deadlines.errors.amount_format');
      const startsAt = jalaliToDate(draft.startDate);
      const dueAt = endOfTehranDay(draft.dueDate);
      if (jalaliToDate(draft.dueDate).getTime() < startsAt.getTime()) throw new AppError('deadlines.errors.due_before_start');
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      return create(
        adminId,
        { kind: 'PROJECT', title: title.value, ngoId: ngo.id, amountToman: BigInt(draft.amountToman), startsAt, dueAt, reminderDays: draft.reminderDays },
        async (tx, deadlineId) => {
          await tx.deadlineTarget.create({ data: { deadlineId, ngoId: ngo.id } });
          return 1;
        },
      );
    },

    async createGeneral(adminId: bigint, draft: GeneralDraft) {
      const admin = await requireAdmin(adminId);
      const now = clock.now();
      assertValidDate(draft.dueDate);
      const title = validateText(draft.title, { min: 3, max: 200 });
      if (!title.ok) throw new AppError('deadlines.errors.title');
      const description = draft.description === null ? null : validateText(draft.description, { min: 3, max: 1000, multiline: true });
      if (description && !description.ok) throw new AppError('deadlines.errors.description');
      const dueAt = jalaliToDate(draft.dueDate, draft.dueTime);
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      const audience = scopedAudience(admin, draft.audience);
      return create(
        adminId,
        { kind: 'GENERAL', title: title.value, description: description?.ok ? description.value : null, dueAt, audience: audience as unknown as Prisma.InputJsonValue, reminderDays: draft.reminderDays },
        async (tx, deadlineId) => {
          const ngos = await tx.ngo.findMany({ where: generalTargetsWhere(audience), select: { id: true } });
          const { count } = await tx.deadlineTarget.createMany({ data: ngos.map((n) => ({ deadlineId, ngoId: n.id })) });
          return count;
        },
      );
    },

    // ---- the NGO's side ---------------------------------------------------------------------------

    /** Open deadlines of the user's NGO, nearest first. */
    async listForMember(userId: bigint) {
      const member = await requireMemberNgo(userId);
      const targets = await prisma.deadlineTarget.findMany({
        where: { ngoId: member.ngoId, deadline: { status: 'OPEN' } },
        include: { deadline: true },
        orderBy: { deadline: { dueAt: 'asc' } },
      });
      return { ngo: { id: member.ngo.id, name: member.ngo.name }, now: clock.now(), items: targets.map((x) => ({ ...x.deadline, targetStatus: x.status })) };
    },

    reportable,

    /**
     * The NGO's report: its part becomes SUBMITTED (again, when re-submitted before acceptance), queued
     * reminders stop, and the admins responsible are told, in one transaction.
     */
    async submitReport(userId: bigint, deadlineId: number, input: ReportInput) {
      const text = validateText(input.text, { ...REPORT_LIMITS, multiline: true });
      if (!text.ok) throw new AppError(`deadlines.errors.report_${text.error === 'too_long' ? 'too_long' : 'text'}`);
      const target = await reportable(userId, deadlineId);
      const ngo = await prisma.ngo.findUniqueOrThrow({ where: { id: target.ngoId }, include: { county: true } });
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadlineTarget.updateMany({
          where: { deadlineId, ngoId: ngo.id, status: { in: ['PENDING', 'SUBMITTED'] }, deadline: { status: 'OPEN' } },
          data: {
            status: 'SUBMITTED',
            reportText: text.value,
            reportFileId: input.fileId ?? null,
            reportFileName: input.fileName ?? null,
            submittedBy: userId,
            submittedAt: now,
          },
        });
        // Accepted or closed between the check above and now: the check's own error explains it.
        if (count === 0) throw new AppError('deadlines.errors.closed', { title: target.title });
        await recordAudit(tx, { actorId: userId, action: 'deadline.report_submitted', entityType: 'deadline', entityId: String(deadlineId), details: { ngoId: ngo.id, resubmitted: target.status === 'SUBMITTED' } });
        await cancelQueuedReminders(tx, deadlineId, ngo.id);
        const deadline = await tx.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
        const admins = await responsibleAdmins(ngo.countyId, tx);
        const creator = await tx.admin.findUnique({ where: { userId: deadline.createdBy }, include: { user: { select: { language: true } } } });
        if (creator && (creator.role !== 'COUNTY_ADMIN' || creator.countyId === ngo.countyId)) admins.push(creator);
        await notifyAdmins(
          tx,
          admins,
          (lang) => ({
            text: [
              t(lang, target.status === 'SUBMITTED' ? 'deadlines.admin.report_resubmitted' : 'deadlines.admin.report_received', {
                ngo: escapeHtml(ngo.name),
                county: escapeHtml(ngo.county.name),
                title: escapeHtml(deadline.title),
                id: num(lang, deadline.id),
              }),
              '',
              escapeHtml(clip(text.value, NOTICE_REPORT_CHARS)),
              input.fileId ? `\n${t(lang, 'deadlines.admin.report_has_file', { name: escapeHtml(input.fileName ?? '—') })}` : null,
            ]
              .filter((l) => l !== null)
              .join('\n'),
            replyMarkup: {
              inline_keyboard: [
                [
                  { text: t(lang, 'deadlines.admin.view_report_button'), callback_data: `${DEADLINE_ACTIONS.report}:${deadlineId}-${ngo.id}` },
                  { text: t(lang, 'deadlines.admin.accept_button'), callback_data: `${DEADLINE_ACTIONS.accept}:${deadlineId}-${ngo.id}` },
                ],
              ],
            },
          }),
          (lang) => `deadline-report:${deadlineId}:${ngo.id}:${now.getTime()}:${lang}`,
          { type: NOTICE_SOURCE, id: String(deadlineId) },
        );
      });
      return { title: target.title, resubmitted: target.status === 'SUBMITTED' };
    },

    // ---- the office's side ------------------------------------------------------------------------

    /** Open deadlines with how many NGOs are done, waiting, overdue (county admins: their county's NGOs). */
    async listForAdmin(adminId: bigint) {
      const admin = await requireAdmin(adminId);
      const county = countyOf(admin);
      const ngoFilter: Prisma.DeadlineTargetWhereInput = county === null ? {} : { ngo: { countyId: county } };
      const deadlines = await prisma.deadline.findMany({
        where: { status: 'OPEN', targets: { some: ngoFilter } },
        orderBy: [{ dueAt: 'asc' }, { id: 'asc' }],
        take: ADMIN_LIST_LIMIT,
      });
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
      const admin = await requireAdmin(adminId);
      const deadline = await visibleDeadline(admin, deadlineId);
      const county = countyOf(admin);
      const targets = await prisma.deadlineTarget.findMany({
        where: { deadlineId, ...(county === null ? {} : { ngo: { countyId: county } }) },
        include: { ngo: { include: { county: true } } },
        orderBy: [{ ngo: { name: 'asc' } }],
      });
      const now = clock.now();
      return { deadline, targets, now, overdue: isOverdue(deadline.dueAt, now) };
    },

    reportForAdmin,

    /** Accepts an NGO's report once (a double tap or two admins: one acceptance); the NGO is told. */
    async accept(adminId: bigint, deadlineId: number, ngoId: number) {
      const { deadline, target } = await reportForAdmin(adminId, deadlineId, ngoId);
      if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
      const now = clock.now();
      const accepted = await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadlineTarget.updateMany({ where: { deadlineId, ngoId, status: 'SUBMITTED' }, data: { status: 'ACCEPTED', acceptedBy: adminId, acceptedAt: now } });
        if (count === 0) return false;
        await recordAudit(tx, { actorId: adminId, action: 'deadline.report_accepted', entityType: 'deadline', entityId: String(deadlineId), details: { ngoId } });
        await enqueueForTargets(
          tx,
          LANGUAGES.map((lang) => ({
            deadlineId,
            slotKey: 'accepted',
            lang,
            payload: ngoPayload(lang, [t(lang, 'deadlines.notice.accepted', { title: escapeHtml(deadline.title) })], deadlineId, false),
          })),
          { keyPrefix: 'deadline-accepted', statuses: ['ACCEPTED'], ngoIds: [ngoId], notBefore: nextAllowedTime(now), sourceType: NOTICE_SOURCE },
        );
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
      const admin = await requireAdmin(adminId);
      const deadline = await visibleDeadline(admin, deadlineId);
      await requireWholeDeadline(admin, deadlineId);
      if (deadline.status !== 'OPEN') throw new AppError('deadlines.errors.closed', { title: deadline.title });
      assertValidDate(newDate);
      const { hour, minute } = toJalali(deadline.dueAt);
      const dueAt = jalaliToDate(newDate, { hour, minute });
      const now = clock.now();
      if (dueAt.getTime() <= now.getTime()) throw new AppError('deadlines.errors.due_past');
      if (startOfTehranDay(dueAt).getTime() <= startOfTehranDay(deadline.dueAt).getTime()) throw new AppError('deadlines.errors.extend_not_later');
      const updated = await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadline.updateMany({ where: { id: deadlineId, status: 'OPEN', dueAt: deadline.dueAt }, data: { dueAt } });
        if (count === 0) throw new AppError('deadlines.errors.changed');
        const fresh = await tx.deadline.findUniqueOrThrow({ where: { id: deadlineId } });
        await recordAudit(tx, { actorId: adminId, action: 'deadline.extended', entityType: 'deadline', entityId: String(deadlineId), details: { from: deadline.dueAt.toISOString(), to: dueAt.toISOString() } });
        await cancelQueuedReminders(tx, deadlineId);
        const render = (lang: Language) =>
          ngoPayload(lang, [t(lang, 'deadlines.notice.extended_title'), '', ...factsLines(lang, fresh, now), '', t(lang, 'deadlines.notice.extended_body', { old: dueText(lang, deadline) })], deadlineId);
        const current = dueSlot(scheduleOf(fresh), now, fresh.createdAt);
        const dueKey = jalaliDayKey(tehranDateOf(dueAt));
        const notBefore = nextAllowedTime(now);
        await enqueueForTargets(
          tx,
          LANGUAGES.map((lang) => ({ deadlineId, slotKey: current ? current.slot.key : `extended-${dueKey}`, lang, payload: render(lang) })),
          current
            ? { keyPrefix: 'reminder', statuses: ['PENDING'], notBefore, sourceType: REMINDER_SOURCE }
            : { keyPrefix: 'deadline-extended', statuses: ['PENDING'], notBefore, sourceType: NOTICE_SOURCE },
        );
        await enqueueForTargets(
          tx,
          LANGUAGES.map((lang) => ({ deadlineId, slotKey: dueKey, lang, payload: render(lang) })),
          { keyPrefix: 'deadline-extended', statuses: ['SUBMITTED'], notBefore, sourceType: NOTICE_SOURCE },
        );
        return fresh;
      });
      return updated;
    },

    async close(adminId: bigint, deadlineId: number) {
      const admin = await requireAdmin(adminId);
      const deadline = await visibleDeadline(admin, deadlineId);
      await requireWholeDeadline(admin, deadlineId);
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.deadline.updateMany({ where: { id: deadlineId, status: 'OPEN' }, data: { status: 'CLOSED', closedAt: now } });
        if (count === 0) throw new AppError('deadlines.errors.closed', { title: deadline.title });
        await recordAudit(tx, { actorId: adminId, action: 'deadline.closed', entityType: 'deadline', entityId: String(deadlineId) });
        await cancelQueuedReminders(tx, deadlineId);
      });
      return { ...deadline, status: 'CLOSED' as const, closedAt: now };
    },

    // ---- the engine -------------------------------------------------------------------------------

    /**
     * Every minute: for each open deadline, the slot due now (the latest that has come since the deadline
     * was made), sent to the NGOs whose part is still pending. Idempotent: see enqueueForTargets.
     */
    async remindersTick(now: Date = clock.now()): Promise<TickResult> {
      const open = await prisma.deadline.findMany({
        where: { status: 'OPEN', targets: { some: { status: 'PENDING' } } },
        select: { id: true, kind: true, title: true, dueAt: true, reminderDays: true, createdAt: true, amountToman: true, startsAt: true },
      });
      const messages: TargetMessage[] = [];
      const slots: string[] = [];
      for (const d of open) {
        const due = dueSlot(scheduleOf(d), now, d.createdAt);
        if (!due || enqueuedSlots.has(`${d.id}:${due.slot.key}`)) continue;
        slots.push(`${d.id}:${due.slot.key}`);
        for (const lang of LANGUAGES) messages.push({ deadlineId: d.id, slotKey: due.slot.key, lang, payload: reminderPayload(lang, d, due, now) });
      }
      if (messages.length === 0) return { messages: 0, deliveries: 0 };
      const result = await prisma.$transaction(
        // A reminder caught up at night (the bot was down) waits for the morning like any other.
        (tx) => enqueueForTargets(tx, messages, { keyPrefix: 'reminder', statuses: ['PENDING'], notBefore: nextAllowedTime(now), sourceType: REMINDER_SOURCE }),
        { timeout: TICK_TIMEOUT_MS, maxWait: TICK_TIMEOUT_MS },
      );
      if (enqueuedSlots.size + slots.length > SCHEDULE_CACHE_LIMIT) enqueuedSlots.clear();
      for (const slot of slots) enqueuedSlots.add(slot);
      return result;
    },

    /**
     * Once a day: each responsible admin gets one message listing the overdue NGOs they supervise (county
     * admins their county's; the province's admins the NGOs of counties without one). The dedupe key names
     * the admin and the Tehran day, so running the job several times a day sends one digest.
     */
    async overdueDigest(now: Date = clock.now()): Promise<number> {
      const today = startOfTehranDay(now);
      const rows = await prisma.deadlineTarget.findMany({
        where: { status: 'PENDING', deadline: { status: 'OPEN', dueAt: { lt: today } }, ngo: { status: 'APPROVED' } },
        include: { deadline: true, ngo: { include: { county: true } } },
        orderBy: [{ deadline: { dueAt: 'asc' } }, { ngo: { name: 'asc' } }],
      });
      if (rows.length === 0) return 0;
      const admins = await prisma.admin.findMany({ include: { user: { select: { language: true } } } });
      const countyAdmins = new Set(admins.filter((a) => a.role === 'COUNTY_ADMIN').map((a) => a.countyId));
      const perAdmin = new Map<bigint, typeof rows>();
      for (const row of rows) {
        const responsible = countyAdmins.has(row.ngo.countyId)
          ? admins.filter((a) => a.role === 'COUNTY_ADMIN' && a.countyId === row.ngo.countyId)
          : admins.filter((a) => a.role !== 'COUNTY_ADMIN');
        for (const a of responsible) perAdmin.set(a.userId, [...(perAdmin.get(a.userId) ?? []), row]);
      }
      const dayKey = jalaliDayKey(tehranDateOf(now));
      let sent = 0;
      for (const [adminId, list] of perAdmin) {
        const lang = langOf(admins.find((a) => a.userId === adminId)?.user.language);
        const lines = list.slice(0, DIGEST_MAX_LINES).map((r) =>
          t(lang, 'deadlines.digest.item', {
            ngo: escapeHtml(clip(r.ngo.name, 50)),
            county: escapeHtml(r.ngo.county.name),
            title: escapeHtml(clip(r.deadline.title, 50)),
            id: num(lang, r.deadline.id),
            due: dueText(lang, r.deadline),
            days: num(lang, -daysLeft(r.deadline.dueAt, now)),
          }),
        );
        if (list.length > DIGEST_MAX_LINES) lines.push(t(lang, 'deadlines.digest.more', { n: num(lang, list.length - DIGEST_MAX_LINES) }));
        const { added } = await outbox.enqueue({
          payload: { kind: 'TEXT', parseMode: 'HTML', text: [t(lang, 'deadlines.digest.title', { n: num(lang, list.length), date: jalali(lang, now) }), '', ...lines, '', t(lang, 'deadlines.digest.footer')].join('\n') },
          recipients: [adminId],
          dedupeKey: `deadline-digest:${adminId}:${dayKey}`,
          source: { type: 'deadline-digest', id: dayKey },
        });
        sent += added;
      }
      return sent;
    },

    // ---- recurring announcements ------------------------------------------------------------------

    /** A broadcast of the admin's message every Jalali year on a date, or every month on a day. */
    async createRecurring(adminId: bigint, draft: RecurringDraft) {
      const admin = await requireAdmin(adminId);
      const rule: Recurrence = { rule: draft.rule, month: draft.month, day: draft.day, hour: draft.hour, minute: draft.minute };
      if (draft.rule === 'YEARLY' && (!draft.month || draft.month < 1 || draft.month > 12)) throw new AppError('deadlines.recurring.errors.date_month');
      if (draft.day < 1 || draft.day > 31 || draft.hour < 0 || draft.hour > 23 || draft.minute < 0 || draft.minute > 59) throw new AppError('deadlines.recurring.errors.date_day');
      const now = clock.now();
      const current = occurrenceAround(rule, now);
      const county = countyOf(admin);
      const audience: Audience = county === null ? { ...DEFAULT_AUDIENCE } : { ...DEFAULT_AUDIENCE, countyIds: [county] };
      return prisma.$transaction(async (tx) => {
        const created = await tx.recurringBroadcast.create({
          data: {
            createdBy: adminId,
            sourceChatId: draft.sourceChatId,
            sourceMessageId: draft.sourceMessageId,
            contentKind: draft.contentKind,
            audience: audience as unknown as Prisma.InputJsonValue,
            rule: draft.rule,
            month: draft.rule === 'YEARLY' ? draft.month : null,
            day: draft.day,
            hour: draft.hour,
            minute: draft.minute,
            // This period's date has passed already: the first one sent is the next period's.
            lastPeriod: current.at.getTime() <= now.getTime() ? current.period : null,
            createdAt: now,
          },
        });
        await recordAudit(tx, { actorId: adminId, action: 'recurring.created', entityType: 'recurring_broadcast', entityId: String(created.id), details: { rule: draft.rule, month: draft.month, day: draft.day, hour: draft.hour, minute: draft.minute } });
        return created;
      });
    },

    async listRecurring(adminId: bigint) {
      const admin = await requireAdmin(adminId);
      return prisma.recurringBroadcast.findMany({
        where: { active: true, ...(admin.role === 'COUNTY_ADMIN' ? { createdBy: adminId } : {}) },
        orderBy: { id: 'asc' },
      });
    },

    async cancelRecurring(adminId: bigint, id: number) {
      const admin = await requireAdmin(adminId);
      const row = await prisma.recurringBroadcast.findUnique({ where: { id } });
      if (!row || (admin.role === 'COUNTY_ADMIN' && row.createdBy !== adminId)) throw new AppError('deadlines.recurring.errors.not_found');
      const { count } = await prisma.recurringBroadcast.updateMany({ where: { id, active: true }, data: { active: false } });
      if (count === 0) throw new AppError('deadlines.recurring.errors.already_cancelled');
      await recordAudit(prisma, { actorId: adminId, action: 'recurring.cancelled', entityType: 'recurring_broadcast', entityId: String(id) });
      return row;
    },

    /**
     * Every minute: each rule whose date has come in the current period and was not yet sent for it. The
     * period is claimed with a conditional update before the broadcast is made (two processes: one claim);
     * a failure to make it gives the claim back so the next tick tries again.
     */
    async recurringTick(now: Date = clock.now()): Promise<number> {
      const rules = await prisma.recurringBroadcast.findMany({ where: { active: true } });
      let started = 0;
      for (const r of rules) {
        const occurrence = occurrenceAround({ rule: r.rule, month: r.month, day: r.day, hour: r.hour, minute: r.minute }, now);
        if (occurrence.at.getTime() > now.getTime() || r.lastPeriod === occurrence.period) continue;
        const claim = await prisma.recurringBroadcast.updateMany({
          where: { id: r.id, active: true, OR: [{ lastPeriod: null }, { lastPeriod: { not: occurrence.period } }] },
          data: { lastPeriod: occurrence.period },
        });
        if (claim.count === 0) continue;
        if (now.getTime() - occurrence.at.getTime() > RECURRING_MAX_LATE_MS) {
          deps.logger?.warn({ recurringId: r.id, period: occurrence.period }, 'recurring announcement skipped: its date passed too long ago');
          continue;
        }
        try {
          await broadcasts.create(r.createdBy, {
            sourceChatId: r.sourceChatId,
            sourceMessageId: r.sourceMessageId,
            contentKind: r.contentKind,
            audience: parseAudience(r.audience),
            urgent: false,
          });
          started += 1;
        } catch (err) {
          if (err instanceof AppError) {
            // The author is no longer staff, say: retrying every minute would not change that.
            deps.logger?.warn({ recurringId: r.id, code: err.code }, 'recurring announcement refused');
            continue;
          }
          await prisma.recurringBroadcast.updateMany({ where: { id: r.id, lastPeriod: occurrence.period }, data: { lastPeriod: r.lastPeriod } });
          throw err;
        }
      }
      return started;
    },
  };
}

export type DeadlineService = ReturnType<typeof createDeadlineService>;
