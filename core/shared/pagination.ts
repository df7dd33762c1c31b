import type { Knex } from 'knex';
import type { Page } from '../../schemas/common.js';

/** Runs a list query as one page plus the total count of the filtered set. */
export async function paginate<T>(
  query: Knex.QueryBuilder,
  page: Page,
  sort: string,
  tiebreak: string,
): Promise<{ data: T[]; pagination: { page: number; per_page: number; total: number } }> {
  const desc = sort.startsWith('-');
  const column = desc ? sort.slice(1) : sort;
  const [rows, count] = await Promise.all([
    query
      .clone()
      .orderBy(column, desc ? 'desc' : 'asc')
      .orderBy(tiebreak, 'asc')
      .limit(page.per_page)
      .offset((page.page - 1) * page.per_page),
    query.clone().clearSelect().count<{ total: number }[]>({ total: '*' }).first(),
  ]);
  return {
    data: rows as T[],
    pagination: { page: page.page, per_page: page.per_page, total: Number(count?.total ?? 0) },
  };
}

/** How far a capped count goes (`paginateCapped`). */
export const MAX_COUNTED = 10_000;

export interface CappedPagination {
  page: number;
  per_page: number;
  /** Rows matching, counted up to the cap. */
  total: number;
  /** More rows than the cap match: `total` is the cap, not the count. */
  total_capped: boolean;
  /** A page follows this one. */
  has_more: boolean;
}

/**
 * A page of a list that may grow large, at a cost that does not grow with it:
 * - the page's keys are found first, on `filtered` alone (the base table and its filters), ordered by `sort`
 *   then the key in the same direction, so that one index on (sort column, key) walks straight to the page;
 *   the full rows (`rowsOf`: joins, subqueries) are built for those keys only, never for the rows skipped;
 * - one row more than the page says whether another page follows;
 * - the count stops after `cap + 1` rows, so that counting never walks a big table.
 */
export async function paginateCapped<T>(options: {
  db: Knex;
  filtered: Knex.QueryBuilder;
  key: string;
  rowsOf: (keys: Knex.QueryBuilder) => Knex.QueryBuilder;
  page: Page;
  sort: string;
  cap?: number;
}): Promise<{ data: T[]; pagination: CappedPagination }> {
  const { db, filtered, key, page, sort } = options;
  const cap = options.cap ?? MAX_COUNTED;
  const desc = sort.startsWith('-');
  const order = (q: Knex.QueryBuilder) =>
    q.orderBy(desc ? sort.slice(1) : sort, desc ? 'desc' : 'asc').orderBy(key, desc ? 'desc' : 'asc');
  const keys = order(filtered.clone().select(key))
    .limit(page.per_page + 1)
    .offset((page.page - 1) * page.per_page);
  const [rows, count] = await Promise.all([
    order(options.rowsOf(keys)) as Promise<T[]>,
    db
      .from(
        filtered
          .clone()
          .select(db.raw('1'))
          .limit(cap + 1)
          .as('matching'),
      )
      .count<{ total: string }[]>({ total: '*' })
      .first(),
  ]);
  const total = Number(count?.total ?? 0);
  return {
    data: rows.slice(0, page.per_page),
    pagination: {
      page: page.page,
      per_page: page.per_page,
      total: Math.min(total, cap),
      total_capped: total > cap,
      has_more: rows.length > page.per_page,
    },
  };
}
