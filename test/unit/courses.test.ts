import { describe, expect, it } from 'vitest';
import {
  aggregateDemand,
  averageScore,
  checkSchedule,
  dueReminder,
  headStartEnd,
  isEligible,
  parseCount,
  parseDuration,
  parseEligibility,
  placeRequest,
  promotions,
  ratingAudience,
  registrationState,
  reminderWanted,
  seatsLeft,
  seatsTaken,
  validateOnlineLink,
  waitlistOrder,
  waitlistPosition,
} from '../../src/features/training/rules.js';

const H = 3_600_000;
const at = (iso: string) => new Date(iso);
// Sunday 1405/09/01 10:00 Tehran.
const NOW = at('2026-11-22T06:30:00Z');

describe('seats', () => {
  it('when enrolments are counted, then only seats held count, not the waitlist or cancelled ones', () => {
    const taken = seatsTaken([
      { status: 'ENROLLED', participants: 3 },
      { status: 'WAITLISTED', participants: 5 },
      { status: 'CANCELLED', participants: 4 },
      { status: 'ENROLLED', participants: 2 },
    ]);
    expect(taken).toBe(5);
    expect(seatsLeft(10, taken)).toBe(5);
    expect(seatsLeft(4, taken)).toBe(0);
  });

  it('when a request fits and nobody waits, then it takes seats; the very last seat included', () => {
    expect(placeRequest({ capacity: 10, taken: 9, waiting: 0, perNgoLimit: 3, participants: 1 })).toEqual({ ok: true, value: 'ENROLLED' });
  });

  it('when a request does not fit whole, then the whole request joins the waitlist (no split groups)', () => {
    expect(placeRequest({ capacity: 10, taken: 9, waiting: 0, perNgoLimit: 3, participants: 2 })).toEqual({ ok: true, value: 'WAITLISTED' });
    expect(placeRequest({ capacity: 10, taken: 10, waiting: 0, perNgoLimit: 3, participants: 1 })).toEqual({ ok: true, value: 'WAITLISTED' });
  });

  it('when others are already waiting, then a newcomer queues behind them even if seats seem free', () => {
    expect(placeRequest({ capacity: 10, taken: 7, waiting: 1, perNgoLimit: 3, participants: 1 })).toEqual({ ok: true, value: 'WAITLISTED' });
  });

  it('when more people than the per-NGO limit, or none, are asked for, then the request is refused', () => {
    expect(placeRequest({ capacity: 10, taken: 0, waiting: 0, perNgoLimit: 3, participants: 4 })).toEqual({ ok: false, error: 'over_limit' });
    expect(placeRequest({ capacity: 10, taken: 0, waiting: 0, perNgoLimit: 3, participants: 0 })).toEqual({ ok: false, error: 'participants_range' });
    expect(placeRequest({ capacity: 10, taken: 0, waiting: 0, perNgoLimit: 3, participants: 1.5 })).toEqual({ ok: false, error: 'participants_range' });
  });
});

describe('waitlist', () => {
  const list = [
    { id: 7, participants: 2, waitlistedAt: at('2026-11-22T08:00:00Z') },
    { id: 3, participants: 1, waitlistedAt: at('2026-11-22T07:00:00Z') },
    { id: 5, participants: 1, waitlistedAt: at('2026-11-22T08:00:00Z') },
  ];

  it('when ordered, then who joined first comes first, and the lower id breaks a tie', () => {
    expect(waitlistOrder(list).map((e) => e.id)).toEqual([3, 5, 7]);
    expect(waitlistPosition(list, 7)).toBe(3);
    expect(waitlistPosition(list, 99)).toBeNull();
  });

  it('when seats free up, then the head is promoted first and as many as fit, in order', () => {
    expect(promotions(10, 8, list)).toEqual([3, 5]);
    expect(promotions(10, 6, list)).toEqual([3, 5, 7]);
  });

  it('when the head needs more seats than are free, then nobody behind it jumps the queue', () => {
    const headBig = [
      { id: 1, participants: 3, waitlistedAt: at('2026-11-22T07:00:00Z') },
      { id: 2, participants: 1, waitlistedAt: at('2026-11-22T08:00:00Z') },
    ];
    expect(promotions(10, 8, headBig)).toEqual([]);
    expect(promotions(10, 10, list)).toEqual([]);
  });
});

describe('eligibility and head start', () => {
  const ngo = { status: 'APPROVED', countyId: 4, fieldIds: [1, 2] };

  it('when the course is for all approved NGOs, then any approved NGO may enrol and no other', () => {
    expect(isEligible(ngo, { countyIds: [], fieldIds: [] })).toBe(true);
    expect(isEligible({ ...ngo, status: 'PENDING' }, { countyIds: [], fieldIds: [] })).toBe(false);
    expect(isEligible({ ...ngo, status: 'SUSPENDED' }, { countyIds: [], fieldIds: [] })).toBe(false);
  });

  it('when counties or fields are listed, then the NGO must be in one of the counties and share a field', () => {
    expect(isEligible(ngo, { countyIds: [4, 9], fieldIds: [] })).toBe(true);
    expect(isEligible(ngo, { countyIds: [9], fieldIds: [] })).toBe(false);
    expect(isEligible(ngo, { countyIds: [], fieldIds: [2, 5] })).toBe(true);
    expect(isEligible(ngo, { countyIds: [4], fieldIds: [5] })).toBe(false);
  });

  it('when stored eligibility is read back, then anything that is not a list of ids is dropped', () => {
    expect(parseEligibility({ countyIds: [1, 'x', 1, 2.5], fieldIds: 'all' })).toEqual({ countyIds: [1], fieldIds: [] });
    expect(parseEligibility(null)).toEqual({ countyIds: [], fieldIds: [] });
  });

  it('when a course is published, then the head start ends 24 hours later by default', () => {
    expect(headStartEnd(NOW).getTime() - NOW.getTime()).toBe(24 * H);
    expect(headStartEnd(NOW, 6).getTime() - NOW.getTime()).toBe(6 * H);
  });

  it('when the head start runs, then requesters may enrol and others are told when they can', () => {
    const course = { status: 'PUBLISHED', startsAt: new Date(NOW.getTime() + 72 * H), registrationDeadline: new Date(NOW.getTime() + 48 * H), headStartUntil: headStartEnd(NOW) };
    expect(registrationState(course, NOW, true)).toBe('open');
    expect(registrationState(course, NOW, false)).toBe('not_yet');
    expect(registrationState(course, new Date(NOW.getTime() + 24 * H), false)).toBe('open');
  });

  it('when the deadline or the start has passed, or the course is cancelled, then registration is closed', () => {
    const course = { status: 'PUBLISHED', startsAt: new Date(NOW.getTime() + 72 * H), registrationDeadline: new Date(NOW.getTime() + 48 * H), headStartUntil: null };
    expect(registrationState(course, new Date(NOW.getTime() + 48 * H), true)).toBe('closed');
    expect(registrationState({ ...course, status: 'CANCELLED' }, NOW, true)).toBe('cancelled');
    expect(registrationState({ ...course, status: 'FINISHED' }, NOW, true)).toBe('finished');
  });
});

describe('what an admin types', () => {
  it('when a schedule is checked, then the start is in the future and registration closes before it, in the future', () => {
    const start = new Date(NOW.getTime() + 48 * H);
    expect(checkSchedule(NOW, start, new Date(NOW.getTime() + 24 * H))).toBeNull();
    expect(checkSchedule(NOW, start, start)).toBeNull();
    expect(checkSchedule(NOW, new Date(NOW.getTime() - 1), new Date(NOW.getTime() - 2))).toBe('start_past');
    expect(checkSchedule(NOW, start, new Date(start.getTime() + 1))).toBe('deadline_after_start');
    expect(checkSchedule(NOW, start, new Date(NOW.getTime() - H))).toBe('deadline_past');
  });

  it('when numbers come in Persian or Arabic digits with separators, then they are read; 0 and out-of-range are refused', () => {
    expect(parseCount('۱۲', 1, 100)).toEqual({ ok: true, value: 12 });
    expect(parseCount('١٬٢٠٠', 1, 10_000)).toEqual({ ok: true, value: 1200 });
    expect(parseCount('0', 1, 100)).toEqual({ ok: false, error: 'range' });
    expect(parseCount('۱۰۱', 1, 100)).toEqual({ ok: false, error: 'range' });
    expect(parseCount('دوازده', 1, 100)).toEqual({ ok: false, error: 'format' });
    expect(parseCount('-3', 1, 100)).toEqual({ ok: false, error: 'format' });
  });

  it('when a duration is typed in minutes or hours:minutes, then it is minutes, between 15 minutes and a day', () => {
    expect(parseDuration('۹۰')).toEqual({ ok: true, value: 90 });
    expect(parseDuration('2:30')).toEqual({ ok: true, value: 150 });
    expect(parseDuration('۱:۰۰')).toEqual({ ok: true, value: 60 });
    expect(parseDuration('10')).toEqual({ ok: false, error: 'range' });
    expect(parseDuration('25:00')).toEqual({ ok: false, error: 'range' });
    expect(parseDuration('1:75')).toEqual({ ok: false, error: 'format' });
    expect(parseDuration('دو ساعت')).toEqual({ ok: false, error: 'format' });
  });

  it('when an online link is given, then only a full http(s) address passes', () => {
    expect(validateOnlineLink(' https://meet.example.ir/room-12 ')).toEqual({ ok: true, value: 'https://meet.example.ir/room-12' });
    expect(validateOnlineLink('javascript:alert(1)').ok).toBe(false);
    expect(validateOnlineLink('meet.example.ir').ok).toBe(false);
    expect(validateOnlineLink('https://localhost').ok).toBe(false);
  });
});

describe('reminders', () => {
  const start = at('2026-11-25T06:30:00Z'); // Wednesday 10:00 Tehran

  it('when the day-before window opens, then the 1d reminder is due until two hours before, then the 2h one', () => {
    expect(dueReminder(start, new Date(start.getTime() - 24 * H - 60_000))).toBeNull();
    expect(dueReminder(start, new Date(start.getTime() - 24 * H))).toBe('1d');
    expect(dueReminder(start, new Date(start.getTime() - 3 * H))).toBe('1d');
    expect(dueReminder(start, new Date(start.getTime() - 2 * H))).toBe('2h');
    expect(dueReminder(start, new Date(start.getTime() - 60_000))).toBe('2h');
    expect(dueReminder(start, start)).toBeNull();
  });

  it('when an NGO took its seat after a reminder moment, then that reminder is not wanted (its confirmation said it all)', () => {
    expect(reminderWanted('1d', start, new Date(start.getTime() - 48 * H))).toBe(true);
    expect(reminderWanted('1d', start, new Date(start.getTime() - 10 * H))).toBe(false);
    expect(reminderWanted('2h', start, new Date(start.getTime() - 10 * H))).toBe(true);
  });
});

describe('ratings', () => {
  const end = at('2026-11-25T08:00:00Z');
  const e = (status: 'ENROLLED' | 'WAITLISTED' | 'CANCELLED', attended: boolean | null) => ({ status, attended });

  it('when attendance was marked, then only NGOs marked present are asked, as soon as the course ends', () => {
    const list = [e('ENROLLED', true), e('ENROLLED', false), e('ENROLLED', null), e('WAITLISTED', null)];
    expect(ratingAudience(list, end, new Date(end.getTime() - 60_000))).toEqual([]);
    expect(ratingAudience(list, end, end)).toEqual([list[0]]);
  });

  it('when attendance was never marked, then every enrolled NGO is asked once the grace period is over', () => {
    const list = [e('ENROLLED', null), e('ENROLLED', null), e('CANCELLED', null), e('WAITLISTED', null)];
    expect(ratingAudience(list, end, new Date(end.getTime() + 23 * H))).toEqual([]);
    expect(ratingAudience(list, end, new Date(end.getTime() + 24 * H))).toEqual([list[0], list[1]]);
  });

  it('when scores are averaged, then one decimal is kept, and no score means no average', () => {
    expect(averageScore([5, 4, 4])).toBe(4.3);
    expect(averageScore([])).toBeNull();
  });
});

describe('demand', () => {
  it('when needs are grouped, then each group counts distinct NGOs and all people, the newest group first', () => {
    const needs = [
      { ngoId: 1, participants: 5, createdAt: at('2026-11-20T08:00:00Z'), topic: 'a' },
      { ngoId: 1, participants: 3, createdAt: at('2026-11-21T08:00:00Z'), topic: 'a' },
      { ngoId: 2, participants: 4, createdAt: at('2026-11-19T08:00:00Z'), topic: 'a' },
      { ngoId: 3, participants: 10, createdAt: at('2026-11-22T08:00:00Z'), topic: 'b' },
    ];
    expect(aggregateDemand(needs, (n) => n.topic)).toEqual([
      { key: 'b', ngos: 1, people: 10, requests: 1, latest: at('2026-11-22T08:00:00Z') },
      { key: 'a', ngos: 2, people: 12, requests: 3, latest: at('2026-11-21T08:00:00Z') },
    ]);
  });
});
