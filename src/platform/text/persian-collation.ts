/**
 * Persian alphabetical order without a collation. Databases sort text by their collation, and neither
 * PostgreSQL's C collation nor ICU without a Persian tailoring knows the Persian alphabet: by code point
 * ک and گ come after ی and پ چ ژ land among the Arabic letters. Lists people read in order (counties)
 * therefore carry a sort-order column, and this comparator is how that order is checked and computed.
 */

/** The 32 letters, آ first as in Persian dictionaries. */
const ALPHABET = 'آابپتثجچحخدذرزژسشصضطظعغفقکگلمنوهی';

/** Letters typed in their Arabic or hamza-seated forms sort with the letter they are read as. */
const SAME_AS: Readonly<Record<string, string>> = {
  أ: 'ا',
  إ: 'ا',
  ٱ: 'ا',
  ؤ: 'و',
  ئ: 'ی',
  ي: 'ی',
  ى: 'ی',
  ك: 'ک',
  ة: 'ه',
  ۀ: 'ه',
};

const RANK = new Map<string, number>([...ALPHABET].map((letter, i) => [letter, i]));
const SEPARATOR = /[\s\u200C\-‐_]/u;
const DIGIT = /[0-9۰-۹٠-٩]/u;
/** Marks that do not change a word's place: harakat, tanwin, shadda, superscript alef, tatweel. */
const IGNORED = /[\u064B-\u065F\u0670\u0640]/u;

/** Weights, smallest first: a word break, then digits, then letters, then anything else by code point. */
function weight(ch: string): number {
  if (SEPARATOR.test(ch)) return 0;
  if (DIGIT.test(ch)) return 1 + (ch.charCodeAt(0) - (ch >= '٠' && ch <= '٩' ? 0x660 : ch >= '۰' ? 0x6f0 : 0x30));
  const letter = RANK.get(SAME_AS[ch] ?? ch);
  if (letter !== undefined) return 100 + letter;
  return 1000 + (ch.codePointAt(0) ?? 0);
}

function weights(text: string): number[] {
  const out: number[] = [];
  for (const ch of text.trim()) {
    if (IGNORED.test(ch)) continue;
    const w = weight(ch);
    // A space and a ZWNJ are one break, and several breaks count as one.
    if (w === 0 && out.at(-1) === 0) continue;
    out.push(w);
  }
  return out;
}

/**
 * Compares two Persian strings in dictionary order: ارزوئیه before انار, رابر before راور, کهنوج before
 * گنبکی. A space and a ZWNJ compare alike; strings equal by these rules fall back to code points, so
 * the order is total and stable.
 */
export function comparePersian(a: string, b: string): number {
  const wa = weights(a);
  const wb = weights(b);
  for (let i = 0; i < Math.min(wa.length, wb.length); i++) if (wa[i] !== wb[i]) return wa[i]! - wb[i]!;
  if (wa.length !== wb.length) return wa.length - wb.length;
  return a < b ? -1 : a > b ? 1 : 0;
}
