/** The pure rules of broadcasts: reading an audience back, the progress card's state and time left, what stops a broadcast. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_AUDIENCE, isDefaultAudience, parseAudience, scopeAudience } from '../../src/features/broadcasts/audience.js';
import { startTimeText } from '../../src/features/broadcasts/notices.js';
import { cardState, isInThePast, isMessageLevelFailure, minutesLeft, NO_COUNTS } from '../../src/features/broadcasts/rules.js';
import { formatterFor } from '../../src/platform/i18n/format.js';

describe('broadcast rules', () => {
  it('when an audience is read back from JSON, then what does not fit is dropped and approved NGOs stay the default', () => {
    expect(parseAudience(null)).toEqual(DEFAULT_AUDIENCE);
    expect(parseAudience({ countyIds: [3, '4', 2.5], fieldIds: 'x', statuses: ['REJECTED'], managersOnly: 'yes' })).toEqual({ ...DEFAULT_AUDIENCE, countyIds: [3] });
    expect(parseAudience({ statuses: ['PENDING', 'SUSPENDED'], managersOnly: true })).toEqual({ ...DEFAULT_AUDIENCE, statuses: ['PENDING', 'SUSPENDED'], managersOnly: true });
    expect(isDefaultAudience(parseAudience({}))).toBe(true);
  });

  it('when a county admin names other counties, then the audience is their own county only', () => {
    expect(scopeAudience({ role: 'COUNTY_ADMIN', countyId: 7 }, { ...DEFAULT_AUDIENCE, countyIds: [1, 2] }).countyIds).toEqual([7]);
    expect(scopeAudience({ role: 'PROVINCE_ADMIN', countyId: null }, { ...DEFAULT_AUDIENCE, countyIds: [1, 2] }).countyIds).toEqual([1, 2]);
  });

  it('when the card is drawn, then cancel wins over done, done over paused, and the time left is whole minutes of at least one', () => {
    const waiting = { ...NO_COUNTS, waiting: 3 };
    expect(cardState({ cancelRequested: true }, NO_COUNTS, true)).toBe('cancelled');
    expect(cardState({ cancelRequested: false }, NO_COUNTS, true)).toBe('done');
    expect(cardState({ cancelRequested: false }, waiting, true)).toBe('paused');
    expect(cardState({ cancelRequested: false }, waiting, false)).toBe('sending');
    expect(minutesLeft(3, 25)).toBe(1);
    expect(minutesLeft(25 * 61, 25)).toBe(2);
    expect(minutesLeft(10, 0)).toBe(1);
  });

  it('when a failure or a time is judged, then only a 400 stops a broadcast and a minute of grace separates now from the past', () => {
    expect(isMessageLevelFailure('400: Bad Request: message to copy not found')).toBe(true);
    expect(isMessageLevelFailure('4000 something')).toBe(false);
    expect(isMessageLevelFailure('502: Bad Gateway')).toBe(false);
    const now = new Date('2026-11-22T06:30:00Z');
    expect(isInThePast(new Date(now.getTime() - 59_000), now)).toBe(false);
    expect(isInThePast(new Date(now.getTime() - 61_000), now)).toBe(true);
  });

  it('when a start time is shown, then Persian reads "ساعت" and English "at", in the Jalali calendar', () => {
    const at = new Date('2026-11-28T03:30:00Z'); // 1405/09/07 07:00 Tehran
    expect(startTimeText(formatterFor('fa'), at)).toBe('۱۴۰۵/۰۹/۰۷ ساعت ۰۷:۰۰');
    expect(startTimeText(formatterFor('en'), at)).toBe('1405/09/07 at 07:00');
  });
});
