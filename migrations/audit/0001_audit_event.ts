import type { Knex } from 'knex';
import type { Migration } from '../types.js';

/**
 * The AuditEvent table with every column of the audit event (schemas/audit.ts). With the `timescaledb`
 * extension it becomes a hypertable on created_at with 7-day chunks, compression and a retention policy; on
 * plain PostgreSQL it is range-partitioned by week, with partitions created ahead and a default partition so
 * that no event is ever refused for its date. The primary key includes created_at because PostgreSQL requires
 * the partition key in every unique constraint.
 */
export interface AuditStorageSettings {
  retentionDays: number;
  compressionAfterDays: number;
  chunkIntervalDays: number;
  partitionsAheadWeeks: number;
}

const COLUMNS = `
  id UUID NOT NULL DEFAULT gen_random_uuid(),
  user_id TEXT,
  event_type TEXT NOT NULL,
  resource_type TEXT,
  resource_id TEXT,
  actor_id TEXT,
  ip_address INET,
  user_agent TEXT,
  description TEXT,
  metadata JSONB NOT NULL DEFAULT '{}',
  status TEXT NOT NULL DEFAULT 'success' CHECK (status IN ('success', 'failure')),
  error_message TEXT,
  country_code CHAR(2),
  country_name TEXT,
  city TEXT,
  region TEXT,
  source_service TEXT,
  is_reported BOOLEAN NOT NULL DEFAULT false,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (id, created_at)`;

const INDEXES = `
  CREATE INDEX "AuditEvent_created_at_id_idx" ON "AuditEvent" (created_at DESC, id DESC);
  CREATE INDEX "AuditEvent_user_id_created_at_idx" ON "AuditEvent" (user_id, created_at DESC);
  CREATE INDEX "AuditEvent_actor_id_created_at_idx" ON "AuditEvent" (actor_id, created_at DESC);
  CREATE INDEX "AuditEvent_event_type_created_at_idx" ON "AuditEvent" (event_type, created_at DESC);
  CREATE INDEX "AuditEvent_resource_created_at_idx" ON "AuditEvent" (resource_type, resource_id, created_at DESC);
  CREATE INDEX "AuditEvent_reported_idx" ON "AuditEvent" (created_at DESC) WHERE is_reported;`;

/** True when TimescaleDB is installed AND preloaded; otherwise CREATE EXTENSION would fail. */
export async function timescaleAvailable(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: { available: boolean }[] }>(`
    SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb')
       AND current_setting('shared_preload_libraries', true) LIKE '%timescaledb%' AS available`);
  return rows[0]?.available === true;
}

/** Plain PostgreSQL: weekly partitions plus the functions the scheduler calls to create and drop them. */
const PARTITION_FUNCTIONS = `
  CREATE TABLE "AuditEvent_default" PARTITION OF "AuditEvent" DEFAULT;

  -- Creates the weekly partitions from weeks_back before this week to weeks_ahead after it. Rows that had
  -- landed in the default partition for such a week are moved into the new partition (nothing is lost).
  CREATE FUNCTION heimdall_audit_ensure_partitions(weeks_back INTEGER, weeks_ahead INTEGER)
  RETURNS INTEGER LANGUAGE plpgsql AS $$
  DECLARE
    week_start TIMESTAMPTZ;
    part_name TEXT;
    created INTEGER := 0;
  BEGIN
    FOR i IN -weeks_back..weeks_ahead LOOP
      week_start := date_trunc('week', NOW() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' + make_interval(weeks => i);
      part_name := 'AuditEvent_p' || to_char(week_start AT TIME ZONE 'UTC', 'YYYYMMDD');
      CONTINUE WHEN to_regclass(format('%I', part_name)) IS NOT NULL;
      CREATE TEMP TABLE heimdall_audit_moved ON COMMIT DROP AS
        WITH moved AS (
          DELETE FROM "AuditEvent_default"
          WHERE created_at >= week_start AND created_at < week_start + INTERVAL '7 days'
          RETURNING *)
        SELECT * FROM moved;
      EXECUTE format('CREATE TABLE %I PARTITION OF "AuditEvent" FOR VALUES FROM (%L) TO (%L)',
                     part_name, week_start, week_start + INTERVAL '7 days');
      INSERT INTO "AuditEvent" SELECT * FROM heimdall_audit_moved;
      DROP TABLE heimdall_audit_moved;
      created := created + 1;
    END LOOP;
    RETURN created;
  END $$;

  -- Drops weekly partitions that ended more than retention_days ago, and deletes such rows from the default
  -- partition. Returns the number of partitions dropped.
  CREATE FUNCTION heimdall_audit_drop_partitions(retention_days INTEGER)
  RETURNS INTEGER LANGUAGE plpgsql AS $$
  DECLARE
    part RECORD;
    cutoff TIMESTAMPTZ := NOW() - make_interval(days => retention_days);
    dropped INTEGER := 0;
  BEGIN
    FOR part IN
      SELECT c.relname FROM pg_inherits i
      JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '"AuditEvent"'::regclass AND c.relname ~ '^AuditEvent_p[0-9]{8}$'
    LOOP
      IF to_timestamp(substr(part.relname, 13), 'YYYYMMDD') AT TIME ZONE 'UTC' + INTERVAL '7 days' <= cutoff THEN
        EXECUTE format('DROP TABLE %I', part.relname);
        dropped := dropped + 1;
      END IF;
    END LOOP;
    DELETE FROM "AuditEvent_default" WHERE created_at < cutoff;
    RETURN dropped;
  END $$;`;

export function auditEventMigration(settings: AuditStorageSettings): Migration {
  return {
    name: '0001_audit_event',
    async up(knex) {
      if (await timescaleAvailable(knex)) {
        await knex.raw(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
        await knex.raw(`CREATE TABLE "AuditEvent" (${COLUMNS});`);
        await knex.raw(
          `SELECT create_hypertable('"AuditEvent"', 'created_at', chunk_time_interval => ?::interval)`,
          [`${settings.chunkIntervalDays} days`],
        );
        await knex.raw(INDEXES);
        await knex.raw(`ALTER TABLE "AuditEvent" SET (timescaledb.compress,
          timescaledb.compress_segmentby = 'event_type', timescaledb.compress_orderby = 'created_at DESC, id DESC')`);
        await knex.raw(`SELECT add_compression_policy('"AuditEvent"', ?::interval)`, [
          `${settings.compressionAfterDays} days`,
        ]);
        await knex.raw(`SELECT add_retention_policy('"AuditEvent"', ?::interval)`, [
          `${settings.retentionDays} days`,
        ]);
        return;
      }
      await knex.raw(`CREATE TABLE "AuditEvent" (${COLUMNS}) PARTITION BY RANGE (created_at);`);
      await knex.raw(INDEXES);
      await knex.raw(PARTITION_FUNCTIONS);
      await knex.raw(`SELECT heimdall_audit_ensure_partitions(1, ?)`, [settings.partitionsAheadWeeks]);
    },
    async down(knex) {
      await knex.raw(`
        DROP TABLE IF EXISTS "AuditEvent" CASCADE;
        DROP FUNCTION IF EXISTS heimdall_audit_ensure_partitions(INTEGER, INTEGER);
        DROP FUNCTION IF EXISTS heimdall_audit_drop_partitions(INTEGER);`);
    },
  };
}
