/**
 * What a reader sees: the visual order of real Persian texts of the bot, computed with the Unicode
 * Bidirectional Algorithm (bidi-js) per line, the paragraph direction taken from the first strong
 * character as Telegram clients do. HTML tags are dropped first, as the client shows no tags.
 */
import bidiModule, { type Bidi } from 'bidi-js';
import { describe, expect, it } from 'vitest';
import { createTranslator } from '../../src/platform/i18n/index.js';

// bidi-js is CommonJS: under Node's ESM its factory may come as the module itself or as its default.
const bidiFactory = ((bidiModule as unknown as { default?: () => Bidi }).default ?? bidiModule) as unknown as () => Bidi;
const bidi = bidiFactory();
const translator = createTranslator();
const fa = (key: string, options?: Record<string, unknown>) => translator.t('fa', key, options);

interface Shown {
  rtl: boolean;
  /** The characters from left to right as displayed, mirrored glyphs applied, invisible marks left out. */
  text: string;
}

function shown(line: string): Shown {
  const plain = line.replace(/<[^>]*>/g, '');
  const levels = bidi.getEmbeddingLevels(plain);
  const chars = bidi
    .getReorderedIndices(plain, levels)
    .map((i: number) => ((levels.levels[i]! & 1) === 1 ? (bidi.getMirroredCharacter(plain[i]!) ?? plain[i]!) : plain[i]!));
  return { rtl: levels.paragraphs[0]?.level === 1, text: chars.join('').replace(/[\u200E\u200F\u2066-\u2069\uFE0F]/g, '') };
}

const shownLines = (text: string) => text.split('\n').map(shown);
/** Persian letters appear in the visual string in reverse of their logical order. */
const seen = (word: string) => [...word].reverse().join('');

describe('right-to-left texts as a reader sees them', () => {
  it('when /help is mid-sentence in the welcome, then the reader sees "/help", not "help/"', () => {
    const lines = shownLines(fa('start.welcome', { name: 'مریم' }));
    const last = lines[lines.length - 1]!;
    expect(last.rtl).toBe(true);
    expect(last.text).toContain('/help');
    expect(last.text).not.toContain('help/');
  });

  it('when a help line starts with /start, then the line stays right-to-left and shows "/start"', () => {
    const line = shown(fa('help.line', { command: 'start', description: fa('commands.start') }));
    expect(line.rtl).toBe(true);
    expect(line.text).toContain('/start');
    // The command is read first, so it sits at the right end of the line.
    expect(line.text.endsWith('/start')).toBe(true);
  });

  it('when a text mentions https://, then the reader sees "https://", not "//:https"', () => {
    const hint = shown(fa('courses.form.ask_link'));
    expect(hint.rtl).toBe(true);
    expect(hint.text).toContain('https://');
    const online = shown(fa('courses.card.online', { link: 'https://meet.example.ir/room/12' }));
    expect(online.rtl).toBe(true);
    expect(online.text).toContain('https://meet.example.ir/room/12');
  });

  it('when a date or time hint stands beside its example, then both read in the same order', () => {
    for (const key of ['deadlines.form.errors.date_format', 'courses.form.errors.date_format', 'broadcast.schedule.errors.date_format']) {
      const line = shown(fa(key)).text;
      // The year is at the left in the example "۱۴۰۵/۰۹/.." (digits run left to right), so the word for year must be too.
      expect(line.indexOf(seen('سال')), key).toBeLessThan(line.indexOf(seen('روز')));
      expect(line.indexOf('۱۴۰۵'), key).toBeLessThan(line.lastIndexOf('/'));
    }
    for (const key of ['deadlines.form.errors.time_format', 'broadcast.schedule.errors.time_format', 'courses.form.errors.time_format', 'recurring.errors.time_format']) {
      const line = shown(fa(key)).text;
      // Hours are at the left in the example "۱۴:۰۰", so the word for hour must be left of the word for minute.
      expect(line.indexOf(seen('ساعت را'))).toBeGreaterThan(-1);
      const hint = line.slice(0, line.indexOf(seen('ساعت را')));
      expect(hint.lastIndexOf(seen('ساعت')), key).toBeLessThan(hint.lastIndexOf(seen('دقیقه')));
    }
  });

  it('when the welcome starts with a Latin first name, then the line stays right-to-left with the name at its right', () => {
    const first = shown(fa('start.welcome', { name: 'Ali' }).split('\n')[0]!);
    expect(first.rtl).toBe(true);
    expect(first.text.endsWith('Ali')).toBe(true);
    expect(first.text.startsWith('.')).toBe(true);
  });

  it('when a typed Latin value ends in punctuation mid-sentence, then the punctuation stays at its end', () => {
    const line = shown(fa('admin.unknown_county', { county: 'Co. Ltd.' }));
    expect(line.rtl).toBe(true);
    // Without an isolate the final period takes the sentence's direction and shows as «.Co. Ltd».
    expect(line.text).toContain('«Co. Ltd.»');
  });

  it('when a usage line starts with a command in <code>, then the line stays right-to-left and the code is copied without marks', () => {
    const text = fa('admin.add_usage');
    const line = text.split('\n')[1]!;
    expect(line).toContain('<code>/add_admin شناسه استان</code>');
    expect(shown(line).rtl).toBe(true);
    expect(shown(line).text).toContain('/add_admin');
    const item = fa('admin.list_item', { name: 'Ali', role: 'x', id: '123' });
    expect(item).toContain('<code>123</code>');
    expect(shown(item).rtl).toBe(true);
    // An escaped tag in typed text is not a command: no mark inside "&lt;/b&gt;".
    expect(fa('holidays.added', { date: '۱۴۰۵/۰۹/۰۸', name: 'x &lt;/b&gt;' })).toContain('&lt;/b&gt;');
  });

  it('when back, continue and pager buttons are shown in Persian, then back points right and next points left', () => {
    const pointsRight = /[➡▶»]$/u;
    const pointsLeft = /^[⬅◀«]/u;
    for (const key of ['forms.back', 'deadlines.form.back_to_audience', 'courses.form.back_button', 'courses.demand.back_button', 'profile.prev_page', 'ngo.review.prev_page', 'feedback.prev_page']) {
      const label = shown(fa(key));
      expect(label.rtl, key).toBe(true);
      expect(label.text, key).toMatch(pointsRight);
    }
    for (const key of ['feedback.form.continue', 'deadlines.form.continue_button', 'profile.next_page', 'ngo.review.next_page', 'feedback.next_page']) {
      const label = shown(fa(key));
      expect(label.rtl, key).toBe(true);
      expect(label.text, key).toMatch(pointsLeft);
    }
    // English stays as it was: back points left, next points right, and no marks are added.
    expect(shown(translator.t('en', 'forms.back')).text).toMatch(/^⬅/u);
    expect(shown(translator.t('en', 'profile.next_page')).text).toMatch(/»$/u);
    expect(translator.t('en', 'start.welcome', { name: 'Ali' })).not.toMatch(/[\u200E\u200F\u2066-\u2069\uE000\uE001]/u);
  });
});
