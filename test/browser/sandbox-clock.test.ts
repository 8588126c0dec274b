/**
 * The sandbox's clock control: where each jump lands in Tehran time, and which cron slots it runs
 * afterwards (read from the project's own job list), so that a jump over 08:30 sends the feedback
 * digest once, and every-minute jobs run once at the end rather than once per minute passed.
 */
import { describe, expect, it } from 'vitest';
import { FEATURES } from '../../src/features/index.js';
import { dueSlots, jumpTarget, parseCron, SandboxClock, tehranFields } from '../../src/sandbox/clock.js';

/** Sunday 1405/09/01 10:00 Tehran (UTC+03:30). */
const SUNDAY_10 = new Date('2026-11-22T06:30:00Z');
const JOBS = FEATURES.flatMap((f) => f.jobs ?? []);

describe('the sandbox clock', () => {
  it('when it jumps to the next 09:00, then it lands on 09:00 Tehran of the next morning, or of today before nine', () => {
    expect(jumpTarget(SUNDAY_10, 'next-nine').toISOString()).toBe('2026-11-23T05:30:00.000Z');
    expect(jumpTarget(new Date('2026-11-22T02:00:00Z'), 'next-nine').toISOString()).toBe('2026-11-22T05:30:00.000Z');
    expect(jumpTarget(new Date('2026-11-22T05:30:00Z'), 'next-nine').toISOString()).toBe('2026-11-23T05:30:00.000Z');
    expect(jumpTarget(SUNDAY_10, 'day').getTime() - SUNDAY_10.getTime()).toBe(24 * 3_600_000);
    expect(jumpTarget(SUNDAY_10, 'hour').getTime() - SUNDAY_10.getTime()).toBe(3_600_000);
  });

  it('when it is moved, then it never goes back and runs on from there', () => {
    const clock = new SandboxClock();
    clock.moveTo(new Date(Date.now() + 86_400_000));
    const ahead = clock.offset;
    expect(ahead).toBeGreaterThan(86_399_000);
    clock.moveTo(new Date(Date.now() - 86_400_000));
    expect(clock.offset).toBe(ahead);
  });

  it('when cron fields are read, then they are Tehran time and the expressions of the jobs match where cron would', () => {
    expect(tehranFields(SUNDAY_10)).toEqual({ minute: 0, hour: 10, day: 22, month: 11, weekday: 0 });
    const weekdaysAtNine = parseCron('0 9 * * 0-4,6');
    expect(weekdaysAtNine.frequent).toBe(false);
    expect(weekdaysAtNine.matches({ minute: 0, hour: 9, day: 1, month: 1, weekday: 6 })).toBe(true);
    expect(weekdaysAtNine.matches({ minute: 0, hour: 9, day: 1, month: 1, weekday: 5 })).toBe(false);
    expect(parseCron('*/15 9-20 * * 0-4,6').matches({ minute: 45, hour: 20, day: 1, month: 1, weekday: 0 })).toBe(true);
    expect(parseCron('*/5 * * * * *').frequent).toBe(true);
    expect(() => parseCron('@daily')).toThrow();
    // Every job the bot registers can be read.
    for (const job of JOBS) expect(() => parseCron(job.cron), job.name).not.toThrow();
  });

  it('when the clock jumps from Sunday 10:00 to Monday 09:00, then the daily slots it passed run once each, in order, and the minute jobs once at 09:00', () => {
    const slots = dueSlots(JOBS, SUNDAY_10, jumpTarget(SUNDAY_10, 'next-nine'));
    const at = (job: string) => slots.filter((s) => s.job === job).map((s) => s.slot.toISOString());
    expect(at('feedback-digest')).toEqual(['2026-11-23T05:00:00.000Z']);
    expect(at('feedback-reminders')).toEqual(['2026-11-23T05:30:00.000Z']);
    expect(at('deadline-reminders')).toEqual(['2026-11-23T05:30:00.000Z']);
    expect(at('broadcast-progress')).toEqual(['2026-11-23T05:30:00.000Z']);
    // The overdue digest runs every quarter hour from 09:00 to 20:45: once, at its last slot passed.
    expect(at('deadline-overdue-digest')).toEqual(['2026-11-23T05:30:00.000Z']);
    const times = slots.map((s) => s.slot.getTime());
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it('when the clock jumps past a Friday, then the weekday-only jobs skip it', () => {
    // Thursday 1405/09/05 10:00 to Saturday 10:00 Tehran.
    const thursday = new Date('2026-11-26T06:30:00Z');
    const slots = dueSlots(JOBS, thursday, new Date(thursday.getTime() + 2 * 86_400_000));
    expect(slots.filter((s) => s.job === 'feedback-reminders').map((s) => s.slot.toISOString())).toEqual(['2026-11-28T05:30:00.000Z']);
  });
});
