/** What the office sees of feedback: the inbox list and its filters, one item's card and actions, the settings. */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml } from '../../platform/i18n/index.js';
import { rowsOf } from '../../platform/bot/ui.js';
import { BUTTONS, countiesButton, DEFAULT_LIST, listButton, nextFilter, typeOf, type ListState } from './callbacks.js';
import { itemTitle, statusName, typeLabel, typeName, type Reader } from './notices.js';
import type { InboxPage, ItemView } from './types.js';

export const INBOX_PAGE_SIZE = 5;

/**
 * One page of the inbox with the filters in force. `county` is the name of the county filtered on, for
 * province-level staff; a county admin's list is always their own county.
 */
export function inboxScreen(w: Reader, state: ListState, result: InboxPage, county: string | null): { text: string; keyboard: InlineKeyboardMarkup } {
  const { t, fmt } = w;
  const pages = Math.max(1, Math.ceil(result.total / INBOX_PAGE_SIZE));
  const type = typeOf(state);
  const filters = t('feedback.inbox.filters', {
    status: t(`feedback.inbox.status_filter.${state.status}`),
    type: type ? typeName(w, type) : t('feedback.inbox.all'),
    county: result.countyScoped ? t('feedback.inbox.own_county') : county ? escapeHtml(county) : t('feedback.inbox.all'),
  });
  const lines = result.items.map((item, i) =>
    t('feedback.inbox.item', {
      n: fmt.digits(state.page * INBOX_PAGE_SIZE + i + 1),
      id: fmt.digits(item.id),
      type: typeLabel(w, item.type),
      status: statusName(w, item.status),
      date: fmt.dateTime(item.createdAt),
      from: item.ngo ? t('feedback.inbox.from_ngo', { name: escapeHtml(item.ngo.name), county: escapeHtml(item.ngo.county) }) : t('feedback.inbox.from_anonymous'),
      assignee: item.assignee ? t('feedback.inbox.assigned_to', { name: escapeHtml(item.assignee) }) : '',
      overdue: item.overdue ? t('feedback.inbox.overdue') : '',
    }),
  );
  const text = [
    t('feedback.inbox.title', { total: fmt.number(result.total) }),
    filters,
    '',
    ...(lines.length ? lines : [t('feedback.inbox.empty')]),
    ...(pages > 1 ? ['', t('feedback.page', { page: fmt.digits(state.page + 1), pages: fmt.digits(pages) })] : []),
  ].join('\n');

  const rows: InlineKeyboardButton[][] = result.items.map((item) => [
    Markup.button.callback(t('feedback.inbox.view_button', { id: fmt.digits(item.id), type: typeName(w, item.type) }), BUTTONS.view.data(item.id)),
  ]);
  const nav: InlineKeyboardButton[] = [];
  if (state.page > 0) nav.push(Markup.button.callback(t('feedback.prev_page'), listButton({ ...state, page: state.page - 1 })));
  if (state.page + 1 < pages) nav.push(Markup.button.callback(t('feedback.next_page'), listButton({ ...state, page: state.page + 1 })));
  if (nav.length) rows.push(nav);
  const filterRow = [
    Markup.button.callback(t('feedback.inbox.status_button'), listButton(nextFilter(state, 'status'))),
    Markup.button.callback(t('feedback.inbox.type_button'), listButton(nextFilter(state, 'type'))),
  ];
  if (!result.countyScoped) filterRow.push(Markup.button.callback(t('feedback.inbox.county_button'), countiesButton({ ...state, page: 0 })));
  rows.push(filterRow);
  return { text, keyboard: { inline_keyboard: rows } };
}

export function countyPicker(w: Reader, state: ListState, counties: readonly { id: number; name: string }[]): { text: string; keyboard: InlineKeyboardMarkup } {
  const button = (label: string, county: number) => Markup.button.callback(`${state.county === county ? '✅ ' : ''}${label}`, listButton({ ...state, county, page: 0 }));
  const rows: InlineKeyboardButton[][] = [[button(w.t('feedback.inbox.all_counties'), 0)], ...rowsOf(counties.map((c) => button(c.name, c.id)), 3)];
  return { text: w.t('feedback.inbox.choose_county'), keyboard: { inline_keyboard: rows } };
}

/** The card of an item: who sent it (unless anonymous), who has it, when it came. */
export function itemHeader(w: Reader, view: ItemView): string {
  const { t } = w;
  const sender = view.sender
    ? t('feedback.item.sender', {
        name: escapeHtml(view.sender.name),
        ngo: view.ngo ? t('feedback.item.sender_ngo', { name: escapeHtml(view.ngo.name), county: escapeHtml(view.ngo.county) }) : '',
      })
    : t('feedback.item.sender_anonymous');
  return [
    ...itemTitle(w, view),
    sender,
    t('feedback.item.assignee', { name: view.assignee ? escapeHtml(view.assignee.name) : t('feedback.item.nobody') }),
    t('feedback.item.received_at', { date: w.fmt.dateTime(view.createdAt) }),
  ].join('\n');
}

/** Reply and close on an open item, reopen on a closed one; assign and back to the inbox on both. */
export function itemKeyboard(w: Reader, view: { id: number; status: string }): InlineKeyboardMarkup {
  const button = (key: string, action: { data(id: number): string }) => Markup.button.callback(w.t(key), action.data(view.id));
  const rows: InlineKeyboardButton[][] =
    view.status === 'CLOSED'
      ? [[button('feedback.item.reopen_button', BUTTONS.reopen)]]
      : [[button('feedback.item.reply_button', BUTTONS.reply), button('feedback.item.close_button', BUTTONS.close)]];
  rows.push([button('feedback.item.assign_button', BUTTONS.assignMenu), Markup.button.callback(w.t('feedback.item.inbox_button'), listButton(DEFAULT_LIST))]);
  return { inline_keyboard: rows };
}

export function assigneePicker(w: Reader, itemId: number, admins: readonly { id: bigint; name: string; current: boolean }[]): { text: string; keyboard: InlineKeyboardMarkup } {
  const rows = admins.map((a) => [Markup.button.callback(`${a.current ? '✅ ' : ''}${a.name}`, BUTTONS.assign.data(itemId, a.id))]);
  return { text: w.t('feedback.item.choose_assignee', { id: w.fmt.digits(itemId) }), keyboard: { inline_keyboard: rows } };
}

/** /feedback_settings: notices at once, or one digest on working mornings. */
export function settingsScreen(w: Reader, digest: boolean): { text: string; keyboard: InlineKeyboardMarkup } {
  const { t } = w;
  const mark = (on: boolean) => (on ? '✅ ' : '');
  return {
    text: t('feedback.settings.text', { current: t(digest ? 'feedback.settings.digest' : 'feedback.settings.immediate') }),
    keyboard: {
      inline_keyboard: [
        [Markup.button.callback(`${mark(!digest)}${t('feedback.settings.immediate_button')}`, BUTTONS.settings.data('now'))],
        [Markup.button.callback(`${mark(digest)}${t('feedback.settings.digest_button')}`, BUTTONS.settings.data('digest'))],
      ],
    },
  };
}
