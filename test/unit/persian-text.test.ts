/**
 * Why: every name, title and answer a user types is validated on its normalised form and stored as
 * typed, and every number, id or name that is parsed or compared is normalised first; a mistake here
 * shows up as changed text, duplicate records, failed look-ups or rejected inserts. These tests feed
 * it the hostile input real Persian keyboards and copy-paste produce.
 */
import { describe, expect, it } from 'vitest';
import {
  foldForCompare,
  formatNumber,
  keepAsTyped,
  normalizeInput,
  stripUnstorable,
  toAsciiDigits,
  toPersianDigits,
  validateText,
} from '../../src/platform/text/persian-text.js';

const ZWNJ = '\u200C';

describe('normalizeInput', () => {
  it('when digits come in Persian, Arabic-Indic and ASCII mixed, then all become ASCII', () => {
    expect(normalizeInput('۱۲٣4۰٠')).toBe('123400');
    expect(normalizeInput('کد ۹۸٧۶')).toBe('کد 9876');
  });

  it('when Arabic yeh, alef maksura and kaf are typed, then they become Persian ی and ک', () => {
    expect(normalizeInput('علي')).toBe('علی');
    expect(normalizeInput('مصطفى')).toBe('مصطفی');
    expect(normalizeInput('كرمان')).toBe('کرمان');
    // The two spellings of the same NGO name must compare equal after normalisation.
    expect(normalizeInput('انجمن حمايت از كودكان')).toBe(normalizeInput('انجمن حمایت از کودکان'));
  });

  it('when the text has Arabic teh marbuta, then it is left alone', () => {
    expect(normalizeInput('مؤسسة')).toBe('مؤسسة');
  });

  it('when a word is spelled with ZWNJ, then the ZWNJ is kept', () => {
    expect(normalizeInput('می‌خواهم')).toBe(`می${ZWNJ}خواهم`);
    expect(normalizeInput('سه‌شنبه‌ها')).toBe(`سه${ZWNJ}شنبه${ZWNJ}ها`);
  });

  it('when ZWNJs repeat inside a word, then they collapse to one', () => {
    expect(normalizeInput(`می${ZWNJ}${ZWNJ}${ZWNJ}خواهم`)).toBe(`می${ZWNJ}خواهم`);
  });

  it('when ZWNJ sits at a word edge or alone between spaces, then it is dropped', () => {
    expect(normalizeInput(`${ZWNJ}سلام${ZWNJ} ${ZWNJ}دنیا${ZWNJ}`)).toBe('سلام دنیا');
    expect(normalizeInput(`سلام ${ZWNJ}${ZWNJ} دنیا`)).toBe('سلام دنیا');
    expect(normalizeInput(ZWNJ)).toBe('');
  });

  it('when invisible direction marks and format characters are pasted in, then they are stripped', () => {
    const input =
      '\u200Fسلام\u200E \u202Bدنیا\u202C\u2067!\u2069\uFEFF\u200B\u061C\u202A\u202D\u202E\u2066\u2068\u00AD\u2060';
    expect(normalizeInput(input)).toBe('سلام دنیا!');
  });

  it('when a direction mark sits between ZWNJs, then the word keeps exactly one ZWNJ', () => {
    expect(normalizeInput(`می${ZWNJ}\u200F${ZWNJ}خواهم`)).toBe(`می${ZWNJ}خواهم`);
  });

  it('when an emoji sequence is joined by ZWJ, then it survives intact', () => {
    const family = '👨\u200D👩\u200D👧';
    expect(normalizeInput(` ${family} `)).toBe(family);
  });

  it('when control characters such as NUL are present, then they are removed (PostgreSQL rejects NUL)', () => {
    expect(normalizeInput('a\u0000b\u0007c\u007Fd\u0085e')).toBe('abcde');
  });

  it('when whitespace includes tabs, NBSP and newlines, then it collapses to single spaces and is trimmed', () => {
    expect(normalizeInput('  سلام\t\u00A0 دنیا \n\r\n خوبی؟  ')).toBe('سلام دنیا خوبی؟');
  });

  it('when multiline is requested, then single line breaks stay and 3+ collapse to a blank line', () => {
    const input = '  خط ۱  \r\n\r\n\r\n\n   خط ۲ \t\nخط\u00A0\u00A0۳\n\n';
    expect(normalizeInput(input, { multiline: true })).toBe('خط 1\n\nخط 2\nخط 3');
  });

  it('when multiline text has whitespace-only lines, then they count as blank lines', () => {
    expect(normalizeInput('a\n \t \n\u00A0\n\nb', { multiline: true })).toBe('a\n\nb');
  });

  it('when the input is empty, whitespace-only or invisible-only, then the result is empty', () => {
    expect(normalizeInput('')).toBe('');
    expect(normalizeInput('   \t\n\u00A0 ')).toBe('');
    expect(normalizeInput('\u200E\u200C\u200F\uFEFF')).toBe('');
    expect(normalizeInput(' \n\n\n ', { multiline: true })).toBe('');
  });

  it('when alef is followed by a combining madda, then it is composed to آ (NFC)', () => {
    expect(normalizeInput('ا\u0653ب')).toBe('آب');
  });

  it('when given a 10 KB string of hostile input, then every repetition is normalised the same way', () => {
    const unit = `\u200Fسلام  ۱۲۳\tعلي می${ZWNJ}${ZWNJ}خواهم\u00A0`;
    const repeats = Math.ceil(10_240 / unit.length);
    const input = unit.repeat(repeats);
    expect(input.length).toBeGreaterThanOrEqual(10_240);

    const output = normalizeInput(input);

    const expectedUnit = `سلام 123 علی می${ZWNJ}خواهم`;
    expect(output).toBe(Array.from({ length: repeats }, () => expectedUnit).join(' '));
  });
});

describe('toAsciiDigits', () => {
  it('when given mixed digit scripts, then only the digits change', () => {
    expect(toAsciiDigits('علي ۱۴۰۵/٠٨/30')).toBe('علي 1405/08/30');
  });
});

describe('toPersianDigits', () => {
  it('when given a number, then it is written in Persian digits', () => {
    expect(toPersianDigits(1405)).toBe('۱۴۰۵');
    expect(toPersianDigits(0)).toBe('۰');
  });

  it('when given a string with ASCII and Arabic-Indic digits, then both become Persian digits', () => {
    expect(toPersianDigits('09:30 و ٣')).toBe('۰۹:۳۰ و ۳');
  });
});

describe('formatNumber', () => {
  it('when the number is large, then it gets Persian digits and the Persian thousands separator', () => {
    expect(formatNumber(230_000_000)).toBe('۲۳۰٬۰۰۰٬۰۰۰');
    expect(formatNumber(1_000)).toBe('۱٬۰۰۰');
    expect(formatNumber(999)).toBe('۹۹۹');
  });

  it('when the number has a fraction, then the Persian decimal separator is used', () => {
    expect(formatNumber(1234.5)).toBe('۱٬۲۳۴٫۵');
    expect(formatNumber(0.1 + 0.2)).toBe('۰٫۳');
  });

  it('when the number is negative, then an LRM keeps the minus sign on the left in RTL text', () => {
    expect(formatNumber(-1234.5)).toBe('\u200E\u2212۱٬۲۳۴٫۵');
  });

  it('when the number is zero or negative zero, then no minus sign is shown', () => {
    expect(formatNumber(0)).toBe('۰');
    expect(formatNumber(-0)).toBe('۰');
    expect(formatNumber(-0.0001)).toBe('۰');
  });
});

describe('validateText', () => {
  it('when the text is valid, then it is returned as typed (outer spaces trimmed) for storing', () => {
    expect(validateText('  انجمن  حمايت\u200F ', { min: 2, max: 50 })).toEqual({
      ok: true,
      value: 'انجمن  حمايت\u200F',
    });
  });

  it('when free text has Persian digits, Arabic letters or ZWNJ, then they are kept exactly as typed', () => {
    const report = '۱۲ کارگاه برای ۳۴۰ نوجوان در سال ۱۴۰۶؛ همكاري با می‌خواهیم';
    expect(validateText(report, { multiline: true })).toEqual({ ok: true, value: report });
  });

  it('when typed text holds a NUL or other control character, then only that is removed', () => {
    expect(validateText('علی\u0000 رضا\u0007', { min: 2 })).toEqual({ ok: true, value: 'علی رضا' });
    expect(stripUnstorable('a\u0000b\tc\nd')).toBe('ab\tc\nd');
  });

  it('when a single-line answer has line breaks, then they become spaces; inner spacing stays', () => {
    expect(keepAsTyped(' سطر  یک\r\nسطر دو ')).toBe('سطر  یک سطر دو');
    expect(keepAsTyped('یک\r\n\r\nدو', { multiline: true })).toBe('یک\n\nدو');
  });

  it('when two names differ only in ZWNJ, spaces, Arabic letters, digits or case, then they compare equal', () => {
    expect(foldForCompare('قلعه گنج')).toBe(foldForCompare('قلعه‌گنج'));
    expect(foldForCompare('قلعه\u200C گنج ')).toBe(foldForCompare('قلعه‌گنج'));
    expect(foldForCompare('كرمان')).toBe(foldForCompare('کرمان'));
    expect(foldForCompare('Area ۱')).toBe(foldForCompare('area 1'));
    expect(foldForCompare('کرمان')).not.toBe(foldForCompare('کهنوج'));
  });

  it('when the text is empty or only whitespace and marks, then the error is empty', () => {
    expect(validateText('', { min: 2 })).toEqual({ ok: false, error: 'empty' });
    expect(validateText(' \t\u00A0\u200E ', { min: 2 })).toEqual({ ok: false, error: 'empty' });
  });

  it('when the text has only emoji or punctuation, then the error is no_letters', () => {
    expect(validateText('😀🎉👍', { min: 1 })).toEqual({ ok: false, error: 'no_letters' });
    expect(validateText('...!!! ؟؟', { min: 1 })).toEqual({ ok: false, error: 'no_letters' });
  });

  it('when the text is digits only (in any script), then it counts as having letters', () => {
    expect(validateText('۱۲۳')).toEqual({ ok: true, value: '۱۲۳' });
  });

  it('when the text is shorter than min after normalisation, then the error is too_short', () => {
    expect(validateText('  ab  ', { min: 3 })).toEqual({ ok: false, error: 'too_short' });
  });

  it('when the text is longer than max, then the error is too_long', () => {
    expect(validateText('a'.repeat(11), { max: 10 })).toEqual({ ok: false, error: 'too_long' });
    expect(validateText('a'.repeat(10), { max: 10 }).ok).toBe(true);
  });

  it('when the text has astral emoji, then length is counted in code points, not UTF-16 units', () => {
    // 'a😀😀' is 5 UTF-16 units but 3 code points.
    expect(validateText('a😀😀', { max: 3 })).toEqual({ ok: true, value: 'a😀😀' });
    expect(validateText('a😀😀😀', { max: 3 })).toEqual({ ok: false, error: 'too_long' });
  });

  it('when multiline is requested, then line breaks are kept in the stored value as typed', () => {
    expect(validateText('خط اول\n\n\n\nخط دوم', { multiline: true })).toEqual({
      ok: true,
      value: 'خط اول\n\n\n\nخط دوم',
    });
  });
});
