import type { Knex } from 'knex';

/**
 * The counts of audit events (migrations/audit/0002): per type and UTC hour (AuditEventHourly), and per type,
 * UTC day and country (AuditEventDaily). The writer adds to them in the same transaction that stores the
 * events (rows.ts); readers (the dashboard) sum a bounded number of rows instead of counting events.
 */

const HOUR_MS = 3_600_000;

/**
 * The statements (as CTEs, to follow others in one WITH) that add the events of `src` to both tables; `src`
 * has the columns event_type, created_at, country_code and n (how many events the row stands for). Rows go in
 * key order, so two writers adding to the same hours and days lock them in the same order and never deadlock.
 */
export const ADD_TO_COUNTS = `
  hourly AS (
    INSERT INTO "AuditEventHourly" AS h (event_type, hour, count)
    SELECT event_type, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', sum(n)
      FROM src GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (event_type, hour) DO UPDATE SET count = h.count + excluded.count
  ), daily AS (
    INSERT INTO "AuditEventDaily" AS d (event_type, day, country_code, count)
    SELECT event_type, (created_at AT TIME ZONE 'UTC')::date, coalesce(country_code::text, ''), sum(n)
      FROM src GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
    ON CONFLICT (event_type, day, country_code) DO UPDATE SET count = d.count + excluded.count
  )`;

/**
 * Adds counts made in JS (`batchCounts`), as four arrays: $1 types, $2 hours, $3 countries, $4 counts. After a
 * COPY the rows are at hand, so a batch sends a few groups instead of every event's time.
 */
export const ADD_BATCH_COUNTS = `
  WITH src AS (
    SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::bigint[])
      AS c(event_type, created_at, country_code, n)
  ), ${ADD_TO_COUNTS}
  SELECT 1`;

/** A batch's events grouped by type, UTC hour and country, as the arrays ADD_BATCH_COUNTS takes. */
export function batchCounts(
  rows: readonly { event_type: string; created_at: string; country_code: string | null }[],
): [string[], string[], string[], number[]] {
  const groups = new Map<string, number>();
  for (const row of rows) {
    const hour = Math.floor(Date.parse(row.created_at) / HOUR_MS) * HOUR_MS;
    const key = `${row.event_type}\t${hour}\t${row.country_code ?? ''}`;
    groups.set(key, (groups.get(key) ?? 0) + 1);
  }
  const out: [string[], string[], string[], number[]] = [[], [], [], []];
  for (const [key, count] of groups) {
    const [type, hour, country] = key.split('\t') as [string, string, string];
    out[0].push(type);
    out[1].push(new Date(Number(hour)).toISOString());
    out[2].push(country);
    out[3].push(count);
  }
  return out;
}

export interface HourlyCount {
  /** The hour's start, ISO 8601 UTC. */
  hour: string;
  event_type: string;
  count: number;
}

/** `YYYY-MM-DD` of a UTC day. */
export type UtcDay = string;

/** Reads of the counts (the audit database). */
export function createCountQueries(db: Knex) {
  return {
    /** Events of these types per hour in [from, to); hours without any are absent. */
    async perHour(eventTypes: readonly string[], from: Date, to: Date): Promise<HourlyCount[]> {
      const { rows } = await db.raw<{ rows: { hour: Date; event_type: string; count: string }[] }>(
        `SELECT hour, event_type, count FROM "AuditEventHourly"
          WHERE event_type = ANY(?) AND hour >= ? AND hour < ?`,
        [[...eventTypes], from, to],
      );
      return rows.map((r) => ({
        hour: r.hour.toISOString(),
        event_type: r.event_type,
        count: Number(r.count),
      }));
    },

    /** Events of one type by country on the UTC days [from, to], most first; `null`: events without a place. */
    async perCountry(
      eventType: string,
      from: UtcDay,
      to: UtcDay,
    ): Promise<{ country_code: string | null; count: number }[]> {
      const { rows } = await db.raw<{ rows: { country_code: string; count: string }[] }>(
        `SELECT country_code, sum(count) AS count FROM "AuditEventDaily"
          WHERE event_type = ? AND day >= ?::date AND day <= ?::date
          GROUP BY 1 ORDER BY 2 DESC, 1`,
        [eventType, from, to],
      );
      return rows.map((r) => ({ country_code: r.country_code || null, count: Number(r.count) }));
    },

    /** Drops counts of hours and days that ended before `cutoff` (housekeeping, with the events' retention). */
    async dropBefore(cutoff: Date, trx: Knex = db): Promise<void> {
      await trx('AuditEventHourly').where('hour', '<', cutoff).delete();
      await trx('AuditEventDaily').where('day', '<', cutoff.toISOString().slice(0, 10)).delete();
    },
  };
}
