import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../schemas/config.js';
import type { GeoIp } from '../geoip/reader.js';
import type { AuditRow } from './rows.js';
import { createAuditSpool } from './spool.js';
import { createAuditWriter, type AuditLogger, type AuditWriterOptions } from './writer.js';

export type { AuditLogger, AuditWriterStats } from './writer.js';
export { toAuditRow, type AuditRow } from './rows.js';

/** The audit writer as configured: spool under `data_dir`, batch size and age from `[audit]`. */
export function openAuditLogger(
  config: Config,
  db: Knex,
  hooks: Pick<AuditWriterOptions, 'onError' | 'onRejected' | 'enrich' | 'onStored'> = {},
): AuditLogger {
  return createAuditWriter({
    db,
    spool: createAuditSpool(path.resolve(config.data_dir, config.audit.spool_dir)),
    batchSize: config.audit.batch_size,
    flushIntervalMs: config.audit.flush_interval_ms,
    maxBuffered: config.audit.max_buffered,
    ...hooks,
  });
}

/** Fills an event's GeoIP columns from its ip_address at write time (nothing when the address has no place). */
export const geoEnricher =
  (geoip: Pick<GeoIp, 'lookup'>) =>
  (row: AuditRow): void => {
    if (!row.ip_address || row.country_code !== null) return;
    const place = geoip.lookup(row.ip_address);
    if (!place) return;
    row.country_code = place.country_code;
    row.country_name = place.country_name;
    row.city = place.city;
    row.region = place.region;
  };
