/** Paged lists behind buttons. */

/**
 * One page of a list that may have shrunk since its buttons were drawn: a page past the end (items were
 * decided or removed meanwhile) shows the last one instead of an empty page.
 */
export async function pageOrLast<T>(
  fetch: (page: number) => Promise<{ total: number; items: T[] }>,
  requested: number,
  pageSize: number,
): Promise<{ total: number; items: T[]; page: number; pages: number }> {
  let page = requested;
  let result = await fetch(page);
  const pages = Math.ceil(result.total / pageSize);
  if (result.total > 0 && result.items.length === 0) {
    page = pages - 1;
    result = await fetch(page);
  }
  return { ...result, page, pages };
}
