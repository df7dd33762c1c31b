import { z } from 'zod';

/** Pagination for every list (page numbers with a total; a hard cap keeps one request cheap). */
export const MAX_PAGE_SIZE = 100;
export const paginationQuery = {
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
};

export const paginationSchema = z.object({ page: z.number(), per_page: z.number(), total: z.number() });

export const listOf = <T extends z.ZodType>(item: T) =>
  z.object({ data: z.array(item), pagination: paginationSchema });

export interface Page {
  page: number;
  per_page: number;
}

/** `sort=created_at` or `sort=-created_at` over an allowed set of columns. */
export function sortParam<const T extends readonly [string, ...string[]]>(columns: T, fallback: string) {
  const values = columns.flatMap((c) => [c, `-${c}`]) as [string, ...string[]];
  return z.enum(values).default(fallback);
}

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const uuidParam = z.object({ id: z.uuid('Must be a UUID.') });

export const timestamp = z.string().describe('ISO 8601 date-time');

/** A date-time in the future (expiries). */
export const futureDate = z.coerce.date().refine((d) => d.getTime() > Date.now(), 'Must be in the future.');
