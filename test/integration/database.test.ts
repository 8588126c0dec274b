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
