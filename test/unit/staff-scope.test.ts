import { describe, expect, it } from 'vitest';
import { coversCounty, ngoScope, scopedCounties, type StaffMember } from '../../src/features/staff/scope.js';

const province: StaffMember = { userId: 1n, role: 'PROVINCE_ADMIN', countyId: null };
const county: StaffMember = { userId: 2n, role: 'COUNTY_ADMIN', countyId: 7 };
const countyless: StaffMember = { userId: 3n, role: 'COUNTY_ADMIN', countyId: null };

describe('a staff member’s scope', () => {
  it('when the member is province staff, then every county is covered and NGOs are not filtered', () => {
    expect(scopedCounties(province)).toBeNull();
    expect(ngoScope(province)).toEqual({});
    expect(coversCounty(province, 99)).toBe(true);
  });

  it('when the member is a county admin, then only their county is covered', () => {
    expect(ngoScope(county)).toEqual({ countyId: { in: [7] } });
    expect(coversCounty(county, 7)).toBe(true);
    expect(coversCounty(county, 8)).toBe(false);
  });

  it('when a county admin has no county recorded, then nothing is covered (never the whole province)', () => {
    expect(ngoScope(countyless)).toEqual({ countyId: { in: [] } });
    expect(coversCounty(countyless, 7)).toBe(false);
  });
});
