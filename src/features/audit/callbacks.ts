/** The buttons of /audit: each carries the list's whole state (<actor>-<group>-<ngo>-<page>), so no session is needed. */
import { callbackAction } from '../../platform/bot/callback-data.js';
import { stateArgs, type ListState } from './rules.js';

const STATE = [/^\d{1,15}$/, /^[a-z]$/, /^\d{1,9}$/, /^\d{1,4}$/] as const;

export const auditButtons = {
  list: callbackAction('aud', ...STATE),
  actors: callbackAction('aud_who', ...STATE),
  groups: callbackAction('aud_kind', ...STATE),
  ngoHint: callbackAction('aud_ngo', ...STATE),
} as const;

export const listData = (s: ListState) => auditButtons.list.data(...stateArgs(s));
