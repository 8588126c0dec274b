/**
 * The audit trail as the office reads it: one line per action with its Jalali date and time, who acted,
 * what they did as a Persian sentence made from the row's details, and on which NGO or item. Known
 * actions name what matters in their details; an unknown one is named by its code. Nothing a person
 * wrote to the office (a message, a reason) and no phone number is shown: the details used are ids,
 * dates, counts, roles and the titles the office itself gave.
 */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { rowsOf, shorten } from '../../platform/bot/ui.js';
import { roleLabel, type StaffRole } from '../staff/index.js';
import { auditButtons, listData } from './callbacks.js';
import { GROUP_CODES, GROUPS, type GroupCode, type ListState } from './rules.js';
import { AUDIT_PAGE_SIZE, type AuditEntry, type AuditPage } from './service.js';

export interface Screen {
  text: string;
  keyboard: InlineKeyboardMarkup;
}

type Params = Record<string, string>;

const ROLES: readonly StaffRole[] = ['SUPER_ADMIN', 'PROVINCE_ADMIN', 'COUNTY_ADMIN'];
const text = (v: unknown): string => (typeof v === 'string' ? v : '');
const count = (w: Reader, v: unknown): string => (typeof v === 'number' ? w.fmt.number(v) : '—');

function when(w: Reader, v: unknown): string {
  const d = typeof v === 'string' ? new Date(v) : null;
  return d && !Number.isNaN(d.getTime()) ? w.fmt.dateTime(d) : '—';
}

function role(w: Reader, r: unknown, county: unknown): string {
  return ROLES.includes(r as StaffRole) ? roleLabel(w.t, r as StaffRole, typeof county === 'string' ? county : null) : '—';
}

/** A person the row names by user id: their name, or their id when the bot has no name for them. */
function person(w: Reader, e: AuditEntry, id: unknown): string {
  const key = typeof id === 'string' ? id : '';
  return escapeHtml(e.people[key] || w.t('audit.user_id', { id: w.fmt.digits(key || '—') }));
}

const day = (w: Reader, v: unknown) => w.fmt.digits(text(v) || '—');

/** The values of each known action's sentence (audit.actions.<action>), read from its details. */
const SENTENCES: Record<string, (w: Reader, e: AuditEntry, d: Record<string, unknown>) => Params> = {
  'ngo.edited': (w, _e, d) => ({
    fields: (Array.isArray(d.fields) ? d.fields : []).map((f) => w.t(`audit.fields.${String(f)}`, { defaultValue: '' })).filter(Boolean).join('، ') || '—',
    review: d.backToReview === true ? w.t('audit.back_to_review') : '',
  }),
  // Which items staff corrected, never their values: a phone number or a name as typed stays in the record.
  'ngo.edited_by_staff': (w, _e, d) => ({
    fields: (Array.isArray(d.changes) ? d.changes : []).map((c) => w.t(`audit.items_corrected.${String((c as { item?: unknown }).item)}`, { defaultValue: '' })).filter(Boolean).join('، ') || '—',
  }),
  'export.created': (w, e, d) => ({
    table: w.t(`exports.tables.${e.entityId ?? ''}`, { defaultValue: escapeHtml(e.entityId ?? '') }),
    format: d.format === 'csv' ? 'CSV' : 'XLSX',
    rows: count(w, Object.values((d.rows as Record<string, unknown> | undefined) ?? {}).reduce<number>((sum, n) => sum + (typeof n === 'number' ? n : 0), 0)),
    phones: d.phones === true ? w.t('audit.with_phones') : '',
  }),
  'deadline.created': (w, _e, d) => ({ kind: w.t(d.kind === 'PROJECT' ? 'audit.deadline_project' : 'audit.deadline_general'), due: when(w, d.dueAt), targets: count(w, d.targets) }),
  'deadline.extended': (w, _e, d) => ({ from: when(w, d.from), to: when(w, d.to) }),
  'course.created': (w, _e, d) => ({ capacity: count(w, d.capacity), starts: when(w, d.startsAt) }),
  'course.rescheduled': (w, _e, d) => ({ from: when(w, d.from), to: when(w, d.to) }),
  'course.attendance': (w, _e, d) => ({ state: w.t(d.attended === true ? 'audit.attended' : d.attended === false ? 'audit.absent' : 'audit.unmarked') }),
  'course.roster_exported': (w, _e, d) => ({ rows: count(w, d.rows) }),
  'broadcast.created': (w, _e, d) => ({ recipients: count(w, d.recipients), starts: when(w, d.startAt), urgent: d.urgent === true ? w.t('audit.urgent') : '' }),
  'recurring.created': (w, _e, d) => ({ rule: w.t(d.rule === 'MONTHLY' ? 'audit.monthly' : 'audit.yearly') }),
  'feedback.assigned': (w, e, d) => ({ name: person(w, e, d.to) }),
  'feedback.digest_set': (w, _e, d) => ({ mode: w.t(d.digest === true ? 'audit.digest' : 'audit.immediate') }),
  'admin.added': (w, e, d) => ({ target: person(w, e, e.entityId), role: role(w, d.role, d.county), before: d.fromRole ? w.t('audit.before', { role: role(w, d.fromRole, d.fromCounty) }) : '' }),
  'admin.removed': (w, e, d) => ({ target: person(w, e, e.entityId), role: role(w, d.role, d.county) }),
  'admin.role_changed': (w, e, d) => ({ target: person(w, e, e.entityId), from: role(w, d.fromRole, d.fromCounty), to: role(w, d.role, d.county) }),
  'admin.granted_from_config': (w, e) => ({ target: person(w, e, e.entityId) }),
  'staff.invite_created': (w, _e, d) => ({ role: role(w, d.role, d.county), expires: when(w, d.expiresAt) }),
  'staff.invite_accepted': (w, e, d) => ({ inviter: person(w, e, d.invitedBy), role: role(w, d.role, d.county) }),
  'holiday.added': (w, e, d) => ({ day: day(w, e.entityId), name: escapeHtml(text(d.name)) }),
  'holiday.renamed': (w, e, d) => ({ day: day(w, e.entityId), name: escapeHtml(text(d.name)), previous: escapeHtml(text(d.previous)) }),
  'holiday.removed': (w, e, d) => ({ day: day(w, e.entityId), name: escapeHtml(text(d.name)) }),
};

const KNOWN = new Set(Object.values(GROUPS).flatMap((g) => g.actions));

/** What was done, as a sentence; an action this version does not know is named by its code. */
export function actionSentence(w: Reader, e: AuditEntry): string {
  if (!KNOWN.has(e.action)) return w.t('audit.actions.unknown', { action: escapeHtml(e.action) });
  return w.t(`audit.actions.${e.action}`, SENTENCES[e.action]?.(w, e, e.details) ?? {});
}

/** On which NGO or item: the NGO by name and number; deadlines and courses by number and title. */
export function actedOn(w: Reader, e: AuditEntry): string {
  const parts: string[] = [];
  const id = e.entityId ?? '';
  const titled = (key: string) => w.t(key, { id: w.fmt.digits(id), title: escapeHtml(shorten(e.title ?? '', 60)) });
  switch (e.entityType) {
    case 'ngo':
    case 'admin':
    case 'holiday':
    case 'export':
    case null:
      break;
    case 'deadline':
    case 'course':
      parts.push(titled(e.title === null ? `audit.items.${e.entityType}` : `audit.items.${e.entityType}_titled`));
      break;
    case 'feedback':
    case 'broadcast':
    case 'recurring_broadcast':
    case 'staff_invite':
      parts.push(w.t(`audit.items.${e.entityType}`, { id: w.fmt.digits(id) }));
      break;
    default:
      parts.push(w.t('audit.items.other', { type: escapeHtml(e.entityType), id: escapeHtml(id) }));
  }
  if (e.ngo) parts.push(w.t('audit.items.ngo', { name: escapeHtml(e.ngo.name), id: w.fmt.digits(e.ngo.id) }));
  return parts.length > 0 ? ` — ${parts.join('، ')}` : '';
}

export function entryLine(w: Reader, e: AuditEntry): string {
  const who = e.actor === null ? w.t('audit.system') : escapeHtml(e.actor.name || w.t('audit.user_id', { id: w.fmt.digits(String(e.actor.id)) }));
  return w.t('audit.line', { when: w.fmt.dateTime(e.at), who, what: actionSentence(w, e), on: actedOn(w, e) });
}

const groupName = (w: Reader, code: GroupCode) => w.t(`audit.groups.${code === 'o' ? 'other' : GROUPS[code].name}`);

/** One page with the filters in force; `names` are the chosen admin's and NGO's names for the header. */
export function auditScreen(w: Reader, state: ListState, page: AuditPage, names: { actor?: string; ngo?: string }): Screen {
  const { t, fmt } = w;
  const pages = Math.max(1, Math.ceil(page.total / AUDIT_PAGE_SIZE));
  const filters = t('audit.filters', {
    actor: state.actor ? escapeHtml(names.actor || fmt.digits(String(state.actor))) : t('audit.all'),
    group: state.group === 'a' ? t('audit.all') : groupName(w, state.group),
    ngo: state.ngo ? t('audit.items.ngo_short', { name: escapeHtml(names.ngo ?? ''), id: fmt.digits(state.ngo) }) : t('audit.all'),
  });
  const lines = page.entries.map((e) => entryLine(w, e));
  const body = [
    t('audit.title', { total: fmt.number(page.total) }),
    filters,
    ...(page.countyScoped ? [t('audit.county_scope')] : []),
    '',
    ...(lines.length > 0 ? lines : [t('audit.empty')]),
    ...(pages > 1 ? ['', t('audit.page', { page: fmt.digits(state.page + 1), pages: fmt.digits(pages) })] : []),
  ].join('\n');
  const rows: InlineKeyboardButton[][] = [];
  const nav: InlineKeyboardButton[] = [];
  if (state.page > 0) nav.push(Markup.button.callback(t('audit.buttons.prev'), listData({ ...state, page: state.page - 1 })));
  if (state.page + 1 < pages) nav.push(Markup.button.callback(t('audit.buttons.next'), listData({ ...state, page: state.page + 1 })));
  if (nav.length > 0) rows.push(nav);
  rows.push([
    Markup.button.callback(t('audit.buttons.actor'), auditButtons.actors.data(...listArgs(state))),
    Markup.button.callback(t('audit.buttons.group'), auditButtons.groups.data(...listArgs(state))),
    Markup.button.callback(t('audit.buttons.ngo'), auditButtons.ngoHint.data(...listArgs(state))),
  ]);
  if (state.actor || state.group !== 'a' || state.ngo) rows.push([Markup.button.callback(t('audit.buttons.clear'), listData({ actor: 0n, group: 'a', ngo: 0, page: 0 }))]);
  return { text: body, keyboard: { inline_keyboard: rows } };
}

const listArgs = (s: ListState) => [String(s.actor), s.group, String(s.ngo), '0'] as const;
const tick = (on: boolean) => (on ? '✅ ' : '');
const backRow = (w: Reader, state: ListState) => [Markup.button.callback(w.t('audit.buttons.back'), listData(state))];

export function actorPicker(w: Reader, state: ListState, actors: readonly { id: bigint; name: string }[]): Screen {
  const choice = (label: string, actor: bigint) => Markup.button.callback(`${tick(state.actor === actor)}${label}`, listData({ ...state, actor, page: 0 }));
  const buttons = actors.map((a) => choice(shorten(a.name || String(a.id), 28), a.id));
  const rows = [[choice(w.t('audit.buttons.all_actors'), 0n)], ...rowsOf(buttons, 2), backRow(w, state)];
  return { text: w.t(actors.length > 0 ? 'audit.choose_actor' : 'audit.no_actors'), keyboard: { inline_keyboard: rows } };
}

export function groupPicker(w: Reader, state: ListState): Screen {
  const choice = (label: string, group: ListState['group']) => Markup.button.callback(`${tick(state.group === group)}${label}`, listData({ ...state, group, page: 0 }));
  const rows = [[choice(w.t('audit.buttons.all_groups'), 'a')], ...rowsOf(GROUP_CODES.map((g) => choice(groupName(w, g), g)), 2), backRow(w, state)];
  return { text: w.t('audit.choose_group'), keyboard: { inline_keyboard: rows } };
}

/** How to filter by NGO (a number or part of a name after /audit); "all NGOs" when one is chosen. */
export function ngoHint(w: Reader, state: ListState): Screen {
  const rows = state.ngo ? [[Markup.button.callback(w.t('audit.buttons.all_ngos'), listData({ ...state, ngo: 0, page: 0 }))], backRow(w, state)] : [backRow(w, state)];
  return { text: w.t('audit.ngo_hint'), keyboard: { inline_keyboard: rows } };
}

/** The NGOs a name search found, each a button that opens the trail filtered on it. */
export function ngoMatches(w: Reader, query: string, found: { ngos: readonly { id: number; name: string }[]; more: boolean }): Screen {
  if (found.ngos.length === 0) return { text: w.t('audit.ngo_no_match', { query: escapeHtml(shorten(query, 50)) }), keyboard: { inline_keyboard: [] } };
  const rows = found.ngos.map((n) => [
    Markup.button.callback(w.t('audit.buttons.ngo_choice', { name: shorten(n.name, 40), id: w.fmt.digits(n.id) }), listData({ actor: 0n, group: 'a', ngo: n.id, page: 0 })),
  ]);
  return { text: found.more ? w.t('audit.ngo_matches_more', { n: w.fmt.digits(found.ngos.length) }) : w.t('audit.ngo_matches'), keyboard: { inline_keyboard: rows } };
}
