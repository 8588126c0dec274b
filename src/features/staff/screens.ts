/** What a super admin sees in /admins: the staff list, one staff member's card, the role and county pickers, invites. */
import { Markup } from 'telegraf';
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import { escapeHtml } from '../../platform/i18n/index.js';
import type { Reader } from '../../platform/i18n/format.js';
import { rowsOf, shorten } from '../../platform/bot/ui.js';
import { staffButtons } from './callbacks.js';
import type { InviteView } from './invites-service.js';
import { roleLabel } from './notices.js';
import type { AdminView } from './store.js';

export interface Screen {
  text: string;
  keyboard: InlineKeyboardMarkup;
}

type County = { id: number; name: string };

const button = (label: string, data: string) => Markup.button.callback(label, data);
const backToList = (w: Reader) => [button(w.t('admin.back_to_list'), staffButtons.list.data('all'))];
const roleText = (w: Reader, a: Pick<AdminView, 'role' | 'county'>) => roleLabel(w.t, a.role, a.county);
/** On a button: no HTML there, the name as typed. */
const plainRole = (w: Reader, a: Pick<AdminView, 'role' | 'county'>) => w.t(`admin.roles.${a.role}`, { county: a.county ?? '' });

/** The staff, each with a button that opens their card; invite buttons last. */
export function staffList(w: Reader, admins: readonly AdminView[]): Screen {
  const lines = admins.map((a) => w.t('admin.list_item', { name: escapeHtml(a.name), role: roleText(w, a), id: String(a.userId) }));
  const rows: InlineKeyboardButton[][] = admins.map((a) => [
    button(w.t('admin.card_button', { name: shorten(a.name, 30), role: plainRole(w, a) }), staffButtons.card.data(a.userId)),
  ]);
  rows.push([button(w.t('admin.invite.new_button'), staffButtons.invite.data('new')), button(w.t('admin.invite.list_button'), staffButtons.invites.data('open'))]);
  const text = [w.t('admin.list_title', { count: w.fmt.number(admins.length) }), ...lines, '', w.t('admin.list_hint')].join('\n');
  return { text, keyboard: { inline_keyboard: rows } };
}

export function staffCard(w: Reader, admin: AdminView): Screen {
  const text = w.t('admin.card', { name: escapeHtml(admin.name), role: roleText(w, admin), id: String(admin.userId) });
  const id = admin.userId;
  const rows = [[button(w.t('admin.change_role_button'), staffButtons.roles.data(id)), button(w.t('admin.remove_button'), staffButtons.remove.data(id))], backToList(w)];
  return { text, keyboard: { inline_keyboard: rows } };
}

/** Province staff, or county staff of the county pressed; the current placement is ticked. */
export function rolePicker(w: Reader, admin: AdminView, counties: readonly County[]): Screen {
  const tick = (on: boolean) => (on ? '✅ ' : '');
  const rows: InlineKeyboardButton[][] = [
    [button(`${tick(admin.role === 'PROVINCE_ADMIN')}${w.t('admin.roles.PROVINCE_ADMIN')}`, staffButtons.toProvince.data(admin.userId))],
    ...rowsOf(
      counties.map((c) => button(`${tick(admin.role === 'COUNTY_ADMIN' && admin.county === c.name)}${c.name}`, staffButtons.toCounty.data(admin.userId, c.id))),
      3,
    ),
    [button(w.t('admin.back_button'), staffButtons.card.data(admin.userId))],
  ];
  return { text: w.t('admin.choose_role', { name: escapeHtml(admin.name), role: roleText(w, admin) }), keyboard: { inline_keyboard: rows } };
}

export function removeConfirmation(w: Reader, admin: AdminView): Screen {
  const rows = [[button(w.t('admin.remove_confirm_button'), staffButtons.removeConfirmed.data(admin.userId)), button(w.t('admin.back_button'), staffButtons.card.data(admin.userId))]];
  return { text: w.t('admin.remove_confirm', { name: escapeHtml(admin.name), role: roleText(w, admin) }), keyboard: { inline_keyboard: rows } };
}

/** The role of a new invite: province staff, or county staff of a county pressed. */
export function invitePicker(w: Reader, counties: readonly County[]): Screen {
  const rows: InlineKeyboardButton[][] = [
    [button(w.t('admin.roles.PROVINCE_ADMIN'), staffButtons.inviteProvince.data('new'))],
    ...rowsOf(counties.map((c) => button(c.name, staffButtons.inviteCounty.data(c.id))), 3),
    backToList(w),
  ];
  return { text: w.t('admin.invite.choose_role'), keyboard: { inline_keyboard: rows } };
}

export function inviteCreated(w: Reader, invite: InviteView, link: string): Screen {
  const text = w.t('admin.invite.created', { role: roleText(w, invite), link, expires: w.fmt.dateTime(invite.expiresAt) });
  return { text, keyboard: { inline_keyboard: [[button(w.t('admin.invite.revoke_button'), staffButtons.revokeInvite.data(invite.id))]] } };
}

/** The invites no one has opened yet, each with its revoke button. The links themselves are not kept, so not shown. */
export function openInvites(w: Reader, invites: readonly InviteView[]): Screen {
  const line = (i: InviteView) => w.t('admin.invite.open_item', { id: w.fmt.digits(i.id), role: roleText(w, i), expires: w.fmt.dateTime(i.expiresAt) });
  const text = invites.length === 0 ? w.t('admin.invite.none_open') : [w.t('admin.invite.open_title'), ...invites.map(line)].join('\n');
  const rows = invites.map((i) => [button(w.t('admin.invite.revoke_numbered', { id: w.fmt.digits(i.id) }), staffButtons.revokeInvite.data(i.id))]);
  return { text, keyboard: { inline_keyboard: [...rows, backToList(w)] } };
}
