import { describe, expect, it } from 'vitest';
import { isQuietTime, nextAllowedTime } from '../../src/platform/text/quiet-hours.js';

// Tehran is UTC+03:30 all year: 07:00 Tehran = 03:30Z.
describe('quiet hours (Tehran time)', () => {
  it('when it is a weekday afternoon, then sending is allowed at once', () => {
    const at = new Date('2026-11-22T10:00:00Z'); // Sunday 13:30 Tehran
    expect(isQuietTime(at)).toBe(false);
    expect(nextAllowedTime(at)).toEqual(at);
  });

  it('when it is 22:00 or later, then sending waits for 07:00 the next morning', () => {
    const at = new Date('2026-11-22T18:45:00Z'); // Sunday 22:15 Tehran
    expect(isQuietTime(at)).toBe(true);
    expect(nextAllowedTime(at).toISOString()).toBe('2026-11-23T03:30:00.000Z');
  });

  it('when it is early morning, then sending waits for 07:00 the same day', () => {
    const at = new Date('2026-11-23T01:00:00Z'); // Monday 04:30 Tehran
    expect(nextAllowedTime(at).toISOString()).toBe('2026-11-23T03:30:00.000Z');
  });

  it('when 06:59 and 07:00 are compared, then the boundary is exact', () => {
    expect(isQuietTime(new Date('2026-11-23T03:29:00Z'))).toBe(true);
    expect(isQuietTime(new Date('2026-11-23T03:30:00Z'))).toBe(false);
    expect(isQuietTime(new Date('2026-11-23T18:29:00Z'))).toBe(false); // 21:59
  });

  it('when it is Thursday night or Friday, then sending waits for Saturday 07:00', () => {
    // 2026-11-26 is a Thursday, 2026-11-27 a Friday, 2026-11-28 a Saturday.
    expect(nextAllowedTime(new Date('2026-11-26T19:00:00Z')).toISOString()).toBe('2026-11-28T03:30:00.000Z');
    expect(nextAllowedTime(new Date('2026-11-27T08:00:00Z')).toISOString()).toBe('2026-11-28T03:30:00.000Z');
    expect(isQuietTime(new Date('2026-11-27T08:00:00Z'))).toBe(true);
  });
});
