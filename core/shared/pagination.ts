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
