/**
 * The two reads a member makes on their way into feedback, each one prepared statement
 * (platform/db/reader.ts) where Prisma made two or three: whether they may write today (their NGO and
 * how many items they sent since midnight, Tehran time), and one of their own items with its thread
 * and the names in it. The members asking in the same turn are read together (perKeyRows: after an
 * announcement or a round of answers, many members do the same thing at once). The checks that go with
 * them are in access.ts.
 */
import { keyedRead, perKeyRows, perUserRows, type SqlReader } from '../../platform/db/reader.js';
import type { Clock } from '../../platform/text/clock.js';
import { startOfTehranDay } from '../../platform/text/jalali.js';
import type { ItemView } from './types.js';

type MayWriteRow = { forUser: bigint; ngoId: number; ngoName: string; ngoStatus: string; sentToday: number };

/**
 * The users asked, $2 the start of the day: each one's NGO, and how many items they sent since then. The day
 * is a filter on the count rather than a condition PostgreSQL estimates, so that it keeps one plan instead of
 * planning each check again for the day at hand.
 */
const MAY_WRITE = keyedRead<MayWriteRow>(
  'feedback_may_write',
  ['user_id'],
  (asked) => `SELECT m.user_id AS "forUser", n.id AS "ngoId", n.name AS "ngoName", n.status::text AS "ngoStatus",
     (SELECT (count(*) FILTER (WHERE f.created_at >= $2))::int FROM feedback_items f WHERE f.user_id = m.user_id) AS "sentToday"
   FROM ngo_members m JOIN ngos n ON n.id = m.ngo_id
   WHERE m.user_id IN (SELECT user_id FROM ${asked} a)`,
);

/**
 * The member's NGO and how many items they sent since midnight, Tehran time, at the moment of reading;
 * none when they are in no NGO.
 */
export function mayWriteReads(sql: SqlReader, clock: Clock): (userId: bigint) => Promise<MayWriteRow | undefined> {
  const rowsOf = perUserRows(sql, MAY_WRITE, () => [startOfTehranDay(clock.now())]);
  return async (userId) => (await rowsOf(userId))[0];
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

/**
 * The users and the item each opened: the item only if it is theirs, a row per message in the order they came.
 * Each item is looked up by its key (a lateral read): planned for any number of keys, a join would read the
 * whole table once the table is small next to the number of keys PostgreSQL guesses.
 */
const OWN_ITEMS = keyedRead<OwnItemRow>(
  'feedback_own_items',
  ['user_id', 'item_id'],
  (asked) => `SELECT f.id, f.type::text AS type, f.status::text AS status, f.anonymous, f.created_at AS "createdAt",
     f.waiting_since AS "waitingSince", f.user_id AS "userId", f.assigned_to AS "assignedTo",
     su.first_name AS "senderFirst", su.last_name AS "senderLast",
     n.id AS "ngoId", n.name AS "ngoName", c.name AS "countyName",
     mm.id AS "messageId", mm.from_office AS "fromOffice", mm.author_id AS "authorId",
     au.first_name AS "authorFirst", au.last_name AS "authorLast", mm.text, mm.attachments, mm.created_at AS "messageAt"
   FROM ${asked} a
   CROSS JOIN LATERAL (SELECT * FROM feedback_items fi WHERE fi.id = a.item_id AND fi.user_id = a.user_id LIMIT 1) f
   JOIN users su ON su.id = f.user_id
   LEFT JOIN ngos n ON n.id = f.ngo_id
   LEFT JOIN counties c ON c.id = n.county_id
   LEFT JOIN feedback_messages mm ON mm.item_id = f.id
   LEFT JOIN users au ON au.id = mm.author_id
   ORDER BY f.id, mm.created_at, mm.id`,
);

type Person = { firstName: string; lastName: string | null };

/** The item as access.viewOf reads it, and the people in it by id; undefined when it is not theirs. */
export function ownItemReads(sql: SqlReader) {
  // An item is only ever its sender's: the row's own sender and id name the key it answers.
  const rowsOf = perKeyRows<OwnItemRow, [bigint, number]>(sql, OWN_ITEMS, (row) => [row.userId, row.id]);
  return async (userId: bigint, itemId: number) => {
    const rows = await rowsOf(userId, itemId);
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
  };
}
