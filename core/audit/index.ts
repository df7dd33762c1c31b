import path from 'node:path';
import type { Knex } from 'knex';
import type { Config } from '../../schemas/config.js';
import { createAuditSpool } from './spool.js';
import { createAuditWriter, type AuditLogger, type AuditWriterOptions } from './writer.js';

export type { AuditLogger, AuditWriterStats } from './writer.js';
export { toAuditRow, type AuditRow } from './rows.js';

/** The audit writer as configured: spool under `data_dir`, batch size and age from `[audit]`. */
export function openAuditLogger(
  config: Config,
  db: Knex,
  hooks: Pick<AuditWriterOptions, 'onError' | 'onRejected' | 'enrich'> = {},
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
