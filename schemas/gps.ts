import { z } from 'zod';

/** A GPS point as live subscribers receive it (GraphQL `gpsUpdated`, the realtime `gps` channel). */
export const gpsPointSchema = z.object({
  id: z.string(),
  operation: z.enum(['create', 'update']),
  latitude: z.number(),
  longitude: z.number(),
  altitude: z.number().nullable(),
  speed: z.number().nullable(),
  timestamp: z.string().describe('ISO 8601'),
});
export type GpsPoint = z.infer<typeof gpsPointSchema>;
