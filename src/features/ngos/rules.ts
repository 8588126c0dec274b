/**
 * The rules of an NGO's registration record. Each validator returns the normalised value or an error
 * code; the code is the last part of an i18n key (`ngo.errors.<field>.<code>`), so the bot explains a
 * mistake in the user's language without this module knowing any text.
 */
import { toJalali } from '../../platform/text/jalali.js';
import { normalizeIranMobile } from '../../platform/text/phone.js';
import { normalizeInput, toAsciiDigits, validateText, type Result } from '../../platform/text/persian-text.js';

/** Licensing authorities (مرجع صدور مجوز); OTHER comes with a free-text name. */
export const AUTHORITIES = ['GOVERNORATE', 'WELFARE', 'SPORTS_YOUTH', 'CULTURE', 'HEALTH', 'ENVIRONMENT', 'OTHER'] as const;
export type Authority = (typeof AUTHORITIES)[number];

export function isAuthority(value: unknown): value is Authority {
  return typeof value === 'string' && (AUTHORITIES as readonly string[]).includes(value);
}

export const NAME_LIMITS = { min: 2, max: 120 } as const;
export const DESCRIPTION_MAX = 500;
export const MANAGER_NAME_LIMITS = { min: 3, max: 80 } as const;

export function validateNgoName(input: string): Result<string, 'empty' | 'too_short' | 'too_long' | 'no_letters'> {
  const result = validateText(input, NAME_LIMITS);
  if (!result.ok) return result;
  // A name needs letters; a string of digits or emoji with one letter is not a name either.
  return /\p{L}.*\p{L}/u.test(result.value) ? result : { ok: false, error: 'no_letters' };
}

/**
 * Registration and license numbers are digits, sometimes grouped with / or - (e.g. ۱۲۳۴/۵۶).
 * Stored with ASCII digits so the same number typed in any script finds the same NGO.
 */
export function validateRegistrationNumber(input: string): Result<string, 'empty' | 'format'> {
  const value = toAsciiDigits(normalizeInput(input)).replace(/\s+/g, '').replace(/[\\\u2215]/g, '/');
  if (!value) return { ok: false, error: 'empty' };
  if (!/^\d[\d/-]{0,28}\d$|^\d$/.test(value) || (value.match(/\d/g)?.length ?? 0) < 2) return { ok: false, error: 'format' };
  return { ok: true, value };
}

export function validateAuthorityOther(input: string): Result<string, 'empty' | 'too_short' | 'too_long' | 'no_letters'> {
  return validateText(input, { min: 2, max: 80 });
}

/** With the registration number, this identifies an NGO: the same authority typed differently is one authority. */
export function authorityKey(authority: Authority, other?: string | null): string {
  return authority === 'OTHER' ? `OTHER:${normalizeInput(other ?? '').toLowerCase()}` : authority;
}

export function validateFoundedYear(input: string, now: Date): Result<number, 'format' | 'range'> {
  const value = toAsciiDigits(normalizeInput(input));
  if (!/^\d{4}$/.test(value)) return { ok: false, error: 'format' };
  const year = Number(value);
  // The oldest Iranian charities date from the 1300s (Solar Hijri); no NGO is founded in the future.
  if (year < 1300 || year > toJalali(now).jy) return { ok: false, error: 'range' };
  return { ok: true, value: year };
}

export function validateMemberCount(input: string): Result<number, 'format' | 'range'> {
  const value = toAsciiDigits(normalizeInput(input)).replace(/[,،٬]/g, '');
  if (!/^\d{1,9}$/.test(value)) return { ok: false, error: 'format' };
  const count = Number(value);
  if (count < 1 || count > 1_000_000) return { ok: false, error: 'range' };
  return { ok: true, value: count };
}

export function validateManagerName(input: string): Result<string, 'empty' | 'too_short' | 'too_long' | 'no_letters'> {
  const result = validateText(input, MANAGER_NAME_LIMITS);
  if (!result.ok) return result;
  return /\p{L}.*\p{L}/u.test(result.value) && !/\p{Nd}/u.test(result.value) ? result : { ok: false, error: 'no_letters' };
}

export function validateMobile(input: string): Result<string, 'format'> {
  const phone = normalizeIranMobile(input);
  return phone ? { ok: true, value: phone } : { ok: false, error: 'format' };
}

export function validateDescription(input: string): Result<string, 'empty' | 'too_short' | 'too_long' | 'no_letters'> {
  return validateText(input, { min: 1, max: DESCRIPTION_MAX, multiline: true });
}

export type NgoStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'SUSPENDED';
export type MemberRole = 'MANAGER' | 'MEMBER';

/** What the manager submits; the same shape carries a profile edit (`Partial`). */
export interface RegistrationDraft {
  name: string;
  registrationNumber: string;
  authority: Authority;
  authorityOther?: string | null;
  fieldIds: number[];
  countyId: number;
  foundedYear?: number | null;
  memberCount?: number | null;
  managerName: string;
  managerPhone: string;
  description?: string | null;
}

export type EditableField = Exclude<keyof RegistrationDraft, 'authorityOther'>;

/** The facts of an NGO as a message shows them (a draft not yet saved has no id, status or dates). */
export interface NgoFacts {
  id?: number;
  name: string;
  registrationNumber: string;
  authority: string;
  authorityOther?: string | null;
  fields: string[];
  county: string;
  foundedYear?: number | null;
  memberCount?: number | null;
  managerName: string;
  managerPhone: string;
  description?: string | null;
  status?: string;
  statusReason?: string | null;
  submittedAt?: Date;
  approvedAt?: Date | null;
}

export interface NgoRecord extends NgoFacts {
  id: number;
  status: NgoStatus;
  countyId: number;
  fieldIds: number[];
  reviewedBy: bigint | null;
  submittedAt: Date;
}

export interface Membership {
  ngo: NgoRecord;
  role: MemberRole;
}

/**
 * Which submission a review button was made for: an NGO edited back to review is a new submission, and
 * a button under the old notice must not approve data the admin never saw.
 */
export function submissionVersion(ngo: { submittedAt: Date }): string {
  return Math.floor(ngo.submittedAt.getTime() / 1000).toString(36);
}

/** The office's decisions: each applies only from one status, so a double tap or two admins decide once. */
export const DECISIONS = {
  approve: { from: 'PENDING', to: 'APPROVED', audit: 'ngo.approved' },
  reject: { from: 'PENDING', to: 'REJECTED', audit: 'ngo.rejected' },
  suspend: { from: 'APPROVED', to: 'SUSPENDED', audit: 'ngo.suspended' },
  reactivate: { from: 'SUSPENDED', to: 'APPROVED', audit: 'ngo.reactivated' },
} as const satisfies Record<string, { from: NgoStatus; to: NgoStatus; audit: string }>;

export type Decision = keyof typeof DECISIONS;

/** Province-wide staff review every NGO; a county admin only those of their county. */
export function mayReview(admin: { role: string; countyId: number | null }, ngoCountyId: number): boolean {
  return admin.role !== 'COUNTY_ADMIN' || admin.countyId === ngoCountyId;
}

/**
 * Changing what identifies an NGO (name, registration number, licensing authority) sends it back to
 * the office, and so does correcting a rejected registration; other edits apply at once.
 */
export function editNeedsReview(ngo: NgoRecord, change: Partial<RegistrationDraft>): boolean {
  const identityChanged =
    (change.name !== undefined && change.name !== ngo.name) ||
    (change.registrationNumber !== undefined && change.registrationNumber !== ngo.registrationNumber) ||
    (change.authority !== undefined &&
      authorityKey(change.authority, change.authorityOther) !== authorityKey(ngo.authority as Authority, ngo.authorityOther));
  return identityChanged || ngo.status === 'REJECTED';
}

/**
 * Commands that do not fit a person's place in an NGO, left out of their /help and command menu:
 * /register is for people without an NGO, /invite and /members for its manager, /leave for members
 * (a manager cannot leave).
 */
export function commandsNotFor(role: MemberRole | null): readonly string[] {
  if (role === null) return ['invite', 'members', 'leave'];
  return role === 'MANAGER' ? ['register', 'leave'] : ['register', 'invite', 'members'];
}
