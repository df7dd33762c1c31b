import { wire, type Payload } from '../../proto/index.js';
import { AUDIT_COLUMNS, AUDIT_COLUMN_NAMES, type AuditColumn } from '../../schemas/audit-columns.js';
import { camelCase } from '../../schemas/common.js';
import type { AuditEventRecord } from '../../schemas/audit.js';
import { gpsPointSchema, type GpsPoint } from '../../schemas/gps.js';
import type { LiveEvents, StopListening } from '../../core/shared/live-events.js';
import type { Broker, BrokerListener } from './broker.js';
import { channelNames } from './channels.js';
import type { RealtimePublisher } from './publisher.js';

type AuditMessage = NonNullable<Payload['audit']>;

// Which field of the wire message holds each column, worked out once.
const AUDIT_FIELDS = AUDIT_COLUMN_NAMES.map((name) => {
  const column: AuditColumn = AUDIT_COLUMNS[name];
  const field = camelCase(column.proto ?? name) as keyof AuditMessage;
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
  /** The broker subscription; undefined when subscribing failed (a retry is then scheduled). */
  subscribed: Promise<(() => Promise<void>) | undefined>;
  retry?: NodeJS.Timeout;
}

/** While the broker cannot be reached (Redis down), how often a channel with listeners tries again. */
const RESUBSCRIBE_MS = 2000;

/**
 * LiveEvents over the realtime broker: one broker subscription per channel on this node however many listeners
 * it has, each publication decoded once for all of them. A listener hears what is published after it is
 * attached, in offset order; the Redis broker fills a gap it notices (a lost message, its subscriber connection
 * coming back) from the channel's history before going on. When even that history is gone the broker resets
 * and delivery skips ahead: these subscriptions have no position a client could resume from.
 */
export function createLiveEvents(deps: {
  broker: Broker;
  publisher: Pick<RealtimePublisher, 'gps'>;
  onError(err: unknown): void;
}): LiveEvents {
  const channels = new Map<string, ChannelEntry>();

  const subscribe = (channel: string, entry: ChannelEntry, listener: BrokerListener) => {
    entry.subscribed = deps.broker.subscribe(channel, listener).catch((err: unknown) => {
      deps.onError(err);
      if (channels.get(channel) === entry) {
        entry.retry = setTimeout(() => {
          if (channels.get(channel) === entry) subscribe(channel, entry, listener);
        }, RESUBSCRIBE_MS).unref();
      }
      return undefined;
    });
  };

  function listen<T>(
    channel: string,
    decode: (payload: Payload) => T | undefined,
    listener: (event: T) => void,
  ): StopListening {
    let entry = channels.get(channel);
    if (!entry) {
      const listeners = new Set<(event: T) => void>();
      const created: ChannelEntry = { listeners, subscribed: Promise.resolve(undefined) };
      channels.set(channel, created);
      subscribe(channel, created, {
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
      });
      entry = created;
    }
    const attached = entry;
    attached.listeners.add(listener as (event: never) => void);
    return () => {
      attached.listeners.delete(listener as (event: never) => void);
      if (attached.listeners.size > 0 || channels.get(channel) !== attached) return;
      channels.delete(channel);
      clearTimeout(attached.retry);
      attached.subscribed.then((unsubscribe) => unsubscribe?.()).catch(deps.onError);
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
