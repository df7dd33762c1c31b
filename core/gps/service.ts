import type { Knex } from 'knex';
import { z } from 'zod';
import { listGpsQuery, recentGpsLimit, type GpsDataRecord, type ListGpsQuery } from '../../schemas/gps.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { requirePermission } from '../auth/guards.js';
import { notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { decodeCursor, keysetPage } from '../shared/cursor.js';
import { validateInput } from '../shared/validation.js';
import { createGpsQueries } from './queries.js';

const pointId = z.object({ id: z.uuid('Must be a UUID.') });

/**
 * GPS points for the admin panel: a time-filtered list newest first with keyset pagination, the newest points
 * for a map, and deleting a point. Reading needs `gps:read` (checked by the caller, as for every list);
 * deleting needs `gps:delete` (checked here) and records `gps_data_changed` with the point it removed. Inputs
 * are validated here (400 `request.validation_failed`), since the panel calls the service directly.
 */
export function createGpsService(deps: { db: Knex; audit: AuditLogger }) {
  const queries = createGpsQueries(deps.db);
  const audit = auditRecorder<'gps_data_changed'>(deps.audit, { resource_type: 'gps_data' });

  return {
    /** One page, newest first: `limit` (1–500, default 100) points in [from, to), after `cursor`. */
    async list(input: ListGpsQuery = {}): Promise<{ data: GpsDataRecord[]; next_cursor: string | null }> {
      const query = validateInput(listGpsQuery, input, 'query');
      const after = query.cursor ? decodeCursor(query.cursor) : undefined;
      const rows = await queries.page(query, after, query.limit + 1);
      return keysetPage(rows, query.limit, (row) => ({ at: row.timestamp, id: row.id }));
    },

    /** The newest `limit` points (1–2000, default 500), newest first: what a map shows. */
    async recent(limit?: number): Promise<GpsDataRecord[]> {
      return queries.page({}, undefined, validateInput(recentGpsLimit, limit, 'query'));
    },

    /** One point by id; undefined when there is none. */
    async get(id: string): Promise<GpsDataRecord | undefined> {
      validateInput(pointId, { id }, 'path');
      return queries.find(id);
    },

    async remove(actor: Actor, id: string): Promise<void> {
      requirePermission(actor.auth, 'gps', 'delete');
      validateInput(pointId, { id }, 'path');
      const point = await queries.remove(id);
      if (!point) throw notFound('gps.not_found', 'No GPS point with this id.');
      audit.record('gps_data_changed', actor, {
        resource_id: id,
        description: `gps_data ${id}: delete`,
        metadata: {
          operation: 'delete',
          point: {
            latitude: point.latitude,
            longitude: point.longitude,
            altitude: point.altitude,
            speed: point.speed,
            timestamp: point.timestamp,
          },
        },
      });
    },
  };
}

export type GpsService = ReturnType<typeof createGpsService>;
