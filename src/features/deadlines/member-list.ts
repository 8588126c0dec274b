/**
 * A member's deadlines, the list every member of a province opens after an announcement: their NGO and
 * its open deadlines in one prepared statement (platform/db/reader.ts), the members asking at the same
 * moment read together, with the refusals of ofApprovedNgo (no NGO, NGO not approved) read from the same
 * row; and the NGO's part in one deadline, which "send the report" checks before its form begins.
 */
import { keyedRead, perKeyRows, perUserRows, type SqlReader } from '../../platform/db/reader.js';
import { AppError } from '../../platform/errors.js';
import type { Deadline } from '../../platform/db/generated/client.js';
import type { DeadlineTargetStatus } from '../../platform/db/generated/enums.js';

/** The membership found, or why its person has no deadlines to see: in no NGO, or an NGO not approved. */
export function ofApprovedNgo<T>(found: T | null | undefined, statusOf: (found: T) => string): T {
  if (found === null || found === undefined) throw new AppError('deadlines.errors.no_ngo');
  if (statusOf(found) !== 'APPROVED') throw new AppError('deadlines.errors.ngo_not_approved_member');
  return found;
}

export type MemberDeadline = Deadline & { targetStatus: DeadlineTargetStatus };

/** The membership's row, then a row per open deadline of the NGO (deadline columns null when there is none). */
type Row = { forUser: bigint; memberNgoId: number; ngoName: string; ngoStatus: string; targetStatus: DeadlineTargetStatus | null } & {
  [K in keyof Deadline]: Deadline[K] | null;
};

const MEMBER_DEADLINES = keyedRead<Row>(
  'member_deadlines',
  ['user_id'],
  (asked) => `SELECT m.user_id AS "forUser", n.id AS "memberNgoId", n.name AS "ngoName", n.status::text AS "ngoStatus", t.status::text AS "targetStatus",
     d.id, d.kind::text AS kind, d.title, d.description, d.ngo_id AS "ngoId", d.amount_toman AS "amountToman",
     d.starts_at AS "startsAt", d.due_at AS "dueAt", d.audience, d.reminder_days AS "reminderDays", d.status::text AS status,
     d.created_by AS "createdBy", d.created_at AS "createdAt", d.closed_at AS "closedAt"
   FROM ngo_members m
   JOIN ngos n ON n.id = m.ngo_id
   LEFT JOIN (deadline_targets t JOIN deadlines d ON d.id = t.deadline_id AND d.status = 'OPEN')
     ON t.ngo_id = m.ngo_id AND n.status = 'APPROVED'
   WHERE m.user_id IN (SELECT user_id FROM ${asked} a)
   ORDER BY m.user_id, d.due_at, d.id`,
);

/** The member's NGO and its open deadlines, nearest first (read in batches); the refusals of ofApprovedNgo. */
export function memberDeadlines(sql: SqlReader): (userId: bigint) => Promise<{ ngo: { id: number; name: string }; items: MemberDeadline[] }> {
  const rowsOf = perUserRows(sql, MEMBER_DEADLINES);
  return async (userId) => {
    const rows = await rowsOf(userId);
    const first = ofApprovedNgo(rows[0], (row) => row.ngoStatus);
    const items = rows
      .filter((r) => r.id !== null)
      .map(({ forUser: _user, memberNgoId: _ngo, ngoName: _name, ngoStatus: _status, targetStatus, ...deadline }) => ({ ...(deadline as Deadline), targetStatus: targetStatus! }));
    return { ngo: { id: first.memberNgoId, name: first.ngoName }, items };
  };
}

type PartRow = { forUser: bigint; forDeadline: bigint; ngoId: number; ngoStatus: string; targetStatus: DeadlineTargetStatus | null; title: string | null; status: string | null };

/** The members and the deadline each pressed "send the report" under: their NGO, and its part in that deadline. */
const NGO_PARTS = keyedRead<PartRow>(
  'member_deadline_parts',
  ['user_id', 'deadline_id'],
  (asked) => `SELECT a.user_id AS "forUser", a.deadline_id AS "forDeadline", n.id AS "ngoId", n.status::text AS "ngoStatus",
     t.status::text AS "targetStatus", d.title, d.status::text AS status
   FROM ${asked} a
   JOIN ngo_members m ON m.user_id = a.user_id
   JOIN ngos n ON n.id = m.ngo_id
   LEFT JOIN LATERAL (SELECT tt.status FROM deadline_targets tt WHERE tt.deadline_id = a.deadline_id AND tt.ngo_id = n.id LIMIT 1) t ON true
   LEFT JOIN deadlines d ON d.id = a.deadline_id AND t.status IS NOT NULL`,
);

/**
 * The member's NGO (the refusals of ofApprovedNgo) and its part in one deadline, in one statement: the part's
 * status with the deadline's title and status, or nulls when the deadline is not the NGO's.
 */
export function memberDeadlineParts(sql: SqlReader): (userId: bigint, deadlineId: number) => Promise<Omit<PartRow, 'forUser' | 'forDeadline'>> {
  const rowsOf = perKeyRows<PartRow, [bigint, number]>(sql, NGO_PARTS, (row) => [row.forUser, row.forDeadline]);
  return async (userId, deadlineId) => {
    const { forUser: _user, forDeadline: _deadline, ...part } = ofApprovedNgo((await rowsOf(userId, deadlineId))[0], (row) => row.ngoStatus);
    return part;
  };
}
