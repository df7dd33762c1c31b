import type { Migration } from '../types.js';
import { auditEventMigration, type AuditStorageSettings } from './0001_audit_event.js';
import { auditEventCounts } from './0002_audit_event_counts.js';

export type { AuditStorageSettings } from './0001_audit_event.js';

/** The audit database's migrations, in order (they may run on the primary database or a TimescaleDB instance). */
export function auditMigrations(settings: AuditStorageSettings): readonly Migration[] {
  return [auditEventMigration(settings), auditEventCounts];
}
