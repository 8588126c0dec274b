/**
 * Direction marks for Persian output, so mixed Persian/Latin text reads right under the Unicode bidi
 * algorithm that Telegram clients apply: without them "/help" mid-sentence shows as "help/", a URL as
 * "//:https", and a line that starts with a command or a Latin name flips to left-to-right.
 * Applied once, in the translator, to every Persian text made through t().
 */
export const LRM = '\u200E';
export const RLM = '\u200F';
export const LRI = '\u2066';
export const FSI = '\u2068';
export const PDI = '\u2069';

// Private-use marks put around interpolated values before i18next runs, so that after interpolation we
// still know where each value sits; they never leave this module.
const VALUE_OPEN = '\uE000';
const VALUE_CLOSE = '\uE001';

const RTL_LETTER = /[\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF]/u;
const LTR_LETTER = /(?![\u0590-\u08FF\uFB1D-\uFDFF\uFE70-\uFEFF])\p{L}/u;
// HTML entities (&lt; of escaped typed text) are not letters a reader sees.
const hasLtrLetter = (value: string) => LTR_LETTER.test(value.includes('&') ? value.replace(/&(?:[a-z]+|#\d+);/g, '') : value);

// i18next options that steer the lookup rather than being put into the text.
const CONTROL_OPTIONS = new Set(['lng', 'lngs', 'ns', 'context', 'count', 'ordinal', 'defaultValue', 'replace', 'interpolation', 'returnObjects', 'keySeparator', 'nsSeparator']);

/**
 * Marks each one-line, tag-free string value that holds a left-to-right letter (a Latin name, typed text)
 * so that markRtl can isolate it; a Persian-only value or a number cannot flip a right-to-left line or
 * reorder its neighbours, so it is left without marks.
 */
export function markValues(options: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  if (!options) return options;
  const marked: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    // A bare lower-case identifier is a command name put after a "/": an isolate there would split the
    // command that clients recognise and let people tap.
    const isCommandName = typeof value === 'string' && /^[a-z][a-z0-9_]*$/.test(value);
    const isPlainValue =
      typeof value === 'string' && value !== '' && !CONTROL_OPTIONS.has(name) && !/[\n<]/.test(value) && !isCommandName && hasLtrLetter(value);
    marked[name] = isPlainValue ? `${VALUE_OPEN}${value}${VALUE_CLOSE}` : value;
  }
  return marked;
}

const VALUE_MARKS = /[\uE000\uE001]/g;

/** The direction of the first strong character of a line as a reader's client sees it (tags are not shown). */
function firstStrong(line: string): 'L' | 'R' | null {
  const shown = line.replace(/<[^>]*>/g, '').replace(/&[a-z]+;/g, '');
  for (const ch of shown) {
    if (ch === RLM || RTL_LETTER.test(ch)) return 'R';
    if (ch === LRM || /\p{L}/u.test(ch)) return 'L';
  }
  return null;
}

/** Values inside an HTML attribute or <code> are copied or followed as they are: no marks there. */
function unmarkWhereCopied(text: string): string {
  return text
    .replace(/(\w+=")([^"]*)(")/g, (_m, open: string, value: string, close: string) => open + value.replace(VALUE_MARKS, '') + close)
    .replace(/<code>([\s\S]*?)<\/code>/g, (_m, inner: string) => `<code>${inner.replace(VALUE_MARKS, '')}</code>`);
}

/**
 * A value with Latin letters is isolated wherever it stands: at the start of a line it cannot set the
 * line's direction, and inside a sentence its neutral edges (a closing parenthesis, a trailing number)
 * cannot attach to the Persian around it.
 */
function isolateValues(text: string): string {
  return text.replace(/\uE000([^\uE000\uE001]*)\uE001/g, (_m, value: string) => `${FSI}${value}${PDI}`).replace(VALUE_MARKS, '');
}

/** URLs read left to right inside an isolate; not inside an attribute value (an href). */
function isolateUrls(text: string): string {
  return text.replace(/https?:\/\/[^\s<>"'«»\u2066-\u2069]*/g, (url: string, offset: number) => {
    const before = text.slice(Math.max(0, offset - 2), offset);
    if (before === '="' || before === "='" || before.endsWith(LRI)) return url;
    const trail = /[.,،؛:;!?)\]]+$/.exec(url)?.[0] ?? '';
    return `${LRI}${url.slice(0, url.length - trail.length)}${PDI}${trail}`;
  });
}

/** An LRM before each /command keeps its slash on its left; before <code> when the command is in one. */
function markCommands(text: string): string {
  return text.replace(/(<code>)?(?<![\p{L}\p{N}/:;._\-<\u200E])\/(?=[A-Za-z])/gu, (match: string, code: string | undefined, offset: number) =>
    code && text[offset - 1] === LRM ? match : `${LRM}${match}`,
  );
}

/** A line with Persian in it whose first strong character is left-to-right starts with an RLM. */
function anchorLine(line: string): string {
  return RTL_LETTER.test(line) && firstStrong(line) === 'L' ? RLM + line : line;
}

function anchorLines(text: string): string {
  return text.includes('\n') ? text.split('\n').map(anchorLine).join('\n') : anchorLine(text);
}

/**
 * Persian text (after interpolation of values marked by markValues) with the direction marks it needs.
 * Each step runs only where its text has what it looks for: every Persian text passes here, most of them
 * without a value, link, command or tag (and each pass would read the whole text again).
 */
export function markRtl(text: string): string {
  let marked = text.includes('="') || text.includes('<code>') ? unmarkWhereCopied(text) : text;
  if (marked.includes(VALUE_OPEN) || marked.includes(VALUE_CLOSE)) marked = isolateValues(marked);
  if (marked.includes('http')) marked = isolateUrls(marked);
  if (marked.includes('/')) marked = markCommands(marked);
  return anchorLines(marked);
}
