import protobuf from 'protobufjs/minimal.js';
import { wire, type PayloadInit } from '../../proto/index.js';
import { USER_ACTIVITY_EVENT_TYPES, type AuditEventRecord } from '../../schemas/audit.js';
import type { AuditRow } from '../../core/audit/rows.js';
import type { GpsPoint } from '../../schemas/gps.js';
import type { Broker } from './broker.js';
import { channelNames } from './channels.js';

/** What the platform tells realtime subscribers ("Publishers"). */
export interface RealtimePublisher {
  /** Stored audit events: each to `audit`, a user's own security events also to `user:<id>`, and the access
   * changes among them (roles, permissions, bans) as UserEvents to the people affected. */
  auditStored(events: readonly StoredAuditEvent[]): void;
  gps(point: GpsPoint): void;
  /** Resolves when what was handed over so far is published (for shutdown and tests). */
  settled(): Promise<void>;
}

/** A stored event as the API shows it, or as the audit writer stored it (metadata still JSON text). */
export type StoredAuditEvent = AuditEventRecord | AuditRow;

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

export function toAuditPayload(e: StoredAuditEvent): NonNullable<PayloadInit> {
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
      metadataJson: typeof e.metadata === 'string' ? e.metadata : JSON.stringify(e.metadata ?? {}),
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

// One writer for every payload, its buffer reused: finish() copies the bytes out, reset() starts the next one.
// The generated encoder takes plain objects (it reads own properties only), so no message instance is built.
let writer = protobuf.Writer.create();
const encode = (payload: NonNullable<PayloadInit>): Uint8Array => {
  try {
    const bytes = wire.Payload.encode(payload, writer).finish();
    writer.reset();
    return bytes;
  } catch (err) {
    writer = protobuf.Writer.create(); // whatever it half wrote is dropped with it
    throw err;
  }
};

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
      // One publishMany per channel, each in the order of the events (the order a channel's subscribers hear).
      const batches = new Map<string, Uint8Array[]>();
      const add = (channel: string, payload: Uint8Array) => {
        const batch = batches.get(channel);
        if (batch) batch.push(payload);
        else batches.set(channel, [payload]);
      };
      for (const event of events) {
        const payload = encode(toAuditPayload(event));
        add(channelNames.audit, payload);
        if (event.user_id && OWN_EVENTS.has(event.event_type)) add(channelNames.user(event.user_id), payload);
        const roleId = event.resource_type === 'role' ? text(event.resource_id) : '';
        const type = USER_EVENT_TYPES[event.event_type];
        if (type && event.user_id) {
          add(channelNames.user(event.user_id), encode({ user: { userId: event.user_id, type, roleId } }));
        }
        if (event.event_type === 'permission_changed' && roleId) {
          track(
            deps.usersWithRole(roleId).then((ids) => {
              for (const id of ids) userEvent(id, 'permissions_changed', roleId);
            }),
          );
        }
      }
      for (const [channel, payloads] of batches) track(deps.broker.publishMany(channel, payloads));
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
