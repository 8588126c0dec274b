-- The dispatcher's claim (platform/delivery/dispatcher.ts) takes the oldest due rows that are waiting or
-- whose lease ran out. With FOR UPDATE above the LIMIT, PostgreSQL could not stop early on the
-- (status, not_before) index: it read and sorted every due row, 5 ms with 20,000 waiting. This index holds
-- only waiting and in-flight rows, in claim order, so the claim reads the 100 rows it takes (0.07 ms).
-- Prisma's schema declares it only behind the partialIndexes preview feature, so it is written here by
-- hand, and new-migration leaves an index with a WHERE clause alone. No semicolon may appear in these
-- comments: the server adapter splits a migration script at every semicolon.
CREATE INDEX "outbox_deliveries_claim_idx" ON "outbox_deliveries"("not_before", "id") WHERE "status" IN ('PENDING', 'SENDING');
