/**
 * The statistics use cases on a seeded province (test/support/stats-fixtures.ts), every figure compared
 * with the one worked out by hand: province staff see the province, the county admin of بم only بم's
 * NGOs and rows, and anyone else is refused.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../src/platform/errors.js';
import { STATS_COUNTY_ADMIN, STATS_NGOS, STATS_NOW, STATS_PROVINCE_ADMIN, seedStatsProvince } from '../support/stats-fixtures.js';
import { useServiceHarness } from '../support/service-harness.js';

const PROVINCE = BigInt(STATS_PROVINCE_ADMIN);
const BAM = BigInt(STATS_COUNTY_ADMIN);

const h = useServiceHarness({
  start: STATS_NOW,
  staff: [
    { id: STATS_PROVINCE_ADMIN, role: 'PROVINCE_ADMIN' },
    { id: STATS_COUNTY_ADMIN, role: 'COUNTY_ADMIN', countyName: 'بم' },
  ],
});

beforeEach(async () => {
  await seedStatsProvince(h.db, h.outbox);
});

const names = (rows: readonly { name: string }[]) => rows.map((r) => r.name);

describe('statistics', () => {
  it('when province staff ask, then NGOs are counted by status, county (with activity) and field over the whole province', async () => {
    const f = await h.services.stats.ngos(PROVINCE);
    expect(f.scope).toEqual({ kind: 'province' });
    expect(f.byStatus).toEqual({ APPROVED: 6, PENDING: 1, REJECTED: 1, SUSPENDED: 1 });
    expect(f.byCounty.map(({ name, active, semiActive, inactive }) => ({ name, active, semiActive, inactive }))).toEqual([
      { name: 'کرمان', active: 1, semiActive: 1, inactive: 1 },
      { name: 'بم', active: 1, semiActive: 1, inactive: 0 },
      { name: 'رفسنجان', active: 0, semiActive: 0, inactive: 1 },
    ]);
    expect(f.byField.map(({ name, count }) => [name, count])).toEqual([
      ['محیط زیست', 3],
      ['بهداشت و سلامت', 2],
      ['ورزش و جوانان', 2],
    ]);
    expect(f.activity).toEqual({ active: 2, semiActive: 2, inactive: 2 });
  });

  it('when the county admin of بم asks, then only بم is counted, and anonymous feedback does not raise an NGO to active', async () => {
    const f = await h.services.stats.ngos(BAM);
    expect(f.scope).toEqual({ kind: 'county', name: 'بم' });
    expect(f.byStatus).toEqual({ APPROVED: 2, PENDING: 0, REJECTED: 1, SUSPENDED: 0 });
    expect(f.byCounty.map(({ name, active, semiActive, inactive }) => ({ name, active, semiActive, inactive }))).toEqual([{ name: 'بم', active: 1, semiActive: 1, inactive: 0 }]);
    expect(f.byField.map(({ name, count }) => [name, count])).toEqual([
      ['بهداشت و سلامت', 1],
      ['محیط زیست', 1],
    ]);
    expect(f.activity).toEqual({ active: 1, semiActive: 1, inactive: 0 });
    expect(names(f.byCounty)).not.toContain('کرمان');
  });

  it('when courses are counted, then demand, seats, enrolment, attendance and ratings match the seeded ones, and a county sees the courses open to it', async () => {
    expect(await h.services.stats.courses(PROVINCE)).toMatchObject({
      courses: 3,
      seats: 45,
      needs: 2,
      demand: 16,
      enrolledParticipants: 9,
      waitlistedParticipants: 2,
      attendanceMarked: 3,
      attended: 2,
      ratings: 3,
    });
    expect((await h.services.stats.courses(PROVINCE)).averageRating).toBeCloseTo(11 / 3, 6);
    expect(await h.services.stats.courses(BAM)).toMatchObject({
      courses: 2,
      seats: 35,
      needs: 1,
      demand: 6,
      enrolledParticipants: 4,
      waitlistedParticipants: 2,
      attendanceMarked: 1,
      attended: 1,
      ratings: 2,
      averageRating: 3.5,
    });
  });

  it('when feedback is counted, then the median time to the first answer skips Fridays and official holidays, and a county leaves anonymous items out', async () => {
    expect(await h.services.stats.feedback(PROVINCE)).toMatchObject({
      received: 4,
      waiting: 1,
      answered: 2,
      closed: 1,
      withAnswer: 3,
      // 2 working days (Tuesday to Saturday over a holiday and a Friday), 0 and 1.
      medianWorkingDays: 1,
      includesAnonymous: true,
    });
    expect(await h.services.stats.feedback(BAM)).toMatchObject({ received: 1, waiting: 0, answered: 0, closed: 1, withAnswer: 1, medianWorkingDays: 0, includesAnonymous: false });
  });

  it('when announcements are counted, then deliveries of the window and unreachable members match, and a county counts only its members', async () => {
    expect(await h.services.stats.broadcasts(PROVINCE)).toMatchObject({ broadcasts: 2, sent: 4, failed: 1, unreachable: 2, pending: 2, members: 9, unreachableMembers: 3 });
    expect(await h.services.stats.broadcasts(BAM)).toMatchObject({ broadcasts: 1, sent: 1, failed: 0, unreachable: 1, pending: 0, members: 3, unreachableMembers: 2 });
  });

  it('when deadlines are counted, then a report on the evening of the due day is on time, a later one late, and open parts past their day overdue', async () => {
    expect(await h.services.stats.deadlines(PROVINCE)).toMatchObject({ onTime: 2, late: 1, overdue: 2, due: 2 });
    expect(await h.services.stats.deadlines(BAM)).toMatchObject({ onTime: 1, late: 1, overdue: 0, due: 1 });
  });

  it('when a member or a stranger asks, then every section is refused as not for them', async () => {
    for (const userId of [BigInt(STATS_NGOS.K1.managerId), 999_999n]) {
      for (const section of ['ngos', 'courses', 'feedback', 'broadcasts', 'deadlines'] as const) {
        await expect(h.services.stats[section](userId)).rejects.toEqual(new AppError('common.errors.not_admin'));
      }
    }
  });
});
