import { z } from 'zod';
import { dateTimeText } from './common.js';

/** Where a point is, and how fast it moves: the fields every view of a GPS point shares. */
const position = {
  latitude: z.number(),
  longitude: z.number(),
  altitude: z.number().nullable(),
  speed: z.number().nullable(),
};

/** A GPS point as live subscribers receive it (GraphQL `gpsUpdated`, the realtime `gps` channel). */
export const gpsPointSchema = z.object({
  id: z.string(),
  operation: z.enum(['create', 'update']),
  ...position,
  timestamp: z.string().describe('ISO 8601'),
});
export type GpsPoint = z.infer<typeof gpsPointSchema>;

/** A stored GPS point, as the admin panel lists it. */
export const gpsDataSchema = z.object({
  id: z.uuid(),
  ...position,
  timestamp: z.string().describe('When it was measured, ISO 8601 with microseconds'),
  created_at: z.string().describe('When it arrived'),
});
export type GpsDataRecord = z.infer<typeof gpsDataSchema>;

/** Points per page, and points for a map, at most: each request stays one bounded index scan. */
export const MAX_GPS_PAGE = 500;
export const MAX_GPS_RECENT = 2000;

/** Newest first (by `timestamp`), in a time range, with keyset pagination. */
export const listGpsQuery = z
  .strictObject({
    from: dateTimeText.optional().describe('Points measured at or after this time'),
    to: dateTimeText.optional().describe('Points measured before this time'),
    limit: z.coerce.number().int().min(1).max(MAX_GPS_PAGE).default(100),
    cursor: z.string().max(200).optional().describe('next_cursor of the previous page'),
  })
  .refine((q) => !q.from || !q.to || new Date(q.from) < new Date(q.to), {
    message: '"from" must be before "to".',
    path: ['from'],
  });
export type ListGpsQuery = z.input<typeof listGpsQuery>;

export const recentGpsLimit = z.coerce.number().int().min(1).max(MAX_GPS_RECENT).default(500);
