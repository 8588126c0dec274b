/**
 * The sandbox's clock: real time plus an offset that the page moves forward ("+1 hour", "+1 day", "to the
 * next 09:00 Tehran"). Cron ticks in between are not missed: after a jump, each job runs for the slots
 * it would have had, as the scheduler would have run them (Scheduler.runSlot), so reminders, digests and
 * scheduled announcements happen on the sandbox's time.
 */
import type { Clock } from '../platform/text/clock.js';

export const TEHRAN = 'Asia/Tehran';
const MINUTE = 60_000;
/** A jump further than this runs only its last days' slots: nobody reads two weeks of digests at once. */
const MAX_REPLAY_MS = 14 * 24 * 60 * MINUTE;

export class SandboxClock implements Clock {
  constructor(private offsetMs = 0) {}

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  get offset(): number {
    return this.offsetMs;
  }

  /** Moves to `at`; time never goes back (what was sent stays sent). */
  moveTo(at: Date): void {
    this.offsetMs = Math.max(this.offsetMs, at.getTime() - Date.now());
  }
}

export type ClockJump = 'hour' | 'day' | 'week' | 'next-nine';

/** Where a jump lands; "next-nine" is the next 09:00 in Tehran, when reminders go out. */
export function jumpTarget(now: Date, jump: ClockJump): Date {
  switch (jump) {
    case 'hour':
      return new Date(now.getTime() + 60 * MINUTE);
    case 'day':
      return new Date(now.getTime() + 24 * 60 * MINUTE);
    case 'week':
      return new Date(now.getTime() + 7 * 24 * 60 * MINUTE);
    case 'next-nine': {
      const t = tehranFields(now);
      const minutesToday = t.hour * 60 + t.minute;
      const wait = minutesToday < 9 * 60 ? 9 * 60 - minutesToday : 24 * 60 - minutesToday + 9 * 60;
      return new Date(Math.floor(now.getTime() / MINUTE) * MINUTE + wait * MINUTE);
    }
  }
}

export function isClockJump(value: unknown): value is ClockJump {
  return value === 'hour' || value === 'day' || value === 'week' || value === 'next-nine';
}

export interface CronJob {
  name: string;
  cron: string;
}

export interface DueSlot {
  job: string;
  slot: Date;
}

/**
 * The slots to run after the clock jumped from `from` to `to`, oldest first. A job that fires at set
 * times (a daily digest) runs once per time it passed; a job that ticks every minute or more often
 * works from "what is due now", so it runs once, at its last slot.
 */
export function dueSlots(jobs: readonly CronJob[], from: Date, to: Date): DueSlot[] {
  const start = Math.max(Math.floor(from.getTime() / MINUTE) * MINUTE + MINUTE, to.getTime() - MAX_REPLAY_MS);
  const parsed = jobs.map((job) => ({ job, spec: parseCron(job.cron) }));
  const fixed: DueSlot[] = [];
  const lastOfFrequent = new Map<string, Date>();
  for (let at = start; at <= to.getTime(); at += MINUTE) {
    const fields = tehranFields(new Date(at));
    for (const { job, spec } of parsed) {
      if (!spec.matches(fields)) continue;
      if (spec.frequent) lastOfFrequent.set(job.name, new Date(at));
      else fixed.push({ job: job.name, slot: new Date(at) });
    }
  }
  const frequent = [...lastOfFrequent].map(([job, slot]) => ({ job, slot }));
  return [...fixed, ...frequent].sort((a, b) => a.slot.getTime() - b.slot.getTime());
}

interface TehranFields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  weekday: number;
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const tehranFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TEHRAN,
  hourCycle: 'h23',
  month: 'numeric',
  day: 'numeric',
  hour: 'numeric',
  minute: 'numeric',
  weekday: 'short',
});

/** Cron reads Gregorian fields in the scheduler's zone (Tehran), as node-cron does. */
export function tehranFields(d: Date): TehranFields {
  const parts = Object.fromEntries(tehranFormat.formatToParts(d).map((p) => [p.type, p.value]));
  return {
    minute: Number(parts.minute),
    hour: Number(parts.hour),
    day: Number(parts.day),
    month: Number(parts.month),
    weekday: WEEKDAYS.indexOf(parts.weekday ?? ''),
  };
}

/** The subset of cron this project's jobs use: numbers, `*`, ranges, steps and lists; six fields tick on seconds. */
export function parseCron(expression: string): { frequent: boolean; matches(f: TehranFields): boolean } {
  const fields = expression.trim().split(/\s+/);
  const seconds = fields.length === 6;
  const [minute, hour, day, month, weekday] = seconds ? fields.slice(1) : fields;
  if (minute === undefined || hour === undefined || day === undefined || month === undefined || weekday === undefined) {
    throw new Error(`cron expression "${expression}" needs five or six fields`);
  }
  const m = fieldMatcher(minute, 0, 59);
  const h = fieldMatcher(hour, 0, 23);
  const d = fieldMatcher(day, 1, 31);
  const mo = fieldMatcher(month, 1, 12);
  const w = fieldMatcher(weekday, 0, 7);
  return {
    frequent: seconds || minute.includes('*'),
    matches: (f) => m(f.minute) && h(f.hour) && d(f.day) && mo(f.month) && (w(f.weekday) || (f.weekday === 0 && w(7))),
  };
}

function fieldMatcher(field: string, min: number, max: number): (value: number) => boolean {
  const allowed = new Set<number>();
  for (const part of field.split(',')) {
    const [range, stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [lo, hi] = range === '*' ? [min, max] : (range ?? '').split('-').map(Number);
    const low = lo ?? NaN;
    const high = hi ?? (stepText === undefined ? low : max);
    if (!Number.isInteger(low) || !Number.isInteger(high) || !Number.isInteger(step) || step < 1) {
      throw new Error(`unsupported cron field "${field}"`);
    }
    for (let v = low; v <= high; v += step) allowed.add(v);
  }
  return (value) => allowed.has(value);
}
