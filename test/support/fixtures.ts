/**
 * The set-ups end-to-end tests start from: the office (super admins, province and county staff) and
 * NGOs with their managers and members already in the database, the app running on them, and a clock
 * the test can move. The rows come from ngo-fixtures.ts (NGOs with chosen ids) and ngo-audience.ts
 * (NGOs whose people get ids handed out), so a test about reviews or reminders does not walk through
 * the registration form first.
 */
import type { Clock } from '../../src/platform/text/clock.js';
import { startHarness, type Harness, type HarnessOptions } from './harness.js';
import { createAudience, type AudienceNgo, type AudienceNgoSpec } from './ngo-audience.js';
import { createAdmin, createNgo, type NgoSpec } from './ngo-fixtures.js';

/** A clock that starts at `start` and runs on in real time (the dispatcher spaces messages on it); tests jump it. */
export interface TestClock extends Clock {
  /** Jumps to an instant, and runs on from there. */
  set(at: Date | string): void;
  advance(ms: number): void;
}

export function testClock(start: Date | string): TestClock {
  let offset = new Date(start).getTime() - Date.now();
  return {
    now: () => new Date(Date.now() + offset),
    set(at) {
      offset = new Date(at).getTime() - Date.now();
    },
    advance(ms) {
      offset += ms;
    },
  };
}

export interface StaffSpec {
  id: number;
  role: 'PROVINCE_ADMIN' | 'COUNTY_ADMIN';
  /** County admins: the county's name. */
  countyName?: string;
  firstName?: string;
}

export interface OfficeOptions<N extends readonly NgoSpec[] = readonly NgoSpec[], A extends readonly AudienceNgoSpec[] = readonly AudienceNgoSpec[]>
  extends HarnessOptions {
  /** Office staff besides the super admins of `adminIds`. */
  staff?: StaffSpec[];
  /** NGOs whose managers (and members) have the ids the test chose. */
  ngos?: N;
  /** NGOs whose managers and members get ids handed out (the audience of announcements and courses). */
  audience?: A;
}

/** What was created, one entry per spec and in the specs' order (a list of specs written out gives a tuple). */
export interface Office<N extends readonly NgoSpec[] = readonly NgoSpec[], A extends readonly AudienceNgoSpec[] = readonly AudienceNgoSpec[]> {
  h: Harness;
  ngos: { -readonly [K in keyof N]: { id: number; name: string } };
  audience: { -readonly [K in keyof A]: AudienceNgo };
}

/** The app running with the office and the NGOs in place, as the tests of a feature start from. */
export async function startOffice<const N extends readonly NgoSpec[] = [], const A extends readonly AudienceNgoSpec[] = []>(
  options: OfficeOptions<N, A> = {},
): Promise<Office<N, A>> {
  const { staff = [], ngos: ngoSpecs = [], audience: audienceSpecs = [], ...harnessOptions } = options;
  const h = await startHarness(harnessOptions);
  for (const s of staff) await createAdmin(h.db, s.id, s.role, { countyName: s.countyName, firstName: s.firstName });
  const ngos = [];
  for (const spec of ngoSpecs) ngos.push(await createNgo(h.db, spec));
  const audience = audienceSpecs.length > 0 ? await createAudience(h.db, audienceSpecs) : [];
  return { h, ngos, audience } as Office<N, A>;
}
