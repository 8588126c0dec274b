/** Reading what a super admin types after /add_admin. Pure: no telegraf, prisma or redis. */
import { normalizeInput } from '../../platform/text/index.js';

export type AddableRole = 'PROVINCE_ADMIN' | 'COUNTY_ADMIN';

/** English keywords of earlier releases and the Persian words an office writes ("استان", "شهرستان کرمان"). */
const ROLE_WORDS: Record<string, AddableRole> = {
  province: 'PROVINCE_ADMIN',
  'استان': 'PROVINCE_ADMIN',
  'استانی': 'PROVINCE_ADMIN',
  county: 'COUNTY_ADMIN',
  'شهرستان': 'COUNTY_ADMIN',
  'شهرستانی': 'COUNTY_ADMIN',
};

/** A Telegram user id typed in Persian, Arabic-Indic or ASCII digits. */
export function parseUserId(raw: string | undefined): bigint | null {
  const digits = normalizeInput(raw ?? '');
  return /^\d{1,15}$/.test(digits) ? BigInt(digits) : null;
}

/**
 * `<id> <role> [county name]`: the county name may have several words ("رودبار جنوب"); null when
 * something is missing, so the caller shows how to write it.
 */
export function parseAddAdmin(payload: string): { targetId: bigint; role: AddableRole; countyName: string } | null {
  const [rawId, rawRole, ...countyWords] = normalizeInput(payload).split(/\s+/).filter(Boolean);
  const targetId = parseUserId(rawId);
  const role = rawRole === undefined ? undefined : ROLE_WORDS[rawRole.toLowerCase()];
  if (!targetId || !role || (role === 'COUNTY_ADMIN' && countyWords.length === 0)) return null;
  return { targetId, role, countyName: role === 'COUNTY_ADMIN' ? countyWords.join(' ') : '' };
}

/** Where a staff member works: the province, or one county. SUPER_ADMIN is never a placement: it comes from ADMIN_IDS. */
export type Placement = { role: 'PROVINCE_ADMIN'; countyId: null } | { role: 'COUNTY_ADMIN'; countyId: number };

/** How long an invite link works: three days, long enough for a weekend, short enough that a lost link goes stale. */
export const INVITE_TTL_HOURS = 72;
/** The random part of an invite link: 24 bytes in base64url. */
export const INVITE_TOKEN_LENGTH = 32;

export type InviteProblem = 'invalid' | 'used' | 'revoked' | 'expired';

/** Why an invite cannot be used now, or null when it can. */
export function inviteProblem(invite: { usedAt: Date | null; revokedAt: Date | null; expiresAt: Date } | null, now: Date): InviteProblem | null {
  if (!invite) return 'invalid';
  if (invite.usedAt) return 'used';
  if (invite.revokedAt) return 'revoked';
  return invite.expiresAt.getTime() <= now.getTime() ? 'expired' : null;
}

/**
 * True when taking `targetId` out of the super admins (a removal or a new role) would leave none: the
 * bot would then have nobody to manage its staff until someone edits ADMIN_IDS and restarts it.
 */
export function leavesNoSuperAdmin(superAdmins: readonly bigint[], targetId: bigint): boolean {
  return superAdmins.includes(targetId) && superAdmins.length <= 1;
}

/** True for a placement a super admin may give (the type says so; this also holds for a value built at run time). */
export function isStaffPlacement(p: { role: string; countyId: number | null }): p is Placement {
  return (p.role === 'PROVINCE_ADMIN' && p.countyId === null) || (p.role === 'COUNTY_ADMIN' && Number.isSafeInteger(p.countyId));
}
