import type { AuditEventRecord } from '../../schemas/audit.js';
import type { GpsPoint } from '../../schemas/gps.js';

/** Detaches a listener. */
export type StopListening = () => void;

/**
 * The platform's live events as the realtime broker carries them, for code that must not depend on realtime/
 * (GraphQL subscriptions): one path, so a stored audit event is published once and heard by /ws clients and
 * GraphQL subscribers alike. A listener hears what is published on any node from shortly after it is attached
 * (once the node's broker subscription for that channel is live), in the channel's order.
 */
export interface LiveEvents {
  /** Every stored audit event (the `audit` channel). */
  auditEvents(listener: (event: AuditEventRecord) => void): StopListening;
  /** A user's own security events, their role changes among them (the `user:<id>` channel). */
  userAuditEvents(userId: string, listener: (event: AuditEventRecord) => void): StopListening;
  /** GPS points as they are created or changed (the `gps` channel). */
  gpsPoints(listener: (point: GpsPoint) => void): StopListening;
  /** Publishes a created or changed GPS point on the `gps` channel. */
  publishGps(point: GpsPoint): void;
}
