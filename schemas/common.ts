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

/** `post_logout_redirect_uris` → `postLogoutRedirectUris`: a snake_case key as a GraphQL or protobuf name. */
export const camelCase = (key: string): string =>
  key.replace(/_([a-z0-9])/g, (_match, letter: string) => letter.toUpperCase());

export const booleanQuery = z.enum(['true', 'false']).transform((v) => v === 'true');

export const uuidParam = z.object({ id: z.uuid('Must be a UUID.') });

export const timestamp = z.string().describe('ISO 8601 date-time');

/**
 * The years a date-time sent to Heimdall may have. RFC 3339 writes four-digit years, PostgreSQL has no year 0,
 * and nothing Heimdall keeps predates the Unix epoch.
 */
export const DATE_TIME_YEARS = { min: 1970, max: 9999 } as const;

/**
 * THE date-time every request field and parameter takes: RFC 3339 (`2026-12-01T00:00:00Z`, an offset or `Z`
 * required, seconds required), years 1970 to 9999. A string only: no numbers, no null. One pattern (zod's
 * RFC 3339 expression behind a look-ahead for the year), so the OpenAPI document states exactly what is accepted.
 */
const RFC3339_IN_RANGE = new RegExp(
  `^(?=(?:19[7-9]\\d|[2-9]\\d{3})-)${z.regexes.datetime({ offset: true }).source.slice(1)}`,
);
export const dateTimeText = z
  .string()
  .regex(
    RFC3339_IN_RANGE,
    `Must be an RFC 3339 date-time such as 2026-12-01T00:00:00Z, in the years ${DATE_TIME_YEARS.min} to ${DATE_TIME_YEARS.max}.`,
  )
  .meta({ format: 'date-time' });

/** `dateTimeText`, as a Date. */
export const dateTime = dateTimeText.transform((text) => new Date(text));

/** A date-time in the future (expiries). */
export const futureDate = dateTime.refine((d) => d.getTime() > Date.now(), 'Must be in the future.');
