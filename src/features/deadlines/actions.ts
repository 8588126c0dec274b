/** The buttons of this feature, shared by the notices that carry them and the handlers that answer them. */
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';

export const SUBMIT = callbackAction('dl_sub', ARG.id);
export const VIEW = callbackAction('dl_view', ARG.id);
/** (deadline, NGO): the report of one NGO, and accepting it. */
export const REPORT = callbackAction('dl_rep', ARG.id, ARG.id);
export const ACCEPT = callbackAction('dl_acc', ARG.id, ARG.id);
export const EXTEND = callbackAction('dl_ext', ARG.id);
export const CLOSE = callbackAction('dl_close', ARG.id);
export const CLOSE_CONFIRM = callbackAction('dl_closeok', ARG.id);
/** For a button on an NGO's card (`/ngo`): record an approved project for that NGO, its number already known. */
export const NEW_PROJECT = callbackAction('dl_new', ARG.id);
