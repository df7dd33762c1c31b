import type { Knex } from 'knex';
import type { GpsDataRecord } from '../../schemas/gps.js';
import type { KeysetPosition } from '../shared/cursor.js';
import { isoMicrosSql } from '../shared/serialize.js';

const COLUMNS = `id, latitude, longitude, altitude, speed, ${isoMicrosSql('timestamp')} AS timestamp,
  ${isoMicrosSql('created_at')} AS created_at`;

/**
 * SQL for GpsData, newest first by `timestamp` then id. Every read walks the `timestamp DESC` index from where
 * the page starts (a cursor adds `timestamp <= t` so that the index bounds the scan, and the row comparison
 * breaks ties) and stops after `limit + 1` rows, however many points the table holds.
 */
export function createGpsQueries(db: Knex) {
  return {
    page(
      range: { from?: string | undefined; to?: string | undefined },
      after: KeysetPosition | undefined,
      limit: number,
    ): Promise<GpsDataRecord[]> {
      const q = db('GpsData').select(db.raw(COLUMNS));
      if (range.from !== undefined) q.where('timestamp', '>=', range.from);
      if (range.to !== undefined) q.where('timestamp', '<', range.to);
      if (after) {
        q.where('timestamp', '<=', after.at);
        q.whereRaw('(timestamp, id) < (?::timestamptz, ?::uuid)', [after.at, after.id]);
      }
      return q
        .orderBy([
          { column: 'timestamp', order: 'desc' },
          { column: 'id', order: 'desc' },
        ])
        .limit(limit);
    },
    find: (id: string): Promise<GpsDataRecord | undefined> =>
      db('GpsData').select(db.raw(COLUMNS)).where({ id }).first(),
    async remove(id: string): Promise<GpsDataRecord | undefined> {
      const { rows } = await db.raw<{ rows: GpsDataRecord[] }>(
        `DELETE FROM "GpsData" WHERE id = ? RETURNING ${COLUMNS}`,
        [id],
      );
      return rows[0];
    },
  };
}
