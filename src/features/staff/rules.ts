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
