/**
 * Why: a key missing in one language shows the raw key to a member; a placeholder spelt differently
 * shows "{{name}}"; and Arabic ي/ك look alike but break search and sorting of Persian text.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { markRtl, markValues } from '../../src/platform/i18n/bidi.js';
import { createTranslator, LANGUAGES } from '../../src/platform/i18n/index.js';

const localesDir = fileURLToPath(new URL('../../locales/', import.meta.url));

type Tree = { [key: string]: string | Tree };

function load(lang: string): Record<string, Tree> {
  const files = readdirSync(path.join(localesDir, lang)).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    files.map((f) => [path.basename(f, '.json'), JSON.parse(readFileSync(path.join(localesDir, lang, f), 'utf8')) as Tree]),
  );
}

/** Every leaf as 'file.key.sub' -> text, so the two languages can be compared key by key. */
function flatten(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else if (value && typeof value === 'object' && !Array.isArray(value)) for (const [k, v] of flatten(value, full)) out.set(k, v);
    else throw new Error(`${full}: a locale value must be a string or an object, got ${JSON.stringify(value)}`);
  }
  return out;
}

function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{\{\s*([^}]+?)\s*\}\}/g)].map((m) => m[1]!))].sort();
}

const fa = flatten(load('fa'));
const en = flatten(load('en'));

describe('locale files', () => {
  it('when listed, then fa and en have the same files', () => {
    const files = (lang: string) => readdirSync(path.join(localesDir, lang)).filter((f) => f.endsWith('.json')).sort();
    expect(files('en')).toEqual(files('fa'));
    expect(files('fa').length).toBeGreaterThan(0);
  });

  it('when compared key by key, then every fa key exists in en and every en key in fa', () => {
    const missingInEn = [...fa.keys()].filter((k) => !en.has(k));
    const missingInFa = [...en.keys()].filter((k) => !fa.has(k));
    expect({ missingInEn, missingInFa }).toEqual({ missingInEn: [], missingInFa: [] });
  });

  it('when compared key by key, then both languages use the same {{placeholders}}', () => {
    const mismatches = [...fa.keys()]
      .filter((k) => en.has(k))
      .map((k) => ({ key: k, fa: placeholders(fa.get(k)!), en: placeholders(en.get(k)!) }))
      .filter((m) => m.fa.join() !== m.en.join());
    expect(mismatches).toEqual([]);
  });

  it('when any text is empty, then it is caught here rather than sent as an empty message', () => {
    const empty = [...fa, ...en].filter(([, v]) => v.trim() === '').map(([k]) => k);
    expect(empty).toEqual([]);
  });

  it('when scanned, then no text uses Arabic ي (U+064A) or ك (U+0643) instead of Persian ی and ک', () => {
    const arabic = /[\u064A\u0643]/;
    const offenders = [...[...fa].map(([k, v]) => [`fa:${k}`, v]), ...[...en].map(([k, v]) => [`en:${k}`, v])]
      .filter(([, v]) => arabic.test(v!))
      .map(([k]) => k);
    expect(offenders).toEqual([]);
  });
});

describe('one word for one thing (Persian)', () => {
  // Courses and broadcasts texts are checked by their own owners' tests.
  const checked = [...fa].filter(([k]) => !/^(courses|broadcast)\./.test(k));
  const using = (pattern: RegExp) => checked.filter(([, v]) => pattern.test(v)).map(([k]) => k);

  it('when a text names the skip button, then it is «گذر از این مرحله», never «رد کردن», which is the word for rejecting', () => {
    expect(fa.get('forms.skip')).toBe('⏭ گذر از این مرحله');
    expect(using(/رد کردن/)).toEqual([]);
  });

  it('when a text speaks of an open form or deadline, then it cannot be read as «بازی» (game)', () => {
    expect(using(/بازی/)).toEqual([]);
  });

  it('when a text names the invite link, the tracking number or the top staff role, then one term is used', () => {
    expect(using(/پیوند دعوت|پیوند دعوتی/)).toEqual([]);
    expect(using(/کد ?‌?پیگیری/)).toEqual([]);
    expect(using(/مدیر کل/)).toEqual([]);
    expect(fa.get('admin.roles.SUPER_ADMIN')).toBe('راهبر سامانه');
  });

  it('when a status is an adjective, then it is written joined (تأییدشده, ردشده, تعلیق‌شده)', () => {
    expect([fa.get('ngo.status.APPROVED'), fa.get('ngo.status.REJECTED'), fa.get('ngo.status.SUSPENDED')]).toEqual(['تأییدشده', 'ردشده', 'تعلیق‌شده']);
  });

  it("when registration asks for a phone number, then it asks for the manager's, and the own-number button is only an offer", () => {
    expect(fa.get('ngo.form.ask_phone')).toContain('شماره تلفن همراه مدیر سازمان را بنویسید');
    expect(fa.get('ngo.form.ask_phone')).toContain('اگر مدیر سازمان خود شما هستید');
    expect(fa.get('ngo.form.ask_phone')).not.toContain('شماره تلفن همراه خود');
  });

  it('when the bot does not understand, then it speaks as the office, not in the first person singular', () => {
    expect(using(/نشدم|می‌کنم|نمی‌دانم/)).toEqual([]);
  });
});

describe('createTranslator', () => {
  it('when a deadline is created for none, one or several NGOs, then the sentence fits the number', () => {
    const translator = createTranslator();
    const created = (count: number) => translator.t('fa', 'deadlines.form.created', { count, n: String(count), id: '۷', title: 'گزارش' });
    expect(created(0)).toBe('✅ مهلت شماره ۷ («گزارش») ثبت شد، اما هیچ سازمانی مشمول آن نبود و پیامی فرستاده نشد.');
    expect(created(1)).toBe('✅ مهلت شماره ۷ («گزارش») برای یک سازمان ثبت شد و به آن سازمان اطلاع داده شد.');
    expect(created(3)).toBe('✅ مهلت شماره ۷ («گزارش») برای 3 سازمان ثبت شد و به این سازمان‌ها اطلاع داده شد.');
    expect(translator.t('en', 'deadlines.form.created', { count: 1, n: '1', id: '7', title: 'R' })).toBe('✅ Deadline 7 (“R”) was recorded for one NGO, and it was told.');
  });

  it('when a course is published for or cancelled with none, one or several NGOs, then no sentence says «۰ سازمان»', () => {
    const translator = createTranslator();
    const published = (count: number) =>
      translator.t('fa', 'courses.form.published', { count, later: String(count), id: '۳', title: 'کارگاه' });
    expect(published(0)).toContain('هنوز هیچ سازمانی مشمول این دوره نیست');
    expect(published(1)).toContain('به یک سازمان مشمول اطلاع داده می‌شود');
    expect(published(4)).toContain('به 4 سازمان مشمول');
    const cancelled = (count: number) => translator.t('fa', 'courses.cancel.done', { count, n: String(count), title: 'کارگاه' });
    expect(cancelled(0)).toContain('هیچ سازمانی در آن ثبت‌نام نکرده');
    expect(cancelled(1)).toContain('به یک سازمان اطلاع داده می‌شود');
    expect(cancelled(2)).toContain('به 2 سازمان اطلاع داده می‌شود');
    // A text without plural forms is still found when a count is given.
    expect(translator.t('fa', 'courses.form.published_head_start', { count: 0, id: '۳', title: 'کارگاه', first: '۰', later: '۰', until: 'فردا' })).toContain('منتشر شد');
    for (const lang of ['fa', 'en'] as const) expect(translator.t(lang, 'courses.cancel.done', { count: 0, n: '0', title: 'x' })).not.toMatch(/[0۰] (سازمان|NGOs)/);
  });

  const translator = createTranslator();

  it('when a Persian text has a placeholder, then the value is put in', () => {
    const text = translator.t('fa', 'start.welcome', { name: 'مریم' });
    expect(text.startsWith('مریم گرامی، سلام.')).toBe(true);
    expect(text).not.toContain('{{');
  });

  it('when an English text has a placeholder, then the value is put in', () => {
    expect(translator.t('en', 'admin.added', { name: 'Sara', role: 'province staff' })).toBe('Sara was added as province staff.');
  });

  it('when a value contains HTML, then it is put in unescaped (escaping is the caller\'s job)', () => {
    expect(translator.t('en', 'admin.unknown_county', { county: 'A & <B>' })).toBe('There is no county named "A & <B>" in the list.');
  });

  it('when nested keys are asked for, then they resolve', () => {
    expect(translator.t('fa', 'admin.roles.COUNTY_ADMIN', { county: 'کرمان' })).toBe('کارشناس شهرستان کرمان');
    expect(translator.t('en', 'common.errors.stale_button')).toBe('This button is no longer valid.');
  });

  it('when every key is translated in each language, then none comes back as the bare key', () => {
    for (const lang of LANGUAGES) {
      for (const key of fa.keys()) expect(translator.t(lang, key, { name: 'x', role: 'y', county: 'z', count: 1, id: 2, chatId: 3, reason: 'r' })).not.toBe(key);
    }
  });

  it("when all('menu.help') is asked, then both languages' labels come back, Persian first", () => {
    expect(translator.all('menu.help')).toEqual(['📖 راهنما', '📖 Help']);
  });

  it('when fixed(lang) is used, then it translates in that language', () => {
    expect(translator.fixed('en')('language.changed')).toBe('The bot now speaks English.');
    expect(translator.fixed('fa')('language.changed')).toBe('زبان ربات فارسی شد.');
  });
});

describe('texts made again from the translator’s memory', () => {
  it('when the same text is asked for again, then it is the same as the first time, and other values give other texts', () => {
    const translator = createTranslator();
    const first = translator.t('fa', 'start.welcome', { name: 'Maryam' });
    expect(translator.t('fa', 'start.welcome', { name: 'Maryam' })).toBe(first);
    expect(translator.t('fa', 'start.welcome', { name: 'مریم' })).not.toBe(first);
    expect(translator.t('fa', 'start.welcome', { name: 'مریم' })).toContain('مریم گرامی');
    // The same values in another language, or a value of another type, are another text.
    expect(translator.t('en', 'start.welcome', { name: 'Maryam' })).not.toBe(first);
    expect(translator.t('fa', 'courses.ngo.list_item', { id: 1, title: 'x' })).toBe(translator.t('fa', 'courses.ngo.list_item', { id: 1, title: 'x' }));
  });

  it('when a typed value spells out other values, then it is not taken for them', () => {
    const translator = createTranslator();
    const honest = translator.t('fa', 'courses.ngo.list_item', { id: 'a', title: 'b' });
    // Same characters in a row, split differently between the two values.
    const forged = translator.t('fa', 'courses.ngo.list_item', { id: 'a1:b', title: '' });
    expect(forged).not.toBe(honest);
    expect(forged).toContain('a1:b');
  });

  it('when a value is not plain text (a date), then the text is still made, each time from its values', () => {
    const translator = createTranslator();
    const at = (iso: string) => translator.t('en', 'start.welcome', { name: new Date(iso) as unknown as string });
    expect(at('2026-01-01T00:00:00Z')).not.toBe(at('2027-01-01T00:00:00Z'));
  });
});

describe('texts filled in without i18next', () => {
  // The translator fills {{name}} places itself (issue 12: i18next was a twentieth of the bot's CPU); a
  // reference i18next instance over the same files says what every text must read.
  const reference = i18next.createInstance();
  void reference.init({
    resources: Object.fromEntries(LANGUAGES.map((lang) => [lang, { translation: load(lang) }])),
    lng: 'fa',
    fallbackLng: 'fa',
    initAsync: false,
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  const translator = createTranslator();
  // Values that a reader would see go wrong: Latin next to Persian, digits, a command, an empty value.
  const samples: unknown[] = ['انجمن حامیان', 'Green Hands', 42, '/start', '', '۱۴۰۵/۰۹/۱۰'];

  it.each(LANGUAGES)('when a %s text is made with values of every kind, then it reads as i18next makes it, direction marks included', (lang) => {
    const keys = [...(lang === 'fa' ? fa : en).keys()];
    let compared = 0;
    for (const key of keys) {
      const names = placeholders((lang === 'fa' ? fa : en).get(key)!);
      for (const [i, sample] of samples.entries()) {
        const values = Object.fromEntries(names.map((name, j) => [name, samples[(i + j) % samples.length] ?? sample]));
        const raw = (options: Record<string, unknown>) => reference.getFixedT(lang)(key, options) as string;
        const expected = lang === 'fa' ? markRtl(raw(markValues(values) ?? {})) : raw(values);
        expect(translator.t(lang, key, values), `${lang} ${key}`).toBe(expected);
        compared++;
      }
      // Without values a text keeps its places for i18next to report, as before.
      const plain = lang === 'fa' ? markRtl(reference.getFixedT(lang)(key, {}) as string) : (reference.getFixedT(lang)(key, {}) as string);
      expect(translator.t(lang, key), `${lang} ${key} without values`).toBe(plain);
    }
    expect(compared).toBeGreaterThan(keys.length * 5);
  });

  it('when a text has plural forms, then the count still chooses the form (i18next decides)', () => {
    const key = [...fa.keys()].find((k) => k.endsWith('_one'))!.replace(/_one$/, '');
    const names = placeholders(fa.get(`${key}_other`)!).filter((n) => n !== 'count');
    const values = Object.fromEntries(names.map((n) => [n, 'x']));
    expect(translator.t('en', key, { ...values, count: 1 })).toBe(reference.getFixedT('en')(key, { ...values, count: 1 }));
    expect(translator.t('en', key, { ...values, count: 5 })).toBe(reference.getFixedT('en')(key, { ...values, count: 5 }));
    expect(translator.t('en', key, { ...values, count: 1 })).not.toBe(translator.t('en', key, { ...values, count: 5 }));
  });
});
