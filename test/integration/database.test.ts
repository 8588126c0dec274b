import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, storageModes, type TestDatabase } from '../support/database.js';

describe.each(storageModes())('database (%s)', (mode) => {
  let db: TestDatabase | undefined;
  afterEach(async () => {
    await db?.close();
    db = undefined;
  });

  it('when migrated, then the reference lists of DOMAIN.md are seeded with Persian letters', async () => {
    db = await createTestDatabase(mode);
    const counties = await db.prisma.county.findMany({ orderBy: { sortOrder: 'asc' } });
    expect(counties).toHaveLength(25); // Kerman since 1402 (DOMAIN.md)
    expect(counties.map((c) => c.name)).toContain('قلعه‌گنج');
    expect(counties.every((c) => !/[يك]/.test(c.name))).toBe(true);
    const fields = await db.prisma.activityField.findMany({ orderBy: { sortOrder: 'asc' } });
    expect(fields.at(-1)?.name).toBe('سایر');
    expect(fields).toHaveLength(14);
  });

  it('when 20,000 deliveries wait behind 20,000 sent ones, then a claim reads only the rows it takes (the claim index, no sort)', async () => {
    db = await createTestDatabase(mode);
    await db.prisma.$executeRawUnsafe(`INSERT INTO outbox_messages (id, kind, payload) VALUES (1, 'TEXT', '{}')`);
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO outbox_deliveries (message_id, chat_id, status, not_before)
       SELECT 1, i, CASE WHEN i <= 20000 THEN 'SENT' ELSE 'PENDING' END::"DeliveryStatus", now() - interval '1 minute'
       FROM generate_series(1, 40000) AS i`,
    );
    await db.prisma.$executeRawUnsafe('ANALYZE outbox_deliveries');
    // The row selection of the dispatcher's claim (platform/delivery/dispatcher.ts), as it is planned.
    const plan = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT id FROM outbox_deliveries
       WHERE status IN ('PENDING', 'SENDING') AND not_before <= now() AT TIME ZONE 'UTC'
       ORDER BY not_before, id LIMIT 100 FOR UPDATE SKIP LOCKED`,
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('outbox_deliveries_claim_idx');
    expect(text).not.toMatch(/\bSort\b/);
  });

  it('when rows whose lease ran out wait among 20,000 others, then the claim finds them through the in-flight index first, then waiting rows, with no sort', async () => {
    db = await createTestDatabase(mode);
    await db.prisma.$executeRawUnsafe(`INSERT INTO outbox_messages (id, kind, payload) VALUES (1, 'TEXT', '{}')`);
    // 20,000 sent, 20,000 waiting, 100 in flight of which half have a lease that ran out (not_before = lease end).
    await db.prisma.$executeRawUnsafe(
      `INSERT INTO outbox_deliveries (message_id, chat_id, status, not_before)
       SELECT 1, i, CASE WHEN i <= 20000 THEN 'SENT' WHEN i <= 40000 THEN 'PENDING' ELSE 'SENDING' END::"DeliveryStatus",
              now() - interval '1 minute' + CASE WHEN i > 40050 THEN interval '2 minutes' ELSE interval '0' END
       FROM generate_series(1, 40100) AS i`,
    );
    await db.prisma.$executeRawUnsafe('ANALYZE outbox_deliveries');
    // The row selection of the dispatcher's claim (platform/delivery/claimed-rows.ts), as it is planned.
    const plan = await db.prisma.$queryRawUnsafe<{ 'QUERY PLAN': string }[]>(
      `EXPLAIN SELECT id FROM (
         SELECT id FROM outbox_deliveries WHERE status = 'SENDING' AND not_before <= now() AT TIME ZONE 'UTC'
         ORDER BY not_before, id LIMIT 100 FOR UPDATE SKIP LOCKED) expired
       UNION ALL
       SELECT id FROM (
         SELECT id FROM outbox_deliveries WHERE status = 'PENDING' AND not_before <= now() AT TIME ZONE 'UTC'
         ORDER BY not_before, id LIMIT 100 FOR UPDATE SKIP LOCKED) waiting
       LIMIT 100`,
    );
    const text = plan.map((row) => row['QUERY PLAN']).join('\n');
    expect(text).toContain('outbox_deliveries_lease_idx');
    expect(text).toContain('outbox_deliveries_claim_idx');
    expect(text).not.toMatch(/\bSort\b/);
  });

  it('when two test databases are open, then they are isolated from each other', async () => {
    db = await createTestDatabase(mode);
    const other = await createTestDatabase(mode);
    try {
      await db.prisma.user.create({ data: { id: 42n, firstName: 'زهرا' } });
      expect(await other.prisma.user.count()).toBe(0);
      expect(await db.prisma.user.findUnique({ where: { id: 42n } })).toMatchObject({ firstName: 'زهرا', reachable: true });
    } finally {
      await other.close();
    }
  });
});
