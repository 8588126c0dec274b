/** What a member sees of feedback: the summary before sending, their list, one of their items. */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml } from '../../platform/i18n/index.js';
import { BUTTONS } from './callbacks.js';
import { itemTitle, pack, statusName, threadBlocks, typeLabel, typeName, type Reader } from './notices.js';
import { excerpt, type FeedbackType } from './rules.js';
import type { ItemView, MyItemRow } from './types.js';

export interface Screen {
  text: string;
  keyboard?: InlineKeyboardMarkup;
}

/** The draft as it will be sent, before "with or without my name". */
export function summaryText(w: Reader, draft: { type: FeedbackType; text: string; length: number; parts: number; attachments: number }): string {
  const { t, fmt } = w;
  return [
    t('feedback.form.summary_title'),
    '',
    t('feedback.form.summary_type', { type: typeLabel(w, draft.type) }),
    t('feedback.form.summary_length', { length: fmt.number(draft.length) }),
    draft.parts > 1 ? t('feedback.form.summary_parts', { parts: fmt.digits(draft.parts) }) : null,
    draft.attachments > 0 ? t('feedback.form.summary_attachments', { n: fmt.number(draft.attachments) }) : null,
    '',
    `«${escapeHtml(excerpt(draft.text, 300))}»`,
    // Without attachments the explanation came just before, with the form's keyboard (see the attachment step).
    ...(draft.attachments > 0 ? ['', t('feedback.form.anonymous_explained')] : []),
  ]
    .filter((l) => l !== null)
    .join('\n');
}

/** One page of /my_feedback: a line and a button per item, newest first, with paging. */
export function myListScreen(w: Reader, list: { total: number; items: MyItemRow[]; page: number; pages: number }): Screen {
  const { t, fmt } = w;
  const { total, items, page, pages } = list;
  if (total === 0) return { text: t('feedback.mine.empty') };
  const lines = items.map((i) =>
    t('feedback.mine.item', {
      id: fmt.digits(i.id),
      type: typeLabel(w, i.type),
      status: statusName(w, i.status),
      date: fmt.dateTime(i.createdAt),
      anonymous: i.anonymous ? t('feedback.mine.anonymous_mark') : '',
    }),
  );
  const text = [
    t('feedback.mine.title', { total: fmt.number(total) }),
    '',
    ...lines,
    ...(pages > 1 ? ['', t('feedback.page', { page: fmt.digits(page + 1), pages: fmt.digits(pages) })] : []),
    '',
    t('feedback.mine.hint'),
  ].join('\n');
  const rows: InlineKeyboardButton[][] = items.map((i) => [
    Markup.button.callback(t('feedback.mine.view_button', { id: fmt.digits(i.id), type: typeName(w, i.type) }), BUTTONS.mine.data(i.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (page > 0) nav.push(Markup.button.callback(t('feedback.prev_page'), BUTTONS.minePage.data(page - 1)));
  if (page + 1 < pages) nav.push(Markup.button.callback(t('feedback.next_page'), BUTTONS.minePage.data(page + 1)));
  if (nav.length) rows.push(nav);
  return { text, keyboard: { inline_keyboard: rows } };
}

/** One of the member's items with its thread, in as few messages as fit; the buttons go under the last. */
export function myItemMessages(w: Reader, view: ItemView): { chunks: string[]; keyboard: InlineKeyboardMarkup } {
  const { t } = w;
  const header = [...itemTitle(w, view), ...(view.anonymous ? [t('feedback.item.sent_anonymously')] : [])].join('\n');
  const rows: InlineKeyboardButton[][] = [];
  if (view.status !== 'CLOSED') rows.push([Markup.button.callback(t('feedback.mine.followup_button'), BUTTONS.followUp.data(view.id))]);
  rows.push([Markup.button.callback(t('feedback.mine.back_button'), BUTTONS.minePage.data(0))]);
  const chunks = pack([header, ...threadBlocks(w, view, 'owner'), ...(view.status === 'CLOSED' ? [t('feedback.item.closed_hint')] : [])]);
  return { chunks, keyboard: { inline_keyboard: rows } };
}
