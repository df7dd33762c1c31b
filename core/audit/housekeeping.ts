import type { Knex } from 'knex';
import { createCountQueries } from './counts.js';

export interface AuditHousekeepingSettings {
  retentionDays: number;
  compressionAfterDays: number;
  partitionsAheadWeeks: number;
}

export type AuditHousekeepingResult =
  | { storage: 'partitions'; created: number; dropped: number }
  | { storage: 'timescaledb'; retentionDays: number; compressionAfterDays: number }
  /** Another node holds the lock and is doing the same work right now. */
  | { storage: 'skipped' };

// One housekeeper at a time across every node sharing the audit database (a transaction-level advisory lock).
const LOCK = `SELECT pg_try_advisory_xact_lock(hashtext('heimdall:audit-housekeeping')) AS locked`;

/**
 * Keeps the AuditEvent time series in shape. Plain PostgreSQL: creates the weekly partitions from last week to
 * `partitionsAheadWeeks` ahead and drops the ones that ended more than `retentionDays` ago (functions from the
 * audit migration). TimescaleDB: sets the retention and compression policies to the configured intervals, so
 * changing the config changes them. Either way, the event counts of hours and days past `retentionDays` are dropped.
 */
export async function runAuditHousekeeping(
  db: Knex,
  settings: AuditHousekeepingSettings,
): Promise<AuditHousekeepingResult> {
  return db.transaction(async (trx) => {
    const locked = (await trx.raw<{ rows: { locked: boolean }[] }>(LOCK)).rows[0]?.locked;
    if (!locked) return { storage: 'skipped' as const };
    const { rows } = await trx.raw<{ rows: { partitioned: boolean; hypertable: boolean }[] }>(`
      SELECT to_regprocedure('heimdall_audit_ensure_partitions(integer, integer)') IS NOT NULL AS partitioned,
             EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') AS hypertable`);
    const { partitioned, hypertable } = rows[0]!;
    // The counts go with the events they count.
    await createCountQueries(trx).dropBefore(new Date(Date.now() - settings.retentionDays * 86_400_000));
    if (partitioned) {
      const created = await trx.raw<{ rows: { n: number }[] }>(
        `SELECT heimdall_audit_ensure_partitions(1, ?) AS n`,
        [settings.partitionsAheadWeeks],
      );
      const dropped = await trx.raw<{ rows: { n: number }[] }>(
        `SELECT heimdall_audit_drop_partitions(?) AS n`,
        [settings.retentionDays],
      );
      return { storage: 'partitions' as const, created: created.rows[0]!.n, dropped: dropped.rows[0]!.n };
    }
    if (!hypertable)
      throw new Error('AuditEvent is neither partitioned nor a hypertable: run the audit migrations');
    await trx.raw(`SELECT remove_retention_policy('"AuditEvent"', if_exists => true)`);
    await trx.raw(`SELECT add_retention_policy('"AuditEvent"', ?::interval)`, [
      `${settings.retentionDays} days`,
    ]);
    await trx.raw(`SELECT remove_compression_policy('"AuditEvent"', if_exists => true)`);
    await trx.raw(`SELECT add_compression_policy('"AuditEvent"', ?::interval)`, [
      `${settings.compressionAfterDays} days`,
    ]);
    return {
      storage: 'timescaledb' as const,
      retentionDays: settings.retentionDays,
      compressionAfterDays: settings.compressionAfterDays,
    };
  });
}

export const auditHousekeepingSettings = (audit: {
  retention_days: number;
  compression_after_days: number;
  partitions_ahead_weeks: number;
}): AuditHousekeepingSettings => ({
  retentionDays: audit.retention_days,
  compressionAfterDays: audit.compression_after_days,
  partitionsAheadWeeks: audit.partitions_ahead_weeks,
});
