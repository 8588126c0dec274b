/**
 * The office's statistics as plain figures, and the rules that turn counts into them: the activity level
 * of an NGO, rates, the median. No telegraf, prisma or redis here: the service fills these figures from
 * aggregate queries, the notices and the chart show them.
 */

/** Activity is read from this many days back from now. */
export const ACTIVITY_WINDOW_DAYS = 90;
/** An approved NGO with activity in at least this many distinct weeks of the window is active. */
export const ACTIVE_MIN_WEEKS = 3;
/** Weeks are counted back from now: week 0 is the last 7 days; 90 days make weeks 0 to 12. */
export const WEEK_MS = 7 * 24 * 60 * 60 * 1000;
export const ACTIVITY_WEEKS = Math.ceil(ACTIVITY_WINDOW_DAYS / 7);
/** The national survey of 19,000 NGOs (DOMAIN.md), shown beside the province's own mix. */
export const NATIONAL_MIX = { active: 67, semiActive: 16, inactive: 17 } as const;

export type ActivityLevel = 'active' | 'semiActive' | 'inactive';
export const ACTIVITY_LEVELS: readonly ActivityLevel[] = ['active', 'semiActive', 'inactive'];

/**
 * The rule shown to admins and written in the README: active = activity in at least ACTIVE_MIN_WEEKS
 * distinct weeks of the last 90 days, semi-active = in one or two, inactive = none. Distinct weeks rather
 * than a count of events, so that a burst on one day (five enrolments at once) weighs as much as one
 * event, and an NGO that comes back month after month counts as active.
 */
export function activityLevel(activeWeeks: number): ActivityLevel {
  if (activeWeeks >= ACTIVE_MIN_WEEKS) return 'active';
  return activeWeeks > 0 ? 'semiActive' : 'inactive';
}

export type ActivityMix = Record<ActivityLevel, number>;
export const NO_ACTIVITY: ActivityMix = { active: 0, semiActive: 0, inactive: 0 };

export const mixTotal = (mix: ActivityMix): number => mix.active + mix.semiActive + mix.inactive;

export function addMix(a: ActivityMix, b: ActivityMix): ActivityMix {
  return { active: a.active + b.active, semiActive: a.semiActive + b.semiActive, inactive: a.inactive + b.inactive };
}

/**
 * Whole percentages of a mix that add up to 100 (largest remainder), so that the three shares shown
 * never read 33 + 33 + 33; all zero for an empty mix.
 */
export function mixPercentages(mix: ActivityMix): ActivityMix {
  const total = mixTotal(mix);
  if (total === 0) return { ...NO_ACTIVITY };
  const exact = ACTIVITY_LEVELS.map((level) => ({ level, value: (mix[level] * 100) / total }));
  const shares = Object.fromEntries(exact.map((e) => [e.level, Math.floor(e.value)])) as ActivityMix;
  let left = 100 - mixTotal(shares);
  for (const e of [...exact].sort((a, b) => b.value - Math.floor(b.value) - (a.value - Math.floor(a.value)))) {
    if (left === 0) break;
    shares[e.level] += 1;
    left -= 1;
  }
  return shares;
}

/** A share as a whole percentage, or null when there is nothing to divide by. */
export function percentage(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((part * 100) / whole) : null;
}

/** The median of a list (the mean of the two middle values for an even count), or null for none. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

// ---- the figures ----------------------------------------------------------------------------------

/** Whose figures: the province (province staff) or one county (a county admin). */
export type StatsScope = { kind: 'province' } | { kind: 'county'; name: string };

/** Every section's figures say whose they are and when they were counted. */
export interface Figures {
  scope: StatsScope;
  at: Date;
}

export interface Named {
  id: number;
  name: string;
  count: number;
}

export interface CountyActivity extends ActivityMix {
  id: number;
  name: string;
}

export interface NgoFigures extends Figures {
  byStatus: Record<'PENDING' | 'APPROVED' | 'REJECTED' | 'SUSPENDED', number>;
  /** Approved NGOs per county with their activity mix, most NGOs first. */
  byCounty: CountyActivity[];
  /** Approved NGOs per field of activity, most first (an NGO with two fields counts in both). */
  byField: Named[];
  activity: ActivityMix;
}

export interface CourseFigures extends Figures {
  /** Courses (not cancelled) starting in the window or later, open to the scope. */
  courses: number;
  seats: number;
  /** Training needs of approved NGOs declared in the window (not withdrawn) and the participants they ask for. */
  needs: number;
  demand: number;
  enrolledParticipants: number;
  waitlistedParticipants: number;
  /** Enrolments whose attendance was marked, and those that attended. */
  attendanceMarked: number;
  attended: number;
  ratings: number;
  averageRating: number | null;
}

export interface FeedbackFigures extends Figures {
  /** Items received in the window, by their status now. */
  received: number;
  waiting: number;
  answered: number;
  closed: number;
  /** Items of the window that have an answer, and the median working days to the first one. */
  withAnswer: number;
  medianWorkingDays: number | null;
  /** Anonymous items are counted for province staff only. */
  includesAnonymous: boolean;
}

export interface BroadcastFigures extends Figures {
  /** Announcements of the window that went (or go) to someone in the scope. */
  broadcasts: number;
  sent: number;
  failed: number;
  unreachable: number;
  pending: number;
  /** Members of approved NGOs in the scope, and those the platform said cannot be reached. */
  members: number;
  unreachableMembers: number;
}

export interface DeadlineFigures extends Figures {
  /** Reports submitted in the window: by the end of the due day, or after. */
  onTime: number;
  late: number;
  /** NGOs' parts of open deadlines past their due day with no report. */
  overdue: number;
  /** NGOs' parts of open deadlines not yet due and not yet reported. */
  due: number;
}

/** Delivered out of those settled (sent, failed, unreachable); pending rows are not counted yet. */
export function deliveryRate(f: Pick<BroadcastFigures, 'sent' | 'failed' | 'unreachable'>): number | null {
  return percentage(f.sent, f.sent + f.failed + f.unreachable);
}
