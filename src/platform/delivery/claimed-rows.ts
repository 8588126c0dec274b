/**
 * The state changes of the rows a dispatcher holds, each one statement: claim a batch under a lease,
 * mark a group SENT, put rows back (some, or all it still leases), finish one as failed or unreachable.
 * Every change but the claim is made only while this process still holds the row's lease (lease_owner),
 * so a process that lost its lease cannot overwrite what the new holder did.
 */
import type { PrismaClient } from '../db/client.js';
import type { Clock } from '../text/clock.js';

export interface ClaimedRow {
  id: bigint;
  message_id: bigint;
  chat_id: bigint;
  attempts: number;
}

/** A row the Bot API accepted, waiting to be marked SENT with others (see Dispatcher.recordSent). */
export interface SentRow {
  row: ClaimedRow;
  sentMessageId: number | undefined;
  sentAt: Date;
}

const ids = (rows: readonly ClaimedRow[]) => `{${rows.map((r) => r.id).join(',')}}`;

export function claimedRows(prisma: PrismaClient, owner: string, clock: Clock) {
  const at = (date: Date) => date.toISOString();
  return {
    async claim(batchSize: number, leaseMs: number): Promise<ClaimedRow[]> {
      const now = clock.now();
      const leaseUntil = new Date(now.getTime() + leaseMs);
      // A claimed row's not_before becomes its lease end. Rows whose lease ran out (their process died or
      // lost its database) come first, through a partial index of in-flight rows only (migration
      // 20261130120000_outbox_lease_index): they were due before anything waiting now was claimed, and
      // ordered by not_before alone they would go to the back of the queue, behind every row enqueued
      // before their lease ended. Then waiting rows, through the index of waiting and in-flight rows in
      // (not_before, id) order (20261130110000_outbox_claim_index). Each part stops at the batch's last
      // row instead of sorting every due one, and the second is read only as far as the first fell short.
      const rows = await prisma.$queryRaw<ClaimedRow[]>`
        UPDATE outbox_deliveries d
        SET status = 'SENDING', lease_owner = ${owner},
            lease_until = ${at(leaseUntil)}::timestamptz AT TIME ZONE 'UTC',
            not_before = ${at(leaseUntil)}::timestamptz AT TIME ZONE 'UTC',
            attempts = d.attempts + 1
        FROM (
          SELECT id FROM (
            SELECT id FROM outbox_deliveries
            WHERE status = 'SENDING' AND not_before <= ${at(now)}::timestamptz AT TIME ZONE 'UTC'
            ORDER BY not_before, id
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED
          ) expired
          UNION ALL
          SELECT id FROM (
            SELECT id FROM outbox_deliveries
            WHERE status = 'PENDING' AND not_before <= ${at(now)}::timestamptz AT TIME ZONE 'UTC'
            ORDER BY not_before, id
            LIMIT ${batchSize}
            FOR UPDATE SKIP LOCKED
          ) waiting
          LIMIT ${batchSize}
        ) due
        WHERE d.id = due.id
        RETURNING d.id, d.message_id, d.chat_id, d.attempts`;
      // Sent in id order: a chat's older message before its newer one (the batch sends one per chat).
      return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
    },

    /** Marks sent rows SENT in one statement; returns the ids recorded (a row whose lease was lost is not). */
    async markSent(sent: readonly SentRow[]): Promise<bigint[]> {
      if (sent.length === 0) return [];
      const messageIds = `{${sent.map((s) => s.sentMessageId ?? 'NULL').join(',')}}`;
      const times = `{${sent.map((s) => at(s.sentAt)).join(',')}}`;
      const recorded = await prisma.$queryRaw<{ id: bigint }[]>`
        UPDATE outbox_deliveries d
        SET status = 'SENT', sent_at = v.sent_at AT TIME ZONE 'UTC', sent_message_id = v.message_id,
            lease_owner = NULL, lease_until = NULL, last_error = NULL
        FROM unnest(${ids(sent.map((s) => s.row))}::text::bigint[], ${messageIds}::text::int[], ${times}::text::timestamptz[])
          AS v(id, message_id, sent_at)
        WHERE d.id = v.id AND d.lease_owner = ${owner}
        RETURNING d.id`;
      return recorded.map((r) => r.id);
    },

    /**
     * Puts rows back to PENDING after a delay (ms) or at a time; `counted` false gives back the attempt the
     * claim took. Only rows still SENDING: one marked UNREACHABLE meanwhile must stay so, and one CANCELLED
     * meanwhile stays cancelled, its lease let go (it is no longer in flight).
     */
    async release(rows: readonly ClaimedRow[], after: number | Date, counted: boolean, reason?: string): Promise<void> {
      if (rows.length === 0) return;
      const notBefore = at(after instanceof Date ? after : new Date(clock.now().getTime() + after));
      // Each column is set from the row as it was: a SENDING row goes back to PENDING, a CANCELLED one keeps all but its lease.
      await prisma.$executeRaw`
        UPDATE outbox_deliveries
        SET status = CASE WHEN status = 'SENDING' THEN 'PENDING'::"DeliveryStatus" ELSE status END,
            not_before = CASE WHEN status = 'SENDING' THEN ${notBefore}::timestamptz AT TIME ZONE 'UTC' ELSE not_before END,
            attempts = CASE WHEN status = 'SENDING' THEN attempts - ${counted ? 0 : 1} ELSE attempts END,
            last_error = CASE WHEN status = 'SENDING' THEN COALESCE(${reason ?? null}, last_error) ELSE last_error END,
            lease_owner = NULL, lease_until = NULL
        WHERE id = ANY (${ids(rows)}::text::bigint[]) AND lease_owner = ${owner} AND status IN ('SENDING', 'CANCELLED')`;
    },

    /**
     * Puts back every row this owner still leases and is not sending: after a claim whose answer was lost or
     * a hand-back that failed (the database away), those rows would otherwise wait for their lease to end.
     * Only for a dispatcher with no batch in hand (the owner is one dispatcher's). Returns how many went back.
     */
    async releaseOwn(): Promise<number> {
      return prisma.$executeRaw`
        UPDATE outbox_deliveries
        SET status = 'PENDING', not_before = ${at(clock.now())}::timestamptz AT TIME ZONE 'UTC',
            attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL
        WHERE status = 'SENDING' AND lease_owner = ${owner}`;
    },

    async finish(row: ClaimedRow, status: 'FAILED' | 'UNREACHABLE', reason: string): Promise<void> {
      await prisma.$executeRaw`
        UPDATE outbox_deliveries
        SET status = ${status}::"DeliveryStatus", last_error = ${reason.slice(0, 500)}, lease_owner = NULL, lease_until = NULL
        WHERE id = ${row.id} AND lease_owner = ${owner}`;
    },
  };
}

export type ClaimedRows = ReturnType<typeof claimedRows>;
