import type { AuditEventRecord } from '../../schemas/audit.js';
import type { Cache } from '../cache/types.js';
import { createTopic, type Topic } from '../shared/topic.js';
import type { AuditRow } from './rows.js';

const CHANNEL = 'audit:stored';

/** A stored row as the API shows it (GET /v1/audit). */
export const toAuditRecord = (row: AuditRow): AuditEventRecord => ({
  id: row.id,
  created_at: row.created_at,
  event_type: row.event_type,
  user_id: row.user_id,
  actor_id: row.actor_id,
  resource_type: row.resource_type,
  resource_id: row.resource_id,
  ip_address: row.ip_address,
  user_agent: row.user_agent,
  description: row.description,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  status: row.status as AuditEventRecord['status'],
  error_message: row.error_message,
  source_service: row.source_service,
  is_reported: row.is_reported,
  country_code: row.country_code,
  country_name: row.country_name,
  city: row.city,
  region: row.region,
});

const str = (v: string | null) => (v === null ? 'null' : JSON.stringify(v));

/**
 * A stored row as JSON of its record (what `JSON.stringify(toAuditRecord(row))` gives, keys aside), built without
 * parsing the metadata the row keeps as JSON text: the row's text goes in as it is.
 */
export const auditRecordJson = (row: AuditRow): string =>
  `{"id":${str(row.id)},"created_at":${str(row.created_at)},"event_type":${str(row.event_type)},` +
  `"user_id":${str(row.user_id)},"actor_id":${str(row.actor_id)},"resource_type":${str(row.resource_type)},` +
  `"resource_id":${str(row.resource_id)},"ip_address":${str(row.ip_address)},` +
  `"user_agent":${str(row.user_agent)},"description":${str(row.description)},"metadata":${row.metadata},` +
  `"status":${str(row.status)},"error_message":${str(row.error_message)},` +
  `"source_service":${str(row.source_service)},"is_reported":${row.is_reported ? 'true' : 'false'},` +
  `"country_code":${str(row.country_code)},"country_name":${str(row.country_name)},"city":${str(row.city)},` +
  `"region":${str(row.region)}}`;

export interface AuditStream extends Topic<AuditEventRecord> {
  /** Publishes stored rows as their records (one bus message), without turning each into a record first. */
  publishRows(rows: readonly AuditRow[]): void;
}

/** Stored audit events, live: the writer publishes each stored batch, so every node hears every event once. */
export function createAuditStream(bus: Cache, onError: (err: unknown) => void): AuditStream {
  const topic = createTopic<AuditEventRecord>(bus, CHANNEL, onError);
  return {
    ...topic,
    publishRows(rows) {
      if (rows.length > 0) topic.publishJson(`[${rows.map(auditRecordJson).join(',')}]`);
    },
  };
}
