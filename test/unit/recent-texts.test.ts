/**
 * Why: the texts a member's feedback list makes (one per item) hardly ever come back; kept like the
 * texts every member asks for, they pushed those out of the cache (issue 12).
 */
import { describe, expect, it } from 'vitest';
import { RecentTexts } from '../../src/platform/i18n/recent-texts.js';

/** What the translator does for a text with values: look for it if the key is worth it, else make it. */
function ask(cache: RecentTexts, key: string, cacheKey: string): 'found' | 'made and kept' | 'made' {
  if (!cache.worthKeeping(key)) return 'made';
  if (cache.get(key, cacheKey) !== undefined) return 'found';
  cache.set(cacheKey, `text of ${cacheKey}`);
  return 'made and kept';
}

describe('recent texts', () => {
  it('when a text is asked for again, then it is found', () => {
    const cache = new RecentTexts(100);
    expect(ask(cache, 'courses.line', 'c1')).toBe('made and kept');
    expect(ask(cache, 'courses.line', 'c1')).toBe('found');
    expect(cache.get('courses.line', 'c1')).toBe('text of c1');
  });

  it('when a key makes a new text each time, then after 500 they are no longer kept, and the texts that come back stay', () => {
    const cache = new RecentTexts(5_000);
    ask(cache, 'courses.line', 'shared');
    const outcomes = Array.from({ length: 10_000 }, (_, i) => ask(cache, 'feedback.mine.item', `item ${i}`));
    expect(outcomes.filter((o) => o === 'made and kept')).toHaveLength(500);
    expect(outcomes.slice(500).every((o) => o === 'made')).toBe(true);
    // Kept like the others, 10,000 item texts would have pushed it out of a cache of 5,000.
    expect(ask(cache, 'courses.line', 'shared')).toBe('found');
  });

  it('when a key finds its texts one time in ten or more, then its texts stay kept', () => {
    const cache = new RecentTexts(5_000);
    const outcomes: string[] = [];
    for (let i = 0; i < 2_000; i++) outcomes.push(ask(cache, 'deadlines.item', `d${i % 9 === 0 ? 0 : i}`));
    expect(outcomes.at(-1)).not.toBe('made');
    expect(outcomes.filter((o) => o === 'made')).toHaveLength(0);
  });

  it('when a key was judged not worth keeping, then it is judged again after 20,000 texts made', () => {
    const cache = new RecentTexts(5_000);
    for (let i = 0; i < 500; i++) ask(cache, 'card', `once ${i}`);
    expect(cache.worthKeeping('card')).toBe(false);
    let made = 1;
    while (!cache.worthKeeping('card')) made++;
    expect(made).toBe(20_000);
    // Judged afresh: now that everyone opens the same card, it is kept and found.
    expect(ask(cache, 'card', 'the same')).toBe('made and kept');
    expect(ask(cache, 'card', 'the same')).toBe('found');
  });
});
