/**
 * Why: an office does not work on Fridays nor on the official holidays (Nowruz, Tasua, Ashura, the two
 * days of Eid al-Fitr...). A reminder that counts Eid as a working day nags the office a day early, and a
 * notice sent on Nowruz is unwelcome. The calendar is one pure rule that takes the holidays as data.
 *
 * Reference points: 1405/12/18 is Tuesday 2027-03-09; 12/19-12/20 (Wednesday, Thursday) are Eid al-Fitr
 * in the official calendar of 1405, 12/21 is a Friday. 1405/01/01 is Saturday 2026-03-21 (00:00 Tehran
 * is 20:30Z the day before). Tehran is UTC+03:30 all year.
 */
import { describe, expect, it } from 'vitest';
import { jalaliToDate, toJalali, type JalaliDate } from '../../src/platform/text/jalali.js';
import { isQuietTime, nextAllowedTime, DEFAULT_QUIET_HOURS } from '../../src/platform/text/quiet-hours.js';
import {
  dateOnlyOf,
  holidayKey,
  holidayKeyOfDateOnly,
  isDayOff,
  NO_HOLIDAYS,
  previousWorkingDay,
  workingDaysBetween,
  workingDaysCutoff,
  type Holidays,
} from '../../src/platform/text/working-days.js';

const day = (jy: number, jm: number, jd: number): JalaliDate => ({ jy, jm, jd });
const at = (jm: number, jd: number, hour = 10, minute = 0, jy = 1405) => jalaliToDate(day(jy, jm, jd), { hour, minute });
const holidays = (...days: JalaliDate[]): Holidays => new Set(days.map(holidayKey));

const EID = holidays(day(1405, 12, 19), day(1405, 12, 20));
const NOWRUZ = holidays(day(1404, 12, 29), day(1405, 1, 1), day(1405, 1, 2), day(1405, 1, 3), day(1405, 1, 4));
const TUESDAY = at(12, 18);

describe('days off', () => {
  it('when the fixtures are read, then they fall on the weekdays the tests assume', () => {
    expect([at(12, 18), at(12, 19), at(12, 20), at(12, 21), at(12, 22)].map((d) => toJalali(d).weekday)).toEqual([3, 4, 5, 6, 0]);
  });

  it('when a day is a holiday or a Friday, then it is a day off; a weekday that is neither is not', () => {
    expect(isDayOff(at(12, 19), EID)).toBe(true);
    expect(isDayOff(at(12, 21), EID)).toBe(true); // Friday
    expect(isDayOff(at(12, 18), EID)).toBe(false);
    expect(isDayOff(at(12, 19), NO_HOLIDAYS)).toBe(false);
  });

  it('when the day changes at Tehran midnight (still the day before in UTC), then so does the day off', () => {
    const endOfNowruz = at(1, 5, 0, 0); // Wednesday 1405/01/05 00:00 Tehran
    expect(endOfNowruz.toISOString()).toBe('2026-03-24T20:30:00.000Z');
    expect(isDayOff(endOfNowruz, NOWRUZ)).toBe(false);
    expect(isDayOff(new Date(endOfNowruz.getTime() - 60_000), NOWRUZ)).toBe(true);
    expect(isDayOff(at(1, 1, 0, 0), NOWRUZ)).toBe(true);
  });

  it('when a day is stored as a date (a DATE column), then its key is its Jalali day both ways', () => {
    expect(dateOnlyOf(day(1405, 1, 1)).toISOString()).toBe('2026-03-21T00:00:00.000Z');
    expect(holidayKeyOfDateOnly(new Date('2027-03-20T00:00:00Z'))).toBe('1405/12/29');
  });
});

describe('working days with holidays', () => {
  it('when something arrives on the Tuesday before Eid, then Eid and the Friday after it do not count', () => {
    expect(workingDaysBetween(TUESDAY, at(12, 22), NO_HOLIDAYS)).toBe(3); // Wednesday, Thursday, Saturday
    expect(workingDaysBetween(TUESDAY, at(12, 22), EID)).toBe(1); // Saturday only
    expect(workingDaysBetween(TUESDAY, at(12, 24), EID)).toBe(3); // Saturday, Sunday, Monday
  });

  it('when the cutoff is asked, then "since < cutoff" agrees with the count for every hour around Eid', () => {
    for (const nowDay of [19, 20, 21, 22, 23, 24, 25]) {
      const now = at(12, nowDay, 9);
      for (const days of [1, 3]) {
        const cutoff = workingDaysCutoff(now, days, EID);
        for (let h = 0; h < 24 * 14; h += 1) {
          const since = new Date(at(12, 10, 0).getTime() + h * 3_600_000);
          if (since > now) break;
          expect(since < cutoff, `since ${since.toISOString()} now ${nowDay} days ${days}`).toBe(workingDaysBetween(since, now, EID) >= days);
        }
      }
    }
  });

  it('when the first working morning after Eid comes, then the previous working day is the Tuesday before it', () => {
    expect(previousWorkingDay(at(12, 22, 8, 30), EID)).toEqual(at(12, 18, 8, 30));
    expect(previousWorkingDay(at(12, 22, 8, 30), NO_HOLIDAYS)).toEqual(at(12, 20, 8, 30));
  });
});

describe('quiet hours with holidays', () => {
  it('when a holiday is passed in, then the whole day is quiet like a Friday', () => {
    const quiet = { ...DEFAULT_QUIET_HOURS, holidays: EID };
    expect(isQuietTime(at(12, 19, 10), quiet)).toBe(true);
    expect(isQuietTime(at(12, 19, 10))).toBe(false);
    expect(isQuietTime(at(12, 18, 10), quiet)).toBe(false);
  });

  it('when a message waits on the evening of 29 Esfand, then it goes out on the first morning after Nowruz', () => {
    // 1404/12/29 is a Friday and a holiday; 1405/01/01-04 are Nowruz; 01/05 is Wednesday.
    const next = nextAllowedTime(at(12, 29, 23, 0, 1404), { ...DEFAULT_QUIET_HOURS, holidays: NOWRUZ });
    expect(next).toEqual(at(1, 5, 7, 0));
    expect(nextAllowedTime(at(12, 29, 23, 0, 1404))).toEqual(at(1, 1, 7, 0));
  });
});
