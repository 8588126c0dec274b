/**
 * i18next set up once from locales/<lang>/<feature>.json; each file's keys live under its feature
 * name (`start.welcome`), so a feature's texts sit together and stay out of the code.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next, { type TFunction } from 'i18next';
import { markRtl, markValues } from './bidi.js';
import { RecentTexts } from './recent-texts.js';

export const LANGUAGES = ['fa', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'fa';

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/** A stored language (null until the person chooses), or the default: Persian. */
export function languageOr(value: unknown): Language {
  return isLanguage(value) ? value : DEFAULT_LANGUAGE;
}

const localesDir = fileURLToPath(new URL('../../../locales/', import.meta.url));

function loadResources() {
  const resources: Record<string, { translation: Record<string, unknown> }> = {};
  for (const lang of LANGUAGES) {
    const translation: Record<string, unknown> = {};
    for (const file of readdirSync(path.join(localesDir, lang)).filter((f) => f.endsWith('.json')).sort()) {
      translation[path.basename(file, '.json')] = JSON.parse(readFileSync(path.join(localesDir, lang, file), 'utf8'));
    }
    resources[lang] = { translation };
  }
  return resources;
}

export interface Translator {
  t(lang: Language, key: string, options?: Record<string, unknown>): string;
  fixed(lang: Language): TFunction;
  /** Every language's text for a key, e.g. to recognise a menu button pressed in either language. */
  all(key: string): string[];
}

export function createTranslator(): Translator {
  const instance = i18next.createInstance();
  const resources = loadResources();
  void instance.init({
    resources,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    initAsync: false,
    // Texts go to Telegram as HTML; values are escaped where they are put in (see escapeHtml), not here,
    // so that plain-text messages do not show entities.
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const rawByLang = new Map(LANGUAGES.map((lang) => [lang, instance.getFixedT(lang)]));
  const templatesByLang = new Map(LANGUAGES.map((lang) => [lang, compileTemplates(resources[lang]!.translation)]));
  // A text that only puts values in its places is filled in here; plurals, contexts and whatever else
  // i18next decides go to i18next. The result is the same (a unit test compares every key).
  const interpolate = (lang: Language, key: string | string[], options: Record<string, unknown> | undefined): string => {
    const template = typeof key === 'string' ? templatesByLang.get(lang)!.get(key) : undefined;
    const filled = template && fillTemplate(template, options);
    return filled ?? (rawByLang.get(lang)!(key, options ?? {}) as string);
  };
  // Persian results get their direction marks here, in one place, so every text made through t() reads
  // right in a right-to-left client (see bidi.ts); English is left as it is.
  const render = (lang: Language, key: string | string[], options?: Record<string, unknown>): string =>
    lang === 'fa' ? markRtl(interpolate(lang, key, markValues(options))) : interpolate(lang, key, options);
  // A text is a pure function of its language, key and values (the resources never change while the
  // process runs), and the same ones come back all the time: menu labels, button captions, the label
  // checks of every message (labelTrigger asks for each label in every language), the lines of a course
  // or deadline list that every member of a province opens after an announcement. i18next and the
  // direction marks cost 15% of the bot's CPU before this. Texts without values are kept for good (a few
  // hundred keys); with values, the most recent ones of the keys whose texts come back (recent-texts.ts;
  // values that are not plain strings, numbers or booleans are never cached).
  const plain = new Map<string, string>();
  const recent = new RecentTexts(RECENT_TEXTS);
  const translate = (lang: Language, key: string | string[], options?: Record<string, unknown>): string => {
    if (typeof key !== 'string') return render(lang, key, options);
    if (options === undefined) {
      const cacheKey = `${lang}:${key}`;
      let text = plain.get(cacheKey);
      if (text === undefined) plain.set(cacheKey, (text = render(lang, key)));
      return text;
    }
    if (!recent.worthKeeping(key)) return render(lang, key, options);
    const cacheKey = valuesKey(lang, key, options);
    if (cacheKey === undefined) return render(lang, key, options);
    let text = recent.get(key, cacheKey);
    if (text === undefined) {
      text = render(lang, key, options);
      recent.set(cacheKey, text);
    }
    return text;
  };
  const fixedByLang = new Map(
    LANGUAGES.map((lang) => [lang, ((key: string | string[], options?: Record<string, unknown>) => translate(lang, key, options)) as unknown as TFunction]),
  );
  return {
    t: (lang, key, options) => translate(lang, key, options),
    fixed: (lang) => fixedByLang.get(lang)!,
    all: (key) => LANGUAGES.map((lang) => translate(lang, key)),
  };
}

/** A text cut at its places: literal, name, literal, name, ..., literal. */
type Template = readonly string[];

const PLACE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

/**
 * Every text whose only markup is {{name}} places, by its full key. Texts with anything else i18next
 * reads (nesting, formats, a plural or context form of their key) are left out and go to i18next.
 */
function compileTemplates(translation: Record<string, unknown>): Map<string, Template> {
  const templates = new Map<string, Template>();
  const walk = (node: Record<string, unknown>, prefix: string) => {
    for (const [name, value] of Object.entries(node)) {
      const key = prefix + name;
      if (value !== null && typeof value === 'object') walk(value as Record<string, unknown>, `${key}.`);
      else if (typeof value === 'string' && !value.includes('$t(') && !/_(zero|one|two|few|many|other)$/.test(key)) {
        const parts = value.split(PLACE);
        // A brace left in the literal text ({{{name}}}, {{name, format}}) is i18next's to read.
        if (!parts.some((part, i) => i % 2 === 0 && /[{}]/.test(part))) templates.set(key, parts);
      }
    }
  };
  walk(translation, '');
  return templates;
}

/** Options that make i18next choose another text or change how it fills one in. */
const I18NEXT_OPTIONS = new Set(['count', 'context', 'ordinal', 'defaultValue', 'lng', 'lngs', 'ns', 'replace', 'interpolation', 'returnObjects', 'returnDetails', 'joinArrays', 'postProcess', 'skipInterpolation', 'keySeparator', 'nsSeparator', 'fallbackLng']);

/** The template filled in, or undefined when i18next must decide (a missing or non-plain value, an option of its own). */
function fillTemplate(template: Template, options: Record<string, unknown> | undefined): string | undefined {
  if (template.length === 1) {
    if (options) for (const name in options) if (I18NEXT_OPTIONS.has(name)) return undefined;
    return template[0];
  }
  if (!options) return undefined;
  for (const name in options) if (I18NEXT_OPTIONS.has(name)) return undefined;
  let text = template[0]!;
  for (let i = 1; i < template.length; i += 2) {
    const value = options[template[i]!];
    const type = typeof value;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') return undefined;
    text += String(value) + template[i + 1]!;
  }
  return text;
}

/** How many texts with values are kept, and how long their values may be: at most a few MiB. */
const RECENT_TEXTS = 5_000;
const MAX_KEY_LENGTH = 400;

/** The cache key of a text with values, or undefined when a value is not a plain string, number or boolean. */
function valuesKey(lang: Language, key: string, options: Record<string, unknown>): string | undefined {
  // Length-prefixed, so that no typed value can spell another set of values.
  let cacheKey = `${lang}:${key.length}:${key}`;
  for (const name in options) {
    const value = options[name];
    const type = typeof value;
    if (type !== 'string' && type !== 'number' && type !== 'boolean') {
      if (value === undefined) continue;
      return undefined;
    }
    const text = String(value);
    cacheKey += `${name.length}:${name}${type[0]}${text.length}:${text}`;
    // Long typed values (descriptions, reports, comments) are seldom shown twice and would make the cache big.
    if (cacheKey.length > MAX_KEY_LENGTH) return undefined;
  }
  return cacheKey;
}

export function escapeHtml(value: unknown): string {
  return String(value).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
