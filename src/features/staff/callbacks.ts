/**
 * The buttons of /admins and of staff invites. A button names whom it acts on, never the role of the
 * person pressing: every press re-reads that from the database (requireSuperAdmin in the use cases).
 */
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';

const USER_ID = /^[1-9]\d{0,15}$/;

export const staffButtons = {
  list: callbackAction('stf_list', /^all$/),
  card: callbackAction('stf_card', USER_ID),
  roles: callbackAction('stf_role', USER_ID),
  toProvince: callbackAction('stf_setp', USER_ID),
  toCounty: callbackAction('stf_setc', USER_ID, ARG.id),
  remove: callbackAction('stf_rm', USER_ID),
  removeConfirmed: callbackAction('stf_rmok', USER_ID),
  invite: callbackAction('stf_inv', /^new$/),
  inviteProvince: callbackAction('stf_invp', /^new$/),
  inviteCounty: callbackAction('stf_invc', ARG.id),
  invites: callbackAction('stf_invl', /^open$/),
  revokeInvite: callbackAction('stf_invx', ARG.id),
} as const;
