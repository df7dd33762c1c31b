import { wire, type PayloadInit } from '../../proto/index.js';
import { USER_ACTIVITY_EVENT_TYPES, type AuditEventRecord } from '../../schemas/audit.js';
import type { Broker } from './broker.js';
import { channelNames } from './channels.js';

/** What the platform tells realtime subscribers (issue 9, "Publishers"). */
export interface RealtimePublisher {
  /** Stored audit events: each to `audit`, a user's own security events also to `user:<id>`, and the access
   * changes among them (roles, permissions, bans) as UserEvents to the people affected. */
  auditStored(events: readonly AuditEventRecord[]): void;
  gps(point: {
    id: string;
    operation: string;
    latitude: number;
    longitude: number;
    altitude: number | null;
    speed: number | null;
    timestamp: string;
  }): void;
  /** Resolves when what was handed over so far is published (for shutdown and tests). */
  settled(): Promise<void>;
}

const OWN_EVENTS = new Set<string>(USER_ACTIVITY_EVENT_TYPES);

/** Audit event types that change what a user may do or whether they exist, as UserEvent types. */
const USER_EVENT_TYPES: Record<string, string> = {
  role_assigned: 'roles_changed',
  role_removed: 'roles_changed',
  user_banned: 'banned',
  user_unbanned: 'unbanned',
  user_deleted: 'deleted',
  user_updated: 'updated',
};

const text = (v: string | null | undefined): string => v ?? '';

export function toAuditPayload(e: AuditEventRecord): PayloadInit {
  return {
    audit: {
      id: e.id,
      createdAt: e.created_at,
      eventType: e.event_type,
      userId: text(e.user_id),
      actorId: text(e.actor_id),
      resourceType: text(e.resource_type),
      resourceId: text(e.resource_id),
      ipAddress: text(e.ip_address),
      userAgent: text(e.user_agent),
      description: text(e.description),
      metadataJson: JSON.stringify(e.metadata ?? {}),
      status: e.status,
      errorMessage: text(e.error_message),
      sourceService: text(e.source_service),
      isReported: e.is_reported,
      countryCode: text(e.country_code),
      countryName: text(e.country_name),
      city: text(e.city),
      region: text(e.region),
    },
  };
}

const encode = (payload: PayloadInit): Uint8Array =>
  wire.Payload.encode(wire.Payload.create(payload)).finish();

export function createRealtimePublisher(deps: {
  broker: Broker;
  usersWithRole(roleId: string): Promise<string[]>;
  onError(err: unknown): void;
}): RealtimePublisher {
  const inFlight = new Set<Promise<unknown>>();
  const track = (work: Promise<unknown>) => {
    const p = work.catch(deps.onError).finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const publish = (channel: string, payload: Uint8Array) => track(deps.broker.publish(channel, payload));
  const userEvent = (userId: string, type: string, roleId: string) =>
    publish(channelNames.user(userId), encode({ user: { userId, type, roleId } }));

  return {
    auditStored(events) {
      for (const event of events) {
        const payload = encode(toAuditPayload(event));
        publish(channelNames.audit, payload);
        if (event.user_id && OWN_EVENTS.has(event.event_type))
          publish(channelNames.user(event.user_id), payload);
        const roleId = event.resource_type === 'role' ? text(event.resource_id) : '';
        const type = USER_EVENT_TYPES[event.event_type];
        if (type && event.user_id) userEvent(event.user_id, type, roleId);
        if (event.event_type === 'permission_changed' && roleId) {
          track(
            deps.usersWithRole(roleId).then((ids) => {
              for (const id of ids) userEvent(id, 'permissions_changed', roleId);
            }),
          );
        }
      }
    },
    gps(point) {
      publish(
        channelNames.gps,
        encode({
          gps: {
            id: point.id,
            operation: point.operation,
            latitude: point.latitude,
            longitude: point.longitude,
            ...(point.altitude === null ? {} : { altitude: point.altitude }),
            ...(point.speed === null ? {} : { speed: point.speed }),
            timestamp: point.timestamp,
          },
        }),
      );
    },
    async settled() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}
