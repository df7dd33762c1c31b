/** Database rows carry Date objects; API records carry ISO 8601 strings. */
export type Serialized<T> = {
  [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K];
};

export function isoDates<T extends object>(row: T): Serialized<T> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(row))
    out[key] = value instanceof Date ? value.toISOString() : value;
  return out as Serialized<T>;
}

/**
 * SQL that reads a timestamptz column as ISO 8601 text in UTC with microseconds, as PostgreSQL keeps it: a JS
 * Date would round to milliseconds, and a value compared back to the column (a cursor, an expected
 * `updated_at`) would no longer match.
 */
export const isoMicrosSql = (column: string): string =>
  `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
