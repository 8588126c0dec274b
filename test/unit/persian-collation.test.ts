/**
 * Why: county lists are read in alphabetical order, and no database collation knows the Persian
 * alphabet (by code point ک and گ sort after ی, and پ چ ژ among the Arabic letters). The order is kept in
 * a sort-order column; this comparator is the rule it is checked against.
 */
import { describe, expect, it } from 'vitest';
import { comparePersian } from '../../src/platform/text/persian-collation.js';

/** Kerman's 25 counties since 1402, in the order of DOMAIN.md. */
const KERMAN_COUNTIES = [
  'ارزوئیه', 'انار', 'بافت', 'بردسیر', 'بم', 'جازموریان', 'جیرفت', 'رابر', 'راور', 'رفسنجان', 'رودبار جنوب', 'ریگان', 'زرند',
  'سیرجان', 'شهربابک', 'عنبرآباد', 'فاریاب', 'فهرج', 'قلعه‌گنج', 'کرمان', 'کوهبنان', 'کهنوج', 'گنبکی', 'منوجان', 'نرماشیر',
];

describe('Persian alphabetical order', () => {
  it('when the counties are sorted, then they come in dictionary order, unlike a code-point sort', () => {
    const shuffled = [...KERMAN_COUNTIES].reverse();
    expect(shuffled.sort(comparePersian)).toEqual(KERMAN_COUNTIES);
    expect([...KERMAN_COUNTIES].sort()).not.toEqual(KERMAN_COUNTIES);
  });

  it('when two names differ in a later letter, then that letter decides: ارزوئیه before انار, رابر before راور', () => {
    expect(comparePersian('ارزوئیه', 'انار')).toBeLessThan(0);
    expect(comparePersian('رابر', 'راور')).toBeLessThan(0);
    expect(comparePersian('کهنوج', 'گنبکی')).toBeLessThan(0);
    expect(comparePersian('پارس', 'تهران')).toBeLessThan(0);
    expect(comparePersian('آباده', 'اراک')).toBeLessThan(0);
  });

  it('when a name is typed with Arabic ي/ك or a space for the ZWNJ, then it sorts where the Persian spelling does', () => {
    for (const [persian, typed] of [['کرمان', 'كرمان'], ['قلعه‌گنج', 'قلعه گنج'], ['ریگان', 'ريگان']] as const) {
      const list = [...KERMAN_COUNTIES.filter((n) => n !== persian), typed].sort(comparePersian);
      expect(list.indexOf(typed), typed).toBe(KERMAN_COUNTIES.indexOf(persian));
    }
  });

  it("when ICU's Persian collation is at hand, then it agrees on the counties", () => {
    const icu = new Intl.Collator('fa');
    if (icu.resolvedOptions().locale !== 'fa') return; // a Node built without full ICU
    expect([...KERMAN_COUNTIES].sort(icu.compare)).toEqual([...KERMAN_COUNTIES].sort(comparePersian));
  });
});
