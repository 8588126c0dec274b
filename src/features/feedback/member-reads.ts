/**
 * The two reads a member makes on their way into feedback, each one prepared statement
 * (platform/db/reader.ts) where Prisma made two or three: whether they may write today (their NGO and
 * how many items they sent since midnight, Tehran time), and one of their own items with its thread
 * and the names in it. The checks that go with them are in access.ts.
 */
import { sqlRead, type SqlReader } from '../../platform/db/reader.js';
import type { ItemView } from './types.js';

type MayWriteRow = { ngoId: number; ngoName: string; ngoStatus: string; sentToday: number };

/** $1 the user, $2 the start of their day: their NGO, and how many items they sent since then. */
const MAY_WRITE = sqlRead<MayWriteRow>(
  'feedback_may_write',
  `SELECT n.id AS "ngoId", n.name AS "ngoName", n.status::text AS "ngoStatus",
     (SELECT count(*)::int FROM feedback_items f WHERE f.user_id = $1 AND f.created_at >= $2) AS "sentToday"
   FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id
   WHERE m.user_id = $1`,
);

/** The member's NGO and their count for the day; none when they are in no NGO. */
export async function readMayWrite(sql: SqlReader, userId: bigint, dayStart: Date): Promise<MayWriteRow | undefined> {
  const [row] = await sql.rows(MAY_WRITE, [userId, dayStart]);
  return row;
}

type OwnItemRow = Pick<ItemView, 'id' | 'type' | 'status' | 'anonymous' | 'createdAt' | 'waitingSince'> & {
  userId: bigint;
  assignedTo: bigint | null;
  senderFirst: string;
  senderLast: string | null;
  ngoId: number | null;
  ngoName: string | null;
  countyName: string | null;
  messageId: number | null;
  fromOffice: boolean | null;
  authorId: bigint | null;
  authorFirst: string | null;
  authorLast: string | null;
  text: string | null;
  attachments: unknown;
  messageAt: Date | null;
};

/** $1 the item, $2 the user: the item only if it is theirs, a row per message in the order they came. */
const OWN_ITEM = sqlRead<OwnItemRow>(
  'feedback_own_item',
  `SELECT f.id, f.type::text AS type, f.status::text AS status, f.anonymous, f.created_at AS "createdAt",
     f.waiting_since AS "waitingSince", f.user_id AS "userId", f.assigned_to AS "assignedTo",
     su.first_name AS "senderFirst", su.last_name AS "senderLast",
     n.id AS "ngoId", n.name AS "ngoName", c.name AS "countyName",
     mm.id AS "messageId", mm.from_office AS "fromOffice", mm.author_id AS "authorId",
     au.first_name AS "authorFirst", au.last_name AS "authorLast", mm.text, mm.attachments, mm.created_at AS "messageAt"
   FROM feedback_items f
   JOIN users su ON su.id = f.user_id
   LEFT JOIN ngos n ON n.id = f.ngo_id
   LEFT JOIN counties c ON c.id = n.county_id
   LEFT JOIN feedback_messages mm ON mm.item_id = f.id
   LEFT JOIN users au ON au.id = mm.author_id
   WHERE f.id = $1 AND f.user_id = $2
   ORDER BY mm.created_at, mm.id`,
);

type Person = { firstName: string; lastName: string | null };

/** The item as access.viewOf reads it, and the people in it by id; undefined when it is not theirs. */
export async function readOwnItem(sql: SqlReader, userId: bigint, itemId: number) {
  const rows = await sql.rows(OWN_ITEM, [itemId, userId]);
  const first = rows[0];
  if (!first) return undefined;
  const people = new Map<bigint, Person>([[first.userId, { firstName: first.senderFirst, lastName: first.senderLast }]]);
  const messages = rows
    .filter((r) => r.messageId !== null)
    .map((r) => {
      if (r.authorFirst !== null) people.set(r.authorId!, { firstName: r.authorFirst, lastName: r.authorLast });
      return { id: r.messageId!, fromOffice: r.fromOffice!, authorId: r.authorId!, text: r.text!, attachments: r.attachments, createdAt: r.messageAt! };
    });
  const item = {
    id: first.id,
    type: first.type,
    status: first.status,
    anonymous: first.anonymous,
    createdAt: first.createdAt,
    waitingSince: first.waitingSince,
    userId: first.userId,
    assignedTo: first.assignedTo,
    ngo: first.ngoId === null ? null : { id: first.ngoId, name: first.ngoName!, county: { name: first.countyName! } },
    messages,
  };
  return { item, people };
}
