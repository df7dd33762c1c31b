import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { createCursorPager, type CursorPage } from './cursor-pages.js';

/** A keyset list over 0..n-1 as the audit and GPS services answer it: `limit` items after the cursor. */
function keyset(n: number, limit: number, calls: string[]) {
  return async (cursor: string | undefined): Promise<CursorPage<number>> => {
    calls.push(cursor ?? '');
    const start = cursor ? Number(cursor) : 0;
    const data = Array.from({ length: Math.max(0, Math.min(limit, n - start)) }, (_, i) => start + i);
    const next = start + limit < n ? String(start + limit) : null;
    return { data, next_cursor: next };
  };
}

describe('panel pages over keyset lists', () => {
  it('any page is the same rows offset paging would give, and the pager always offers a next page while there is one', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 60 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 8 }),
        async (n, limit, pages) => {
          const pageAt = createCursorPager();
          for (const p of pages) {
            const calls: string[] = [];
            const { rows, total } = await pageAt('view', p * limit, limit, keyset(n, limit, calls));
            const expected = Array.from({ length: n }, (_, i) => i).slice(p * limit, p * limit + limit);
            expect(rows).toEqual(expected);
            const more = (p + 1) * limit < n;
            if (expected.length > 0) expect(total > (p + 1) * limit).toBe(more);
          }
        },
      ),
    );
  });

  it('the next page is one query once its start is known; a far page walks the pages before it once', async () => {
    const pageAt = createCursorPager();
    const calls: string[] = [];
    await pageAt('v', 0, 10, keyset(100, 10, calls));
    await pageAt('v', 10, 10, keyset(100, 10, calls));
    expect(calls).toEqual(['', '10']);
    calls.length = 0;
    await pageAt('v', 50, 10, keyset(100, 10, calls));
    expect(calls).toEqual(['20', '30', '40', '50']);
    calls.length = 0;
    await pageAt('v', 30, 10, keyset(100, 10, calls));
    expect(calls).toEqual(['30']);
  });

  it('views with other filters keep their own cursors', async () => {
    const pageAt = createCursorPager();
    const a: string[] = [];
    const b: string[] = [];
    await pageAt('a', 10, 10, keyset(100, 10, a));
    await pageAt('b', 10, 10, keyset(100, 10, b));
    expect(a).toEqual(['', '10']);
    expect(b).toEqual(['', '10']);
  });
});
