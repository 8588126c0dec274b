/** The in-process caches of the update path (platform/bounded-map.ts) never hold more than their limit. */
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../src/platform/bounded-map.js';

describe('a bounded map', () => {
  it('when a key beyond the limit is set, then the least recently set one goes, and setting a key again makes it newest', () => {
    const map = new BoundedMap<string, number>(3);
    map.set('a', 1).set('b', 2).set('c', 3);
    map.set('a', 10); // a is now the newest: b is the oldest
    map.set('d', 4);
    expect([...map.keys()]).toEqual(['c', 'a', 'd']);
    expect(map.get('a')).toBe(10);
    expect(map.size).toBe(3);
  });

  it('when many keys are set, then its size stays at the limit', () => {
    const map = new BoundedMap<number, number>(100);
    for (let i = 0; i < 10_000; i++) map.set(i, i);
    expect(map.size).toBe(100);
    expect(map.has(9_999)).toBe(true);
    expect(map.has(0)).toBe(false);
  });
});
