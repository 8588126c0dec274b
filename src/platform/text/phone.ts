/**
 * Why this exists: people type the same Iranian mobile number as 0912…, +98912…, 0098912…,
 * with Persian digits, spaces or dashes. Storing one canonical E.164 form ('+989xxxxxxxxx') is
 * what lets us find a member by phone and refuse a duplicate registration.
 */
import { normalizeInput, toPersianDigits } from './persian-text.js';

// Characters people put between digit groups; removed before matching.
const SEPARATORS = /[\s\-\u2010-\u2015().]/g;
// Optional country prefix, an optional trunk 0 (people write '+98 0912…'), then 9 + nine digits.
const IRAN_MOBILE = /^(?:\+98|0098|98)?0?(9\d{9})$/;

/** Canonical '+989xxxxxxxxx', or null when the input is not an Iranian mobile number. */
export function normalizeIranMobile(input: string): string | null {
  const compact = normalizeInput(input).replace(SEPARATORS, '');
  const match = IRAN_MOBILE.exec(compact);
  return match ? `+98${match[1]}` : null;
}

/**
 * '+989121234567' → '۰۹۱۲ ۱۲۳ ۴۵۶۷', the way Iranians read a mobile number. The gaps are
 * NO-BREAK SPACEs (U+00A0), not plain spaces: in a right-to-left message, plain spaces between
 * digit groups make clients show the groups in reverse order ('۴۵۶۷ ۱۲۳ ۰۹۱۲'); a no-break
 * space is a common separator under the Unicode bidi algorithm, so the number stays one
 * left-to-right run, and it never wraps. Input that is not a mobile number is returned as is.
 */
export function formatIranMobileForDisplay(input: string): string {
  const canonical = normalizeIranMobile(input);
  if (canonical === null) return input;
  const local = `0${canonical.slice(3)}`;
  return toPersianDigits(`${local.slice(0, 4)}\u00A0${local.slice(4, 7)}\u00A0${local.slice(7)}`);
}

/**
 * '+989121234567' → '+98912***4567', for audit entries and anywhere the whole number must not
 * appear. Returns '***' for input that is not a mobile number, so nothing raw ever leaks.
 */
export function maskMobile(input: string): string {
  const canonical = normalizeIranMobile(input);
  if (canonical === null) return '***';
  return `${canonical.slice(0, 6)}***${canonical.slice(-4)}`;
}
