/**
 * Why: callback_data comes back from the client and can be forged; a handler must act only on data it
 * could have produced itself, and the builder must refuse data Telegram would reject (>64 bytes).
 */
import { describe, expect, it } from 'vitest';
import { actionTrigger, callbackData, parseCallbackData } from '../../src/platform/bot/callback-data.js';

describe('callbackData and parseCallbackData', () => {
  it.each<[string, string | number | bigint, string]>([
    ['lang', 'fa', 'fa'],
    ['lang', 'en', 'en'],
    ['approve_ngo', 123, '123'],
    ['page', -2, '-2'],
    ['user', 9_007_199_254_740_993n, '9007199254740993'],
    ['x', 'A-Z_a-z-0_9', 'A-Z_a-z-0_9'],
  ])('when %s:%s is built and parsed back, then the argument comes back as %j', (action, arg, expected) => {
    const data = callbackData(action, arg);
    expect(data).toBe(`${action}:${expected}`);
    expect(parseCallbackData(data, action)).toBe(expected);
  });

  it('when the longest allowed action and argument are used, then the data still fits in 64 bytes', () => {
    const data = callbackData('a'.repeat(24), 'b'.repeat(38));
    expect(Buffer.byteLength(data, 'utf8')).toBeLessThanOrEqual(64);
    expect(parseCallbackData(data, 'a'.repeat(24))).toBe('b'.repeat(38));
  });

  it.each<[string, string | number | bigint]>([
    ['lang', ''],
    ['lang', 'fa:en'],
    ['lang', 'فا'],
    ['lang', 'fa en'],
    ['lang', 'x'.repeat(39)],
    ['Lang', 'fa'],
    ['1lang', 'fa'],
    ['la:ng', 'fa'],
    ['', 'fa'],
    ['a'.repeat(25), 'b'],
    ['lang', 1.5],
  ])('when building %j with %j, then it throws instead of producing data the parser would refuse', (action, arg) => {
    expect(() => callbackData(action, arg)).toThrow(/invalid callback data/);
  });

  it.each<[string, string | undefined]>([
    ['wrong action', 'admin:fa'],
    ['action that only starts like the expected one', 'language:fa'],
    ['expected action as a suffix', 'xlang:fa'],
    ['extra colon', 'lang:fa:en'],
    ['leading colon', ':lang:fa'],
    ['missing colon', 'langfa'],
    ['empty argument', 'lang:'],
    ['no data', undefined],
    ['empty data', ''],
    ['Persian argument', 'lang:فا'],
    ['Persian digits', 'lang:۱۲۳'],
    ['zero-width joiner', 'lang:f\u200Da'],
    ['fullwidth letters', 'lang:ｆａ'],
    ['trailing newline', 'lang:fa\n'],
    ['leading space', ' lang:fa'],
    ['trailing space', 'lang:fa '],
    ['NUL byte', 'lang:fa\u0000'],
    ['over 64 bytes', `lang:${'a'.repeat(60)}`],
    ['over 64 bytes in a valid shape', `${'l'.repeat(24)}:${'a'.repeat(41)}`],
    ['SQL injection', "lang:fa' OR '1'='1"],
    ['HTML injection', 'lang:<script>alert(1)</script>'],
    ['path traversal', 'lang:../../etc/passwd'],
    ['JSON', 'lang:{"lang":"en"}'],
    ['regex metacharacters', 'lang:.*'],
    ['prototype key', 'lang:__proto__.x'],
    ['upper-case action', 'LANG:fa'],
  ])('when the data has a %s (%j), then it is refused', (_why, data) => {
    expect(parseCallbackData(data, 'lang')).toBeNull();
  });

  it('when the data is valid but another action is expected, then it is refused', () => {
    expect(parseCallbackData(callbackData('lang', 'fa'), 'approve')).toBeNull();
  });
});

describe('actionTrigger', () => {
  it('when matched against data, then only that action with a colon matches', () => {
    const trigger = actionTrigger('lang');
    expect(trigger.test('lang:fa')).toBe(true);
    expect(trigger.test('language:fa')).toBe(false);
    expect(trigger.test('xlang:fa')).toBe(false);
    expect(trigger.test('lang')).toBe(false);
  });
});
