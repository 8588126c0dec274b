/**
 * The search key staff find NGOs by: the same name typed in any of its byte forms gives the same key,
 * and what an admin types is read as a number (tracking or registration) or as words of a name.
 */
import { describe, expect, it } from 'vitest';
import { hitRank, parseSearchQuery, searchKey } from '../../src/features/ngos/search-rules.js';

describe('the search key of a name', () => {
  it('when a name is typed with Arabic ي/ك, hamza-seated or bare letters, then it has one key', () => {
    const key = searchKey('مؤسسه خیریه کودکان آینده');
    for (const typed of ['مؤسسه خيريه كودكان آينده', 'موسسه خیریه کودکان اینده', 'مؤسسهٔ خیریهٔ کودکان آینده', 'مـؤسـسه خیریه كودكان آیندە']) {
      expect(searchKey(typed), typed).toBe(key);
    }
    expect(searchKey('انجمن حمایت از زنان سرپرست خانوار ة')).toBe(searchKey('انجمن حمایت از زنان سرپرست خانوار ه'));
  });

  it('when the parts of a word are joined by a ZWNJ, a space, several spaces or nothing, then the key is the same', () => {
    const forms = ['محیط‌زیست', 'محیط زیست', 'محیط   زیست', 'محیطزیست', 'محیط\u200c \u200cزیست', '\u200fمحیط\u00a0زیست\u200e'];
    expect(new Set(forms.map(searchKey)).size).toBe(1);
  });

  it('when digits are Persian, Arabic-Indic or ASCII, or Latin letters change case, then the key is the same', () => {
    expect(searchKey('خیریه امید ۱۲')).toBe(searchKey('خیریه امید ١٢'));
    expect(searchKey('خیریه امید ۱۲')).toBe(searchKey('خیریه امید 12'));
    expect(searchKey('Green Kerman NGO')).toBe(searchKey('green KERMAN ngo'));
  });

  it('when a name carries harakat, tatweel or punctuation, then they are not part of the key', () => {
    expect(searchKey('انجمنِ «یاوران» سلامت - کرمان.')).toBe(searchKey('انجمن یاوران سلامت کرمان'));
    expect(searchKey('کانونـــ جوانان')).toBe(searchKey('کانون جوانان'));
  });

  it('when a name is only spaces and marks, then its key is empty', () => {
    expect(searchKey(' \u200c\u200f ـ ')).toBe('');
  });
});

describe('what an admin types', () => {
  it('when it is part of a name, then each word is searched for on its own, folded', () => {
    expect(parseSearchQuery('  زيست   كرمان ')).toEqual({ ok: true, value: { kind: 'name', words: [searchKey('زیست'), searchKey('کرمان')] } });
    // Half-space or none: one word; the key has no spaces, so it is found either way.
    expect(parseSearchQuery('محیط‌زیست')).toEqual({ ok: true, value: { kind: 'name', words: ['محیط', 'زیست'] } });
  });

  it('when it is digits in any script, then it is a tracking and registration number', () => {
    expect(parseSearchQuery('۱۲۳۴')).toEqual({ ok: true, value: { kind: 'number', id: 1234, registrationNumber: '1234' } });
    expect(parseSearchQuery('#١٢')).toEqual({ ok: true, value: { kind: 'number', id: 12, registrationNumber: '12' } });
    expect(parseSearchQuery('7')).toEqual({ ok: true, value: { kind: 'number', id: 7, registrationNumber: '7' } });
  });

  it('when digits are grouped with / or -, then it is a registration number only', () => {
    expect(parseSearchQuery('۱۲۳۴/۵۶')).toEqual({ ok: true, value: { kind: 'number', id: null, registrationNumber: '1234/56' } });
    expect(parseSearchQuery('98-1234')).toEqual({ ok: true, value: { kind: 'number', id: null, registrationNumber: '98-1234' } });
  });

  it('when it is too short or too long, then it is refused', () => {
    for (const typed of ['', '   ', 'ک', '\u200c', '«ا»', '🙂']) expect(parseSearchQuery(typed), typed).toEqual({ ok: false, error: 'too_short' });
    expect(parseSearchQuery('انجمن '.repeat(50))).toEqual({ ok: false, error: 'too_long' });
  });

  it('when results are ranked, then the tracking number comes first, then names beginning with the first word', () => {
    const number = { kind: 'number', id: 12, registrationNumber: '12' } as const;
    expect(hitRank({ id: 12, registrationNumber: '99', nameKey: 'x' }, number)).toBeLessThan(hitRank({ id: 3, registrationNumber: '12', nameKey: 'x' }, number));
    const name = { kind: 'name', words: ['امید'] } as const;
    expect(hitRank({ id: 1, registrationNumber: '1', nameKey: 'امیدکرمان' }, name)).toBeLessThan(hitRank({ id: 2, registrationNumber: '2', nameKey: 'خیریهامید' }, name));
  });
});
