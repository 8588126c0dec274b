/**
 * Why: a member who registers as '۰۹۱۲…' and later types '+98912…' must be recognised as the
 * same person, and a number shown in a Persian message must read in the right order.
 */
import { describe, expect, it } from 'vitest';
import { formatIranMobileForDisplay, maskMobile, normalizeIranMobile } from '../../src/platform/text/phone.js';

const CANONICAL = '+989121234567';

describe('normalizeIranMobile', () => {
  it.each([
    '09121234567',
    '9121234567',
    '+989121234567',
    '989121234567',
    '00989121234567',
    '۰۹۱۲۱۲۳۴۵۶۷',
    '٠٩١٢١٢٣٤٥٦٧',
    '۰۰۹۸۹۱۲۱۲۳۴۵۶۷',
    '0912١٢٣۴۵۶7',
    '0912 123 4567',
    '0912-123-4567',
    '(0912) 123-4567',
    '+98 912 123 4567',
    '+98 (0) 912 123 4567',
    '\u200E+98\u00A0912\u00A0123\u00A04567\u200E',
    '  09121234567\n',
  ])('when given %j, then it returns the canonical +989121234567', (input) => {
    expect(normalizeIranMobile(input)).toBe(CANONICAL);
  });

  it.each([
    '',
    'abc',
    '0912123456', // one digit short
    '091212345678', // one digit too many
    '02112345678', // Tehran landline
    '+12025550123', // foreign number
    '+989121234567x',
    '++989121234567',
    '8121234567',
    '0989121234567',
    '09121234567 09121234568', // two numbers pasted together
  ])('when given %j, then it returns null', (input) => {
    expect(normalizeIranMobile(input)).toBeNull();
  });
});

describe('formatIranMobileForDisplay', () => {
  it('when given a canonical number, then it shows the local form in Persian digits grouped 4-3-4', () => {
    const shown = formatIranMobileForDisplay(CANONICAL);
    expect(shown.replace(/\u00A0/g, ' ')).toBe('۰۹۱۲ ۱۲۳ ۴۵۶۷');
  });

  it('when shown inside RTL text, then groups are separated by NBSP, not plain spaces that bidi would reorder', () => {
    expect(formatIranMobileForDisplay(CANONICAL)).toBe('۰۹۱۲\u00A0۱۲۳\u00A0۴۵۶۷');
  });

  it('when given any accepted input form, then it shows the same text', () => {
    expect(formatIranMobileForDisplay('۰۰۹۸ ۹۱۲ ۱۲۳ ۴۵۶۷')).toBe(formatIranMobileForDisplay(CANONICAL));
  });

  it('when the input is not a mobile number, then it is returned unchanged', () => {
    expect(formatIranMobileForDisplay('021-1234')).toBe('021-1234');
  });
});

describe('maskMobile', () => {
  it('when given a number in any form, then only the operator prefix and last four digits remain', () => {
    expect(maskMobile(CANONICAL)).toBe('+98912***4567');
    expect(maskMobile('۰۹۱۲۱۲۳۴۵۶۷')).toBe('+98912***4567');
  });

  it('when the input is not a mobile number, then nothing of it leaks', () => {
    expect(maskMobile('0912-secret-1')).toBe('***');
  });
});
