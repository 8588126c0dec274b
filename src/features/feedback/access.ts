/**
 * The reads every feedback use case starts from, and the checks that go with them: who is an admin
 * and what they may read, whose item this is, who may write at all today. A refusal is an AppError;
 * an item out of an admin's scope is "not found", as its existence is not theirs to know.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { SqlReader } from '../../platform/db/reader.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox, OutboxDb } from '../../platform/delivery/outbox.js';
import { AppError } from '../../platform/errors.js';
import type { Translator } from '../../platform/i18n/index.js';
import type { Clock } from '../../platform/text/clock.js';
import { mayWriteReads, ownItemReads } from './member-reads.js';
import { mayRead, parseAttachments, type Attachment, type Reader } from './rules.js';
import type { ItemView } from './types.js';

export const itemInclude = {
  ngo: { include: { county: true } },
  messages: { orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] },
} as const satisfies Prisma.FeedbackItemInclude;
export type ItemRow = Prisma.FeedbackItemGetPayload<{ include: typeof itemInclude }>;

export const fullName = (u: { firstName: string; lastName: string | null }) => [u.firstName, u.lastName].filter(Boolean).join(' ');


/** The item as stored: its NGO's county decides which county admins may read it. */
export const scopeOf = (item: { anonymous: boolean; ngo: { countyId: number } | null }) => ({
  anonymous: item.anonymous,
  countyId: item.ngo?.countyId ?? null,
});

/** What viewOf reads of an item: Prisma's ItemRow, or the member's own item read in one statement (member-reads.ts). */
export type ViewableItem = Pick<ItemRow, 'id' | 'type' | 'status' | 'anonymous' | 'createdAt' | 'waitingSince' | 'userId' | 'assignedTo'> & {
  ngo: { id: number; name: string; county: { name: string } } | null;
  messages: readonly (Pick<ItemRow['messages'][number], 'id' | 'fromOffice' | 'authorId' | 'text' | 'createdAt'> & { attachments: unknown })[];
};

/** The item as its reader may see it: an admin sees no sender of an anonymous item, a member no staff names. */
export function viewOf(item: ViewableItem, reader: 'admin' | 'owner', names: ReadonlyMap<bigint, string>): ItemView {
  const hideSender = reader === 'admin' && item.anonymous;
  const authorOf = (m: ViewableItem['messages'][number]) => {
    if (m.fromOffice) return reader === 'admin' ? (names.get(m.authorId) ?? null) : null;
    return hideSender ? null : (names.get(m.authorId) ?? null);
  };
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
      author: authorOf(m),
      text: m.text,
      attachments: parseAttachments(m.attachments),
      createdAt: m.createdAt,
    })),
  };
}

/** What each part of the feedback use cases is built from (see service.ts). */
export interface UseCaseDeps {
  prisma: PrismaClient;
  sql: SqlReader;
  outbox: Outbox;
  translator: Translator;
  clock: Clock;
  access: FeedbackAccess;
  /** Working days after which an unanswered item is overdue. */
  reminderDays: number;
}

export function createFeedbackAccess(prisma: PrismaClient, sql: SqlReader, clock: Clock, dailyLimit: number) {
  const mayWriteOf = mayWriteReads(sql, clock);
  const ownItemOf = ownItemReads(sql);
  async function requireAdmin(adminId: bigint): Promise<Reader> {
    const admin = await prisma.admin.findUnique({ where: { userId: adminId } });
    if (!admin) throw new AppError('common.errors.not_admin');
    return admin;
  }

  async function requireItemForAdmin(adminId: bigint, itemId: number) {
    const admin = await requireAdmin(adminId);
    const item = await prisma.feedbackItem.findUnique({ where: { id: itemId }, include: itemInclude });
    if (!item || !mayRead(admin, item)) throw new AppError('feedback.errors.not_found', { id: itemId });
    return { admin, item };
  }

  /** Another person's tracking number gets the same answer as a wrong one. */
  async function requireOwnItem(userId: bigint, itemId: number) {
    const item = await prisma.feedbackItem.findUnique({ where: { id: itemId }, include: itemInclude });
    if (!item || item.userId !== userId) throw new AppError('feedback.errors.not_yours', { id: itemId });
    return item;
  }

  /** Members of a registered NGO (a rejected registration is not one), under the day's limit: their NGO's id. */
  async function requireMayWrite(userId: bigint): Promise<{ ngoId: number }> {
    const member = await mayWriteOf(userId);
    if (!member) throw new AppError('feedback.errors.not_member');
    if (member.ngoStatus === 'REJECTED') throw new AppError('feedback.errors.ngo_rejected', { name: member.ngoName });
    if (member.sentToday >= dailyLimit) throw new AppError('feedback.errors.daily_limit', { limit: dailyLimit });
    return { ngoId: member.ngoId };
  }

  /** One of the member's own items as they see it; another person's number gets the same answer as a wrong one. */
  async function ownItemView(userId: bigint, itemId: number): Promise<ItemView> {
    const own = await ownItemOf(userId, itemId);
    if (!own) throw new AppError('feedback.errors.not_yours', { id: itemId });
    return viewOf(own.item, 'owner', new Map([...own.people].map(([id, person]) => [id, fullName(person)])));
  }

  /** Admins who may read an item: the province's, and for a named item the admins of its county. */
  async function readersOf(item: { anonymous: boolean; countyId: number | null }, db: OutboxDb = prisma) {
    const county = !item.anonymous && item.countyId !== null ? [{ role: 'COUNTY_ADMIN' as const, countyId: item.countyId }] : [];
    return db.admin.findMany({
      where: { OR: [{ role: { in: ['SUPER_ADMIN', 'PROVINCE_ADMIN'] } }, ...county] },
      include: { user: { select: { language: true, firstName: true, lastName: true } } },
      orderBy: { userId: 'asc' },
    });
  }

  /** Admins who take non-urgent feedback as a daily digest (their own choice, /feedback_settings). */
  async function digestReaders(adminIds: bigint[], db: OutboxDb = prisma): Promise<Set<bigint>> {
    if (adminIds.length === 0) return new Set();
    const rows = await db.admin.findMany({ where: { userId: { in: adminIds }, feedbackDigest: true }, select: { userId: true } });
    return new Set(rows.map((r) => r.userId));
  }

  async function namesOf(ids: bigint[]): Promise<Map<bigint, string>> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return new Map();
    const users = await prisma.user.findMany({ where: { id: { in: unique } }, select: { id: true, firstName: true, lastName: true } });
    return new Map(users.map((u) => [u.id, fullName(u)]));
  }

  /** The item as its reader may see it (see viewOf), with the names of the people in it. */
  async function toView(item: ItemRow, reader: 'admin' | 'owner'): Promise<ItemView> {
    const names = await namesOf([item.userId, ...(item.assignedTo !== null ? [item.assignedTo] : []), ...item.messages.map((m) => m.authorId)]);
    return viewOf(item, reader, names);
  }

  /** A member's text joins the thread, one row per part in order; the attachments go with the first. */
  async function storeMemberMessages(tx: Prisma.TransactionClient, itemId: number, userId: bigint, parts: string[], attachments: Attachment[], now: Date) {
    const messages = [];
    for (const [i, text] of parts.entries()) {
      const stored = (i === 0 ? attachments : []) as unknown as Prisma.InputJsonValue;
      messages.push(await tx.feedbackMessage.create({ data: { itemId, authorId: userId, fromOffice: false, text, attachments: stored, createdAt: now } }));
    }
    return messages;
  }

  return {
    requireAdmin,
    requireItemForAdmin,
    requireOwnItem,
    requireMayWrite,
    ownItemView,
    readersOf,
    digestReaders,
    namesOf,
    toView,
    storeMemberMessages,
  };
}

export type FeedbackAccess = ReturnType<typeof createFeedbackAccess>;
