/**
 * The most recent texts with values (see createTranslator), kept only for the keys whose texts come back.
 *
 * Some keys make a text that is asked for again and again (a course's line in the list every member opens,
 * the welcome with a person's name); others make one text per thing that hardly ever comes back (a line per
 * item of a member's own feedback). Cached alike, the second kind filled three quarters of the cache in
 * bench:updates (42,000 texts made for 31,000 updates), pushed out the texts that do come back, and every
 * one of them lived long enough to be moved to the old generation and collected there (issue 12).
 *
 * So each key is judged by its own record: after JUDGE_AFTER texts made, a key that found its text in the
 * cache less than once in ten is made each time instead, and judged again after RECHECK_AFTER texts made
 * that way (what a key's values look like can change: after an announcement everyone opens the same card).
 */
import { BoundedMap } from '../bounded-map.js';

const JUDGE_AFTER = 500;
const RECHECK_AFTER = 20_000;
/** A key is worth keeping while at least one of its texts in this many is found in the cache. */
const FOUND_ONE_IN = 10;

interface Record {
  made: number;
  found: number;
  /** Texts made since the key was judged not worth keeping. */
  passed: number;
}

export class RecentTexts {
  private readonly texts: BoundedMap<string, string>;
  private readonly records = new Map<string, Record>();

  constructor(limit: number) {
    this.texts = new BoundedMap(limit);
  }

  /** False when this key's texts are made each time rather than looked for (see above). */
  worthKeeping(key: string): boolean {
    const record = this.records.get(key);
    if (!record || record.made < JUDGE_AFTER || record.found * FOUND_ONE_IN >= record.made) return true;
    if (record.passed++ < RECHECK_AFTER) return false;
    this.records.delete(key);
    return true;
  }

  /** The text kept under `cacheKey` (made by the i18n `key`), counting whether it was found. */
  get(key: string, cacheKey: string): string | undefined {
    const text = this.texts.get(cacheKey);
    let record = this.records.get(key);
    if (!record) this.records.set(key, (record = { made: 0, found: 0, passed: 0 }));
    if (text === undefined) record.made++;
    else record.found++;
    return text;
  }

  set(cacheKey: string, text: string): void {
    this.texts.set(cacheKey, text);
  }

  has(cacheKey: string): boolean {
    return this.texts.has(cacheKey);
  }
}
