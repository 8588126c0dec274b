/**
 * The text of what feedback sends through the outbox (the admins' notices, the answer to the sender,
 * reminders, the digest) and what both sides show of a thread, so it reads the same to both. Every
 * function takes a Reader: a handler's ctx is one, and readerFor() makes one for a recipient.
 */
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { InlineKeyboard, OutboxPayload } from '../../platform/delivery/outbox.js';
import { BUTTONS } from './callbacks.js';
import { excerpt, type FeedbackStatus, type FeedbackType } from './rules.js';
import type { ItemView } from './types.js';

export { readerFor, type Reader } from '../../platform/i18n/format.js';

const TYPE_ICONS: Record<FeedbackType, string> = { SUGGESTION: '💡', CRITICISM: '📝', COMPLAINT: '⚠️', QUESTION: '❓' };
/** Telegram's limit on one message, counted on the text as shown (markup excluded). */
const MESSAGE_MAX = 4096;
const NOTICE_EXCERPT = 600;

export const typeName = (w: Reader, type: FeedbackType) => w.t(`feedback.types.${type}`);

/** The type with its icon, as buttons and screens show it. */
export const typeLabel = (w: Reader, type: FeedbackType) => `${TYPE_ICONS[type]} ${typeName(w, type)}`;

export const statusName = (w: Reader, status: FeedbackStatus) => w.t(`feedback.statuses.${status}`);

const html = (text: string, replyMarkup?: InlineKeyboard): OutboxPayload => ({ kind: 'TEXT', parseMode: 'HTML', text, ...(replyMarkup ? { replyMarkup } : {}) });

const viewButton = (w: Reader, itemId: number): InlineKeyboard => ({
  inline_keyboard: [[{ text: w.t('feedback.notice.view_button'), callback_data: BUTTONS.view.data(itemId) }]],
});

export const followUpButton = (w: Reader, itemId: number): InlineKeyboard => ({
  inline_keyboard: [[{ text: w.t('feedback.mine.followup_button'), callback_data: BUTTONS.followUp.data(itemId) }]],
});

// ---- to the office -------------------------------------------------------------------------------------

export interface AdminNotice {
  item: { id: number; type: FeedbackType; anonymous: boolean };
  /** Null for an anonymous item. */
  sender: { name: string; ngo: { name: string; county: string } | null } | null;
  event: 'new' | 'followup';
  text: string;
  attachments: number;
}

/** A new item or a follow-up, to an admin who may read it, with a button that opens it. */
export function adminNotice(w: Reader, n: AdminNotice): OutboxPayload {
  const { t, fmt } = w;
  const ngo = n.sender?.ngo ? t('feedback.notice.ngo', { name: escapeHtml(n.sender.ngo.name), county: escapeHtml(n.sender.ngo.county) }) : '';
  const from = n.item.anonymous ? t('feedback.notice.anonymous') : t('feedback.notice.from', { name: escapeHtml(n.sender?.name ?? '—'), ngo });
  const text = [
    t(`feedback.notice.${n.event}_title`, { type: typeName(w, n.item.type), id: fmt.digits(n.item.id) }),
    from,
    '',
    escapeHtml(excerpt(n.text, NOTICE_EXCERPT)) || t('feedback.notice.no_text'),
    n.attachments > 0 ? t('feedback.notice.attachments', { n: fmt.digits(n.attachments) }) : null,
  ]
    .filter((l) => l !== null)
    .join('\n');
  return html(text, viewButton(w, n.item.id));
}

export function assignedNotice(w: Reader, item: { id: number; type: FeedbackType }, by: string): OutboxPayload {
  return html(w.t('feedback.notice.assigned', { id: w.fmt.digits(item.id), type: typeName(w, item.type), by: escapeHtml(by) }), viewButton(w, item.id));
}

const REMINDER_LIST_MAX = 30;

/** One admin's daily list of items left unanswered, the longest waiting first. */
export function reminderNotice(w: Reader, items: readonly { id: number; type: FeedbackType; waitingSince: Date; workingDays: number }[], reminderDays: number): OutboxPayload {
  const { t, fmt } = w;
  const lines = items.slice(0, REMINDER_LIST_MAX).map((i) =>
    t('feedback.reminder.item', { id: fmt.digits(i.id), type: typeName(w, i.type), since: fmt.date(i.waitingSince), days: fmt.digits(i.workingDays) }),
  );
  const more = items.length > REMINDER_LIST_MAX ? [t('feedback.reminder.more', { n: fmt.number(items.length - REMINDER_LIST_MAX) })] : [];
  return html([t('feedback.reminder.title', { n: fmt.number(items.length), days: fmt.digits(reminderDays) }), '', ...lines, ...more, '', t('feedback.reminder.footer')].join('\n'));
}

export interface DigestLine {
  id: number;
  type: FeedbackType;
  status: FeedbackStatus;
  /** Null when anonymous (or the NGO is gone). */
  ngo: string | null;
}

/** What the members wrote between two times, new items and follow-ups apart. */
export function digestNotice(w: Reader, from: Date, to: Date, fresh: readonly DigestLine[], followed: readonly DigestLine[]): OutboxPayload {
  const { t, fmt } = w;
  const line = (i: DigestLine) =>
    t('feedback.digest.item', {
      id: fmt.digits(i.id),
      type: typeName(w, i.type),
      status: statusName(w, i.status),
      from: i.ngo === null ? t('feedback.notice.anonymous_short') : escapeHtml(i.ngo),
    });
  return html(
    [
      t('feedback.digest.title', { from: fmt.dateTime(from), to: fmt.dateTime(to) }),
      ...(fresh.length ? ['', t('feedback.digest.new', { n: fmt.number(fresh.length) }), ...fresh.map(line)] : []),
      ...(followed.length ? ['', t('feedback.digest.followups', { n: fmt.number(followed.length) }), ...followed.map(line)] : []),
      '',
      t('feedback.digest.footer'),
    ].join('\n'),
  );
}

// ---- to the sender ---------------------------------------------------------------------------------------

export type SenderEvent = 'answer' | 'closed' | 'reopened';

const SENDER_KEYS: Record<SenderEvent, string> = {
  answer: 'feedback.answer.notice',
  closed: 'feedback.answer.closed_notice',
  reopened: 'feedback.answer.reopened_notice',
};

/** The office's answer, or the item closed or reopened, with the tracking number; follow-ups welcome unless closed. */
export function senderNotice(w: Reader, event: SenderEvent, item: { id: number; type: FeedbackType }, answer?: string): OutboxPayload {
  const text = w.t(SENDER_KEYS[event], { id: w.fmt.digits(item.id), type: typeName(w, item.type), ...(answer !== undefined ? { text: escapeHtml(answer) } : {}) });
  return html(text, event === 'closed' ? undefined : followUpButton(w, item.id));
}

// ---- a thread, as either side reads it --------------------------------------------------------------------

/** Visible length of a piece of Telegram HTML: what the Bot API counts against its limit. */
function visibleLength(text: string): number {
  return text.replace(/<[^>]+>/g, '').replace(/&(lt|gt|amp);/g, '_').length;
}

/** Blocks joined into as few messages as fit; a block is never cut (each stays below the limit). */
export function pack(blocks: string[], max = MESSAGE_MAX): string[] {
  const messages: string[] = [];
  let current = '';
  for (const block of blocks) {
    const joined = current ? `${current}\n\n${block}` : block;
    if (current && visibleLength(joined) > max) {
      messages.push(current);
      current = block;
    } else {
      current = joined;
    }
  }
  if (current) messages.push(current);
  return messages;
}

function authorLine(w: Reader, m: ItemView['messages'][number], reader: 'admin' | 'owner'): string {
  if (reader === 'owner') return w.t(m.fromOffice ? 'feedback.thread.office' : 'feedback.thread.you');
  if (m.fromOffice) return w.t('feedback.thread.office_named', { name: escapeHtml(m.author ?? '—') });
  return m.author === null ? w.t('feedback.thread.anonymous_sender') : w.t('feedback.thread.sender_named', { name: escapeHtml(m.author) });
}

/** The thread, one block per message, with who wrote it and when (Jalali, Tehran time). */
export function threadBlocks(w: Reader, view: ItemView, reader: 'admin' | 'owner'): string[] {
  return view.messages.map((m) => {
    const lines = [w.t('feedback.thread.header', { who: authorLine(w, m, reader), when: w.fmt.dateTime(m.createdAt) })];
    if (m.text) lines.push(escapeHtml(m.text));
    if (m.attachments.length) lines.push(w.t('feedback.thread.attachments', { n: w.fmt.digits(m.attachments.length) }));
    return lines.join('\n');
  });
}

/** The first lines of an item, on both sides: tracking number, type, status. */
export function itemTitle(w: Reader, view: Pick<ItemView, 'id' | 'type' | 'status'>): string[] {
  return [
    w.t('feedback.item.title', { id: w.fmt.digits(view.id), type: typeLabel(w, view.type) }),
    w.t('feedback.item.status', { status: statusName(w, view.status) }),
  ];
}
