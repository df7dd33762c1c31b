import { wire, type Payload } from '../../proto/index.js';
import {
  AUDIT_COLUMNS,
  AUDIT_COLUMN_NAMES,
  graphqlFieldName,
  type AuditColumn,
} from '../../schemas/audit-columns.js';
import type { AuditEventRecord } from '../../schemas/audit.js';
import { gpsPointSchema, type GpsPoint } from '../../schemas/gps.js';
import type { LiveEvents, StopListening } from '../../core/shared/live-events.js';
import type { Broker } from './broker.js';
import { channelNames } from './channels.js';
import type { RealtimePublisher } from './publisher.js';

type AuditMessage = NonNullable<Payload['audit']>;

// Which field of the wire message holds each column, worked out once.
const AUDIT_FIELDS = AUDIT_COLUMN_NAMES.map((name) => {
  const column: AuditColumn = AUDIT_COLUMNS[name];
  const field = graphqlFieldName(column.proto ?? name) as keyof AuditMessage;
  return { name, field, nullable: column.nullable };
});

/**
 * A stored event as the API shows it, from its realtime message (toAuditPayload's inverse): the wire message has
 * no nulls, so an empty string of a nullable column is null again.
 */
export function fromAuditPayload(message: AuditMessage): AuditEventRecord {
  const record: Record<string, unknown> = {};
  for (const { name, field, nullable } of AUDIT_FIELDS) {
    const value = message[field];
    record[name] = nullable && value === '' ? null : value;
  }
  record.metadata = JSON.parse(message.metadataJson || '{}') as unknown;
  return record as AuditEventRecord;
}

/** A GPS point from its realtime message; undefined for one a client published that is not a point. */
export function fromGpsPayload(message: NonNullable<Payload['gps']>): GpsPoint | undefined {
  const parsed = gpsPointSchema.safeParse({
    id: message.id,
    operation: message.operation,
    latitude: message.latitude,
    longitude: message.longitude,
    altitude: message.altitude ?? null,
    speed: message.speed ?? null,
    timestamp: message.timestamp,
  });
  return parsed.success ? parsed.data : undefined;
}

interface ChannelEntry {
  listeners: Set<(event: never) => void>;
  subscribed: Promise<() => Promise<void>>;
}

/**
 * LiveEvents over the realtime broker: one broker subscription per channel on this node however many listeners
 * it has, each publication decoded once for all of them. Live only: a listener hears what is published after it
 * is attached; a broker reset (it lost the channel's order) skips ahead, as the subscriptions have no position to
 * resume from.
 */
export function createLiveEvents(deps: {
  broker: Broker;
  publisher: Pick<RealtimePublisher, 'gps'>;
  onError(err: unknown): void;
}): LiveEvents {
  const channels = new Map<string, ChannelEntry>();

  function listen<T>(
    channel: string,
    decode: (payload: Payload) => T | undefined,
    listener: (event: T) => void,
  ): StopListening {
    let entry = channels.get(channel);
    if (!entry) {
      const listeners = new Set<(event: T) => void>();
      const created: ChannelEntry = {
        listeners,
        subscribed: deps.broker.subscribe(channel, {
          publication(publication) {
            let event: T | undefined;
            try {
              event = decode(wire.Payload.decode(publication.payload));
            } catch (err) {
              deps.onError(err);
              return;
            }
            if (event === undefined) return;
            for (const l of [...listeners]) l(event);
          },
          reset: () => undefined,
        }),
      };
      created.subscribed.catch((err: unknown) => {
        deps.onError(err);
        if (channels.get(channel) === created) channels.delete(channel);
      });
      channels.set(channel, created);
      entry = created;
    }
    const attached = entry;
    attached.listeners.add(listener as (event: never) => void);
    return () => {
      attached.listeners.delete(listener as (event: never) => void);
      if (attached.listeners.size > 0 || channels.get(channel) !== attached) return;
      channels.delete(channel);
      attached.subscribed.then((unsubscribe) => unsubscribe()).catch(deps.onError);
    };
  }

  const audit = (payload: Payload) => (payload.audit ? fromAuditPayload(payload.audit) : undefined);
  return {
    auditEvents: (listener) => listen(channelNames.audit, audit, listener),
    userAuditEvents: (userId, listener) => listen(channelNames.user(userId), audit, listener),
    gpsPoints: (listener) =>
      listen(channelNames.gps, (p) => (p.gps ? fromGpsPayload(p.gps) : undefined), listener),
    publishGps: (point) => deps.publisher.gps(point),
  };
}
