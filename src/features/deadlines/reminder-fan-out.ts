/**
 * Reminders go out as one outbox message per (deadline, slot, language), keyed
 * `reminder:<deadline>:<slot>:<language>`, with a delivery for each reachable member of the NGOs whose part
 * is still pending. A slot is told once: by the tick that creates its messages, in the same transaction as
 * their deliveries. A later tick (another process, or this one after a restart) finds the keys and adds
 * nothing, without looking at a single member; an NGO or a member added after that hears the next slot.
 *
 * Before, each (deadline, NGO, slot, language) had its own message: 100,000 NGOs meant 100,000 messages
 * sorted and inserted with their payloads, and every repeated tick asked the outbox about each NGO.
 */
import { guardBulkStatements } from '../../platform/db/bulk-statements.js';
import { Prisma } from '../../platform/db/generated/client.js';
import type { FanOutResult, Outbox, OutboxDb, TextContent } from '../../platform/delivery/outbox.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../platform/i18n/index.js';

/** The outbox source of reminders (its id is the deadline's): cancelled when the NGO's part is done or the deadline changes. */
export const REMINDER_SOURCE = 'deadline-reminder';

/** One slot's reminder in one language, rendered once for all its readers. */
export interface ReminderMessage {
  deadlineId: number;
  slotKey: string;
  lang: Language;
  payload: TextContent;
}

export const reminderKey = (deadlineId: number, slotKey: string, lang: Language) => `reminder:${deadlineId}:${slotKey}:${lang}`;
const slotOf = (m: { deadlineId: number; slotKey: string }) => `${m.deadlineId}:${m.slotKey}`;

/** The (deadline, slot) pairs of `messages` none of whose languages has a message yet. */
export async function untoldSlots(outbox: Outbox, db: OutboxDb, messages: readonly ReminderMessage[]): Promise<ReminderMessage[]> {
  const keys = messages.map((m) => reminderKey(m.deadlineId, m.slotKey, m.lang));
  const existing = await outbox.existingKeys(keys, db);
  const told = new Set(messages.filter((m, i) => existing.has(keys[i]!)).map(slotOf));
  return messages.filter((m) => !told.has(slotOf(m)));
}

/**
 * Queues the slots of `messages` not told yet, in the caller's transaction (which should hold the tick's
 * lock, so that two ticks run one after the other). Every language of a slot is created together; a slot
 * with any of its keys taken is skipped whole, so a member who changed language is not told twice.
 */
export async function enqueueReminders(outbox: Outbox, db: Prisma.TransactionClient, messages: readonly ReminderMessage[], notBefore: Date, statementTimeoutMs?: number): Promise<FanOutResult> {
  await guardBulkStatements(db, statementTimeoutMs);
  const created = await outbox.createMessages(
    messages.map((m) => ({ dedupeKey: reminderKey(m.deadlineId, m.slotKey, m.lang), payload: { kind: 'TEXT', ...m.payload }, source: { type: REMINDER_SOURCE, id: String(m.deadlineId) } })),
    db,
  );
  const slotsWithOldKeys = new Set(messages.filter((m) => !created.has(reminderKey(m.deadlineId, m.slotKey, m.lang))).map(slotOf));
  const fresh = messages.filter((m) => !slotsWithOldKeys.has(slotOf(m)));
  if (fresh.length === 0) return { messages: created.size, deliveries: 0 };
  // No per-row sub-plan and no guess about how many pairs are left (the plan that once ran for minutes):
  // the deadlines' pending targets, their members and the new messages' ids are joined on keys, by hash.
  const deadlineIds = `{${[...new Set(fresh.map((m) => m.deadlineId))].join(',')}}`;
  const targets = JSON.stringify(fresh.map((m) => ({ deadline_id: m.deadlineId, lang: m.lang, message_id: String(created.get(reminderKey(m.deadlineId, m.slotKey, m.lang))) })));
  const otherLanguages = `{${LANGUAGES.filter((l) => l !== DEFAULT_LANGUAGE).join(',')}}`;
  const deliveries = await outbox.deliver(
    {
      notBefore,
      sourceType: REMINDER_SOURCE,
      // A person is a member of one NGO at most (ngo_members' key), so no pair comes twice.
      recipients: Prisma.sql`
        SELECT msg.message_id, m.user_id AS chat_id
        FROM deadline_targets t
        JOIN ngos n ON n.id = t.ngo_id AND n.status = 'APPROVED'
        JOIN ngo_members m ON m.ngo_id = t.ngo_id
        JOIN users u ON u.id = m.user_id AND u.reachable
        JOIN jsonb_to_recordset(${targets}::jsonb) AS msg(deadline_id int, lang text, message_id bigint)
          ON msg.deadline_id = t.deadline_id
         AND msg.lang = CASE WHEN u.language = ANY (${otherLanguages}::text[]) THEN u.language ELSE ${DEFAULT_LANGUAGE} END
        WHERE t.deadline_id = ANY (${deadlineIds}::int[]) AND t.status = 'PENDING'`,
    },
    db,
  );
  return { messages: created.size, deliveries };
}

/**
 * Stops the reminders queued but not yet sent (held for the morning) of a deadline: all of them (it was
 * closed or moved), or those of one NGO's members when its part is done. Rows queued before reminders were
 * one message per slot (source `<deadline>:<NGO>`) were given the deadline's own source by migration
 * 20261130130000_reminders_per_slot.
 */
export async function cancelQueuedReminders(outbox: Outbox, db: OutboxDb, deadlineId: number, ngoId?: number): Promise<void> {
  const chatIds = ngoId === undefined ? undefined : (await db.ngoMember.findMany({ where: { ngoId }, select: { userId: true } })).map((m) => m.userId);
  if (chatIds?.length === 0) return;
  await outbox.cancelBySource({ type: REMINDER_SOURCE, ids: [String(deadlineId)], ...(chatIds ? { chatIds } : {}) }, db);
}
