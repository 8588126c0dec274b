-- The dispatcher's claim (platform/delivery/claimed-rows.ts) takes rows whose lease ran out before rows
-- waiting their turn: a claimed row's not_before is its lease end, so in one (not_before, id) order the
-- rows a dead process held would go out after every row enqueued before their lease ended. This index holds
-- only in-flight rows (a few batches' worth), so finding the expired ones reads just them, and stops at once
-- when none has expired. Written by hand like 20261130110000_outbox_claim_index (a partial index). No
-- semicolon may appear in these comments: the server adapter splits a migration script at every semicolon.
CREATE INDEX "outbox_deliveries_lease_idx" ON "outbox_deliveries"("not_before", "id") WHERE "status" = 'SENDING';
