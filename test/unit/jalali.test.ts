/**
 * Why: admins schedule announcements by typing Jalali dates on the Tehran clock, and members
 * read dates back in Persian. An off-by-one at midnight or a wrongly accepted 30 Esfand sends
 * a message on the wrong day. These tests must pass whatever TZ the process runs in.
 */
import { isLeapJalaaliYear, toGregorian, toJalaali } from 'jalaali-js';
import { describe, expect, it } from 'vitest';
import {
  addJalaliMonths,
  daysBetweenTehran,
  formatJalaliDate,
  formatJalaliDateTime,
  formatJalaliLong,
  isFridayInTehran,
  jalaliToDate,
  parseJalaliDate,
  parseJalaliDateTime,
  parseTime,
  startOfTehranDay,
  toJalali,
} from '../../src/platform/text/jalali.js';
import { formatterFor } from '../../src/platform/i18n/format.js';

const utc = (iso: string): Date => new Date(iso);

describe('reference conversions (checked against jalaali-js)', () => {
  it('1405/08/30 is 2026-11-21 and Nowruz 1405/01/01 is 2026-03-21', () => {
    expect(toGregorian(1405, 8, 30)).toEqual({ gy: 2026, gm: 11, gd: 21 });
    expect(toGregorian(1405, 1, 1)).toEqual({ gy: 2026, gm: 3, gd: 21 });
  });

  it('1403 is a leap year and 1404–1407 are not', () => {
    expect(isLeapJalaaliYear(1403)).toBe(true);
    expect([1404, 1405, 1406, 1407].map(isLeapJalaaliYear)).toEqual([false, false, false, false]);
  });
});

describe('toJalali', () => {
  it('when it is 20:29 UTC on 2026-11-21, then Tehran reads 1405/08/30 23:59', () => {
    expect(toJalali(utc('2026-11-21T20:29:00Z'))).toEqual({
      jy: 1405,
      jm: 8,
      jd: 30,
      hour: 23,
      minute: 59,
      weekday: 0,
    });
  });

  it('when it is 20:31 UTC on 2026-11-21, then Tehran has moved on to 1405/09/01 00:01', () => {
    expect(toJalali(utc('2026-11-21T20:31:00Z'))).toEqual({
      jy: 1405,
      jm: 9,
      jd: 1,
      hour: 0,
      minute: 1,
      weekday: 1,
    });
  });

  it('when it is exactly Tehran midnight, then the hour is 0, not 24', () => {
    expect(toJalali(utc('2026-11-21T20:30:00Z'))).toMatchObject({ jd: 1, hour: 0, minute: 0 });
  });

  it('when it is Nowruz morning in Tehran, then the date is 1405/01/01', () => {
    expect(toJalali(utc('2026-03-21T05:30:00Z'))).toMatchObject({ jy: 1405, jm: 1, jd: 1, hour: 9, minute: 0 });
  });

  it('when the instant is in summer 1400 (before DST was abolished), then the +04:30 offset is applied', () => {
    // 2021-06-01T00:00Z was 04:30 in Tehran under the daylight saving time in force then.
    expect(toJalali(utc('2021-06-01T00:00:00Z'))).toMatchObject({
      ...toJalaali(2021, 6, 1),
      hour: 4,
      minute: 30,
    });
  });

  it('when the instant is in summer 1405, then the fixed +03:30 offset is applied', () => {
    expect(toJalali(utc('2026-06-01T00:00:00Z'))).toMatchObject({ hour: 3, minute: 30 });
  });

  it('when the Date is invalid, then it throws instead of returning NaN parts', () => {
    expect(() => toJalali(new Date('nope'))).toThrow(RangeError);
  });
});

describe('isFridayInTehran', () => {
  it('when it is still Thursday in UTC but already Friday in Tehran, then it is Friday', () => {
    // 2026-11-19 is a Thursday; 21:00 UTC is 00:30 Friday in Tehran.
    expect(isFridayInTehran(utc('2026-11-19T21:00:00Z'))).toBe(true);
  });

  it('when it is still Friday in UTC but already Saturday in Tehran, then it is not Friday', () => {
    expect(isFridayInTehran(utc('2026-11-20T21:00:00Z'))).toBe(false);
  });

  it('when it is Friday noon in Tehran, then it is Friday and the weekday index is 6', () => {
    const fridayNoon = utc('2026-11-20T08:30:00Z');
    expect(isFridayInTehran(fridayNoon)).toBe(true);
    expect(toJalali(fridayNoon).weekday).toBe(6);
  });
});

describe('formatting', () => {
  const nineAmTehran = utc('2026-11-21T05:30:00Z');

  it('formatJalaliDate gives zero-padded Persian digits in Tehran time', () => {
    expect(formatJalaliDate(nineAmTehran)).toBe('۱۴۰۵/۰۸/۳۰');
    expect(formatJalaliDate(utc('2026-03-21T05:30:00Z'))).toBe('۱۴۰۵/۰۱/۰۱');
  });

  it('formatJalaliDate uses the Tehran date across the UTC+03:30 boundary', () => {
    expect(formatJalaliDate(utc('2026-11-21T20:29:00Z'))).toBe('۱۴۰۵/۰۸/۳۰');
    expect(formatJalaliDate(utc('2026-11-21T20:31:00Z'))).toBe('۱۴۰۵/۰۹/۰۱');
  });

  it('formatJalaliDateTime adds the Tehran time after ساعت', () => {
    expect(formatJalaliDateTime(nineAmTehran)).toBe('۱۴۰۵/۰۸/۳۰ ساعت ۰۹:۰۰');
    expect(formatJalaliDateTime(utc('2026-11-21T20:29:00Z'))).toBe('۱۴۰۵/۰۸/۳۰ ساعت ۲۳:۵۹');
  });

  it('formatJalaliLong names the weekday and month in Persian', () => {
    expect(formatJalaliLong(nineAmTehran)).toBe('شنبه ۳۰ آبان ۱۴۰۵');
    expect(formatJalaliLong(utc('2026-11-20T08:30:00Z'))).toBe('جمعه ۲۹ آبان ۱۴۰۵');
    expect(formatJalaliLong(utc('2026-03-21T05:30:00Z'))).toBe('شنبه ۱ فروردین ۱۴۰۵');
    expect(formatJalaliLong(utc('2026-11-24T08:30:00Z'))).toBe('سه‌شنبه ۳ آذر ۱۴۰۵');
  });
});

describe('parseJalaliDate', () => {
  it.each([
    '1405/8/30',
    '1405/08/30',
    '۱۴۰۵/۰۸/۳۰',
    '١٤٠٥/٠٨/٣٠',
    '1405-08-30',
    '1405.8.30',
    '1405 / 8 / 30',
    '  ۱۴۰۵/۸/۳۰  ',
    '\u200F۱۴۰۵/۰۸/۳۰\u200E',
    '۱۴۰۵/08/٣٠',
  ])('when given %j, then it is 1405/08/30', (input) => {
    expect(parseJalaliDate(input)).toEqual({ ok: true, value: { jy: 1405, jm: 8, jd: 30 } });
  });

  it('when the date is 30 Esfand of a leap year (1403), then it is accepted', () => {
    expect(parseJalaliDate('1403/12/30')).toEqual({ ok: true, value: { jy: 1403, jm: 12, jd: 30 } });
  });

  it('when the date is 30 Esfand of a common year (1405), then the error is day', () => {
    expect(parseJalaliDate('1405/12/30')).toEqual({ ok: false, error: 'day' });
    expect(parseJalaliDate('1405/12/29').ok).toBe(true);
  });

  it('when day 31 is given for a 30-day month (Mehr), then the error is day', () => {
    expect(parseJalaliDate('1405/07/31')).toEqual({ ok: false, error: 'day' });
    expect(parseJalaliDate('1405/06/31').ok).toBe(true);
  });

  it('when the day is 0, then the error is day', () => {
    expect(parseJalaliDate('1405/08/00')).toEqual({ ok: false, error: 'day' });
  });

  it('when the month is 13 or 0, then the error is month', () => {
    expect(parseJalaliDate('1405/13/01')).toEqual({ ok: false, error: 'month' });
    expect(parseJalaliDate('1405/0/10')).toEqual({ ok: false, error: 'month' });
  });

  it('when a Gregorian or out-of-range year is typed, then the error is year', () => {
    expect(parseJalaliDate('2026/11/21')).toEqual({ ok: false, error: 'year' });
    expect(parseJalaliDate('1299/01/01')).toEqual({ ok: false, error: 'year' });
    expect(parseJalaliDate('1501/01/01')).toEqual({ ok: false, error: 'year' });
    expect(parseJalaliDate('1300/01/01').ok).toBe(true);
    expect(parseJalaliDate('1500/01/01').ok).toBe(true);
  });

  it.each(['', '   ', 'abc', '1405/8', '1405/8/30/1', '1405/08-30', '14050/8/30', '1405/123/1', '۱۴۰۵ آبان ۳۰'])(
    'when given %j, then the error is format',
    (input) => {
      expect(parseJalaliDate(input)).toEqual({ ok: false, error: 'format' });
    },
  );
});

describe('parseTime', () => {
  it.each([
    ['9:00', 9, 0],
    ['09:30', 9, 30],
    ['۱۸:۴۵', 18, 45],
    ['٠٩:٠٥', 9, 5],
    ['9', 9, 0],
    ['۹', 9, 0],
    [' 0:00 ', 0, 0],
    ['23:59', 23, 59],
  ])('when given %j, then it is %i:%i', (input, hour, minute) => {
    expect(parseTime(input)).toEqual({ ok: true, value: { hour, minute } });
  });

  it('when the hour is 24, then the error is hour', () => {
    expect(parseTime('24:00')).toEqual({ ok: false, error: 'hour' });
    expect(parseTime('24')).toEqual({ ok: false, error: 'hour' });
  });

  it('when the minute is 60, then the error is minute', () => {
    expect(parseTime('9:60')).toEqual({ ok: false, error: 'minute' });
  });

  it.each(['', 'abc', '9:', '9:5', '-1:00', '12:30:00', '123', 'ساعت ۹'])(
    'when given %j, then the error is format',
    (input) => {
      expect(parseTime(input)).toEqual({ ok: false, error: 'format' });
    },
  );
});

describe('jalaliToDate', () => {
  it('when given 1405/08/30 at midnight, then it is 20:30 UTC the previous Gregorian day', () => {
    expect(jalaliToDate({ jy: 1405, jm: 8, jd: 30 }).toISOString()).toBe('2026-11-20T20:30:00.000Z');
  });

  it('when given Nowruz 1405 at 09:00, then it is 05:30 UTC on 2026-03-21', () => {
    expect(jalaliToDate({ jy: 1405, jm: 1, jd: 1 }, { hour: 9, minute: 0 }).toISOString()).toBe(
      '2026-03-21T05:30:00.000Z',
    );
  });

  it('when given a summer date of 1400, then the historical +04:30 offset is used', () => {
    const { jy, jm, jd } = toJalaali(2021, 6, 1);
    expect(jalaliToDate({ jy, jm, jd }, { hour: 4, minute: 30 }).toISOString()).toBe('2021-06-01T00:00:00.000Z');
  });

  it('when every day of 1403–1406 is converted at 23:59 and back, then the same date and time come out', () => {
    const mismatches: string[] = [];
    for (let jy = 1403; jy <= 1406; jy++) {
      for (let jm = 1; jm <= 12; jm++) {
        const monthLength = jm <= 6 ? 31 : jm <= 11 ? 30 : isLeapJalaaliYear(jy) ? 30 : 29;
        for (let jd = 1; jd <= monthLength; jd++) {
          const back = toJalali(jalaliToDate({ jy, jm, jd }, { hour: 23, minute: 59 }));
          if (back.jy !== jy || back.jm !== jm || back.jd !== jd || back.hour !== 23 || back.minute !== 59) {
            mismatches.push(`${jy}/${jm}/${jd}`);
          }
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  it('when the date or time is impossible, then it throws rather than rolling over', () => {
    expect(() => jalaliToDate({ jy: 1405, jm: 12, jd: 30 })).toThrow(RangeError);
    expect(() => jalaliToDate({ jy: 1405, jm: 8, jd: 30 }, { hour: 24, minute: 0 })).toThrow(RangeError);
    expect(() => jalaliToDate({ jy: 1405, jm: 8, jd: 30 }, { hour: 9, minute: 60 })).toThrow(RangeError);
  });
});

describe('parseJalaliDateTime', () => {
  it('when date and time are valid, then it returns the UTC instant of that Tehran time', () => {
    const result = parseJalaliDateTime('۱۴۰۵/۰۸/۳۰', '۹:۰۰');
    expect(result.ok && result.value.toISOString()).toBe('2026-11-21T05:30:00.000Z');
  });

  it('when the date is wrong, then the error names the date field', () => {
    expect(parseJalaliDateTime('1405/12/30', '9:00')).toEqual({ ok: false, field: 'date', error: 'day' });
  });

  it('when the time is wrong, then the error names the time field', () => {
    expect(parseJalaliDateTime('1405/08/30', '24:00')).toEqual({ ok: false, field: 'time', error: 'hour' });
  });
});

describe('addJalaliMonths', () => {
  it('when adding a month to 30 Bahman of a common year, then the day clamps to 29 Esfand', () => {
    expect(addJalaliMonths({ jy: 1405, jm: 11, jd: 30 }, 1)).toEqual({ jy: 1405, jm: 12, jd: 29 });
  });

  it('when adding a month to 30 Bahman of a leap year, then 30 Esfand is kept', () => {
    expect(addJalaliMonths({ jy: 1403, jm: 11, jd: 30 }, 1)).toEqual({ jy: 1403, jm: 12, jd: 30 });
  });

  it('when going from a 31-day month to a 30-day one, then the day clamps to 30', () => {
    expect(addJalaliMonths({ jy: 1405, jm: 6, jd: 31 }, 1)).toEqual({ jy: 1405, jm: 7, jd: 30 });
  });

  it('when crossing the year end, then the year rolls over', () => {
    expect(addJalaliMonths({ jy: 1405, jm: 12, jd: 15 }, 1)).toEqual({ jy: 1406, jm: 1, jd: 15 });
    expect(addJalaliMonths({ jy: 1405, jm: 3, jd: 10 }, 12)).toEqual({ jy: 1406, jm: 3, jd: 10 });
    expect(addJalaliMonths({ jy: 1405, jm: 1, jd: 10 }, 25)).toEqual({ jy: 1407, jm: 2, jd: 10 });
  });

  it('when n is negative, then it goes back, clamping too', () => {
    expect(addJalaliMonths({ jy: 1405, jm: 1, jd: 31 }, -1)).toEqual({ jy: 1404, jm: 12, jd: 29 });
    expect(addJalaliMonths({ jy: 1405, jm: 8, jd: 30 }, 0)).toEqual({ jy: 1405, jm: 8, jd: 30 });
  });

  it('when n is not an integer, then it throws', () => {
    expect(() => addJalaliMonths({ jy: 1405, jm: 8, jd: 30 }, 1.5)).toThrow(RangeError);
  });
});

describe('startOfTehranDay', () => {
  it('when it is 23:59 in Tehran, then the day started at 20:30 UTC the previous day', () => {
    expect(startOfTehranDay(utc('2026-11-21T20:29:00Z')).toISOString()).toBe('2026-11-20T20:30:00.000Z');
  });

  it('when it is 00:01 in Tehran, then the day started a minute ago', () => {
    expect(startOfTehranDay(utc('2026-11-21T20:31:00Z')).toISOString()).toBe('2026-11-21T20:30:00.000Z');
  });
});

describe('daysBetweenTehran', () => {
  it('when two instants straddle Tehran midnight by two minutes, then they are one day apart', () => {
    expect(daysBetweenTehran(utc('2026-11-21T20:29:00Z'), utc('2026-11-21T20:31:00Z'))).toBe(1);
    expect(daysBetweenTehran(utc('2026-11-21T20:31:00Z'), utc('2026-11-21T20:29:00Z'))).toBe(-1);
  });

  it('when two instants fall on different UTC days but the same Tehran day, then it is 0', () => {
    // 00:30 and 22:30 on Saturday 1405/08/30 in Tehran.
    expect(daysBetweenTehran(utc('2026-11-20T21:00:00Z'), utc('2026-11-21T19:00:00Z'))).toBe(0);
  });

  it('when the instants are a week and a year apart, then whole calendar days are counted', () => {
    expect(daysBetweenTehran(utc('2026-11-21T05:30:00Z'), utc('2026-11-28T19:00:00Z'))).toBe(7);
    expect(daysBetweenTehran(utc('2026-03-21T05:30:00Z'), utc('2027-03-21T05:30:00Z'))).toBe(365);
  });
});

describe("Tehran's wall clock around the old daylight-saving changes (offset looked up once per half hour)", () => {
  const intl = new Intl.DateTimeFormat('en-US-u-ca-gregory-nu-latn', {
    timeZone: 'Asia/Tehran', hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  });
  const wallOf = (d: Date) => Object.fromEntries(intl.formatToParts(d).filter((p) => p.type !== 'literal').map((p) => [p.type, Number(p.value)]));

  // Spring forward 2021-03-21 and fall back 2021-09-21 (20:30 UTC the evening before / of), and 2022's.
  // 1935: Tehran's move from local mean time (+3:25:44) to +3:30, at 20:34:16 UTC, inside a half hour.
  it.each(['1935-06-12T20:34:16Z', '2021-03-21T20:30:00Z', '2021-09-21T19:30:00Z', '2022-03-21T20:30:00Z', '2022-09-21T19:30:00Z', '2026-11-30T20:30:00Z'])(
    'when the instant is within two hours of %s, then every minute (and odd second) reads as Intl reads it',
    (around) => {
      const centre = new Date(around).getTime();
      for (let t = centre - 2 * 3_600_000; t <= centre + 2 * 3_600_000; t += 60_000 + 7_000) {
        const d = new Date(t);
        const w = wallOf(d);
        const j = toJalali(d);
        expect({ hour: j.hour, minute: j.minute }, d.toISOString()).toEqual({ hour: w.hour, minute: w.minute });
        expect(formatJalaliDate(d), d.toISOString()).toBe(formatJalaliDate(new Date(Date.UTC(w.year!, w.month! - 1, w.day!, 12) - 12_600_000)));
      }
    },
  );
});

describe("a reader's formatter (dates kept by their moment)", () => {
  it('when a list shows the same moments to many members, then each moment reads as it did the first time, and a minute later reads differently', () => {
    const fa = formatterFor('fa');
    const en = formatterFor('en');
    for (let round = 0; round < 2; round++) {
      // A new Date each time: the text belongs to the moment, not to the object.
      expect(fa.when(utc('2026-11-21T05:30:00Z'))).toBe('شنبه ۳۰ آبان ۱۴۰۵ ساعت ۰۹:۰۰');
      expect(fa.when(utc('2026-11-21T05:31:00Z'))).toBe('شنبه ۳۰ آبان ۱۴۰۵ ساعت ۰۹:۰۱');
      expect(fa.dateTime(utc('2026-11-21T05:30:00Z'))).toBe(formatJalaliDateTime(utc('2026-11-21T05:30:00Z')));
      expect(fa.date(utc('2026-11-21T20:29:00Z'))).toBe('۱۴۰۵/۰۸/۳۰');
      expect(fa.date(utc('2026-11-21T20:30:00Z'))).toBe('۱۴۰۵/۰۹/۰۱');
      expect(en.when(utc('2026-11-21T05:30:00Z'))).toBe('1405/08/30 09:00');
      expect(en.date(utc('2026-11-21T05:30:00Z'))).toBe('1405/08/30');
    }
    // A date that is no date fails every time it is shown, not once.
    expect(() => fa.when(new Date(Number.NaN))).toThrow(RangeError);
    expect(() => fa.when(new Date(Number.NaN))).toThrow(RangeError);
  });
});
