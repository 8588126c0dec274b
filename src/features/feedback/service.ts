/**
 * Feedback from NGO members to the office: suggestions, criticism, complaints and questions, each
 * kept as a thread with a tracking number, answered, closed or reopened by the office, and never
 * left to rot: unanswered items are reminded to admins every working day.
 *
 * Anonymity: the sender is stored (the answer must reach them) but an anonymous item is shown to
 * admins without the sender or the NGO, and only to province-level admins: a county admin knows the
 * few NGOs of the county and could guess who wrote, and the complaint may be about the county itself.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox, OutboxDb } from '../../platform/delivery/outbox.js';
import type { Clock } from '../../platform/text/clock.js';
import {
  DEFAULT_DAILY_LIMIT,
  DEFAULT_REMINDER_WORKING_DAYS,
  digestWindowStart,
  excerpt,
  FEEDBACK_LIMITS,
  isFeedbackType,
  isFriday,
  isUrgentType,
  needsReminderToday,
  overdueCutoff,
  prepareReplyText,
  textLength,
  workingDaysBetween,
  type FeedbackStatus,
  type FeedbackType,
} from './rules.js';
import { formatJalaliDate, formatJalaliDateTime, startOfTehranDay, toJalali } from '../../platform/text/jalali.js';
import { toPersianDigits } from '../../platform/text/persian-text.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { DEFAULT_LANGUAGE, escapeHtml, isLanguage, type Language, type Translator } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { AppError } from '../../platform/errors.js';

export interface Attachment {
  kind: 'photo' | 'document';
  fileId: string;
  fileName?: string;
}

export interface FeedbackDraft {
  type: FeedbackType;
  /** The text in parts of at most FEEDBACK_LIMITS.partMax (see prepareFeedbackText). */
  parts: string[];
  attachments: Attachment[];
  anonymous: boolean;
}

export interface FollowUp {
  parts: string[];
  attachments: Attachment[];
}

export interface FeedbackConfig {
  /** Items one person may send per Tehran day. */
  dailyLimit?: number;
  /** Working days (Fridays excluded) after which an unanswered item is reminded to admins. */
  reminderWorkingDays?: number;
}

export interface FeedbackDeps {
  prisma: PrismaClient;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  feedback?: FeedbackConfig;
}

/** Callback actions of buttons the service puts under outbox messages; the bot handles them. */
export const FEEDBACK_ACTIONS = {
  view: 'fbi_v',
  followUp: 'fb_fu',
  mine: 'fb_my',
} as const;

export type InboxStatusFilter = 'open' | 'received' | 'answered' | 'closed';

export interface InboxFilter {
  status: InboxStatusFilter;
  type?: FeedbackType;
  /** Province-level admins only; a county admin always sees their own county. */
  countyId?: number;
}

export interface InboxRow {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  createdAt: Date;
  anonymous: boolean;
  /** Null when anonymous (or the NGO was deleted). */
  ngo: { name: string; county: string } | null;
  assignee: string | null;
  overdue: boolean;
}

export interface ThreadMessage {
  id: number;
  fromOffice: boolean;
  /** Who wrote it, for the reader at hand: null when it must not be shown (anonymous sender, or office staff to a member). */
  author: string | null;
  text: string;
  attachments: Attachment[];
  createdAt: Date;
}

export interface ItemView {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  anonymous: boolean;
  createdAt: Date;
  waitingSince: Date | null;
  /** Null for admins when anonymous. */
  sender: { id: bigint; name: string } | null;
  ngo: { id: number; name: string; county: string } | null;
  assignee: { id: bigint; name: string } | null;
  messages: ThreadMessage[];
}

export interface MyItemRow {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  createdAt: Date;
  anonymous: boolean;
}

type AdminRow = { userId: bigint; role: 'SUPER_ADMIN' | 'PROVINCE_ADMIN' | 'COUNTY_ADMIN'; countyId: number | null };
type Scoped = { anonymous: boolean; ngo: { countyId: number } | null };
type T = (key: string, options?: Record<string, unknown>) => string;

const DIGEST_SETTING = 'feedback.digest_set';
const REMINDER_LIST_MAX = 30;
const NOTICE_EXCERPT = 600;

const itemInclude = {
  ngo: { include: { county: true } },
  messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
} as const satisfies Prisma.FeedbackItemInclude;
type ItemRow = Prisma.FeedbackItemGetPayload<{ include: typeof itemInclude }>;

const fullName = (u: { firstName: string; lastName: string | null }) => [u.firstName, u.lastName].filter(Boolean).join(' ');

function parseAttachments(value: unknown): Attachment[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((a): Attachment[] => {
    const v = a as Partial<Attachment>;
    if ((v.kind !== 'photo' && v.kind !== 'document') || typeof v.fileId !== 'string' || !v.fileId) return [];
    return [{ kind: v.kind, fileId: v.fileId, ...(typeof v.fileName === 'string' ? { fileName: v.fileName } : {}) }];
  });
}

/** Drafts come back from the session (JSON from Redis or the database): trust nothing in them. */
function checkParts(parts: unknown, allowEmpty: boolean): string[] {
  if (!Array.isArray(parts)) throw new AppError('feedback.errors.text_empty');
  const clean = parts.filter((p): p is string => typeof p === 'string' && p.trim() !== '');
  if (clean.length === 0 && !allowEmpty) throw new AppError('feedback.errors.text_empty');
  const total = clean.reduce((n, p) => n + textLength(p), 0);
  if (clean.some((p) => textLength(p) > FEEDBACK_LIMITS.partMax) || total > FEEDBACK_LIMITS.totalMax) {
    throw new AppError('feedback.errors.text_too_long', { length: total, max: FEEDBACK_LIMITS.totalMax });
  }
  return clean;
}

function checkAttachments(value: unknown): Attachment[] {
  const attachments = parseAttachments(value);
  if (attachments.length > FEEDBACK_LIMITS.attachmentsMax) throw new AppError('feedback.errors.too_many_attachments', { max: FEEDBACK_LIMITS.attachmentsMax });
  return attachments;
}

export function createFeedbackService(deps: FeedbackDeps) {
  const { prisma, outbox, translator, clock } = deps;
  const dailyLimit = deps.feedback?.dailyLimit ?? DEFAULT_DAILY_LIMIT;
  const reminderDays = deps.feedback?.reminderWorkingDays ?? DEFAULT_REMINDER_WORKING_DAYS;

  const langOf = (l: string | null | undefined): Language => (isLanguage(l) ? l : DEFAULT_LANGUAGE);
  const tFor = (lang: Language): T => (key, o) => translator.t(lang, key, o);
  const num = (lang: Language, n: number | string) => (lang === 'fa' ? toPersianDigits(n) : String(n));
  const when = (lang: Language, d: Date) => (lang === 'fa' ? formatJalaliDateTime(d) : toAscii(formatJalaliDateTime(d).replace(' ساعت ', ' ')));
  const day = (lang: Language, d: Date) => (lang === 'fa' ? formatJalaliDate(d) : toAscii(formatJalaliDate(d)));

  // ---- who may do what ---------------------------------------------------------------------------

  async function requireAdmin(adminId: bigint): Promise<AdminRow> {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  function inScope(admin: AdminRow, item: Scoped): boolean {
    if (admin.role !== 'COUNTY_ADMIN') return true;
    return !item.anonymous && item.ngo !== null && item.ngo.countyId === admin.countyId;
  }

  function scopeWhere(admin: AdminRow): Prisma.FeedbackItemWhereInput {
    return admin.role === 'COUNTY_ADMIN' ? { anonymous: false, ngo: { countyId: admin.countyId ?? -1 } } : {};
  }

  /** An item out of the admin's scope is "not found": its existence is not theirs to know. */
  async function requireItemForAdmin(adminId: bigint, itemId: number) {
    const admin = await requireAdmin(adminId);
    const item = await prisma.feedbackItem.findUnique({ where: { id: itemId }, include: itemInclude });
    if (!item || !inScope(admin, item)) throw new AppError('feedback.errors.not_found', { id: itemId });
    return { admin, item };
  }

  /** Another person's tracking number gets the same answer as a wrong one. */
  async function requireOwnItem(userId: bigint, itemId: number) {
    const item = await prisma.feedbackItem.findUnique({ where: { id: itemId }, include: itemInclude });
    if (!item || item.userId !== userId) throw new AppError('feedback.errors.not_yours', { id: itemId });
    return item;
  }

  /** Members of a registered NGO; a rejected registration is not one. */
  async function requireEligibleMember(userId: bigint) {
    const member = await prisma.ngoMember.findUnique({ where: { userId }, include: { ngo: true } });
    if (!member) throw new AppError('feedback.errors.not_member');
    if (member.ngo.status === 'REJECTED') throw new AppError('feedback.errors.ngo_rejected', { name: member.ngo.name });
    return member;
  }

  async function requireUnderDailyLimit(userId: bigint) {
    const sent = await prisma.feedbackItem.count({ where: { userId, createdAt: { gte: startOfTehranDay(clock.now()) } } });
    if (sent >= dailyLimit) throw new AppError('feedback.errors.daily_limit', { limit: dailyLimit });
  }

  /** Admins who may read an item: the province's, and for a named item the admins of its county. */
  async function adminsFor(item: { anonymous: boolean; countyId: number | null }, db: OutboxDb) {
    const county = !item.anonymous && item.countyId !== null ? [{ role: 'COUNTY_ADMIN' as const, countyId: item.countyId }] : [];
    return db.admin.findMany({
      where: { OR: [{ role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, ...county] },
      include: { user: { select: { language: true, firstName: true, lastName: true } } },
      orderBy: { userId: 'asc' },
    });
  }

  // ---- digest preference ----------------------------------------------------------------------------

  /** Admins who take non-urgent feedback as a daily digest (their own choice, /feedback_settings). */
  async function digestAdmins(adminIds: bigint[], db: OutboxDb = prisma): Promise<Set<bigint>> {
    if (adminIds.length === 0) return new Set();
    const rows = await db.admin.findMany({ where: { userId: { in: adminIds }, feedbackDigest: true }, select: { userId: true } });
    return new Set(rows.map((r) => r.userId));
  }

  // ---- rendering of outbox messages --------------------------------------------------------------

  function typeLabel(t: T, type: FeedbackType) {
    return t(`feedback.types.${type}`);
  }

  function senderLine(t: T, item: ItemRow, sender: { firstName: string; lastName: string | null } | null) {
    if (item.anonymous) return t('feedback.notice.anonymous');
    const ngo = item.ngo ? t('feedback.notice.ngo', { name: escapeHtml(item.ngo.name), county: escapeHtml(item.ngo.county.name) }) : '';
    return t('feedback.notice.from', { name: escapeHtml(sender ? fullName(sender) : '—'), ngo });
  }

  function viewButton(lang: Language, itemId: number) {
    return { inline_keyboard: [[{ text: translator.t(lang, 'feedback.notice.view_button'), callback_data: `${FEEDBACK_ACTIONS.view}:${itemId}` }]] };
  }

  function noticeText(lang: Language, item: ItemRow, sender: { firstName: string; lastName: string | null } | null, event: 'new' | 'followup', text: string, attachments: number) {
    const t = tFor(lang);
    return [
      t(`feedback.notice.${event}_title`, { type: typeLabel(t, item.type), id: num(lang, item.id) }),
      senderLine(t, item, sender),
      '',
      escapeHtml(excerpt(text, NOTICE_EXCERPT)) || t('feedback.notice.no_text'),
      attachments > 0 ? t('feedback.notice.attachments', { n: num(lang, attachments) }) : null,
    ]
      .filter((l) => l !== null)
      .join('\n');
  }

  /**
   * Tells the admins about a new item or a follow-up, in the transaction that stored it. Complaints
   * go to everyone at once; otherwise admins who chose the digest read it there, and the others get
   * it now, held back to the morning at night and on Friday. A follow-up on an assigned item goes to
   * its assignee alone, who is already working on it.
   */
  async function notifyAdmins(item: ItemRow, event: 'new' | 'followup', message: { id: number; text: string; attachments: number }, db: OutboxDb) {
    const now = clock.now();
    const urgent = isUrgentType(item.type);
    let admins = await adminsFor({ anonymous: item.anonymous, countyId: item.ngo?.countyId ?? null }, db);
    if (event === 'followup' && item.assignedTo !== null) {
      const assignee = admins.filter((a) => a.userId === item.assignedTo);
      if (assignee.length) admins = assignee;
    }
    if (!urgent) {
      const digest = await digestAdmins(admins.map((a) => a.userId), db);
      admins = admins.filter((a) => !digest.has(a.userId));
    }
    const sender = item.anonymous ? null : await db.user.findUnique({ where: { id: item.userId }, select: { firstName: true, lastName: true } });
    const byLanguage = new Map<Language, bigint[]>();
    for (const a of admins) {
      const lang = langOf(a.user.language);
      byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), a.userId]);
    }
    for (const [lang, recipients] of byLanguage) {
      await outbox.enqueue(
        {
          payload: { kind: 'TEXT', parseMode: 'HTML', text: noticeText(lang, item, sender, event, message.text, message.attachments), replyMarkup: viewButton(lang, item.id) },
          recipients,
          dedupeKey: `feedback-${event}:${message.id}:${lang}`,
          notBefore: urgent ? now : nextAllowedTime(now),
          source: { type: 'feedback', id: String(item.id) },
        },
        db,
      );
    }
  }

  /** A message to the sender (answer, closing, reopening), in their language, with the tracking number. */
  async function notifySender(item: { id: number; type: FeedbackType; userId: bigint }, key: string, params: Record<string, unknown>, dedupeKey: string, db: OutboxDb, followUpButton: boolean) {
    const user = await db.user.findUnique({ where: { id: item.userId }, select: { language: true } });
    const lang = langOf(user?.language);
    const t = tFor(lang);
    const text = t(key, { id: num(lang, item.id), type: typeLabel(t, item.type), ...params });
    await outbox.enqueue(
      {
        payload: {
          kind: 'TEXT',
          parseMode: 'HTML',
          text,
          ...(followUpButton
            ? { replyMarkup: { inline_keyboard: [[{ text: t('feedback.mine.followup_button'), callback_data: `${FEEDBACK_ACTIONS.followUp}:${item.id}` }]] } }
            : {}),
        },
        recipients: [item.userId],
        dedupeKey,
        source: { type: 'feedback', id: String(item.id) },
      },
      db,
    );
  }

  // ---- views -----------------------------------------------------------------------------------

  async function namesOf(ids: bigint[]): Promise<Map<bigint, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const users = await prisma.user.findMany({ where: { id: { in: unique } }, select: { id: true, firstName: true, lastName: true } });
    return new Map(users.map((u) => [u.id, fullName(u)]));
  }

  async function toView(item: ItemRow, reader: 'admin' | 'owner'): Promise<ItemView> {
    const hideSender = reader === 'admin' && item.anonymous;
    const names = await namesOf([item.userId, ...(item.assignedTo !== null ? [item.assignedTo] : []), ...item.messages.map((m) => m.authorId)]);
    return {
      id: item.id,
      type: item.type,
      status: item.status,
      anonymous: item.anonymous,
      createdAt: item.createdAt,
      waitingSince: item.waitingSince,
      sender: hideSender ? null : { id: item.userId, name: names.get(item.userId) ?? '—' },
      ngo: hideSender || !item.ngo ? null : { id: item.ngo.id, name: item.ngo.name, county: item.ngo.county.name },
      assignee: reader === 'admin' && item.assignedTo !== null ? { id: item.assignedTo, name: names.get(item.assignedTo) ?? String(item.assignedTo) } : null,
      messages: item.messages.map((m) => ({
        id: m.id,
        fromOffice: m.fromOffice,
        author: m.fromOffice ? (reader === 'admin' ? (names.get(m.authorId) ?? null) : null) : hideSender ? null : (names.get(m.authorId) ?? null),
        text: m.text,
        attachments: parseAttachments(m.attachments),
        createdAt: m.createdAt,
      })),
    };
  }

  function inboxWhere(admin: AdminRow, filter: InboxFilter): Prisma.FeedbackItemWhereInput {
    const status: Prisma.FeedbackItemWhereInput =
      filter.status === 'open'
        ? { status: { in: ['RECEIVED', 'ANSWERED'] } }
        : { status: filter.status === 'received' ? 'RECEIVED' : filter.status === 'answered' ? 'ANSWERED' : 'CLOSED' };
    // Filtering anonymous items by county would tell which county they came from.
    const county = admin.role !== 'COUNTY_ADMIN' && filter.countyId ? { anonymous: false, ngo: { countyId: filter.countyId } } : {};
    return { AND: [scopeWhere(admin), status, filter.type ? { type: filter.type } : {}, county] };
  }

  // ---- daily jobs ----------------------------------------------------------------------------------

  const dateKey = (at: Date) => {
    const { jy, jm, jd } = toJalali(at);
    return `${jy}-${jm}-${jd}`;
  };

  return {
    // ---- the sender's side ----------------------------------------------------------------------

    /** Before the form starts, so nobody writes a long text only to be refused at the end. */
    async checkCanSubmit(userId: bigint): Promise<void> {
      await requireEligibleMember(userId);
      await requireUnderDailyLimit(userId);
    },

    /**
     * Stores the item with its first messages and the admins' notices in one transaction: the
     * sender is told "received" only after this returns (invariant 1).
     */
    async submit(userId: bigint, draft: FeedbackDraft): Promise<{ id: number }> {
      if (!isFeedbackType(draft.type)) throw new AppError('feedback.errors.choose_type');
      const parts = checkParts(draft.parts, false);
      const attachments = checkAttachments(draft.attachments);
      const member = await requireEligibleMember(userId);
      await requireUnderDailyLimit(userId);
      const now = clock.now();
      const anonymous = draft.anonymous === true;
      return prisma.$transaction(async (tx) => {
        const created = await tx.feedbackItem.create({
          data: { type: draft.type, userId, ngoId: member.ngoId, anonymous, createdAt: now, waitingSince: now },
        });
        // One row per part, in order; the attachments go with the first, which starts the thread.
        const messages = [];
        for (const [i, text] of parts.entries()) {
          messages.push(
            await tx.feedbackMessage.create({
              data: { itemId: created.id, authorId: userId, fromOffice: false, text, attachments: (i === 0 ? attachments : []) as unknown as Prisma.InputJsonValue, createdAt: now },
            }),
          );
        }
        await recordAudit(tx, {
          // An anonymous sender is not named in the audit log either.
          actorId: anonymous ? null : userId,
          action: 'feedback.submitted',
          entityType: 'feedback',
          entityId: String(created.id),
          details: { type: draft.type, anonymous, parts: parts.length, attachments: attachments.length },
        });
        const item = await tx.feedbackItem.findUniqueOrThrow({ where: { id: created.id }, include: itemInclude });
        await notifyAdmins(item, 'new', { id: messages[0]!.id, text: parts.join('\n'), attachments: attachments.length }, tx);
        return { id: created.id };
      });
    },

    async myItems(userId: bigint, page: number, pageSize: number): Promise<{ total: number; items: MyItemRow[] }> {
      const where = { userId };
      const [total, rows] = await Promise.all([
        prisma.feedbackItem.count({ where }),
        prisma.feedbackItem.findMany({ where, orderBy: { id: 'desc' }, skip: page * pageSize, take: pageSize }),
      ]);
      return { total, items: rows.map((r) => ({ id: r.id, type: r.type, status: r.status, createdAt: r.createdAt, anonymous: r.anonymous })) };
    },

    async myItem(userId: bigint, itemId: number): Promise<ItemView> {
      return toView(await requireOwnItem(userId, itemId), 'owner');
    },

    /** Only on the sender's own, open item; an answered item goes back to waiting for the office. */
    async addFollowUp(userId: bigint, itemId: number, input: FollowUp): Promise<void> {
      const attachments = checkAttachments(input.attachments);
      const parts = checkParts(input.parts, attachments.length > 0);
      const item = await requireOwnItem(userId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.closed', { id: itemId });
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: { not: 'CLOSED' } },
          data: { status: 'RECEIVED', waitingSince: item.waitingSince ?? now, ...(item.waitingSince ? {} : { lastReminderAt: null }) },
        });
        if (count === 0) throw new AppError('feedback.errors.closed', { id: itemId });
        const texts = parts.length ? parts : [''];
        const messages = [];
        for (const [i, text] of texts.entries()) {
          messages.push(
            await tx.feedbackMessage.create({
              data: { itemId, authorId: userId, fromOffice: false, text, attachments: (i === 0 ? attachments : []) as unknown as Prisma.InputJsonValue, createdAt: now },
            }),
          );
        }
        await recordAudit(tx, {
          actorId: item.anonymous ? null : userId,
          action: 'feedback.followed_up',
          entityType: 'feedback',
          entityId: String(itemId),
          details: { parts: parts.length, attachments: attachments.length },
        });
        const fresh = await tx.feedbackItem.findUniqueOrThrow({ where: { id: itemId }, include: itemInclude });
        await notifyAdmins(fresh, 'followup', { id: messages[0]!.id, text: parts.join('\n'), attachments: attachments.length }, tx);
      });
    },

    // ---- the office's side ------------------------------------------------------------------------

    async inbox(adminId: bigint, filter: InboxFilter, page: number, pageSize: number): Promise<{ total: number; items: InboxRow[]; countyScoped: boolean }> {
      const admin = await requireAdmin(adminId);
      const where = inboxWhere(admin, filter);
      const now = clock.now();
      // Open items oldest first (the longest waiting on top); closed ones newest first.
      const orderBy: Prisma.FeedbackItemOrderByWithRelationInput[] = filter.status === 'closed' ? [{ updatedAt: 'desc' }, { id: 'desc' }] : [{ createdAt: 'asc' }, { id: 'asc' }];
      const [total, rows] = await Promise.all([
        prisma.feedbackItem.count({ where }),
        prisma.feedbackItem.findMany({ where, orderBy, skip: page * pageSize, take: pageSize, include: { ngo: { include: { county: true } } } }),
      ]);
      const names = await namesOf(rows.flatMap((r) => (r.assignedTo !== null ? [r.assignedTo] : [])));
      return {
        total,
        countyScoped: admin.role === 'COUNTY_ADMIN',
        items: rows.map((r) => ({
          id: r.id,
          type: r.type,
          status: r.status,
          createdAt: r.createdAt,
          anonymous: r.anonymous,
          ngo: r.anonymous || !r.ngo ? null : { name: r.ngo.name, county: r.ngo.county.name },
          assignee: r.assignedTo !== null ? (names.get(r.assignedTo) ?? String(r.assignedTo)) : null,
          overdue: r.status === 'RECEIVED' && r.waitingSince !== null && workingDaysBetween(r.waitingSince, now) >= reminderDays,
        })),
      };
    },

    /** One item with its thread, for an admin who may read it; the reading is audited (anonymous complaints deserve that). */
    async view(adminId: bigint, itemId: number): Promise<ItemView> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      await recordAudit(prisma, { actorId: adminId, action: 'feedback.viewed', entityType: 'feedback', entityId: String(itemId) });
      return toView(item, 'admin');
    },

    /** Before asking an admin to type an answer: refused at once when it could not be sent. */
    async checkCanReply(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.reply_closed', { id: itemId });
    },

    /** The answer joins the thread and goes to the sender (anonymous or not) with the tracking number. */
    async reply(adminId: bigint, itemId: number, input: string): Promise<void> {
      const text = prepareReplyText(input);
      if (!text.ok) throw new AppError(`feedback.errors.reply_${text.error}`, { length: text.length, max: FEEDBACK_LIMITS.replyMax });
      const { item } = await requireItemForAdmin(adminId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.reply_closed', { id: itemId });
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: { not: 'CLOSED' } },
          data: { status: 'ANSWERED', waitingSince: null, lastReminderAt: null },
        });
        if (count === 0) throw new AppError('feedback.errors.reply_closed', { id: itemId });
        const message = await tx.feedbackMessage.create({ data: { itemId, authorId: adminId, fromOffice: true, text: text.value, createdAt: clock.now() } });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.replied', entityType: 'feedback', entityId: String(itemId), details: { messageId: message.id, length: text.length } });
        await notifySender(item, 'feedback.answer.notice', { text: escapeHtml(text.value) }, `feedback-answer:${message.id}`, tx, true);
      });
    },

    async close(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({ where: { id: itemId, status: { not: 'CLOSED' } }, data: { status: 'CLOSED', waitingSince: null } });
        if (count === 0) throw new AppError('feedback.errors.already_closed', { id: itemId });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.closed', entityType: 'feedback', entityId: String(itemId), details: { from: item.status } });
        await notifySender(item, 'feedback.answer.closed_notice', {}, `feedback-closed:${itemId}:${now.getTime()}`, tx, false);
      });
    },

    /** Back to where the thread stands: waiting for the office if the sender spoke last, else answered. */
    async reopen(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      const now = clock.now();
      const officeSpokeLast = item.messages.at(-1)?.fromOffice === true;
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: 'CLOSED' },
          data: officeSpokeLast ? { status: 'ANSWERED', waitingSince: null } : { status: 'RECEIVED', waitingSince: now, lastReminderAt: null },
        });
        if (count === 0) throw new AppError('feedback.errors.not_closed', { id: itemId });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.reopened', entityType: 'feedback', entityId: String(itemId) });
        await notifySender(item, 'feedback.answer.reopened_notice', {}, `feedback-reopened:${itemId}:${now.getTime()}`, tx, true);
      });
    },

    /** Admins who may take this item: those who may read it. */
    async assignees(adminId: bigint, itemId: number): Promise<{ id: bigint; name: string; current: boolean }[]> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      const admins = await adminsFor({ anonymous: item.anonymous, countyId: item.ngo?.countyId ?? null }, prisma);
      return admins.map((a) => ({ id: a.userId, name: fullName(a.user), current: a.userId === item.assignedTo }));
    },

    async assign(adminId: bigint, itemId: number, assigneeId: bigint): Promise<{ name: string }> {
      const { item } = await requireItemForAdmin(adminId, itemId);
      const assignee = await prisma.admin.findUnique({ where: { userId: assigneeId }, include: { user: true } });
      if (!assignee || !inScope(assignee, item)) throw new AppError('feedback.errors.assignee_out_of_scope');
      const name = fullName(assignee.user);
      if (item.assignedTo === assigneeId) return { name };
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        await tx.feedbackItem.update({ where: { id: itemId }, data: { assignedTo: assigneeId } });
        await recordAudit(tx, {
          actorId: adminId,
          action: 'feedback.assigned',
          entityType: 'feedback',
          entityId: String(itemId),
          details: { from: item.assignedTo === null ? null : String(item.assignedTo), to: String(assigneeId) },
        });
        if (assigneeId !== adminId) {
          const lang = langOf(assignee.user.language);
          const t = tFor(lang);
          const by = await tx.user.findUnique({ where: { id: adminId } });
          await outbox.enqueue(
            {
              payload: {
                kind: 'TEXT',
                parseMode: 'HTML',
                text: t('feedback.notice.assigned', { id: num(lang, itemId), type: typeLabel(t, item.type), by: escapeHtml(by ? fullName(by) : '—') }),
                replyMarkup: viewButton(lang, itemId),
              },
              recipients: [assigneeId],
              dedupeKey: `feedback-assigned:${itemId}:${assigneeId}:${now.getTime()}`,
              source: { type: 'feedback', id: String(itemId) },
            },
            tx,
          );
        }
      });
      return { name };
    },

    async digestSetting(adminId: bigint): Promise<boolean> {
      await requireAdmin(adminId);
      return (await digestAdmins([adminId])).has(adminId);
    },

    async setDigest(adminId: bigint, digest: boolean): Promise<void> {
      await requireAdmin(adminId);
      if ((await digestAdmins([adminId])).has(adminId) === digest) return;
      await prisma.$transaction(async (tx) => {
        await tx.admin.update({ where: { userId: adminId }, data: { feedbackDigest: digest } });
        await recordAudit(tx, { actorId: adminId, action: DIGEST_SETTING, entityType: 'admin', entityId: String(adminId), details: { digest } });
      });
    },

    /**
     * Scheduler, once a working day: every item still waiting for the office after the configured
     * working days goes into one reminder per admin (to the assignee alone when it has one). An item
     * is reminded at most once a Tehran day, and the reminder commits with that mark.
     */
    async remindUnanswered(at: Date): Promise<number> {
      if (isFriday(at)) return 0;
      const items = await prisma.feedbackItem.findMany({
        where: {
          status: 'RECEIVED',
          waitingSince: { lt: overdueCutoff(at, reminderDays) },
        },
        include: { ngo: true },
        orderBy: [{ waitingSince: 'asc' }, { id: 'asc' }],
      });
      const due = items.filter((i) => needsReminderToday(i.lastReminderAt, at));
      if (due.length === 0) return 0;
      const admins = await prisma.admin.findMany({ include: { user: true }, orderBy: { userId: 'asc' } });
      const perAdmin = new Map<bigint, typeof due>();
      for (const item of due) {
        const readers = admins.filter((a) => inScope(a, item));
        const assignee = readers.find((a) => a.userId === item.assignedTo);
        for (const a of assignee ? [assignee] : readers) perAdmin.set(a.userId, [...(perAdmin.get(a.userId) ?? []), item]);
      }
      await prisma.$transaction(async (tx) => {
        for (const admin of admins) {
          const list = perAdmin.get(admin.userId);
          if (!list?.length) continue;
          const lang = langOf(admin.user.language);
          const t = tFor(lang);
          const lines = list.slice(0, REMINDER_LIST_MAX).map((i) =>
            t('feedback.reminder.item', {
              id: num(lang, i.id),
              type: typeLabel(t, i.type),
              since: day(lang, i.waitingSince!),
              days: num(lang, workingDaysBetween(i.waitingSince!, at)),
            }),
          );
          const more = list.length > REMINDER_LIST_MAX ? [t('feedback.reminder.more', { n: num(lang, list.length - REMINDER_LIST_MAX) })] : [];
          await outbox.enqueue(
            {
              payload: {
                kind: 'TEXT',
                parseMode: 'HTML',
                text: [t('feedback.reminder.title', { n: num(lang, list.length), days: num(lang, reminderDays) }), '', ...lines, ...more, '', t('feedback.reminder.footer')].join('\n'),
              },
              recipients: [admin.userId],
              dedupeKey: `feedback-reminder:${dateKey(at)}:${admin.userId}`,
              source: { type: 'feedback-reminder', id: dateKey(at) },
            },
            tx,
          );
        }
        await tx.feedbackItem.updateMany({ where: { id: { in: due.map((i) => i.id) } }, data: { lastReminderAt: at } });
      });
      return due.length;
    },

    /**
     * Scheduler, once a working day: for admins who chose it, what the members wrote since the last
     * digest (Saturday's covers Friday too), new items and follow-ups apart.
     */
    async sendDigests(at: Date): Promise<number> {
      if (isFriday(at)) return 0;
      const admins = await prisma.admin.findMany({ include: { user: true }, orderBy: { userId: 'asc' } });
      const chosen = await digestAdmins(admins.map((a) => a.userId));
      const readers = admins.filter((a) => chosen.has(a.userId));
      if (readers.length === 0) return 0;
      const from = digestWindowStart(at);
      const items = await prisma.feedbackItem.findMany({
        where: { messages: { some: { fromOffice: false, createdAt: { gte: from, lt: at } } } },
        include: { ngo: { include: { county: true } } },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      });
      if (items.length === 0) return 0;
      let sent = 0;
      await prisma.$transaction(async (tx) => {
        for (const admin of readers) {
          const mine = items.filter((i) => inScope(admin, i));
          if (mine.length === 0) continue;
          const lang = langOf(admin.user.language);
          const t = tFor(lang);
          const line = (i: (typeof items)[number]) =>
            t('feedback.digest.item', {
              id: num(lang, i.id),
              type: typeLabel(t, i.type),
              status: t(`feedback.statuses.${i.status}`),
              from: i.anonymous || !i.ngo ? t('feedback.notice.anonymous_short') : escapeHtml(i.ngo.name),
            });
          const fresh = mine.filter((i) => i.createdAt >= from);
          const followed = mine.filter((i) => i.createdAt < from);
          const text = [
            t('feedback.digest.title', { from: when(lang, from), to: when(lang, at) }),
            ...(fresh.length ? ['', t('feedback.digest.new', { n: num(lang, fresh.length) }), ...fresh.map(line)] : []),
            ...(followed.length ? ['', t('feedback.digest.followups', { n: num(lang, followed.length) }), ...followed.map(line)] : []),
            '',
            t('feedback.digest.footer'),
          ].join('\n');
          await outbox.enqueue(
            { payload: { kind: 'TEXT', parseMode: 'HTML', text }, recipients: [admin.userId], dedupeKey: `feedback-digest:${dateKey(at)}:${admin.userId}`, source: { type: 'feedback-digest', id: dateKey(at) } },
            tx,
          );
          sent += 1;
        }
      });
      return sent;
    },
  };
}

function toAscii(s: string): string {
  return s.replace(/[۰-۹]/g, (d) => String(d.charCodeAt(0) - 0x06f0));
}

export type FeedbackService = ReturnType<typeof createFeedbackService>;
