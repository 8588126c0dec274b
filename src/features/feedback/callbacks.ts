/**
 * The buttons of feedback, member and office side. Outbox messages carry some of them (view, follow
 * up), so their data strings must never change: old messages still hold them.
 */
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';
import type { FeedbackType } from './rules.js';
import type { InboxFilter, InboxStatusFilter } from './types.js';

/** The item id a button names, or null (answered as stale) for a forged or outdated press. */
export function itemIdOf(ctx: { callbackQuery?: unknown }, action: { parse(ctx: { callbackQuery?: unknown }): readonly [string] | null }): number | null {
  const parsed = action.parse(ctx);
  return parsed ? Number(parsed[0]) : null;
}

/** The inbox list's state, carried in its buttons: <status>-<type>-<county>-<page>. */
const LIST_STATE = [/^[orac]$/, /^[xSCPQ]$/, /^\d{1,6}$/, /^\d{1,4}$/] as const;

export const BUTTONS = {
  mine: callbackAction('fb_my', ARG.id),
  minePage: callbackAction('fb_mypg', ARG.page),
  followUp: callbackAction('fb_fu', ARG.id),
  list: callbackAction('fbi_ls', ...LIST_STATE),
  counties: callbackAction('fbi_cty', ...LIST_STATE),
  view: callbackAction('fbi_v', ARG.id),
  reply: callbackAction('fbi_re', ARG.id),
  close: callbackAction('fbi_cl', ARG.id),
  reopen: callbackAction('fbi_ro', ARG.id),
  assignMenu: callbackAction('fbi_as', ARG.id),
  assign: callbackAction('fbi_at', ARG.id, /^[1-9]\d{0,15}$/),
  settings: callbackAction('fbs', /^(now|digest)$/),
} as const;

const STATUS_CODES = { o: 'open', r: 'received', a: 'answered', c: 'closed' } as const satisfies Record<string, InboxStatusFilter>;
const TYPE_CODES = { x: undefined, S: 'SUGGESTION', C: 'CRITICISM', P: 'COMPLAINT', Q: 'QUESTION' } as const satisfies Record<string, FeedbackType | undefined>;
type StatusCode = keyof typeof STATUS_CODES;
type TypeCode = keyof typeof TYPE_CODES;
const STATUS_ORDER: readonly StatusCode[] = ['o', 'r', 'a', 'c'];
const TYPE_ORDER: readonly TypeCode[] = ['x', 'S', 'C', 'P', 'Q'];

export interface ListState {
  status: StatusCode;
  type: TypeCode;
  county: number;
  page: number;
}

export const DEFAULT_LIST: ListState = { status: 'o', type: 'x', county: 0, page: 0 };

const isStatusCode = (s: string): s is StatusCode => (STATUS_ORDER as readonly string[]).includes(s);
const isTypeCode = (s: string): s is TypeCode => (TYPE_ORDER as readonly string[]).includes(s);

/** The list state a list or county button names; null for a forged or outdated press. */
export function listStateOf(parsed: readonly [string, string, string, string] | null): ListState | null {
  if (!parsed) return null;
  const [status, type, county, page] = parsed;
  return isStatusCode(status) && isTypeCode(type) ? { status, type, county: Number(county), page: Number(page) } : null;
}

export const listButton = (s: ListState) => BUTTONS.list.data(s.status, s.type, s.county, s.page);
export const countiesButton = (s: ListState) => BUTTONS.counties.data(s.status, s.type, s.county, s.page);

export function filterOf(state: ListState): InboxFilter {
  const type = TYPE_CODES[state.type];
  return { status: STATUS_CODES[state.status], ...(type ? { type } : {}), ...(state.county ? { countyId: state.county } : {}) };
}

export const typeOf = (state: ListState): FeedbackType | undefined => TYPE_CODES[state.type];

const cycle = <T>(order: readonly T[], current: T): T => order[(order.indexOf(current) + 1) % order.length]!;

/** The state after pressing "status" or "type": the next choice, back on the first page. */
export function nextFilter(state: ListState, which: 'status' | 'type'): ListState {
  return which === 'status' ? { ...state, status: cycle(STATUS_ORDER, state.status), page: 0 } : { ...state, type: cycle(TYPE_ORDER, state.type), page: 0 };
}
