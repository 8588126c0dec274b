/**
 * The text of the office's view of an NGO: search results, the profile for staff with its buttons, and
 * the notice that tells a manager what the office corrected. The record itself is ngoSummary's, so an
 * NGO looks the same in every message; what people typed is escaped here.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { shorten } from '../../platform/bot/ui.js';
import type { OutboxPayload } from '../../platform/delivery/outbox.js';
import { readerFor, type Reader } from '../../platform/i18n/format.js';
import { escapeHtml, type Language, type Translator } from '../../platform/i18n/index.js';
import { manageButtons, reviewButtons } from './callbacks.js';
import { STAFF_EDITABLE, type ItemChange } from './manage-rules.js';
import type { StaffProfile } from './manage-service.js';
import { factValue, memberName, ngoSummary, reviewKeyboard, type Fact } from './notices.js';
import type { NgoRecord } from './rules.js';
import type { NgoHit } from './search-rules.js';
import type { SearchPage } from './search-service.js';

type T = Reader['t'];

// ---- search results ----------------------------------------------------------------------------------

/** A result's button: name, county and tracking number; the status too when not every result is approved. */
export function hitLabel(r: Reader, hit: NgoHit, withStatus: boolean): string {
  const values = { name: shorten(hit.name, 40), county: hit.county, id: r.fmt.digits(hit.id) };
  return withStatus && hit.status !== 'APPROVED'
    ? r.t('ngo.search.button_status', { ...values, status: r.t(`ngo.status.${hit.status}`) })
    : r.t('ngo.search.button', values);
}

/** The text above a page of results (or the reason there is none). */
export function resultsText(r: Reader, result: SearchPage, typed: string, noMatchKey: string): string {
  const query = escapeHtml(shorten(typed, 50));
  if (result.tooMany) return r.t('ngo.search.too_many', { n: r.fmt.number(result.total), query });
  if (result.total === 0) return r.t(noMatchKey, { query });
  const lines = [r.t('ngo.search.matches', { n: r.fmt.number(result.total), query })];
  if (result.pages > 1) lines.push(r.t('ngo.search.page', { page: r.fmt.digits(result.page + 1), pages: r.fmt.digits(result.pages) }));
  return lines.join('\n');
}

// ---- the profile ---------------------------------------------------------------------------------------

const DASH = '—';

function membersPart(r: Reader, profile: StaffProfile): string[] {
  const { total, first } = profile.members;
  const lines = [r.t('ngo.manage.members', { n: r.fmt.number(total) })];
  for (const m of first) lines.push(r.t('ngo.manage.member_item', { name: escapeHtml(shorten(memberName(r, m), 40)), role: r.t(`ngo.roles.${m.role}`) }));
  if (total > first.length) lines.push(r.t('ngo.manage.more_members', { n: r.fmt.number(total - first.length) }));
  return lines;
}

function coursesPart(r: Reader, profile: StaffProfile): string[] {
  const { total, recent } = profile.courses;
  const lines = [r.t('ngo.manage.courses', { n: r.fmt.number(total) })];
  for (const c of recent) {
    const status = c.courseStatus === 'CANCELLED' ? r.t('ngo.manage.course_cancelled') : r.t(`ngo.manage.enrolment.${c.status}`);
    const attended = c.attended === null ? '' : r.t(c.attended ? 'ngo.manage.attended' : 'ngo.manage.absent');
    lines.push(
      r.t('ngo.manage.course_item', {
        title: escapeHtml(shorten(c.title, 60)),
        date: r.fmt.date(c.startsAt),
        status: attended ? `${status}${r.t('ngo.summary.list_separator')}${attended}` : status,
        participants: r.fmt.number(c.participants),
      }),
    );
  }
  if (total > recent.length) lines.push(r.t('ngo.manage.more', { n: r.fmt.number(total - recent.length) }));
  return lines;
}

function feedbackPart(r: Reader, profile: StaffProfile): string[] {
  const { total, byStatus } = profile.feedback;
  const count = (s: string) => r.fmt.number(byStatus[s] ?? 0);
  return [r.t('ngo.manage.feedback', { n: r.fmt.number(total), received: count('RECEIVED'), answered: count('ANSWERED'), closed: count('CLOSED') })];
}

function deadlinesPart(r: Reader, profile: StaffProfile): string[] {
  const { total, byStatus, overdue, open } = profile.deadlines;
  const count = (s: string) => r.fmt.number(byStatus[s] ?? 0);
  const lines = [
    r.t('ngo.manage.deadlines', { n: r.fmt.number(total), pending: count('PENDING'), submitted: count('SUBMITTED'), accepted: count('ACCEPTED'), overdue: r.fmt.number(overdue) }),
  ];
  for (const d of open) {
    const status = r.t(d.overdue ? 'ngo.manage.part.OVERDUE' : `ngo.manage.part.${d.status}`);
    lines.push(r.t('ngo.manage.deadline_item', { title: escapeHtml(shorten(d.title, 60)), id: r.fmt.digits(d.id), date: r.fmt.date(d.dueAt), status }));
  }
  return lines;
}

/** The NGO as the office sees it: the record, then its people, courses, messages and deadlines. */
export function staffProfileText(r: Reader, profile: StaffProfile): string {
  return [
    r.t('ngo.manage.title'),
    '',
    ngoSummary(r, profile.ngo),
    '',
    ...membersPart(r, profile),
    '',
    ...coursesPart(r, profile),
    '',
    ...feedbackPart(r, profile),
    '',
    ...deadlinesPart(r, profile),
  ].join('\n');
}

/** The profile's buttons: correct the record, the members, and the decision its status allows. */
export function staffProfileKeyboard(t: T, profile: StaffProfile): InlineKeyboardMarkup {
  const { ngo, version } = profile;
  const button = (key: string, data: string): InlineKeyboardButton => ({ text: t(key), callback_data: data });
  const first: InlineKeyboardButton[] = [];
  if (STAFF_EDITABLE.includes(ngo.status)) first.push(button('ngo.manage.edit_button', manageButtons.edit.data(ngo.id, version)));
  first.push(button('ngo.manage.members_button', manageButtons.members.data(ngo.id, 0)));
  const rows = [first];
  if (ngo.status === 'PENDING') rows.push(...reviewKeyboard(t, ngo).inline_keyboard);
  if (ngo.status === 'APPROVED') rows.push([button('ngo.review.suspend_button', reviewButtons.suspend.data(ngo.id))]);
  if (ngo.status === 'SUSPENDED') rows.push([button('ngo.review.reactivate_button', reviewButtons.reactivate.data(ngo.id))]);
  return { inline_keyboard: rows };
}

/** Back from a list or menu to the NGO's profile, in the same message. */
export function backToProfile(t: T, ngoId: number): InlineKeyboardButton[] {
  return [{ text: t('ngo.manage.back_button'), callback_data: manageButtons.redraw.data(ngoId) }];
}

/** Where an item's current value is shown before the new one is asked. */
export function currentValue(r: Reader, ngo: NgoRecord, item: Fact): string {
  return r.t('profile.current_value', { value: factValue(r, ngo, item) || DASH });
}

// ---- to the manager ------------------------------------------------------------------------------------

/** The office corrected the NGO's record: each item that changed, with its new value. */
export function staffEditNotice(translator: Translator, lang: Language, ngo: NgoRecord, changes: readonly ItemChange[]): OutboxPayload {
  const r = readerFor(translator, lang);
  const lines = [r.t('ngo.manage.edited_notice', { name: escapeHtml(ngo.name) }), ...changes.map((c) => r.t(`ngo.summary.${c.item}`, { value: factValue(r, ngo, c.item) }))];
  return { kind: 'TEXT', parseMode: 'HTML', text: lines.join('\n') };
}
