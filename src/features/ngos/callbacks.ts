/**
 * The buttons of the NGO feature, as typed callback data. The strings are those of earlier releases:
 * buttons under messages already sent keep working.
 */
import { ARG, callbackAction } from '../../platform/bot/callback-data.js';

/** A submission's version (see submissionVersion): base 36 of its second. */
const VERSION = /^[0-9a-z]{1,12}$/;
const USER_ID = /^[1-9]\d{0,15}$/;

export const reviewButtons = {
  /** Approve and reject name the submission they were made for: `ngo_ok:<id>-<version>`. */
  approve: callbackAction('ngo_ok', ARG.id, VERSION),
  reject: callbackAction('ngo_no', ARG.id, VERSION),
  suspend: callbackAction('ngo_susp', ARG.id),
  reactivate: callbackAction('ngo_react', ARG.id),
  view: callbackAction('ngo_view', ARG.id),
  pendingPage: callbackAction('pend_pg', ARG.page),
} as const;

/** Buttons from before submissions had versions: `ngo_ok:<id>`. */
const unversioned = {
  approve: callbackAction('ngo_ok', ARG.id),
  reject: callbackAction('ngo_no', ARG.id),
} as const;

/** The NGO and, when the button names one, the submission an approve or reject press is about. */
export function reviewTarget(ctx: { callbackQuery?: unknown }, decision: 'approve' | 'reject'): { id: number; version?: string } | null {
  const versioned = reviewButtons[decision].parse(ctx);
  if (versioned) return { id: Number(versioned[0]), version: versioned[1] };
  const bare = unversioned[decision].parse(ctx);
  return bare ? { id: Number(bare[0]) } : null;
}

export const PROFILE_CHOICES = ['edit', 'invite', 'members', 'leave', 'register'] as const;
export type ProfileChoice = (typeof PROFILE_CHOICES)[number];

export const profileButtons = {
  open: callbackAction('prof', new RegExp(`^(${PROFILE_CHOICES.join('|')})$`)),
  revokeInvite: callbackAction('inv', /^revoke$/),
  /** Asks before removing (buttons of earlier releases, which removed at once, now ask too). */
  removeMember: callbackAction('mem_rm', USER_ID),
  /** The answer "yes", with the list page to show again: `mem_rmy:<user>-<page>`. */
  removeConfirm: callbackAction('mem_rmy', USER_ID, ARG.page),
  membersPage: callbackAction('mem_pg', ARG.page),
  leave: callbackAction('mem_leave', /^(yes|no)$/),
} as const;

/**
 * The office's view of an NGO (/find). Buttons that change the record name the version they were drawn
 * for (`ngo_edit:<id>-<version>`, see recordVersion): under an NGO changed since, they change nothing.
 */
export const manageButtons = {
  /** A search result: the NGO's profile, as a new message. */
  open: callbackAction('ngo_card', ARG.id),
  /** Back to the profile from its member list or edit menu, in the same message. */
  redraw: callbackAction('ngo_cardr', ARG.id),
  /** The menu of items to correct. */
  edit: callbackAction('ngo_edit', ARG.id, VERSION),
  /** One item to correct: `ngo_edf:<id>-<version>-<item>`, the item by its place in EDITABLE_STEPS. */
  editItem: callbackAction('ngo_edf', ARG.id, VERSION, /^\d$/),
  /** A page of the member list: `ngo_mem:<id>-<page>`. */
  members: callbackAction('ngo_mem', ARG.id, ARG.page),
} as const;
