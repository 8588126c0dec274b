/**
 * Why: a long letter pasted into the bot must reach the office whole (split, never cut off), an
 * emoji is not a message, and "unanswered for three working days" must skip Fridays and official
 * holidays on the Tehran calendar, or reminders come a day early after every weekend and holiday.
 * These rules run without a database.
 */
import { describe, expect, it } from 'vitest';
import {
  FEEDBACK_LIMITS,
  digestWindowStart,
  excerpt,
  isFeedbackType,
  isOverdue,
  isUrgentType,
  needsReminderToday,
  overdueCutoff,
  prepareFeedbackText,
  prepareReplyText,
  splitText,
  workingDaysBetween,
} from '../../src/features/feedback/rules.js';
import { jalaliToDate, toJalali } from '../../src/platform/text/jalali.js';
import { NO_HOLIDAYS } from '../../src/platform/text/working-days.js';

/** Tehran wall-clock time on a Jalali date of Azar 1405 (1405/09/01 is Sunday 22 November 2026). */
const at = (jm: number, jd: number, hour = 10, minute = 0) => jalaliToDate({ jy: 1405, jm, jd }, { hour, minute });
const WED = at(9, 4);
const THU = at(9, 5);
const FRI = at(9, 6);
const SAT = at(9, 7);

describe('types', () => {
  it('when checked, then the four types of the issue are known and anything else is not', () => {
    expect(['SUGGESTION', 'CRITICISM', 'COMPLAINT', 'QUESTION'].every(isFeedbackType)).toBe(true);
    expect(isFeedbackType('PRAISE')).toBe(false);
    expect(isFeedbackType(undefined)).toBe(false);
  });

  it('when a complaint arrives, then it is urgent and the others are not', () => {
    expect(isUrgentType('COMPLAINT')).toBe(true);
    expect(isUrgentType('SUGGESTION')).toBe(false);
    expect(isUrgentType('QUESTION')).toBe(false);
  });
});

describe('prepareFeedbackText', () => {
  it('when the text is blank or only invisible marks, then it is empty', () => {
    expect(prepareFeedbackText('   \n ')).toMatchObject({ ok: false, error: 'empty' });
    expect(prepareFeedbackText('\u200f\u200b')).toMatchObject({ ok: false, error: 'empty' });
  });

  it('when the text is only emoji or punctuation, then it says nothing the office could answer', () => {
    expect(prepareFeedbackText('👍🙏🌹')).toMatchObject({ ok: false, error: 'no_letters' });
    expect(prepareFeedbackText('!!! ؟؟')).toMatchObject({ ok: false, error: 'no_letters' });
  });

  it('when the text is normal, then it is kept as typed (Arabic ي/ك, Persian digits) in one part, outer spaces trimmed', () => {
    const result = prepareFeedbackText('  پيشنهاد براي كلاس ۱۲ در سال ۱۴۰۶  ');
    const typed = 'پيشنهاد براي كلاس ۱۲ در سال ۱۴۰۶';
    expect(result).toEqual({ ok: true, value: { text: typed, parts: [typed], length: typed.length } });
  });

  it('when the office answers, then the answer is kept as typed too', () => {
    expect(prepareReplyText(' پاسخ: جلسه ۱۴۰۶/۰۲/۱۰ برگزار می‌شود ')).toMatchObject({ ok: true, value: 'پاسخ: جلسه ۱۴۰۶/۰۲/۱۰ برگزار می‌شود' });
  });

  it('when the text is exactly 4,000 characters, then it is one part', () => {
    const text = 'ا'.repeat(FEEDBACK_LIMITS.partMax);
    const result = prepareFeedbackText(text);
    expect(result.ok && result.value.parts).toEqual([text]);
  });

  it('when a 20,000-character paste arrives, then it is split into parts of at most 4,000 and no word is lost', () => {
    const words = Array.from({ length: 2500 }, (_, i) => `واژه${i}`);
    const text = words.join(' ').slice(0, 20_000);
    const result = prepareFeedbackText(text);
    if (!result.ok) throw new Error(`refused: ${result.error}`);
    expect(result.value.length).toBe(20_000);
    expect(result.value.parts.length).toBeGreaterThanOrEqual(5);
    for (const part of result.value.parts) expect(part.length).toBeLessThanOrEqual(FEEDBACK_LIMITS.partMax);
    expect(result.value.parts.join(' ')).toBe(result.value.text);
    // Cut between words, not inside one.
    for (const part of result.value.parts.slice(0, -1)) expect(part.endsWith(' ')).toBe(false);
    expect(result.value.parts.join(' ').split(' ')).toEqual(result.value.text.split(' '));
  });

  it('when a paste is longer than the total limit, then it is refused with its length and the limit', () => {
    const result = prepareFeedbackText('ب'.repeat(20_001));
    expect(result).toEqual({ ok: false, error: 'too_long', length: 20_001, max: 20_000 });
  });

  it('when text is added to an item that already holds some, then the room left is the limit', () => {
    expect(prepareFeedbackText('ب'.repeat(600), { alreadyUsed: 19_500 })).toEqual({ ok: false, error: 'too_long', length: 600, max: 500 });
    expect(prepareFeedbackText('ب'.repeat(500), { alreadyUsed: 19_500 }).ok).toBe(true);
  });
});

describe('splitText', () => {
  it('when there are paragraphs, then the cut is at a blank line', () => {
    const first = 'الف '.repeat(30).trim();
    const second = 'ب '.repeat(30).trim();
    expect(splitText(`${first}\n\n${second}`, 150)).toEqual([first, second]);
  });

  it('when there is no blank line, then the cut is after a sentence before a mere space', () => {
    const text = `${'کلمه '.repeat(10)}پایان جمله. ${'دیگر '.repeat(10)}`.trim();
    const parts = splitText(text, 70);
    expect(parts[0]!.endsWith('پایان جمله.')).toBe(true);
  });

  it('when a word is longer than a part, then it is cut, but never inside an emoji', () => {
    const parts = splitText(`${'a'.repeat(9)}😀b`, 10);
    expect(parts).toEqual(['a'.repeat(9), '😀b']);
    expect(splitText('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
  });
});

describe('prepareReplyText and excerpt', () => {
  it('when an admin answers, then the answer is one message of at most 3,500 characters', () => {
    expect(prepareReplyText('پاسخ دفتر')).toMatchObject({ ok: true, value: 'پاسخ دفتر' });
    expect(prepareReplyText('🙂')).toMatchObject({ ok: false, error: 'no_letters' });
    expect(prepareReplyText('a'.repeat(3501))).toMatchObject({ ok: false, error: 'too_long', length: 3501 });
  });

  it('when a text is long, then the excerpt ends with an ellipsis at a word', () => {
    expect(excerpt('یک دو سه چهار پنج', 100)).toBe('یک دو سه چهار پنج');
    expect(excerpt('یک دو سه چهار پنج', 10)).toBe('یک دو سه…');
  });
});

describe('working days (Friday is the day off)', () => {
  it('when the fixtures are read, then they fall on the weekdays the tests assume', () => {
    expect([WED, THU, FRI, SAT].map((d) => toJalali(d).weekday)).toEqual([4, 5, 6, 0]);
  });

  it('when something arrives on Wednesday, then Thursday is day 1, Friday still 1, Saturday 2 and Sunday 3', () => {
    expect(workingDaysBetween(WED, at(9, 4, 23, 59), NO_HOLIDAYS)).toBe(0);
    expect(workingDaysBetween(WED, THU, NO_HOLIDAYS)).toBe(1);
    expect(workingDaysBetween(WED, FRI, NO_HOLIDAYS)).toBe(1);
    expect(workingDaysBetween(WED, SAT, NO_HOLIDAYS)).toBe(2);
    expect(workingDaysBetween(WED, at(9, 8), NO_HOLIDAYS)).toBe(3);
    expect(isOverdue(WED, at(9, 7, 9), 3)).toBe(false);
    expect(isOverdue(WED, at(9, 8, 9), 3)).toBe(true);
  });

  it('when the span is weeks long, then each week counts six working days', () => {
    expect(workingDaysBetween(SAT, at(9, 14), NO_HOLIDAYS)).toBe(6);
    expect(workingDaysBetween(SAT, at(9, 21), NO_HOLIDAYS)).toBe(12);
    expect(workingDaysBetween(WED, at(9, 25), NO_HOLIDAYS)).toBe(18);
    expect(workingDaysBetween(at(9, 10), SAT, NO_HOLIDAYS)).toBe(0);
  });

  it('when the day changes at Tehran midnight (not UTC), then the count changes then', () => {
    // 23:59 and 00:01 Tehran are on different days although both are 20:xx UTC.
    expect(workingDaysBetween(at(9, 1, 23, 59), at(9, 2, 0, 1), NO_HOLIDAYS)).toBe(1);
    expect(workingDaysBetween(at(9, 1, 0, 1), at(9, 1, 23, 59), NO_HOLIDAYS)).toBe(0);
  });

  it('when the cutoff is asked, then "waitingSince < cutoff" agrees with isOverdue for every hour of three weeks', () => {
    for (const nowDay of [6, 7, 8, 9, 11, 12, 13]) {
      const now = at(9, nowDay, 9);
      for (const days of [1, 3, 5]) {
        const cutoff = overdueCutoff(now, days, NO_HOLIDAYS);
        for (let h = 0; h < 24 * 21; h += 1) {
          const since = new Date(at(8, 20, 0).getTime() + h * 3_600_000);
          if (since > now) break;
          expect(since < cutoff, `since ${since.toISOString()} now day ${nowDay} days ${days}`).toBe(isOverdue(since, now, days));
        }
      }
    }
  });

  it('when an item was reminded earlier today, then not again today; yesterday, then yes', () => {
    const now = at(9, 8, 15);
    expect(needsReminderToday(null, now)).toBe(true);
    expect(needsReminderToday(at(9, 8, 9), now)).toBe(false);
    expect(needsReminderToday(at(9, 7, 23, 59), now)).toBe(true);
  });
});

describe('digestWindowStart', () => {
  it('when the digest goes out on Saturday, then it reaches back over Friday to Thursday', () => {
    expect(digestWindowStart(at(9, 7, 8, 30), NO_HOLIDAYS)).toEqual(at(9, 5, 8, 30));
  });

  it('when it goes out on another working day, then it covers the day before', () => {
    expect(digestWindowStart(at(9, 8, 8, 30), NO_HOLIDAYS)).toEqual(at(9, 7, 8, 30));
  });
});

describe('working days with official holidays (the set the service loads from the holidays table)', () => {
  // Suppose Sunday 1405/09/08 and Monday 09/09 were holidays: something from Wednesday 09/04 has two
  // working days (Thursday, Saturday) until Monday, and its third is Tuesday 09/10.
  const HOLIDAYS = new Set(['1405/09/08', '1405/09/09']);

  it('when holidays come between, then they are not working days and the item is overdue later', () => {
    expect(workingDaysBetween(WED, at(9, 9, 9), HOLIDAYS)).toBe(2);
    expect(isOverdue(WED, at(9, 9, 9), 3, HOLIDAYS)).toBe(false);
    expect(isOverdue(WED, at(9, 10, 9), 3, HOLIDAYS)).toBe(true);
    expect(overdueCutoff(at(9, 9, 9), 3, HOLIDAYS)).toEqual(at(9, 4, 0));
    expect(overdueCutoff(at(9, 9, 9), 3, NO_HOLIDAYS)).toEqual(at(9, 7, 0));
  });

  it('when the digest goes out after holidays, then it reaches back over them to the last working day', () => {
    expect(digestWindowStart(at(9, 10, 8, 30), HOLIDAYS)).toEqual(at(9, 7, 8, 30));
  });
});

