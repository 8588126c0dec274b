/** What the office sees around an export: the table menu, the format choice, the wait, and the file's caption. */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'telegraf/types';
import type { Reader } from '../../platform/i18n/format.js';
import { escapeHtml } from '../../platform/i18n/index.js';
import { rowsOf } from '../../platform/bot/ui.js';
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import { FORMATS, TABLE_CODES, type ExportFormat, type TableCode } from './rules.js';
import type { ExportFile } from './service.js';

export const BUTTONS = {
  menu: callbackAction('exp_m', ARG.page),
  table: callbackAction('exp_t', ARG.word),
  format: callbackAction('exp_f', ARG.word, ARG.word),
} as const;

const tableName = ({ t }: Reader, table: TableCode) => t(`exports.tables.${table}`);

export function tableMenu(r: Reader): { text: string; keyboard: InlineKeyboardMarkup } {
  const buttons: InlineKeyboardButton[] = TABLE_CODES.map((table) => ({ text: tableName(r, table), callback_data: BUTTONS.table.data(table) }));
  return { text: r.t('exports.menu.title'), keyboard: { inline_keyboard: rowsOf(buttons, 2) } };
}

export function formatMenu(r: Reader, table: TableCode): { text: string; keyboard: InlineKeyboardMarkup } {
  const formats = FORMATS.map((format) => ({ text: r.t(`exports.menu.format_${format}`), callback_data: BUTTONS.format.data(table, format) }));
  return {
    text: r.t(table === 'all' || table === 'courses' || table === 'deadlines' ? 'exports.menu.format_title_many' : 'exports.menu.format_title', { table: tableName(r, table) }),
    keyboard: { inline_keyboard: [formats, [{ text: r.t('exports.menu.back'), callback_data: BUTTONS.menu.data(0) }]] },
  };
}

export function preparing(r: Reader, table: TableCode, format: ExportFormat): string {
  return r.t('exports.menu.preparing', { table: tableName(r, table), format: format.toUpperCase() });
}

/** The caption under the file (plain text, at most Telegram's 1,024 characters): what it holds and for whom. */
export function fileCaption(r: Reader, file: ExportFile): string {
  const { t, fmt } = r;
  const lines = [
    t('exports.caption.title', { table: tableName(r, file.table), date: fmt.date(file.createdAt) }),
    ...file.sheets.map((s) => t('exports.caption.sheet', { sheet: t(`exports.sheets.${s.sheet}`), rows: fmt.number(s.rows) })),
    file.county === null ? t('exports.caption.province') : t('exports.caption.county', { county: file.county }),
  ];
  if (!file.phones && file.sheets.some((s) => s.sheet === 'ngos' || s.sheet === 'members')) lines.push(t('exports.caption.no_phones'));
  return lines.join('\n').slice(0, 1024);
}

/** The waiting message once the file is on its way (HTML, like every message the bot sends). */
export function sent(r: Reader, table: TableCode): string {
  return r.t('exports.menu.sent', { table: escapeHtml(tableName(r, table)) });
}
