/**
 * The sender's side of feedback: may I write, send an item, list and read my items, add to one. What a
 * member sends is stored with the admins' notices in one transaction, before the bot says "received".
 */
import { languageOr } from '../../platform/i18n/index.js';
import type { OutboxDb } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import type { Language } from '../../platform/i18n/index.js';
import { recordAudit } from '../../platform/db/audit.js';
import { keyedRead, perKeyRows, type SqlReader } from '../../platform/db/reader.js';
import { nextAllowedTime } from '../../platform/text/quiet-hours.js';
import { fullName, itemInclude, scopeOf, type UseCaseDeps, type ItemRow } from './access.js';
import { adminNotice, readerFor } from './notices.js';
import { checkAttachments, checkParts, isFeedbackType, isUrgentType, noticeRecipients } from './rules.js';
import type { FeedbackDraft, FollowUp, ItemView, MyItemRow } from './types.js';


type MyItemsRow = { forUser: bigint; skip: number; take: number; total: number } & { [K in keyof MyItemRow]: MyItemRow[K] | null };

/**
 * Pages of several senders' items in one statement (the sender, how many items the page skips, how many it
 * shows): each page is its count and its items joined to it, so a page past the end still says how many there are.
 */
const MY_ITEMS = keyedRead<MyItemsRow>(
  'my_feedback',
  ['user_id', 'skip', 'take'],
  (asked) => `SELECT a.user_id AS "forUser", a.skip::int AS skip, a.take::int AS take, c.total, f.id, f.type, f.status, f."createdAt", f.anonymous
   FROM ${asked} a
   CROSS JOIN LATERAL (SELECT count(*)::int AS total FROM feedback_items WHERE user_id = a.user_id) c
   LEFT JOIN LATERAL (
     SELECT id, type::text AS type, status::text AS status, created_at AS "createdAt", anonymous
     FROM feedback_items WHERE user_id = a.user_id ORDER BY id DESC LIMIT a.take OFFSET a.skip
   ) f ON true
   ORDER BY a.user_id, a.skip, a.take, f.id DESC`,
);

/** The pages asked for in the same turn, read together (a member's list after an announcement, many at once). */
const myItemPages = (sql: SqlReader) => perKeyRows<MyItemsRow, [bigint, number, number]>(sql, MY_ITEMS, (row) => [row.forUser, row.skip, row.take]);

export function createMemberFeedback({ prisma, sql, outbox, translator, clock, access }: UseCaseDeps) {
  const pagesOf = myItemPages(sql);
  /**
   * Tells the admins about a new item or a follow-up, in the transaction that stored it: those who get
   * it now (see noticeRecipients), held back to the morning at night and on Friday unless a complaint.
   */
  async function notifyAdmins(item: ItemRow, event: 'new' | 'followup', message: { id: number; text: string; attachments: number }, db: OutboxDb) {
    const now = clock.now();
    const urgent = isUrgentType(item.type);
    const readers = await access.readersOf(scopeOf(item), db);
    const digest = urgent ? new Set<bigint>() : await access.digestReaders(readers.map((a) => a.userId), db);
    const recipients = noticeRecipients(readers, item, event, digest);
    const user = item.anonymous ? null : await db.user.findUnique({ where: { id: item.userId }, select: { firstName: true, lastName: true } });
    const sender = item.anonymous ? null : { name: user ? fullName(user) : '—', ngo: item.ngo ? { name: item.ngo.name, county: item.ngo.county.name } : null };
    const byLanguage = new Map<Language, bigint[]>();
    for (const a of recipients) {
      const lang = languageOr(a.user.language);
      byLanguage.set(lang, [...(byLanguage.get(lang) ?? []), a.userId]);
    }
    for (const [lang, chats] of byLanguage) {
      await outbox.enqueue(
        {
          payload: adminNotice(readerFor(translator, lang), { item, sender, event, text: message.text, attachments: message.attachments }),
          recipients: chats,
          dedupeKey: `feedback-${event}:${message.id}:${lang}`,
          notBefore: urgent ? now : nextAllowedTime(now),
          source: { type: 'feedback', id: String(item.id) },
        },
        db,
      );
    }
  }

  return {
    /** Before the form starts, so nobody writes a long text only to be refused at the end. */
    async checkCanSubmit(userId: bigint): Promise<void> {
      await access.requireMayWrite(userId);
    },

    /**
     * Stores the item with its first messages and the admins' notices in one transaction: the
     * sender is told "received" only after this returns (invariant 1).
     */
    async submit(userId: bigint, draft: FeedbackDraft): Promise<{ id: number }> {
      if (!isFeedbackType(draft.type)) throw new AppError('feedback.errors.choose_type');
      const parts = checkParts(draft.parts, false);
      const attachments = checkAttachments(draft.attachments);
      const member = await access.requireMayWrite(userId);
      const now = clock.now();
      const anonymous = draft.anonymous === true;
      return prisma.$transaction(async (tx) => {
        const created = await tx.feedbackItem.create({
          data: { type: draft.type, userId, ngoId: member.ngoId, anonymous, createdAt: now, waitingSince: now },
        });
        const messages = await access.storeMemberMessages(tx, created.id, userId, parts, attachments, now);
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

    /** The sender's items, newest first, a page at a time, with how many there are in all (one statement). */
    async myItems(userId: bigint, page: number, pageSize: number): Promise<{ total: number; items: MyItemRow[] }> {
      const rows = await pagesOf(userId, page * pageSize, pageSize);
      const items = rows.filter((r) => r.id !== null).map(({ forUser: _user, skip: _skip, take: _take, total: _total, ...item }) => item as MyItemRow);
      return { total: rows[0]?.total ?? 0, items };
    },

    async myItem(userId: bigint, itemId: number): Promise<ItemView> {
      return access.ownItemView(userId, itemId);
    },

    /** Only on the sender's own, open item; an answered item goes back to waiting for the office. */
    async addFollowUp(userId: bigint, itemId: number, input: FollowUp): Promise<void> {
      const attachments = checkAttachments(input.attachments);
      const parts = checkParts(input.parts, attachments.length > 0);
      const item = await access.requireOwnItem(userId, itemId);
      if (item.status === 'CLOSED') throw new AppError('feedback.errors.closed', { id: itemId });
      const now = clock.now();
      await prisma.$transaction(async (tx) => {
        const { count } = await tx.feedbackItem.updateMany({
          where: { id: itemId, status: { not: 'CLOSED' } },
          data: { status: 'RECEIVED', waitingSince: item.waitingSince ?? now, ...(item.waitingSince ? {} : { lastReminderAt: null }) },
        });
        if (count === 0) throw new AppError('feedback.errors.closed', { id: itemId });
        // A photo alone is a message too: it is stored with an empty text.
        const messages = await access.storeMemberMessages(tx, itemId, userId, parts.length ? parts : [''], attachments, now);
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
  };
}
