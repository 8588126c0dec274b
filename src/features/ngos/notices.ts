/**
 * The text of everything the NGO feature sends: the NGO's record (one renderer for the registration
 * summary, the reviewers' notice, /pending, /ngo and /profile, so the same facts always look the same),
 * the notices queued for managers, members and reviewers, and the lists its handlers show. Output is
 * Telegram HTML; what people typed is escaped here.
 */
import type { InlineKeyboardMarkup } from 'telegraf/types';
import { shorten } from '../../platform/bot/ui.js';
import type { OutboxPayload } from '../../platform/delivery/outbox.js';
import { readerFor, type Reader } from '../../platform/i18n/format.js';
import { escapeHtml, type Language, type Translator } from '../../platform/i18n/index.js';
import { reviewButtons } from './callbacks.js';
import { RECORD_ITEMS, type RecordItem } from './manage-rules.js';
import { submissionVersion, type Decision, type Membership, type NgoFacts, type NgoRecord } from './rules.js';
import { withContacts } from '../staff/index.js';

type T = (key: string, options?: Record<string, unknown>) => string;

export { readerFor, type Reader } from '../../platform/i18n/format.js';

const DASH = '—';

export function authorityLabel(t: T, authority: string, other?: string | null): string {
  return authority === 'OTHER' && other ? escapeHtml(other) : t(`ngo.authorities.${authority}`);
}

/** The items of an NGO's record that a person typed or chose, named as the summary's keys. */
export type Fact = RecordItem;

/** One item of the record as shown, in the summary and as the "current value" of a profile edit. */
export function factValue(r: Reader, ngo: NgoFacts, fact: Fact): string {
  switch (fact) {
    case 'name':
      return escapeHtml(ngo.name);
    case 'registration_number':
      return r.fmt.digits(ngo.registrationNumber);
    case 'authority':
      return authorityLabel(r.t, ngo.authority, ngo.authorityOther);
    case 'fields':
      return ngo.fields.map(escapeHtml).join(r.t('ngo.summary.list_separator'));
    case 'county':
      return escapeHtml(ngo.county);
    case 'founded_year':
      return ngo.foundedYear ? r.fmt.digits(ngo.foundedYear) : DASH;
    case 'member_count':
      return ngo.memberCount ? r.fmt.number(ngo.memberCount) : DASH;
    case 'manager_name':
      return escapeHtml(ngo.managerName);
    case 'manager_phone':
      return r.fmt.phone(ngo.managerPhone);
    case 'description':
      return ngo.description ? escapeHtml(ngo.description) : DASH;
  }
}

const SUMMARY_FACTS: readonly Fact[] = RECORD_ITEMS;

export function ngoSummary(r: Reader, ngo: NgoFacts, options: { withPhone?: boolean } = {}): string {
  const { t, fmt } = r;
  const facts = SUMMARY_FACTS.filter((f) => f !== 'manager_phone' || options.withPhone !== false);
  const lines = [
    ngo.id !== undefined ? t('ngo.summary.tracking', { id: fmt.digits(ngo.id) }) : null,
    ...facts.map((f) => t(`ngo.summary.${f}`, { value: factValue(r, ngo, f) })),
    ngo.status ? t('ngo.summary.status', { value: t(`ngo.status.${ngo.status}`) }) : null,
    ngo.statusReason && (ngo.status === 'REJECTED' || ngo.status === 'SUSPENDED')
      ? t('ngo.summary.status_reason', { value: escapeHtml(ngo.statusReason) })
      : null,
    ngo.submittedAt ? t('ngo.summary.submitted_at', { value: fmt.date(ngo.submittedAt) }) : null,
    ngo.approvedAt ? t('ngo.summary.approved_at', { value: fmt.date(ngo.approvedAt) }) : null,
  ];
  return lines.filter((l): l is string => l !== null).join('\n');
}

// ---- notices through the outbox --------------------------------------------------------------------

export function reviewKeyboard(t: T, ngo: NgoRecord): InlineKeyboardMarkup {
  const version = submissionVersion(ngo);
  return {
    inline_keyboard: [
      [
        { text: t('ngo.review.approve_button'), callback_data: reviewButtons.approve.data(ngo.id, version) },
        { text: t('ngo.review.reject_button'), callback_data: reviewButtons.reject.data(ngo.id, version) },
      ],
    ],
  };
}

/** To the reviewers: a new registration, or an NGO edited back to review, with the buttons to decide. */
export function reviewNotice(translator: Translator, lang: Language, ngo: NgoRecord, event: 'new' | 'edited'): OutboxPayload {
  const r = readerFor(translator, lang);
  return {
    kind: 'TEXT',
    parseMode: 'HTML',
    text: `${r.t(`ngo.review.${event}_title`)}\n\n${ngoSummary(r, ngo)}`,
    replyMarkup: reviewKeyboard(r.t, ngo),
  };
}

const DECISION_NOTICE: Record<Decision, string> = {
  approve: 'ngo.review.approved_notice',
  reject: 'ngo.review.rejected_notice',
  suspend: 'ngo.review.suspended_notice',
  reactivate: 'ngo.review.reactivated_notice',
};

/** Decisions after which the manager has something to take up with the office or their county governorate. */
const WITH_CONTACTS: ReadonlySet<Decision> = new Set(['reject', 'suspend']);

/** To the NGO's manager: the office's decision, with the reason when it gave one, and whom to contact about it. */
export function decisionNotice(
  translator: Translator,
  lang: Language,
  decision: Decision,
  ngo: { name: string; county: string },
  reason: string | null,
): OutboxPayload {
  const t = translator.fixed(lang);
  const params = { name: escapeHtml(ngo.name), ...(reason !== null ? { reason: escapeHtml(reason) } : {}) };
  const text = t(DECISION_NOTICE[decision], params);
  return { kind: 'TEXT', parseMode: 'HTML', text: WITH_CONTACTS.has(decision) ? withContacts(text, t, ngo.county) : text };
}

/** To the manager: someone joined through the invite link. */
export function memberJoinedNotice(translator: Translator, lang: Language, memberName: string): OutboxPayload {
  return { kind: 'TEXT', parseMode: 'HTML', text: translator.t(lang, 'ngo.membership.joined_notice', { name: escapeHtml(memberName) }) };
}

/** To a member the manager removed. */
export function memberRemovedNotice(translator: Translator, lang: Language, ngoName: string): OutboxPayload {
  return { kind: 'TEXT', parseMode: 'HTML', text: translator.t(lang, 'ngo.membership.removed_notice', { name: escapeHtml(ngoName) }) };
}

// ---- replies ------------------------------------------------------------------------------------------

const OUTCOME_KEYS: Record<Decision, string> = {
  approve: 'ngo.review.approved_done',
  reject: 'ngo.review.rejected_done',
  suspend: 'ngo.review.suspended_done',
  reactivate: 'ngo.review.reactivated_done',
};

/** To the admin who decided. */
export function decisionDone(r: Reader, decision: Decision, ngoName: string): string {
  return r.t(OUTCOME_KEYS[decision], { name: escapeHtml(ngoName) });
}

/** The admin's card after a decision: the NGO as it now stands and the outcome under it. */
export function decidedCard(r: Reader, decision: Decision, ngo: NgoRecord): string {
  return `${ngoSummary(r, ngo)}\n\n${decisionDone(r, decision, ngo.name)}`;
}

export interface PendingPage {
  items: NgoRecord[];
  total: number;
  /** Zero-based. */
  page: number;
  pages: number;
  /** The number shown before an item: its place in the whole queue. */
  firstNumber: number;
}

export function pendingItemNumber(r: Reader, page: PendingPage, index: number): string {
  return r.fmt.digits(page.firstNumber + index);
}

export function pendingList(r: Reader, page: PendingPage): string {
  const { t, fmt } = r;
  if (page.total === 0) return t('ngo.review.pending_empty');
  const lines = page.items.map((ngo, i) =>
    t('ngo.review.pending_item', {
      n: pendingItemNumber(r, page, i),
      name: escapeHtml(ngo.name),
      county: escapeHtml(ngo.county),
      date: fmt.date(ngo.submittedAt),
    }),
  );
  return [
    t('ngo.review.pending_title', { total: fmt.number(page.total) }),
    '',
    ...lines,
    ...(page.pages > 1 ? ['', t('review.page', { page: fmt.digits(page.page + 1), pages: fmt.digits(page.pages) })] : []),
  ].join('\n');
}

/** /profile: the NGO, its member count and the reader's role; the manager's phone only for the manager. */
export function profileText(r: Reader, membership: Membership, memberCount: number): string {
  const { ngo, role } = membership;
  return [
    r.t('ngo.profile.title'),
    '',
    ngoSummary(r, ngo, { withPhone: role === 'MANAGER' }),
    r.t('ngo.profile.members', { count: r.fmt.number(memberCount) }),
    '',
    r.t('ngo.profile.your_role', { role: r.t(`ngo.roles.${role}`) }),
  ].join('\n');
}

export interface MemberView {
  userId: bigint;
  name: string;
  username: string | null;
  role: Membership['role'];
  joinedAt: Date;
}

/** A member's name as shown: their Telegram name, else their username, else their number. */
export function memberName(r: Reader, member: MemberView): string {
  return member.name.trim() || (member.username ? `@${member.username}` : r.t('profile.no_username', { id: String(member.userId) }));
}

export function membersList(
  r: Reader,
  ngoName: string,
  view: { total: number; shown: readonly MemberView[]; first: number; page: number; pages: number },
): string {
  const { t, fmt } = r;
  const lines = [
    t('ngo.membership.members_title', { name: escapeHtml(ngoName), count: fmt.number(view.total) }),
    '',
    ...view.shown.map((m, i) =>
      t('ngo.membership.member_item', {
        n: fmt.digits(view.first + i + 1),
        // Telegram names run to 128 characters; twenty of them must still fit in one message.
        name: escapeHtml(shorten(memberName(r, m), 48)),
        role: t(`ngo.roles.${m.role}`),
        date: fmt.date(m.joinedAt),
      }),
    ),
  ];
  if (view.pages > 1) lines.push('', t('profile.members_page', { page: fmt.digits(view.page + 1), pages: fmt.digits(view.pages) }));
  return lines.join('\n');
}
