/** The NGO rules that need no database: identity, what an edit sends back to review, who may review. */
import { describe, expect, it } from 'vitest';
import {
  authorityKey,
  editNeedsReview,
  mayReview,
  submissionVersion,
  validateFoundedYear,
  validateRegistrationNumber,
  type NgoRecord,
} from '../../src/features/ngos/rules.js';

const ngo: NgoRecord = {
  id: 7,
  name: 'انجمن سبز',
  registrationNumber: '1234',
  authority: 'WELFARE',
  authorityOther: null,
  fields: [],
  fieldIds: [1],
  county: 'کرمان',
  countyId: 3,
  managerName: 'زهرا احمدی',
  managerPhone: '+989131234567',
  status: 'APPROVED',
  reviewedBy: 1n,
  submittedAt: new Date('2026-11-22T06:30:00Z'),
};

describe('NGO identity', () => {
  it('when a number is typed in Persian digits with a backslash, then it is stored as the same ASCII number', () => {
    expect(validateRegistrationNumber('۱۲۳۴\\۵۶')).toEqual({ ok: true, value: '1234/56' });
    expect(validateRegistrationNumber('12a')).toEqual({ ok: false, error: 'format' });
  });

  it('when "other" authorities differ only in spacing and case, then they are one authority', () => {
    expect(authorityKey('OTHER', ' Red  Crescent ')).toBe(authorityKey('OTHER', 'red crescent'));
    expect(authorityKey('WELFARE', 'ignored')).toBe('WELFARE');
  });

  it('when a year is after this Solar Hijri year, then it is out of range', () => {
    const now = new Date('2026-11-22T06:30:00Z'); // 1405
    expect(validateFoundedYear('۱۴۰۵', now)).toEqual({ ok: true, value: 1405 });
    expect(validateFoundedYear('1406', now)).toEqual({ ok: false, error: 'range' });
  });
});

describe('review rules', () => {
  it('when the name, number or authority changes, then the edit goes back to review; other edits do not', () => {
    expect(editNeedsReview(ngo, { name: 'انجمن تازه' })).toBe(true);
    expect(editNeedsReview(ngo, { registrationNumber: '999' })).toBe(true);
    expect(editNeedsReview(ngo, { authority: 'HEALTH' })).toBe(true);
    expect(editNeedsReview(ngo, { name: ngo.name, authority: 'WELFARE' })).toBe(false);
    expect(editNeedsReview(ngo, { memberCount: 40, countyId: 4 })).toBe(false);
  });

  it('when a rejected registration is corrected in any item, then it goes back to review', () => {
    expect(editNeedsReview({ ...ngo, status: 'REJECTED' }, { memberCount: 40 })).toBe(true);
  });

  it('when a county admin reviews, then only NGOs of their own county are theirs', () => {
    expect(mayReview({ role: 'COUNTY_ADMIN', countyId: 3 }, 3)).toBe(true);
    expect(mayReview({ role: 'COUNTY_ADMIN', countyId: 3 }, 4)).toBe(false);
    expect(mayReview({ role: 'PROVINCE_ADMIN', countyId: null }, 4)).toBe(true);
  });

  it('when an NGO is submitted again a second later, then its review buttons name another version', () => {
    const later = new Date(ngo.submittedAt.getTime() + 1000);
    expect(submissionVersion(ngo)).toMatch(/^[0-9a-z]{1,12}$/);
    expect(submissionVersion({ submittedAt: later })).not.toBe(submissionVersion(ngo));
  });
});
