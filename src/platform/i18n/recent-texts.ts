/**
 * The most recent texts with values (see createTranslator), kept only for the keys whose texts come back.
 *
 * Some keys make a text that is asked for again and again (a course's line in the list every member opens,
 * the welcome with a person's name); others make one text per thing that hardly ever comes back (a line per
 * item of a member's own feedback). Cached alike, the second kind filled three quarters of the cache in
 * bench:updates (42,000 texts made for 31,000 updates), pushed out the texts that do come back, and every
 * one of them lived long enough to be moved to the old generation and collected there (issue 12).
 *
 * So each key is judged by its own tally: after JUDGE_AFTER texts made, a key that found its text in the
 * cache less than once in ten is made each time instead, and judged again after RECHECK_AFTER texts made
 * that way (what a key's values look like can change: after an announcement everyone opens the same card).
 */
import { BoundedMap } from '../bounded-map.js';

const JUDGE_AFTER = 500;
const RECHECK_AFTER = 20_000;
/** A key is worth keeping while at least one of its texts in this many is found in the cache. */
const FOUND_ONE_IN = 10;

interface Tally {
  made: number;
  found: number;
  /** Texts made since the key was judged not worth keeping. */
  passed: number;
}

export class RecentTexts {
  private readonly texts: BoundedMap<string, string>;
  private readonly tallies = new Map<string, Tally>();

  constructor(limit: number) {
    this.texts = new BoundedMap(limit);
  }

  /** False when this key's texts are made each time rather than looked for (see above). */
  worthKeeping(key: string): boolean {
    const tally = this.tallies.get(key);
    if (!tally || tally.made < JUDGE_AFTER || tally.found * FOUND_ONE_IN >= tally.made) return true;
    if (tally.passed++ < RECHECK_AFTER) return false;
    this.tallies.delete(key);
    return true;
  }

  /** The text kept under `cacheKey` (made by the i18n `key`), counting whether it was found. */
  get(key: string, cacheKey: string): string | undefined {
    const text = this.texts.get(cacheKey);
    let tally = this.tallies.get(key);
    if (!tally) this.tallies.set(key, (tally = { made: 0, found: 0, passed: 0 }));
    if (text === undefined) tally.made++;
    else tally.found++;
    return text;
  }

  set(cacheKey: string, text: string): void {
    this.texts.set(cacheKey, text);
  }
}
