/** Keyset paging: each page starts after the last key of the one before, so a page costs the same at row 1 and at row 100,000. */
import { PAGE_SIZE } from './rules.js';

/**
 * Pages of rows, each read only when the one before has been used. `read(after)` returns up to
 * PAGE_SIZE rows in key order after `after` (from the start when undefined).
 */
export async function* keysetPages<T, K>(read: (after: K | undefined) => Promise<T[]>, keyOf: (row: T) => K): AsyncGenerator<T[]> {
  let after: K | undefined;
  for (;;) {
    const page = await read(after);
    if (page.length > 0) yield page;
    if (page.length < PAGE_SIZE) return;
    after = keyOf(page[page.length - 1]!);
  }
}

/** Each page's rows turned into another shape as the page is used. */
export async function* mapPages<T, R>(pages: AsyncIterable<T[]>, map: (row: T) => R): AsyncGenerator<R[]> {
  for await (const page of pages) yield page.map(map);
}

/** A filter on a record's NGO: none for the province (no join at all), the NGO's county among `counties` otherwise. */
export function ngoIn(counties: number[] | null): { ngo?: { countyId: { in: number[] } } } {
  return counties === null ? {} : { ngo: { countyId: { in: counties } } };
}

export const fullName = (u: { firstName: string; lastName: string | null }) => [u.firstName, u.lastName].filter(Boolean).join(' ');
