/**
 * The reference data the migrations leave and the holiday use cases, on the embedded database: Kerman's
 * 25 counties in Persian alphabetical order, the official holidays of 1405 and 1406, and what super
 * admins (and only they) may change in the holidays, with an audit row for each change.
 *
 * The holidays table is reference data: the test database checks it is given back unchanged, so the
 * tests that change it put it back (afterEach below runs before the harness gives the database back).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import { comparePersian } from '../../src/platform/text/persian-collation.js';
import { holidayKeyOfDateOnly } from '../../src/platform/text/working-days.js';
import { loadHolidays } from '../../src/features/staff/index.js';
import { createUser } from '../support/ngo-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const SUPER = 1000n;
const PROVINCE = 1001n;
const MEMBER = 2002n;

/** Sunday 1405/09/01 10:00 Tehran. */
const h = useServiceHarness({ start: jalaliToDate({ jy: 1405, jm: 9, jd: 1 }, { hour: 10, minute: 0 }), staff: [{ id: SUPER, role: 'SUPER_ADMIN', firstName: 'مریم' }, { id: PROVINCE, role: 'PROVINCE_ADMIN' }] });

let seeded: { date: Date; name: string; createdBy: bigint | null; createdAt: Date }[] = [];

beforeEach(async () => {
  seeded = await h.prisma.holiday.findMany();
  await createUser(h.db, MEMBER);
});

afterEach(async () => {
  await h.prisma.holiday.deleteMany();
  await h.prisma.holiday.createMany({ data: seeded });
});

async function refusal(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof AppError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err.code;
}

const keys = async () => [...(await loadHolidays(h.prisma))].sort();

describe('counties after the migrations', () => {
  it('when the county list is read as the registration form reads it, then Kerman has 25 counties in Persian alphabetical order', async () => {
    const counties = (await h.prisma.county.findMany({ where: { active: true }, orderBy: [{ sortOrder: 'asc' }, { name: 'asc' }] })).map((c) => c.name);
    expect(counties).toHaveLength(25);
    expect(counties).toEqual([...counties].sort(comparePersian));
    expect(counties.slice(0, 2)).toEqual(['ارزوئیه', 'انار']);
    expect(counties.indexOf('رابر')).toBe(counties.indexOf('راور') - 1);
    expect(counties).toContain('جازموریان');
    expect(counties).toContain('گنبکی');
  });
});

describe('the official holidays after the migrations', () => {
  it('when the holidays are read, then both years hold Nowruz, 13 Farvardin, Tasua and Ashura, 22 Bahman and 29 Esfand', async () => {
    const days = await keys();
    for (const jy of [1405, 1406]) {
      for (const md of ['01/01', '01/02', '01/03', '01/04', '01/12', '01/13', '03/14', '03/15', '11/22', '12/29']) expect(days).toContain(`${jy}/${md}`);
    }
    // Tasua and Ashura of the official calendar of 1405, and Eid al-Fitr twice in 1405.
    expect(days).toEqual(expect.arrayContaining(['1405/04/03', '1405/04/04', '1405/12/19', '1405/12/20', '1406/03/24', '1406/03/25']));
    expect(days.filter((d) => d.startsWith('1405/'))).toHaveLength(26);
    expect(days.filter((d) => d.startsWith('1406/'))).toHaveLength(27);
  });

  it('when any admin asks for the coming holidays, then they start today (Tehran) in date order; a member is refused', async () => {
    const { holidays, more } = await h.services.holidays.upcoming(PROVINCE);
    expect(holidays[0]).toMatchObject({ day: { jy: 1405, jm: 10, jd: 2 }, name: 'ولادت امام علی (ع)' });
    expect(holidays[0]!.at).toEqual(jalaliToDate({ jy: 1405, jm: 10, jd: 2 }));
    expect(holidays.map((x) => x.at.getTime())).toEqual([...holidays.map((x) => x.at.getTime())].sort((a, b) => a - b));
    expect(holidays.length + more).toBe(8 + 27); // the rest of 1405, and 1406
    expect(await refusal(h.services.holidays.upcoming(MEMBER))).toBe('common.errors.not_admin');
  });
});

describe('changing the holidays', () => {
  it('when a super admin adds a day and renames it, then it is a holiday with the new name and each change is audited', async () => {
    const added = await h.services.holidays.add(SUPER, { jy: 1405, jm: 9, jd: 8 }, '  تعطیل به مناسبت آلودگی هوا ');
    expect(added).toMatchObject({ day: { jy: 1405, jm: 9, jd: 8 }, name: 'تعطیل به مناسبت آلودگی هوا', replaced: null });
    expect(await keys()).toContain('1405/09/08');

    const renamed = await h.services.holidays.add(SUPER, { jy: 1405, jm: 9, jd: 8 }, 'تعطیل اضطراری');
    expect(renamed.replaced).toBe('تعطیل به مناسبت آلودگی هوا');
    const row = await h.prisma.holiday.findUniqueOrThrow({ where: { date: new Date('2026-11-29T00:00:00Z') } });
    expect([holidayKeyOfDateOnly(row.date), row.name, row.createdBy]).toEqual(['1405/09/08', 'تعطیل اضطراری', SUPER]);

    const audit = await h.prisma.auditLog.findMany({ where: { entityType: 'holiday' }, orderBy: { id: 'asc' } });
    expect(audit.map((a) => [a.actorId, a.action, a.entityId])).toEqual([
      [SUPER, 'holiday.added', '1405/09/08'],
      [SUPER, 'holiday.renamed', '1405/09/08'],
    ]);
  });

  it('when a super admin removes a lunar holiday that moved, then it is no longer a holiday and the removal is audited', async () => {
    const removed = await h.services.holidays.remove(SUPER, { jy: 1406, jm: 5, jd: 12 });
    expect(removed.name).toBe('شهادت امام رضا (ع)');
    expect(await keys()).not.toContain('1406/05/12');
    expect(await h.prisma.auditLog.findFirst({ where: { action: 'holiday.removed' } })).toMatchObject({ actorId: SUPER, entityId: '1406/05/12' });
    expect(await refusal(h.services.holidays.remove(SUPER, { jy: 1406, jm: 5, jd: 12 }))).toBe('holidays.errors.not_found');
  });

  it('when a province admin or a member tries to change the holidays, or the name is empty, then nothing changes', async () => {
    const before = await keys();
    expect(await refusal(h.services.holidays.add(PROVINCE, { jy: 1405, jm: 9, jd: 8 }, 'روز تازه'))).toBe('admin.only_super');
    expect(await refusal(h.services.holidays.remove(PROVINCE, { jy: 1405, jm: 12, jd: 29 }))).toBe('admin.only_super');
    expect(await refusal(h.services.holidays.add(MEMBER, { jy: 1405, jm: 9, jd: 8 }, 'روز تازه'))).toBe('common.errors.not_admin');
    expect(await refusal(h.services.holidays.add(SUPER, { jy: 1405, jm: 9, jd: 8 }, ' \u200c '))).toBe('holidays.errors.name_empty');
    expect(await refusal(h.services.holidays.add(SUPER, { jy: 1405, jm: 9, jd: 8 }, 'ب'.repeat(101)))).toBe('holidays.errors.name_too_long');
    expect(await keys()).toEqual(before);
    expect(await h.prisma.auditLog.count({ where: { entityType: 'holiday' } })).toBe(0);
  });
});
