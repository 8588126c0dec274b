/**
 * The set-based fan-out of deadline notices: one statement selects every (deadline, target NGO, language)
 * to tell and every reachable member who reads that language, and hands the rows to the outbox, which
 * makes one message per `<prefix>:<deadline>:<ngo>:<slot>:<lang>` key and a delivery per member. Keys
 * that exist already are skipped with their deliveries, which is what makes every caller idempotent;
 * 100,000 recipients cost one statement, not 100,000 round trips.
 */
import { guardBulkStatements } from '../../platform/db/bulk-statements.js';
import { Prisma } from '../../platform/db/generated/client.js';
import type { DeadlineTargetStatus } from '../../platform/db/generated/enums.js';
import type { FanOutResult, Outbox, OutboxDb, TextContent } from '../../platform/delivery/outbox.js';
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from '../../platform/i18n/index.js';

/** The outbox source of the notices other than reminders (new, extended, accepted, reports to admins). */
export const NOTICE_SOURCE = 'deadline';

/** One message per (deadline, NGO, language), rendered once per deadline and language. */
export interface TargetMessage {
  deadlineId: number;
  slotKey: string;
  lang: Language;
  payload: TextContent;
}

export interface TargetOptions {
  keyPrefix: string;
  /** Only targets in one of these states (and only approved NGOs). */
  statuses: DeadlineTargetStatus[];
  /** Only these NGOs (default: every target of the deadlines). */
  ngoIds?: number[];
  notBefore: Date;
  sourceType: string;
  /** How long the fan-out statement may run on a PostgreSQL server (default BULK_STATEMENT_TIMEOUT_MS). */
  statementTimeoutMs?: number;
}

/**
 * The (dedupe_key, payload, source_id, chat_id) rows of a fan-out: (deadline, NGO) pairs not yet told
 * for this slot in any language (a member who switches language later is not told twice, and a repeated
 * tick stops here after one index probe per language), times the members reading each language.
 */
function targetsQuery(outbox: Outbox, messages: readonly TargetMessage[], options: TargetOptions): Prisma.Sql {
  const rows = JSON.stringify(messages.map((m) => ({ deadline_id: m.deadlineId, slot_key: m.slotKey, lang: m.lang, payload: m.payload })));
  const otherLanguages = JSON.stringify(LANGUAGES.filter((l) => l !== DEFAULT_LANGUAGE));
  const ngoIds = JSON.stringify(options.ngoIds ?? []);
  const everyNgo = options.ngoIds === undefined;
  const keyBase = Prisma.sql`${options.keyPrefix} || ':' || t.deadline_id || ':' || t.ngo_id || ':' || d.slot_key`;
  // A literal array (not a subquery over the languages): the planner then sees two keys per pair and
  // estimates the pairs left to tell sensibly, instead of next to none (which made it nest loops).
  const everyLanguageKey = Prisma.sql`ARRAY[${Prisma.join(LANGUAGES.map((lang) => Prisma.sql`${keyBase} || ${`:${lang}`}`))}]`;
  return Prisma.sql`
    WITH slot AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS s(deadline_id int, slot_key text, lang text, payload jsonb)
    ),
    due AS (
      SELECT t.deadline_id, t.ngo_id, ${keyBase} AS key_base
      FROM (SELECT DISTINCT deadline_id, slot_key FROM slot) d
      JOIN deadline_targets t ON t.deadline_id = d.deadline_id
      JOIN ngos n ON n.id = t.ngo_id AND n.status = 'APPROVED'
      WHERE t.status::text IN (SELECT jsonb_array_elements_text(${JSON.stringify(options.statuses)}::jsonb))
        AND (${everyNgo} OR t.ngo_id IN (SELECT (jsonb_array_elements_text(${ngoIds}::jsonb))::int))
        AND ${outbox.noMessageWithKey(everyLanguageKey)}
    ),
    reader AS (
      SELECT m.ngo_id, m.user_id,
             CASE WHEN u.language IN (SELECT jsonb_array_elements_text(${otherLanguages}::jsonb)) THEN u.language ELSE ${DEFAULT_LANGUAGE} END AS lang
      FROM ngo_members m JOIN users u ON u.id = m.user_id
      WHERE u.reachable AND m.ngo_id IN (SELECT ngo_id FROM due)
    )
    SELECT due.key_base || ':' || s.lang AS dedupe_key, s.payload, due.deadline_id || ':' || due.ngo_id AS source_id, r.user_id AS chat_id
    FROM due
    JOIN slot s ON s.deadline_id = due.deadline_id
    JOIN reader r ON r.ngo_id = due.ngo_id AND r.lang = s.lang`;
}

/** Queues `messages` for the targets chosen by `options`, in the caller's transaction. */
export async function enqueueForTargets(
  outbox: Outbox,
  db: Prisma.TransactionClient,
  messages: readonly TargetMessage[],
  options: TargetOptions,
): Promise<FanOutResult> {
  if (messages.length === 0) return { messages: 0, deliveries: 0 };
  await guardBulkStatements(db, options.statementTimeoutMs);
  return outbox.fanOut({ targets: targetsQuery(outbox, messages, options), sourceType: options.sourceType, notBefore: options.notBefore }, db);
}
