/**
 * The office's side of feedback: the inbox, one item with its thread, and what staff do with it
 * (answer, close, reopen, assign), each authorised against the admin's scope, written with its audit
 * row and the sender's notice in one transaction, and conditional so a double tap acts once.
 */
import { languageOr } from '../../platform/i18n/index.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { OutboxDb } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import { loadHolidays } from '../staff/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { fullName, scopeOf, type UseCaseDeps } from './access.js';
import { assignedNotice, senderNotice, readerFor, type SenderEvent } from './notices.js';
import { FEEDBACK_LIMITS, isOverdue, mayRead, prepareReplyText, type FeedbackType, type Reader } from './rules.js';
import type { InboxFilter, InboxPage, ItemView } from './types.js';


function inboxWhere(admin: Reader, filter: InboxFilter): Prisma.FeedbackItemWhereInput {
  const scope: Prisma.FeedbackItemWhereInput = admin.role === 'COUNTY_ADMIN' ? { anonymous: false, ngo: { countyId: admin.countyId ?? -1 } } : {};
  const status: Prisma.FeedbackItemWhereInput =
    filter.status === 'open'
      ? { status: { in: ['RECEIVED', 'ANSWERED'] } }
      : { status: filter.status === 'received' ? 'RECEIVED' : filter.status === 'answered' ? 'ANSWERED' : 'CLOSED' };
  // Filtering anonymous items by county would tell which county they came from.
  const county = admin.role !== 'COUNTY_ADMIN' && filter.countyId ? { anonymous: false, ngo: { countyId: filter.countyId } } : {};
  return { AND: [scope, status, filter.type ? { type: filter.type } : {}, county] };
}

export function createOfficeFeedback({ prisma, outbox, translator, clock, access, reminderDays }: UseCaseDeps) {
  /** A message to the sender (answer, closing, reopening), in their language, with the tracking number. */
  async function notifySender(item: { id: number; type: FeedbackType; userId: bigint }, event: SenderEvent, dedupeKey: string, db: OutboxDb, answer?: string) {
    const user = await db.user.findUnique({ where: { id: item.userId }, select: { language: true } });
    await outbox.enqueue(
      {
        payload: senderNotice(readerFor(translator, languageOr(user?.language)), event, item, answer),
        recipients: [item.userId],
        dedupeKey,
        source: { type: 'feedback', id: String(item.id) },
      },
      db,
    );
  }

  return {
    async inbox(adminId: bigint, filter: InboxFilter, page: number, pageSize: number): Promise<InboxPage> {
      const admin = await access.requireAdmin(adminId);
      const where = inboxWhere(admin, filter);
      const now = clock.now();
      // Open items oldest first (the longest waiting on top); closed ones newest first.
      const orderBy: Prisma.FeedbackItemOrderByWithRelationInput[] = filter.status === 'closed' ? [{ updatedAt: 'desc' }, { id: 'desc' }] : [{ createdAt: 'asc' }, { id: 'asc' }];
      const [total, rows] = await Promise.all([
        prisma.feedbackItem.count({ where }),
        prisma.feedbackItem.findMany({ where, orderBy, skip: page * pageSize, take: pageSize, include: { ngo: { include: { county: true } } } }),
      ]);
      const names = await access.namesOf(rows.flatMap((r) => (r.assignedTo !== null ? [r.assignedTo] : [])));
      // The same working days as the daily reminder: an item is not "overdue" over an official holiday.
      const holidays = await loadHolidays(prisma);
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
          overdue: r.status === 'RECEIVED' && r.waitingSince !== null && isOverdue(r.waitingSince, now, reminderDays, holidays),
        })),
      };
    },

    /** One item with its thread, for an admin who may read it; the reading is audited (anonymous complaints deserve that). */
    async view(adminId: bigint, itemId: number): Promise<ItemView> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      await recordAudit(prisma, { actorId: adminId, action: 'feedback.viewed', entityType: 'feedback', entityId: String(itemId) });
      return access.toView(item, 'admin');
    },

    /** Before asking an admin to type an answer: refused at once when it could not be sent. */
    async checkCanReply(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.reply_closed', { id: itemId });
    },

    /** The answer joins the thread and goes to the sender (anonymous or not) with the tracking number. */
    async reply(adminId: bigint, itemId: number, input: string): Promise<void> {
      const text = prepareReplyText(input);
      if (!text.ok) throw new AppError(`feedback.errors.reply_${text.error}`, { length: text.length, max: FEEDBACK_LIMITS.replyMax });
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.reply_closed', { id: itemId });
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: { not: 'CLOSED' } },
          data: { status: 'ANSWERED', waitingSince: null, lastReminderAt: null },
        });
        if (count === 0) throw new AppError('feedback.errors.reply_closed', { id: itemId });
        const message = await tx.feedbackMessage.create({ data: { itemId, authorId: adminId, fromOffice: true, text: text.value, createdAt: clock.now() } });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.replied', entityType: 'feedback', entityId: String(itemId), details: { messageId: message.id, length: text.length } });
        await notifySender(item, 'answer', `feedback-answer:${message.id}`, tx, text.value);
      });
    },

    async close(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({ where: { id: itemId, status: { not: 'CLOSED' } }, data: { status: 'CLOSED', waitingSince: null } });
        if (count === 0) throw new AppError('feedback.errors.already_closed', { id: itemId });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.closed', entityType: 'feedback', entityId: String(itemId), details: { from: item.status } });
        await notifySender(item, 'closed', `feedback-closed:${itemId}:${now.getTime()}`, tx);
      });
    },

    /** Back to where the thread stands: waiting for the office if the sender spoke last, else answered. */
    async reopen(adminId: bigint, itemId: number): Promise<void> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      const now = clock.now();
      const officeSpokeLast = item.messages.at(-1)?.fromOffice === true;
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: 'CLOSED' },
          data: officeSpokeLast ? { status: 'ANSWERED', waitingSince: null } : { status: 'RECEIVED', waitingSince: now, lastReminderAt: null },
        });
        if (count === 0) throw new AppError('feedback.errors.not_closed', { id: itemId });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.reopened', entityType: 'feedback', entityId: String(itemId) });
        await notifySender(item, 'reopened', `feedback-reopened:${itemId}:${now.getTime()}`, tx);
      });
    },

    /** Admins who may take this item: those who may read it. */
    async assignees(adminId: bigint, itemId: number): Promise<{ id: bigint; name: string; current: boolean }[]> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      const admins = await access.readersOf(scopeOf(item));
      return admins.map((a) => ({ id: a.userId, name: fullName(a.user), current: a.userId === item.assignedTo }));
    },

    async assign(adminId: bigint, itemId: number, assigneeId: bigint): Promise<{ name: string }> {
      const { item } = await access.requireItemForAdmin(adminId, itemId);
      const assignee = await prisma.admin.findUnique({ where: { userId: assigneeId }, include: { user: true } });
      if (!assignee || !mayRead(assignee, item)) throw new AppError('feedback.errors.assignee_out_of_scope');
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
        if (assigneeId === adminId) return;
        const by = await tx.user.findUnique({ where: { id: adminId } });
        await outbox.enqueue(
          {
            payload: assignedNotice(readerFor(translator, languageOr(assignee.user.language)), item, by ? fullName(by) : '—'),
            recipients: [assigneeId],
            dedupeKey: `feedback-assigned:${itemId}:${assigneeId}:${now.getTime()}`,
            source: { type: 'feedback', id: String(itemId) },
          },
          tx,
        );
      });
      return { name };
    },

    async digestSetting(adminId: bigint): Promise<boolean> {
      await access.requireAdmin(adminId);
      return (await access.digestReaders([adminId])).has(adminId);
    },

    async setDigest(adminId: bigint, digest: boolean): Promise<void> {
      await access.requireAdmin(adminId);
      if ((await access.digestReaders([adminId])).has(adminId) === digest) return;
      await prisma.$transaction(async (tx) => {
        await tx.admin.update({ where: { userId: adminId }, data: { feedbackDigest: digest } });
        await recordAudit(tx, { actorId: adminId, action: 'feedback.digest_set', entityType: 'admin', entityId: String(adminId), details: { digest } });
      });
    },
  };
}
