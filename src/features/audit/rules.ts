/**
 * What the audit trail (/audit) shows and how it is filtered. Pure: no telegraf, prisma or redis.
 *
 * The trail is the office's own actions. The audit log also records what members do (an enrolment, a
 * feedback item sent, a report submitted, joining an NGO): those are left out, since an anonymous
 * feedback item's row names its sender. Known office actions are shown whoever acted; an action this
 * list does not know yet (a newer feature's) is shown when the bot did it or when its actor is staff now.
 */

/** Action kinds as the office thinks of them; the code letter goes into buttons. */
export const GROUP_CODES = ['r', 'n', 'd', 'c', 'b', 'f', 'x', 's', 'h', 'o'] as const;
export type GroupCode = (typeof GROUP_CODES)[number];

interface Group {
  /** i18n key under audit.groups. */
  name: string;
  actions: readonly string[];
  /** Unknown actions starting with one of these belong here too (a newer feature's "ngo.something"). */
  prefixes: readonly string[];
}

export const GROUPS: Record<Exclude<GroupCode, 'o'>, Group> = {
  r: { name: 'review', actions: ['ngo.approved', 'ngo.rejected', 'ngo.suspended', 'ngo.reactivated'], prefixes: [] },
  n: { name: 'ngo_edits', actions: ['ngo.edited', 'ngo.edited_by_staff'], prefixes: ['ngo.'] },
  d: { name: 'deadlines', actions: ['deadline.created', 'deadline.extended', 'deadline.closed', 'deadline.report_accepted'], prefixes: ['deadline.'] },
  c: {
    name: 'courses',
    actions: ['course.created', 'course.edited', 'course.rescheduled', 'course.cancelled', 'course.attendance', 'course.roster_exported'],
    prefixes: ['course.'],
  },
  b: { name: 'broadcasts', actions: ['broadcast.created', 'broadcast.cancelled', 'recurring.created', 'recurring.cancelled'], prefixes: ['broadcast.', 'recurring.'] },
  f: {
    name: 'feedback',
    actions: ['feedback.viewed', 'feedback.replied', 'feedback.closed', 'feedback.reopened', 'feedback.assigned', 'feedback.digest_set'],
    prefixes: ['feedback.'],
  },
  x: { name: 'exports', actions: ['export.created'], prefixes: ['export.'] },
  s: {
    name: 'staff',
    actions: ['admin.added', 'admin.removed', 'admin.role_changed', 'admin.granted_from_config', 'staff.invite_created', 'staff.invite_revoked', 'staff.invite_accepted'],
    prefixes: ['admin.', 'staff.'],
  },
  h: { name: 'holidays', actions: ['holiday.added', 'holiday.renamed', 'holiday.removed'], prefixes: ['holiday.'] },
};

/** What members do, and what the bot does on its own for them: never in the office's trail. */
export const MEMBER_ACTIONS: readonly string[] = [
  'ngo.registered',
  'ngo.member_joined',
  'ngo.member_left',
  'ngo.member_removed',
  'ngo.invite_revoked',
  'feedback.submitted',
  'feedback.followed_up',
  'course.enrolled',
  'course.waitlisted',
  'course.enrolment_cancelled',
  'course.rated',
  'course.promoted',
  'course.finished',
  'training_need.created',
  'training_need.withdrawn',
  'deadline.report_submitted',
];

export const OFFICE_ACTIONS: readonly string[] = Object.values(GROUPS).flatMap((g) => g.actions);
const KNOWN_ACTIONS: readonly string[] = [...OFFICE_ACTIONS, ...MEMBER_ACTIONS];

export const isOfficeAction = (action: string): boolean => OFFICE_ACTIONS.includes(action);

/** The group an action is listed under: its own, its prefix's, or "other". */
export function groupOf(action: string): GroupCode {
  for (const [code, group] of Object.entries(GROUPS)) if (group.actions.includes(action)) return code as GroupCode;
  if (KNOWN_ACTIONS.includes(action)) return 'o';
  for (const [code, group] of Object.entries(GROUPS)) if (group.prefixes.some((p) => action.startsWith(p))) return code as GroupCode;
  return 'o';
}

/** A group as a database filter: actions by name, and unknown actions by prefix (LIKE patterns). */
export function groupFilter(code: GroupCode): { actions: string[]; unknownLike: string[]; known: string[]; exceptLike: string[] } {
  const known = [...KNOWN_ACTIONS];
  if (code === 'o') return { actions: [], unknownLike: [], known, exceptLike: Object.values(GROUPS).flatMap((g) => g.prefixes.map((p) => `${p}%`)) };
  const group = GROUPS[code];
  return { actions: [...group.actions], unknownLike: group.prefixes.map((p) => `${p}%`), known, exceptLike: [] };
}

export interface AuditFilter {
  /** The staff member who acted (0n: anyone). */
  actor: bigint;
  /** The kind of action ('a': any). */
  group: GroupCode | 'a';
  /** The NGO acted on (0: any). */
  ngo: number;
}

export interface ListState extends AuditFilter {
  page: number;
}

export const DEFAULT_STATE: ListState = { actor: 0n, group: 'a', ngo: 0, page: 0 };

/** The list state a button names: <actor>-<group>-<ngo>-<page>; null for anything that does not fit. */
export function parseState(parsed: readonly string[] | null): ListState | null {
  if (!parsed || parsed.length !== 4) return null;
  const [actor, group, ngo, page] = parsed as [string, string, string, string];
  const groupOk = group === 'a' || (GROUP_CODES as readonly string[]).includes(group);
  if (!groupOk || !/^\d{1,15}$/.test(actor) || !/^\d{1,9}$/.test(ngo) || !/^\d{1,4}$/.test(page)) return null;
  return { actor: BigInt(actor), group: group as ListState['group'], ngo: Number(ngo), page: Number(page) };
}

export const stateArgs = (s: ListState): [string, string, string, string] => [String(s.actor), s.group, String(s.ngo), String(s.page)];
