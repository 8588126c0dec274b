-- Deadline reminders become one outbox message per (deadline, slot, language), keyed
-- reminder:<deadline>:<slot>:<language> with the deadline as source id (features/deadlines/reminder-fan-out.ts).
-- Until now each NGO had its own message, keyed reminder:<deadline>:<NGO>:<slot>:<language> with source id
-- <deadline>:<NGO>. A slot told under the old keys must count as told under the new ones, or the first tick
-- after the upgrade would send it again: each such slot gets its new key on a message with no deliveries.
INSERT INTO "outbox_messages" ("kind", "payload", "dedupe_key", "source_type", "source_id")
SELECT DISTINCT ON (new_key) 'TEXT', "payload", new_key, 'deadline-reminder', split_part("dedupe_key", ':', 2)
FROM (
  SELECT "id", "payload", "dedupe_key",
         'reminder:' || split_part("dedupe_key", ':', 2) || ':' || split_part("dedupe_key", ':', 4) || ':' || split_part("dedupe_key", ':', 5) AS new_key
  FROM "outbox_messages"
  WHERE "source_type" = 'deadline-reminder' AND "dedupe_key" ~ '^reminder:[0-9]+:[0-9]+:[^:]+:[a-z]+$'
) AS old
ORDER BY new_key, "id"
ON CONFLICT ("dedupe_key") DO NOTHING;

-- Queued reminders are cancelled by the deadline's source id and the NGO's members, old rows as new ones.
UPDATE "outbox_messages" SET "source_id" = split_part("source_id", ':', 1)
WHERE "source_type" = 'deadline-reminder' AND "source_id" LIKE '%:%';
