/**
 * What the broadcasts feature says: the progress card and the report the admin receives through the
 * outbox, the file of who was not reached, and the replies and list of the bot. Every function takes a
 * reader (words and formatter of one language): a handler's context is one, `readerFor` makes one for
 * a message queued from a use case.
 */
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { InlineKeyboard, OutboxPayload } from '../../platform/delivery/outbox.js';
import type { Formatter, Reader } from '../../platform/i18n/format.js';
import { escapeHtml, type Translator } from '../../platform/i18n/index.js';
import { csvDocument } from '../../platform/text/csv.js';
import type { Audience } from './audience.js';
import type { BroadcastCounts, CardState } from './rules.js';
import { minutesLeft } from './rules.js';

export { readerFor, type Reader } from '../../platform/i18n/format.js';

/** Under the progress card and in /broadcasts: `bc_cancel:<id>`. */
export const cancelBroadcastButton = callbackAction('bc_cancel', ARG.id);

/** '۱۴۰۵/۰۹/۰۷ ساعت ۰۷:۰۰', or '1405/09/07 at 07:00' in English: when a broadcast starts. */
export function startTimeText(fmt: Formatter, at: Date): string {
  // The formatter's English date and time are separated by one space, which this sentence reads as "at".
  return fmt.lang === 'fa' ? fmt.dateTime(at) : fmt.dateTime(at).replace(' ', ' at ');
}

// ---- the admin's progress card and report (outbox) -----------------------------------------------------

export interface CardFacts {
  id: number;
  counts: BroadcastCounts;
  state: CardState;
  /** Everyone the audience named when it started, reachable or not. */
  total: number;
  /** Messages per second of the dispatcher, for the time left. */
  sendRate: number;
}

export function cardText({ t, fmt }: Reader, card: CardFacts): string {
  const c = card.counts;
  return [
    t(`broadcast.card.title_${card.state}`, { id: fmt.digits(card.id) }),
    t('broadcast.card.sent', { n: fmt.digits(c.sent), total: fmt.digits(card.total) }),
    t('broadcast.card.failed', { n: fmt.digits(c.failed + c.unreachable) }),
    t('broadcast.card.waiting', { n: fmt.digits(c.waiting) }),
    c.cancelled > 0 ? t('broadcast.card.cancelled', { n: fmt.digits(c.cancelled) }) : null,
    card.state === 'sending' && c.waiting > 0 ? t('broadcast.card.eta', { minutes: fmt.digits(minutesLeft(c.waiting, card.sendRate)) }) : null,
  ]
    .filter(Boolean)
    .join('\n');
}

/** The card's button while something can still be stopped. */
export function cardKeyboard({ t }: Reader, card: Pick<CardFacts, 'id' | 'state'>): InlineKeyboard | undefined {
  if (card.state !== 'sending' && card.state !== 'paused') return undefined;
  return { inline_keyboard: [[{ text: t('broadcast.card.cancel_button'), callback_data: cancelBroadcastButton.data(card.id) }]] };
}

/** The first card, sent as the broadcast starts; later ticks edit it in place. */
export function cardMessage(reader: Reader, card: CardFacts): OutboxPayload {
  const replyMarkup = cardKeyboard(reader, card);
  return { kind: 'TEXT', text: cardText(reader, card), parseMode: 'HTML', ...(replyMarkup ? { replyMarkup } : {}) };
}

export function reportMessage(
  { t, fmt }: Reader,
  report: { id: number; counts: BroadcastCounts; failureReasons: { reason: string | null; count: number }[] },
): OutboxPayload {
  const c = report.counts;
  const lines = [
    t('broadcast.report.title', { id: fmt.digits(report.id) }),
    t('broadcast.report.delivered', { n: fmt.digits(c.sent) }),
    t('broadcast.report.unreachable', { n: fmt.digits(c.unreachable) }),
    t('broadcast.report.failed', { n: fmt.digits(c.failed) }),
    ...report.failureReasons.map((r) => `  • ${escapeHtml(r.reason ?? '—')}: ${fmt.digits(r.count)}`),
    c.cancelled ? t('broadcast.report.cancelled', { n: fmt.digits(c.cancelled) }) : null,
  ].filter(Boolean);
  return { kind: 'TEXT', parseMode: 'HTML', text: lines.join('\n') };
}

/** One recipient who did not get the broadcast, with what staff need to phone them. */
export interface UndeliveredRecipient {
  chatId: bigint;
  ngoName: string | null;
  memberName: string;
  county: string | null;
  /** Blocked the bot (before or during the broadcast); otherwise `reason` says why it failed. */
  unreachable: boolean;
  reason: string | null;
}

/** Who was not reached, for staff to follow up by hand; written as every CSV of the bot is (platform/text/csv.ts). */
export function undeliveredFile({ t, fmt }: Reader, id: number, rows: readonly UndeliveredRecipient[]): OutboxPayload {
  const header = ['ngo', 'member', 'telegram_id', 'county', 'reason'].map((h) => t(`broadcast.csv.${h}`));
  const csv = csvDocument(
    header,
    rows.map((r) => [r.ngoName, r.memberName, String(r.chatId), r.county, r.unreachable ? t('broadcast.csv.unreachable') : r.reason]),
  );
  return {
    kind: 'DOCUMENT',
    fileName: `broadcast-${id}-undelivered.csv`,
    contentBase64: csv.toString('base64'),
    caption: t('broadcast.report.csv_caption', { id: fmt.digits(id) }),
  };
}

export function stoppedMessage({ t, fmt }: Reader, id: number, reason: string): OutboxPayload {
  return { kind: 'TEXT', parseMode: 'HTML', text: t('broadcast.errors.stopped', { id: fmt.digits(id), reason: escapeHtml(reason) }) };
}

// ---- replies of the bot --------------------------------------------------------------------------------

/** The card as the cancel leaves it: what was sent and what was stopped (a copy on its way may still arrive, the report says). */
export function cancelledCardText(reader: Reader, card: Omit<CardFacts, 'state' | 'sendRate'>): string {
  // No time left is shown once cancelled, so the rate does not matter.
  return `${cardText(reader, { ...card, state: 'cancelled', sendRate: 1 })}\n${reader.t('broadcast.cancel.report_follows')}`;
}

export function cancelledAnswer({ t, fmt }: Reader, id: number): string {
  return t('broadcast.cancel.done', { id: fmt.digits(id) });
}

export interface ListedBroadcast {
  id: number;
  contentKind: string;
  status: string;
  urgent: boolean;
  startAt: Date;
  startedAt: Date | null;
  recipientCount: number;
  counts: BroadcastCounts;
}

export function listText({ t, fmt }: Reader, rows: readonly ListedBroadcast[]): string {
  const title = `<b>${t('broadcast.list.title')}</b>`;
  if (rows.length === 0) return `${title}\n\n${t('broadcast.list.empty')}`;
  const items = rows.map((b) =>
    t('broadcast.list.item', {
      id: fmt.digits(b.id),
      kind: t(`broadcast.list.kind.${b.contentKind}`, { defaultValue: escapeHtml(b.contentKind) }),
      status: t(`broadcast.list.status.${b.status}`),
      urgent: b.urgent ? t('broadcast.list.urgent') : '',
      when:
        b.status === 'SCHEDULED' || !b.startedAt
          ? t('broadcast.list.starts_at', { date: startTimeText(fmt, b.startAt) })
          : t('broadcast.list.started_at', { date: startTimeText(fmt, b.startedAt) }),
      total: fmt.digits(b.recipientCount),
      sent: fmt.digits(b.counts.sent),
      failed: fmt.digits(b.counts.failed + b.counts.unreachable),
      waiting: fmt.digits(b.counts.waiting),
    }),
  );
  return [title, ...items].join('\n\n');
}

export function listCancelLabel({ t, fmt }: Reader, id: number): string {
  return t('broadcast.list.cancel_button', { id: fmt.digits(id) });
}

/** Every language's title of /broadcasts: a press under the list is told from one under a card by it. */
export function listTitles(translator: Translator): string[] {
  return translator.all('broadcast.list.title');
}

// ---- the compose form ------------------------------------------------------------------------------------

export interface ReferenceLists {
  counties: { id: number; name: string }[];
  fields: { id: number; name: string }[];
}

export type AudienceView = 'main' | 'counties' | 'fields';

/** The chosen names in the office's own order (not the order pressed), joined by the language's separator. */
function namesOf({ t }: Reader, list: ReferenceLists['counties'], ids: number[]): string {
  return list
    .filter((x) => ids.includes(x.id))
    .map((x) => escapeHtml(x.name))
    .join(t('broadcast.compose.list_separator'));
}

export function audienceSummary(reader: Reader, audience: Audience, countyScoped: boolean, lists: ReferenceLists): string {
  const { t } = reader;
  return [
    countyScoped
      ? t('broadcast.compose.county_admin_note')
      : t('broadcast.compose.summary_counties', {
          value: audience.countyIds.length ? namesOf(reader, lists.counties, audience.countyIds) : t('broadcast.compose.all_counties'),
        }),
    t('broadcast.compose.summary_fields', {
      value: audience.fieldIds.length ? namesOf(reader, lists.fields, audience.fieldIds) : t('broadcast.compose.all_fields'),
    }),
    t('broadcast.compose.summary_statuses', {
      value: audience.statuses.map((s) => t(`broadcast.compose.status.${s}`)).join(t('broadcast.compose.list_separator')),
    }),
    t('broadcast.compose.summary_role', {
      value: t(audience.managersOnly ? 'broadcast.compose.role_managers' : 'broadcast.compose.role_all'),
    }),
  ].join('\n');
}

export interface AudienceFacts {
  audience: Audience;
  countyScoped: boolean;
  lists: ReferenceLists;
  /** Members the audience reaches now. */
  count: number;
}

export function audienceCardText(reader: Reader, view: AudienceView, facts: AudienceFacts): string {
  const { t, fmt } = reader;
  const title = t(
    view === 'counties' ? 'broadcast.compose.counties_title' : view === 'fields' ? 'broadcast.compose.fields_title' : 'broadcast.compose.audience_title',
  );
  const summary = audienceSummary(reader, facts.audience, facts.countyScoped, facts.lists);
  return [title, '', summary, '', t('broadcast.compose.recipients', { n: fmt.digits(facts.count) })].join('\n');
}

export function previewText(reader: Reader, facts: AudienceFacts, urgent: boolean): string {
  const { t, fmt } = reader;
  return [
    t('broadcast.compose.preview_title'),
    '',
    audienceSummary(reader, facts.audience, facts.countyScoped, facts.lists),
    t('broadcast.compose.recipients', { n: fmt.digits(facts.count) }),
    '',
    t(urgent ? 'broadcast.compose.urgent_on' : 'broadcast.compose.urgent_off'),
  ].join('\n');
}

interface Created {
  id: number;
  status: string;
  recipientCount: number;
  requestedAt: Date;
  startAt: Date;
}

/** After "send now": started, or held until quiet hours are over. */
export function sentNowText({ t, fmt }: Reader, b: Created): string {
  return b.status === 'SCHEDULED'
    ? t('broadcast.compose.held_quiet', { id: fmt.digits(b.id), start: startTimeText(fmt, b.startAt) })
    : t('broadcast.compose.started', { id: fmt.digits(b.id), n: fmt.digits(b.recipientCount) });
}

/** After a time was chosen: scheduled for it, or for the end of the quiet hours it falls in. */
export function scheduledText({ t, fmt }: Reader, b: Created): string {
  const moved = b.startAt.getTime() !== b.requestedAt.getTime();
  return t(moved ? 'broadcast.compose.scheduled_moved' : 'broadcast.compose.scheduled', {
    id: fmt.digits(b.id),
    requested: startTimeText(fmt, b.requestedAt),
    start: startTimeText(fmt, b.startAt),
  });
}
