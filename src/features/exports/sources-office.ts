/**
 * Feedback, deadlines with each NGO's report, and announcements with their delivery, page by page.
 * Scope as the office's own screens draw it: a county admin reads the named feedback of their county's
 * NGOs (anonymous items are the province's alone, and show no sender, NGO or county to anyone), the
 * deadlines that have an NGO of theirs (counted over their NGOs only), and the announcements sent to
 * their county alone.
 */
import type { PrismaClient } from '../../platform/db/client.js';
import type { Prisma } from '../../platform/db/generated/client.js';
import type { Outbox } from '../../platform/delivery/outbox.js';
import { fullName, keysetPages, mapPages, ngoIn } from './paging.js';
import { PAGE_SIZE, reportTimeliness } from './rules.js';
import type { BroadcastRow, DeadlineRow, ExportScope, FeedbackRow, ReportRow } from './types.js';

const idAfter = (key: number | undefined) => (key === undefined ? {} : { id: { gt: key } });

async function namesOf(prisma: PrismaClient, ids: bigint[]): Promise<Map<bigint, string>> {
  const unique = [...new Set(ids)];
  if (unique.length === 0) return new Map();
  const users = await prisma.user.findMany({ where: { id: { in: unique } }, select: { id: true, firstName: true, lastName: true } });
  return new Map(users.map((u) => [u.id, fullName(u)]));
}

function feedbackScope(counties: number[] | null): Prisma.FeedbackItemWhereInput {
  return counties === null ? {} : { anonymous: false, ngo: { countyId: { in: counties } } };
}

function deadlineScope(counties: number[] | null): Prisma.DeadlineWhereInput {
  return counties === null ? {} : { targets: { some: { ngo: { countyId: { in: counties } } } } };
}

function broadcastScope(counties: number[] | null): Prisma.BroadcastWhereInput {
  if (counties === null) return {};
  if (counties.length === 0) return { id: { lt: 0 } };
  return { OR: counties.map((c) => ({ audience: { path: ['countyIds'], equals: [c] } })) };
}

export function officeSources(prisma: PrismaClient, outbox: Outbox) {
  function feedback(scope: ExportScope): AsyncIterable<FeedbackRow[]> {
    return keysetPages(
      async (key: number | undefined) => {
        const items = await prisma.feedbackItem.findMany({
          where: { AND: [feedbackScope(scope.counties), idAfter(key)] },
          orderBy: { id: 'asc' },
          take: PAGE_SIZE,
          include: {
            ngo: { select: { name: true, county: { select: { name: true } } } },
            messages: { where: { fromOffice: false }, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: 1, select: { text: true } },
            _count: { select: { messages: true } },
          },
        });
        const ids = items.map((i) => i.id);
        const [answers, names] = await Promise.all([
          prisma.feedbackMessage.groupBy({ by: ['itemId'], where: { itemId: { in: ids }, fromOffice: true }, _min: { createdAt: true } }),
          namesOf(
            prisma,
            items.filter((i) => !i.anonymous).map((i) => i.userId),
          ),
        ]);
        return items.map((i): FeedbackRow => {
          const named = !i.anonymous;
          return {
            id: i.id,
            type: i.type,
            status: i.status,
            anonymous: i.anonymous,
            createdAt: i.createdAt,
            sender: named ? (names.get(i.userId) ?? null) : null,
            ngoName: named ? (i.ngo?.name ?? null) : null,
            county: named ? (i.ngo?.county.name ?? null) : null,
            text: i.messages[0]?.text ?? '',
            messages: i._count.messages,
            firstAnsweredAt: answers.find((a) => a.itemId === i.id)?._min.createdAt ?? null,
          };
        });
      },
      (row) => row.id,
    );
  }

  function deadlines(scope: ExportScope): AsyncIterable<DeadlineRow[]> {
    return keysetPages(
      async (key: number | undefined) => {
        const rows = await prisma.deadline.findMany({
          where: { AND: [deadlineScope(scope.counties), idAfter(key)] },
          orderBy: { id: 'asc' },
          take: PAGE_SIZE,
          include: { ngo: { select: { name: true } } },
        });
        const counts = await prisma.deadlineTarget.groupBy({
          by: ['deadlineId', 'status'],
          where: { deadlineId: { in: rows.map((d) => d.id) }, ...ngoIn(scope.counties) },
          _count: { _all: true },
        });
        const count = (id: number, status?: string) =>
          counts.filter((c) => c.deadlineId === id && (status === undefined || c.status === status)).reduce((sum, c) => sum + c._count._all, 0);
        return rows.map(
          (d): DeadlineRow => ({
            id: d.id,
            kind: d.kind,
            title: d.title,
            projectNgo: d.ngo?.name ?? null,
            amountToman: d.amountToman === null ? null : Number(d.amountToman),
            startsAt: d.startsAt,
            dueAt: d.dueAt,
            status: d.status,
            createdAt: d.createdAt,
            targets: count(d.id),
            pending: count(d.id, 'PENDING'),
            submitted: count(d.id, 'SUBMITTED'),
            accepted: count(d.id, 'ACCEPTED'),
          }),
        );
      },
      (row) => row.id,
    );
  }

  function reports(scope: ExportScope): AsyncIterable<ReportRow[]> {
    type Key = { deadlineId: number; ngoId: number };
    return mapPages(
      keysetPages(
        (key: Key | undefined) =>
          prisma.deadlineTarget.findMany({
            where: {
              ...ngoIn(scope.counties),
              ...(key === undefined ? {} : { OR: [{ deadlineId: { gt: key.deadlineId } }, { deadlineId: key.deadlineId, ngoId: { gt: key.ngoId } }] }),
            },
            orderBy: [{ deadlineId: 'asc' }, { ngoId: 'asc' }],
            take: PAGE_SIZE,
            include: {
              deadline: { select: { title: true, dueAt: true } },
              ngo: { select: { name: true, county: { select: { name: true } } } },
            },
          }),
        (t): Key => ({ deadlineId: t.deadlineId, ngoId: t.ngoId }),
      ),
      (t): ReportRow => ({
        deadlineId: t.deadlineId,
        title: t.deadline.title,
        dueAt: t.deadline.dueAt,
        ngoId: t.ngoId,
        ngoName: t.ngo.name,
        county: t.ngo.county.name,
        status: t.status,
        submittedAt: t.submittedAt,
        acceptedAt: t.acceptedAt,
        timeliness: reportTimeliness(t.submittedAt, t.deadline.dueAt, scope.now),
      }),
    );
  }

  function broadcasts(scope: ExportScope): AsyncIterable<BroadcastRow[]> {
    return keysetPages(
      async (key: number | undefined) => {
        const rows = await prisma.broadcast.findMany({ where: { AND: [broadcastScope(scope.counties), idAfter(key)] }, orderBy: { id: 'asc' }, take: PAGE_SIZE });
        const names = await namesOf(
          prisma,
          rows.map((b) => b.createdBy),
        );
        const result: BroadcastRow[] = [];
        // The outbox owns the delivery rows; an office has hundreds of announcements, not thousands.
        for (const b of rows) {
          const c = b.outboxMessageId === null ? null : await outbox.counts(b.outboxMessageId);
          result.push({
            id: b.id,
            createdAt: b.createdAt,
            createdBy: names.get(b.createdBy) ?? String(b.createdBy),
            contentKind: b.contentKind,
            urgent: b.urgent,
            status: b.status,
            startAt: b.startAt,
            finishedAt: b.finishedAt,
            recipients: b.recipientCount,
            sent: c?.SENT ?? 0,
            failed: c?.FAILED ?? 0,
            unreachable: c?.UNREACHABLE ?? 0,
            cancelled: c?.CANCELLED ?? 0,
            pending: c ? c.PENDING + c.SENDING : 0,
          });
        }
        return result;
      },
      (row) => row.id,
    );
  }

  return { feedback, deadlines, reports, broadcasts };
}
