/**
 * How staff find an NGO: by part of its name, however it was typed, or by a number (the tracking number
 * the bot shows, or the registration number). Names reach us in many byte forms: Arabic ي/ك for Persian
 * ی/ک, hamza-seated letters typed bare (مؤسسه / موسسه), Persian, Arabic-Indic or ASCII digits, a ZWNJ,
 * a space or nothing between the parts of a word (محیط‌زیست / محیط زیست / محیطزیست), harakat and tatweel.
 * Both the stored name and the query are folded to one search key, so all of these find the same NGO.
 *
 * The database keeps the key of every name in a generated column (`ngos.name_key`, migration
 * 20261130142000_ngo_name_key), computed by the same table of letters as searchKey below; a service test
 * checks the two agree on every character the tables name.
 */
import { normalizeInput, type Result } from '../../platform/text/persian-text.js';
import { validateRegistrationNumber, type NgoStatus } from './rules.js';

/** Letters read as another letter: Arabic and hamza-seated forms, digits in every script, Latin capitals. */
export const SEARCH_FOLDS: Readonly<Record<string, string>> = {
  '\u064A': '\u06CC', // ي Arabic yeh
  '\u0649': '\u06CC', // ى alef maksura
  '\u0626': '\u06CC', // ئ yeh with hamza
  '\u0643': '\u06A9', // ك Arabic kaf
  '\u0622': '\u0627', // آ alef with madda
  '\u0623': '\u0627', // أ alef with hamza above
  '\u0625': '\u0627', // إ alef with hamza below
  '\u0671': '\u0627', // ٱ alef wasla
  '\u0624': '\u0648', // ؤ waw with hamza
  '\u0629': '\u0647', // ة teh marbuta
  '\u06C0': '\u0647', // ۀ heh with yeh above
  '\u06D5': '\u0647', // ە ae
  ...Object.fromEntries([...'٠١٢٣٤٥٦٧٨٩'].map((d, i) => [d, String(i)])),
  ...Object.fromEntries([...'۰۱۲۳۴۵۶۷۸۹'].map((d, i) => [d, String(i)])),
  ...Object.fromEntries([...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((c) => [c, c.toLowerCase()])),
};

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String.fromCharCode(from + i));

/**
 * Characters that carry no part of a name's identity for a search: every space (JavaScript's \s), ZWNJ
 * and ZWJ, invisible marks and controls, tatweel, harakat and other combining marks, and punctuation.
 * Dropping spaces is what makes "محیط زیست" find "محیط‌زیست" and "محیطزیست".
 */
export const SEARCH_DROPS: readonly string[] = [
  ...range(0x01, 0x20), // controls, tab, line breaks, space
  ...range(0x7f, 0xa0), // DEL, C1 controls, no-break space
  '\u00AD', '\u1680', '\u180E', ...range(0x2000, 0x200F), '\u2028', '\u2029', ...range(0x202A, 0x202F),
  '\u205F', ...range(0x2060, 0x2064), ...range(0x2066, 0x2069), '\u3000', '\uFEFF', '\u061C',
  '\u0640', ...range(0x064B, 0x065F), '\u0670', ...range(0x0300, 0x036F),
  ...'!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~',
  ...'،؛؟«»٪٫٬٭…–—‐‑‒―“”„‘’‚‹›•·',
];

const DROP = new Set(SEARCH_DROPS);

/** The key a name is searched by (and the same for each word of a query). Only for comparing, never shown. */
export function searchKey(text: string): string {
  let key = '';
  for (const ch of text) {
    if (ch === '\u0000' || DROP.has(ch)) continue;
    key += SEARCH_FOLDS[ch] ?? ch;
  }
  return key;
}

/** What a query asks for: NGOs by number (tracking or registration), or by the words of a name. */
export type SearchQuery = { kind: 'number'; id: number | null; registrationNumber: string } | { kind: 'name'; words: readonly string[] };

/** Fewer characters than this find half the province: the admin is asked for more. */
export const QUERY_MIN_LETTERS = 2;
/** Longer than any name (120) with room for spacing: anything longer is not a search. */
export const QUERY_MAX_LENGTH = 200;

const TRACKING_NUMBER = /^#?([1-9]\d{0,8})$/;

/**
 * Reads what an admin typed. Digits alone (any script, grouped with / or - as registration numbers
 * are) are a number; anything else is part of a name, each word of which must appear in the name, in
 * any order ("زیست کرمان" finds "انجمن محیط زیست کرمان").
 */
export function parseSearchQuery(input: string): Result<SearchQuery, 'too_short' | 'too_long'> {
  const text = normalizeInput(input);
  if ([...text].length > QUERY_MAX_LENGTH) return { ok: false, error: 'too_long' };
  const tracking = TRACKING_NUMBER.exec(text);
  const registration = validateRegistrationNumber(text.replace(/^#/, ''));
  if (registration.ok) {
    return { ok: true, value: { kind: 'number', id: tracking ? Number(tracking[1]) : null, registrationNumber: registration.value } };
  }
  // A single digit is a tracking number too short to be a registration number.
  if (tracking) return { ok: true, value: { kind: 'number', id: Number(tracking[1]), registrationNumber: tracking[1]! } };
  const words = [...new Set(text.split(/[\s\u200C]+/u).map(searchKey).filter((w) => w !== ''))];
  if ([...words.join('')].length < QUERY_MIN_LETTERS) return { ok: false, error: 'too_short' };
  return { ok: true, value: { kind: 'name', words } };
}

/** One NGO in a list of search results. */
export interface NgoHit {
  id: number;
  name: string;
  county: string;
  status: NgoStatus;
  registrationNumber: string;
}

/**
 * The order results are listed in: an exact number first, then names that begin with the first word
 * typed, then the rest; within each, Persian alphabetical order (the caller's comparator).
 */
export function hitRank(hit: Pick<NgoHit, 'id' | 'registrationNumber'> & { nameKey: string }, query: SearchQuery): number {
  if (query.kind === 'number') return hit.id === query.id ? 0 : 1;
  return hit.nameKey.startsWith(query.words[0]!) ? 1 : 2;
}
