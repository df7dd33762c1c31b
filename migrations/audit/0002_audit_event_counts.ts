import type { Migration } from '../types.js';

/**
 * Counts of audit events, kept beside them so that the dashboard sums a bounded number of rows instead of
 * counting events (core/stats/):
 * - AuditEventHourly: events of each type in each UTC hour (at most 168 rows per type for a week);
 * - AuditEventDaily: events of each type on each UTC day by country (`''` when the event has no place).
 * The audit writer adds to both in the same transaction that stores the events (core/audit/rows.ts: after a
 * COPY, or in the INSERT that counts only the rows it stored, so a replayed spool counts nothing twice).
 * Housekeeping drops what is past retention.
 *
 * The migration counts the events already stored. Events written meanwhile by a process still running the
 * previous version are not counted: migrate before starting the new version, as `npm start` does.
 */
export const auditEventCounts: Migration = {
  name: '0002_audit_event_counts',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "AuditEventHourly" (
        event_type TEXT NOT NULL,
        hour TIMESTAMPTZ NOT NULL CHECK (hour = date_trunc('hour', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'),
        count BIGINT NOT NULL CHECK (count > 0),
        PRIMARY KEY (event_type, hour)
      );
      CREATE INDEX "AuditEventHourly_hour_idx" ON "AuditEventHourly" (hour);
      CREATE TABLE "AuditEventDaily" (
        event_type TEXT NOT NULL,
        day DATE NOT NULL,
        country_code TEXT NOT NULL DEFAULT '',
        count BIGINT NOT NULL CHECK (count > 0),
        PRIMARY KEY (event_type, day, country_code)
      );
      CREATE INDEX "AuditEventDaily_day_idx" ON "AuditEventDaily" (day);

      INSERT INTO "AuditEventHourly" (event_type, hour, count)
      SELECT event_type, date_trunc('hour', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', count(*)
        FROM "AuditEvent" GROUP BY 1, 2;
      INSERT INTO "AuditEventDaily" (event_type, day, country_code, count)
      SELECT event_type, (created_at AT TIME ZONE 'UTC')::date, coalesce(country_code::text, ''), count(*)
        FROM "AuditEvent" GROUP BY 1, 2, 3;
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "AuditEventDaily", "AuditEventHourly"`);
  },
};
