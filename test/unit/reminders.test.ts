/**
 * Why: a reminder on the wrong day (a Friday, an official holiday, an hour off in summer, a lost 30
 * Esfand) or a flood of stale reminders after downtime is what NGOs would notice first. These rules are
 * pure, so they are tested here with an injected clock and exact instants; they must hold whatever TZ
 * the process runs in.
 *
 * Reference points (Tehran is UTC+03:30 all year): 09:00 Tehran = 05:30Z. 1405/09/01 is Sunday
 * 2026-11-22; 1405/12/01 is Saturday 2027-02-20; 1403 is a leap year (30 Esfand = Thursday 2025-03-20).
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/platform/text/clock.js';
import { jalaliToDate } from '../../src/platform/text/jalali.js';
import {
  addJalaliDays,
  daysLeft,
  defaultProjectDueDate,
  dueSlot,
  endOfTehranDay,
  isOverdue,
  parseReminderDays,
  parseTomanAmount,
  reminderSchedule,
  type ReminderSlot,
} from '../../src/features/deadlines/rules.js';
import { nextOccurrence, occurrenceAround, parseRecurrenceDate } from '../../src/features/broadcasts/recurring/rules.js';

const DEFAULT = [30, 7, 1, 0];
const at = (iso: string): Clock => ({ now: () => new Date(iso) });
const view = (slots: ReminderSlot[]) => slots.map((s) => [s.key, s.at.toISOString()]);

describe('reminder schedule', () => {
  it('when a project is due 1405/12/01, then reminders fall at 09:00 Tehran 30 and 7 days before and on the day, and the Friday one moves to Saturday where it merges', () => {
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 12, jd: 1 }), reminderDays: DEFAULT });
    expect(view(slots)).toEqual([
      ['30d-14051201', '2027-01-21T05:30:00.000Z'], // Thursday 1405/11/01
      ['7d-14051201', '2027-02-13T05:30:00.000Z'], // Saturday 1405/11/24
      // 1 day before is Friday 1405/11/30: its next allowed morning is the due day's own reminder.
      ['0d-14051201', '2027-02-20T05:30:00.000Z'],
      ['overdue-14051201', '2027-02-21T05:30:00.000Z'], // Sunday 1405/12/02
    ]);
  });

  it('when the deadline is in summer, then 09:00 Tehran is still 05:30Z (no daylight saving)', () => {
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 5, jd: 20 }), reminderDays: DEFAULT });
    expect(view(slots)).toEqual([
      ['30d-14050520', '2026-07-12T05:30:00.000Z'],
      ['7d-14050520', '2026-08-04T05:30:00.000Z'],
      ['1d-14050520', '2026-08-10T05:30:00.000Z'],
      ['0d-14050520', '2026-08-11T05:30:00.000Z'],
      ['overdue-14050520', '2026-08-12T05:30:00.000Z'],
    ]);
  });

  it('when the deadline is on a Friday afternoon, then its day reminder moves back to Thursday (after the deadline it would remind nobody) and the overdue notice waits for Saturday', () => {
    // Friday 1405/09/20 14:00 Tehran.
    const slots = reminderSchedule({ dueAt: jalaliToDate({ jy: 1405, jm: 9, jd: 20 }, { hour: 14, minute: 0 }), reminderDays: DEFAULT });
    expect(view(slots)).toEqual([
      ['30d-14050920', '2026-11-11T05:30:00.000Z'],
      ['7d-14050920', '2026-12-05T05:30:00.000Z'], // Friday 09/13 → Saturday 09/14
      ['0d-14050920', '2026-12-10T05:30:00.000Z'], // Thursday 09/19, shared with the 1-day reminder
      ['overdue-14050920', '2026-12-12T05:30:00.000Z'], // Saturday 09/21
    ]);
  });

  it('when the reminder hour falls in quiet hours, then the reminder moves to the next allowed morning', () => {
    // 23:00 is quiet (22:00–07:00): each reminder goes out at 07:00 the next morning; the due day's would
    // come after the deadline (23:59) and before it nothing is allowed, so it is dropped.
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 9, jd: 12 }), reminderDays: DEFAULT, hour: 23 });
    expect(view(slots)).toEqual([
      ['30d-14050912', '2026-11-04T03:30:00.000Z'], // 1405/08/13 07:00
      ['7d-14050912', '2026-11-28T03:30:00.000Z'], // 1405/09/07 07:00
      ['1d-14050912', '2026-12-03T03:30:00.000Z'], // 1405/09/12 07:00
      ['overdue-14050912', '2026-12-05T03:30:00.000Z'], // Friday 09/13 is skipped: Saturday 07:00
    ]);
  });

  it('when the office keeps quiet until 10:00, then 09:00 reminders go out at 10:00', () => {
    const slots = reminderSchedule({
      dueAt: endOfTehranDay({ jy: 1405, jm: 9, jd: 12 }),
      reminderDays: [7],
      quiet: { startHour: 22, endHour: 10, friday: true },
    });
    expect(view(slots)[0]).toEqual(['7d-14050912', '2026-11-26T06:30:00.000Z']);
  });

  it('when the due date is 30 Esfand of leap year 1403, then the days around it are counted on the Jalali calendar', () => {
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1403, jm: 12, jd: 30 }), reminderDays: DEFAULT });
    expect(view(slots)).toEqual([
      ['30d-14031230', '2025-02-18T05:30:00.000Z'], // 1403/11/30
      ['7d-14031230', '2025-03-13T05:30:00.000Z'], // 1403/12/23
      ['1d-14031230', '2025-03-19T05:30:00.000Z'], // 1403/12/29
      ['0d-14031230', '2025-03-20T05:30:00.000Z'], // 1403/12/30
      ['overdue-14031230', '2025-03-22T05:30:00.000Z'], // 1404/01/01 is a Friday: Saturday 1404/01/02
    ]);
    expect(addJalaliDays({ jy: 1403, jm: 12, jd: 29 }, 1)).toEqual({ jy: 1403, jm: 12, jd: 30 });
    expect(addJalaliDays({ jy: 1404, jm: 12, jd: 29 }, 1)).toEqual({ jy: 1405, jm: 1, jd: 1 });
    expect(() => endOfTehranDay({ jy: 1404, jm: 12, jd: 30 })).toThrow(RangeError);
  });

  it('when a reminder falls on an official holiday, then it moves to the next working morning like a Friday one', () => {
    // Arbaeen, Tuesday 1405/05/13 in the official calendar: the 7-day reminder waits for Wednesday.
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 5, jd: 20 }), reminderDays: [7], holidays: new Set(['1405/05/13']) });
    expect(view(slots)[0]).toEqual(['7d-14050520', '2026-08-05T05:30:00.000Z']);
  });

  it('when the due day and the day before are Eid al-Fitr, then their reminders move back to the last working morning before it', () => {
    // Due Thursday 1405/12/20 (the day after Eid, 12/19); 12/21 is a Friday, so forward would pass the deadline.
    const eid = new Set(['1405/12/19', '1405/12/20']);
    const slots = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 12, jd: 20 }), reminderDays: DEFAULT, holidays: eid });
    expect(view(slots)).toEqual([
      ['30d-14051220', '2027-02-09T05:30:00.000Z'], // Tuesday 1405/11/20
      ['7d-14051220', '2027-03-04T05:30:00.000Z'], // Thursday 1405/12/13
      ['0d-14051220', '2027-03-09T05:30:00.000Z'], // Tuesday 1405/12/18, shared with the 1-day reminder
      ['overdue-14051220', '2027-03-13T05:30:00.000Z'], // Saturday 1405/12/22
    ]);
  });

  it('when a project starts, then it is due three Jalali months later, the day clamped to the month', () => {
    expect(defaultProjectDueDate({ jy: 1405, jm: 9, jd: 1 })).toEqual({ jy: 1405, jm: 12, jd: 1 });
    expect(defaultProjectDueDate({ jy: 1403, jm: 12, jd: 30 })).toEqual({ jy: 1404, jm: 3, jd: 30 });
    expect(defaultProjectDueDate({ jy: 1405, jm: 6, jd: 31 })).toEqual({ jy: 1405, jm: 9, jd: 30 });
    expect(defaultProjectDueDate({ jy: 1402, jm: 11, jd: 30 })).toEqual({ jy: 1403, jm: 2, jd: 30 });
  });

  it('when the due date is extended, then every slot key changes, so no reminder of the old date blocks one of the new', () => {
    const before = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 12, jd: 1 }), reminderDays: DEFAULT }).map((s) => s.key);
    const after = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 12, jd: 15 }), reminderDays: DEFAULT }).map((s) => s.key);
    expect(after.filter((k) => before.includes(k))).toEqual([]);
  });
});

describe('the slot due at a given moment', () => {
  const schedule = reminderSchedule({ dueAt: endOfTehranDay({ jy: 1405, jm: 12, jd: 1 }), reminderDays: DEFAULT });
  const created = new Date('2026-11-22T06:30:00Z'); // 1405/09/01 10:00

  it('when no slot has come yet, then nothing is due', () => {
    expect(dueSlot(schedule, at('2027-01-21T05:29:59Z').now(), created)).toBeNull();
  });

  it('when the clock reaches 09:00 on the day, then that reminder is due, on time; an hour later it is still on time, after that it is late', () => {
    expect(dueSlot(schedule, at('2027-01-21T05:30:00Z').now(), created)).toMatchObject({ slot: { key: '30d-14051201' }, late: false, passedOver: 0 });
    expect(dueSlot(schedule, at('2027-01-21T06:30:00Z').now(), created)).toMatchObject({ late: false });
    expect(dueSlot(schedule, at('2027-01-21T06:31:00Z').now(), created)).toMatchObject({ slot: { key: '30d-14051201' }, late: true });
  });

  it('when the bot was down through several slots, then only the latest is due, marked late, and the ones passed over are counted', () => {
    // Back on Saturday 1405/12/01 at noon: the 30- and 7-day reminders were missed.
    expect(dueSlot(schedule, at('2027-02-20T08:30:00Z').now(), created)).toMatchObject({ slot: { key: '0d-14051201' }, late: true, passedOver: 2 });
  });

  it('when the deadline was made after a slot, then that slot is never due (the creation notice said it all)', () => {
    const createdLate = new Date('2027-01-25T06:30:00Z'); // after the 30-day reminder
    expect(dueSlot(schedule, at('2027-02-01T06:00:00Z').now(), createdLate)).toBeNull();
    expect(dueSlot(schedule, at('2027-02-13T05:30:00Z').now(), createdLate)).toMatchObject({ slot: { key: '7d-14051201' }, passedOver: 0 });
  });

  it('when the due date has passed, then the overdue notice is due from the next morning on, and stays the one due', () => {
    expect(dueSlot(schedule, at('2027-02-21T05:30:00Z').now(), created)).toMatchObject({ slot: { kind: 'overdue', key: 'overdue-14051201' }, late: false });
    expect(dueSlot(schedule, at('2027-03-30T05:30:00Z').now(), created)).toMatchObject({ slot: { key: 'overdue-14051201' } });
  });
});

describe('days left and overdue (Tehran calendar days)', () => {
  const dueAt = endOfTehranDay({ jy: 1405, jm: 12, jd: 1 }); // 2027-02-20T20:29Z

  it('when it is the due date, then 0 days are left until midnight, and the next day it is overdue', () => {
    expect(daysLeft(dueAt, new Date('2027-02-19T20:29:00Z'))).toBe(1); // 1405/11/30 23:59
    expect(daysLeft(dueAt, new Date('2027-02-19T20:30:00Z'))).toBe(0); // 1405/12/01 00:00
    expect(daysLeft(dueAt, new Date('2027-02-20T20:29:00Z'))).toBe(0); // 1405/12/01 23:59
    expect(isOverdue(dueAt, new Date('2027-02-20T20:29:00Z'))).toBe(false);
    expect(isOverdue(dueAt, new Date('2027-02-20T20:30:00Z'))).toBe(true); // 1405/12/02 00:00
    expect(daysLeft(dueAt, new Date('2027-02-22T08:00:00Z'))).toBe(-2);
  });
});

describe('typed input', () => {
  it('when reminder days are typed in Persian or ASCII digits with any separator, then they are read largest first without repeats', () => {
    expect(parseReminderDays('۳۰، ۷، ۱، ۰')).toEqual({ ok: true, value: [30, 7, 1, 0] });
    expect(parseReminderDays('7,7 30')).toEqual({ ok: true, value: [30, 7] });
    expect(parseReminderDays('یک هفته')).toEqual({ ok: false, error: 'format' });
    expect(parseReminderDays('-1')).toEqual({ ok: false, error: 'format' });
    expect(parseReminderDays('400')).toEqual({ ok: false, error: 'range' });
    expect(parseReminderDays('1 2 3 4 5 6 7 8 9')).toEqual({ ok: false, error: 'too_many' });
  });

  it('when an amount in toman is typed with separators or Arabic digits, then it is read as a whole number', () => {
    expect(parseTomanAmount('۲۳۰٬۰۰۰٬۰۰۰')).toEqual({ ok: true, value: 230_000_000 });
    expect(parseTomanAmount('230,000,000 تومان')).toEqual({ ok: true, value: 230_000_000 });
    expect(parseTomanAmount('٢٠٠٠٠٠٠٠')).toEqual({ ok: true, value: 20_000_000 });
    expect(parseTomanAmount('0')).toEqual({ ok: false, error: 'range' });
    expect(parseTomanAmount('بیست میلیون')).toEqual({ ok: false, error: 'format' });
    expect(parseTomanAmount('230.000.000')).toEqual({ ok: true, value: 230_000_000 });
    // Not a grouping by threes: a decimal or a typo, never guessed at.
    expect(parseTomanAmount('1.5')).toEqual({ ok: false, error: 'format' });
    expect(parseTomanAmount('23,00,000')).toEqual({ ok: false, error: 'format' });
  });
});

describe('recurring announcements', () => {
  const ngoWeek = { rule: 'YEARLY' as const, month: 5, day: 20, hour: 9, minute: 0 };

  it('when NGO Week (20 Mordad, 09:00) is asked for in 1405, then it is 2026-08-11 05:30Z in period "1405"', () => {
    expect(occurrenceAround(ngoWeek, at('2026-08-01T00:00:00Z').now())).toEqual({ period: '1405', at: new Date('2026-08-11T05:30:00Z') });
    expect(nextOccurrence(ngoWeek, jalaliToDate({ jy: 1405, jm: 6, jd: 3 })).at).toEqual(new Date('2027-08-11T05:30:00Z'));
  });

  it('when a monthly day does not exist in a month, then the last day of that month is used', () => {
    expect(occurrenceAround({ rule: 'MONTHLY', day: 31, hour: 9, minute: 0 }, jalaliToDate({ jy: 1405, jm: 7, jd: 3 }))).toEqual({
      period: '1405-07',
      at: jalaliToDate({ jy: 1405, jm: 7, jd: 30 }, { hour: 9, minute: 0 }),
    });
    // 30 Esfand in a common year falls on the 29th; in leap 1403 it exists.
    expect(occurrenceAround({ rule: 'YEARLY', month: 12, day: 30, hour: 9, minute: 0 }, jalaliToDate({ jy: 1404, jm: 1, jd: 1 })).at).toEqual(
      jalaliToDate({ jy: 1404, jm: 12, jd: 29 }, { hour: 9, minute: 0 }),
    );
    expect(occurrenceAround({ rule: 'YEARLY', month: 12, day: 30, hour: 9, minute: 0 }, jalaliToDate({ jy: 1403, jm: 1, jd: 1 })).at).toEqual(
      jalaliToDate({ jy: 1403, jm: 12, jd: 30 }, { hour: 9, minute: 0 }),
    );
    expect(nextOccurrence({ rule: 'MONTHLY', day: 1, hour: 9, minute: 0 }, jalaliToDate({ jy: 1405, jm: 12, jd: 3 })).period).toBe('1406-01');
  });

  it('when the date of a rule is typed, then month/day (yearly) or a day (monthly) is checked against the calendar', () => {
    expect(parseRecurrenceDate('۵/۲۰', 'YEARLY')).toEqual({ ok: true, value: { month: 5, day: 20 } });
    expect(parseRecurrenceDate('12/30', 'YEARLY')).toEqual({ ok: true, value: { month: 12, day: 30 } });
    expect(parseRecurrenceDate('7/31', 'YEARLY')).toEqual({ ok: false, error: 'day' });
    expect(parseRecurrenceDate('13/1', 'YEARLY')).toEqual({ ok: false, error: 'month' });
    expect(parseRecurrenceDate('20', 'YEARLY')).toEqual({ ok: false, error: 'format' });
    expect(parseRecurrenceDate('۳۱', 'MONTHLY')).toEqual({ ok: true, value: { month: null, day: 31 } });
    expect(parseRecurrenceDate('32', 'MONTHLY')).toEqual({ ok: false, error: 'day' });
  });
});
