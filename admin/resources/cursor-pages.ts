/**
 * AdminJS pages by offset; the audit log and GPS data page by cursor (keyset), which stays fast however deep
 * the page. This keeps, per list view, the cursor that starts each page already seen, so moving to the next
 * page (or back) is one keyset query; a page far ahead is reached by walking the pages before it once.
 */
export interface CursorPage<T> {
  data: T[];
  next_cursor: string | null;
}

const MAX_VIEWS = 1000;

export function createCursorPager() {
  /** view (who + filters + page size) → cursor at the start of page n (index n; page 0 starts with none). */
  const views = new Map<string, (string | null)[]>();

  return async function pageAt<T>(
    view: string,
    offset: number,
    limit: number,
    fetch: (cursor: string | undefined) => Promise<CursorPage<T>>,
  ): Promise<{ rows: T[]; total: number }> {
    const wanted = Math.floor(offset / limit);
    let starts = views.get(view);
    if (!starts) {
      if (views.size >= MAX_VIEWS) views.delete(views.keys().next().value!);
      starts = [null];
      views.set(view, starts);
    }
    let index = Math.min(wanted, starts.length - 1);
    let page: CursorPage<T> | undefined;
    for (;;) {
      const cursor = starts[index];
      page = await fetch(cursor ?? undefined);
      if (page.next_cursor && starts.length === index + 1) starts.push(page.next_cursor);
      if (index === wanted || !page.next_cursor) break;
      index += 1;
    }
    const rows = index === wanted ? page.data : [];
    // The exact total would need a count over the whole log; this is enough for the pager: one more page
    // while there is one.
    const total = index * limit + page.data.length + (page.next_cursor ? limit : 0);
    return { rows, total };
  };
}
