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

/** Stored audit events, live: the writer publishes each stored batch, so every node hears every event once. */
export const createAuditStream = (bus: Cache, onError: (err: unknown) => void): Topic<AuditEventRecord> =>
  createTopic<AuditEventRecord>(bus, CHANNEL, onError);
