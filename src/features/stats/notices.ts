/**
 * The text of /stats: one screen per section (NGOs, courses, feedback, announcements, deadlines) and
 * the activity rule, each far below Telegram's 4,096 characters, with the buttons that switch between
 * them. Figures come from the service; numbers and dates go through the reader's formatter.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import { rowsOf } from '../../platform/bot/ui.js';
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import {
  ACTIVE_MIN_WEEKS,
  ACTIVITY_LEVELS,
  ACTIVITY_WEEKS,
  ACTIVITY_WINDOW_DAYS,
  deliveryRate,
  mixPercentages,
  mixTotal,
  percentage,
  type BroadcastFigures,
  type CourseFigures,
  type DeadlineFigures,
  type FeedbackFigures,
  type NgoFigures,
  type StatsScope,
} from './rules.js';

export const SECTIONS = ['ngos', 'courses', 'feedback', 'broadcasts', 'deadlines', 'rule'] as const;
export type Section = (typeof SECTIONS)[number];
export const isSection = (value: string): value is Section => (SECTIONS as readonly string[]).includes(value);

export const STATS_BUTTON = callbackAction('stats', ARG.word);

/** At most this many counties and fields listed; the rest are counted in one line. */
const LIST_MAX = 30;
/** The national survey's size (DOMAIN.md), quoted beside the province's mix. */
const NATIONAL_NGOS = 19_000;

const days = (w: Reader) => w.fmt.digits(ACTIVITY_WINDOW_DAYS);
const percent = (w: Reader, value: number | null) => (value === null ? w.t('stats.no_value') : w.t('stats.percent', { value: w.fmt.digits(value) }));
const count = (w: Reader, key: string, n: number) => w.t(key, { count: w.fmt.number(n) });

function scopeName(w: Reader, scope: StatsScope): string {
  return scope.kind === 'province' ? w.t('stats.scope.province') : w.t('stats.scope.county', { county: escapeHtml(scope.name) });
}

function header(w: Reader, section: Exclude<Section, 'rule'>, scope: StatsScope, at: Date): string {
  return w.t('stats.title', { section: w.t(`stats.${section}.section`), scope: scopeName(w, scope), date: w.fmt.date(at) });
}

function capped(w: Reader, lines: string[]): string[] {
  return lines.length <= LIST_MAX ? lines : [...lines.slice(0, LIST_MAX), w.t('stats.more', { count: w.fmt.number(lines.length - LIST_MAX) })];
}

/** The first screen: registrations by status, the activity mix, approved NGOs by county and by field. */
export function ngosText(w: Reader, f: NgoFigures): string {
  const n = (value: number) => w.fmt.number(value);
  const shares = mixPercentages(f.activity);
  const parts = [
    header(w, 'ngos', f.scope, f.at),
    [
      w.t('stats.ngos.status_title'),
      w.t('stats.ngos.status_line', { approved: n(f.byStatus.APPROVED), pending: n(f.byStatus.PENDING), rejected: n(f.byStatus.REJECTED), suspended: n(f.byStatus.SUSPENDED) }),
    ].join('\n'),
  ];
  if (mixTotal(f.activity) === 0) return [...parts, w.t('stats.ngos.empty'), w.t('stats.ngos.hint')].join('\n\n');
  parts.push(
    [
      w.t('stats.ngos.activity_title', { days: days(w) }),
      ...ACTIVITY_LEVELS.map((level) => w.t('stats.ngos.activity_line', { level: w.t(`stats.level.${level}`), count: n(f.activity[level]), percent: percent(w, shares[level]) })),
      w.t('stats.ngos.national', { ngos: n(NATIONAL_NGOS) }),
    ].join('\n'),
    [
      w.t('stats.ngos.county_title'),
      ...capped(
        w,
        f.byCounty.map((c) =>
          w.t('stats.ngos.county_line', { name: escapeHtml(c.name), total: n(mixTotal(c)), active: n(c.active), semi: n(c.semiActive), inactive: n(c.inactive) }),
        ),
      ),
    ].join('\n'),
    [
      w.t('stats.ngos.field_title'),
      ...capped(
        w,
        f.byField.map((field) => w.t('stats.ngos.field_line', { name: escapeHtml(field.name), count: n(field.count) })),
      ),
      w.t('stats.ngos.field_note'),
    ].join('\n'),
    w.t('stats.ngos.hint'),
  );
  return parts.join('\n\n');
}

export function coursesText(w: Reader, f: CourseFigures): string {
  const n = (value: number) => w.fmt.number(value);
  const lines = [
    w.t('stats.courses.window', { days: days(w) }),
    ...(f.scope.kind === 'county' ? [w.t('stats.courses.window_county')] : []),
    '',
    w.t('stats.courses.demand', { needs: n(f.needs), demand: n(f.demand) }),
    w.t('stats.courses.seats', { seats: n(f.seats), courses: n(f.courses) }),
    w.t('stats.courses.enrolled', { enrolled: n(f.enrolledParticipants), waitlisted: n(f.waitlistedParticipants) }),
    w.t('stats.courses.attendance', { attended: n(f.attended), marked: n(f.attendanceMarked), percent: percent(w, percentage(f.attended, f.attendanceMarked)) }),
    w.t('stats.courses.rating', {
      average: f.averageRating === null ? w.t('stats.no_value') : w.fmt.digits(f.averageRating.toFixed(1)),
      ratings: n(f.ratings),
    }),
  ];
  return [header(w, 'courses', f.scope, f.at), lines.join('\n')].join('\n\n');
}

export function feedbackText(w: Reader, f: FeedbackFigures): string {
  const median = f.medianWorkingDays === null ? w.t('stats.no_value') : w.fmt.digits(Number.isInteger(f.medianWorkingDays) ? f.medianWorkingDays : f.medianWorkingDays.toFixed(1));
  const lines = [
    w.t('stats.feedback.received', { days: days(w), received: w.fmt.number(f.received) }),
    count(w, 'stats.feedback.waiting', f.waiting),
    count(w, 'stats.feedback.answered', f.answered),
    count(w, 'stats.feedback.closed', f.closed),
    '',
    w.t('stats.feedback.median', { days: median, items: w.fmt.number(f.withAnswer) }),
    w.t('stats.feedback.working_days'),
    ...(f.includesAnonymous ? [] : [w.t('stats.feedback.no_anonymous')]),
  ];
  return [header(w, 'feedback', f.scope, f.at), lines.join('\n')].join('\n\n');
}

export function broadcastsText(w: Reader, f: BroadcastFigures): string {
  const lines = [
    w.t(f.scope.kind === 'county' ? 'stats.broadcasts.count_county' : 'stats.broadcasts.count', { days: days(w), count: w.fmt.number(f.broadcasts) }),
    count(w, 'stats.broadcasts.sent', f.sent),
    count(w, 'stats.broadcasts.failed', f.failed),
    count(w, 'stats.broadcasts.unreachable', f.unreachable),
    count(w, 'stats.broadcasts.pending', f.pending),
    w.t('stats.broadcasts.rate', { rate: percent(w, deliveryRate(f)) }),
    '',
    w.t('stats.broadcasts.members', { members: w.fmt.number(f.members), unreachable: w.fmt.number(f.unreachableMembers) }),
  ];
  return [header(w, 'broadcasts', f.scope, f.at), lines.join('\n')].join('\n\n');
}

export function deadlinesText(w: Reader, f: DeadlineFigures): string {
  const lines = [
    w.t('stats.deadlines.reports', { days: days(w) }),
    count(w, 'stats.deadlines.on_time', f.onTime),
    count(w, 'stats.deadlines.late', f.late),
    '',
    w.t('stats.deadlines.open'),
    count(w, 'stats.deadlines.overdue', f.overdue),
    count(w, 'stats.deadlines.due', f.due),
  ];
  return [header(w, 'deadlines', f.scope, f.at), lines.join('\n')].join('\n\n');
}

/** How the activity level is computed: the rule of rules.ts in words. */
export function ruleText(w: Reader): string {
  return w.t('stats.rule.text', {
    days: days(w),
    weeks: w.fmt.digits(ACTIVITY_WEEKS),
    min: w.fmt.digits(ACTIVE_MIN_WEEKS),
    max: w.fmt.digits(ACTIVE_MIN_WEEKS - 1),
    ngos: w.fmt.number(NATIONAL_NGOS),
  });
}

/** The section buttons under every screen, the one shown marked. */
export function sectionKeyboard(w: Reader, shown: Section): InlineKeyboardMarkup {
  const button = (section: Section) => Markup.button.callback(`${section === shown ? '✅ ' : ''}${w.t(`stats.buttons.${section}`)}`, STATS_BUTTON.data(section));
  const sections = SECTIONS.filter((s) => s !== 'rule');
  return { inline_keyboard: [...rowsOf(sections.map(button), 3), [button('rule')]] };
}

export function chartCaption(w: Reader, scope: StatsScope): string {
  return w.t('stats.chart.caption', { scope: scopeName(w, scope) });
}
