import { describe, expect, it } from '@jest/globals';
import { toAuditRecord, toAuditRow } from '../../core/audit/rows.js';
import { wire } from '../../proto/index.js';
import type { AuditEventRecord } from '../../schemas/audit.js';
import type { GpsPoint } from '../../schemas/gps.js';
import { channelNames } from './channels.js';
import { createLiveEvents } from './live-events.js';
import { createMemoryBroker } from './memory-broker.js';
import { createRealtimePublisher } from './publisher.js';

const LIMITS = { size: 100, ttlMs: 60_000, metaTtlMs: 60_000 };
const fail = (err: unknown) => {
  throw err;
};

function setup() {
  const broker = createMemoryBroker(LIMITS);
  const publisher = createRealtimePublisher({ broker, usersWithRole: async () => [], onError: fail });
  const live = createLiveEvents({ broker, publisher, onError: fail });
  return { broker, publisher, live };
}

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('live events over the realtime broker', () => {
  it('a stored event is heard as its record, every column through the wire message and back', async () => {
    const { broker, publisher, live } = setup();
    const full = {
      ...toAuditRow({
        event_type: 'role_assigned',
        user_id: 'u1',
        actor_id: 'u2',
        resource_type: 'role',
        resource_id: 'role_x',
        ip_address: '127.0.0.1',
        user_agent: 'agent',
        description: 'given',
        metadata: { a: ['é', null, 1.5] },
        status: 'failure',
        error_message: 'nope',
        source_service: 'api',
        is_reported: true,
      }),
      country_code: 'SE',
      country_name: 'Sweden',
      city: 'Göteborg',
      region: 'Västra Götaland',
    };
    const bare = toAuditRow({ event_type: 'logout' });
    const all: AuditEventRecord[] = [];
    const own: AuditEventRecord[] = [];
    const stopAll = live.auditEvents((e) => all.push(e));
    const stopOwn = live.userAuditEvents('u1', (e) => own.push(e));
    await tick();
    publisher.auditStored([full, bare]);
    await publisher.settled();
    await tick();
    expect(all).toEqual([toAuditRecord(full), toAuditRecord(bare)]);
    // The user's channel also carries a UserEvent (roles_changed): only audit events are heard.
    expect(own).toEqual([toAuditRecord(full)]);
    stopAll();
    stopOwn();
    await broker.close();
  });

  it('GPS points round-trip; a client payload that is not a point is skipped', async () => {
    const { broker, publisher, live } = setup();
    const heard: GpsPoint[] = [];
    const stop = live.gpsPoints((p) => heard.push(p));
    await tick();
    const point: GpsPoint = {
      id: 'p1',
      operation: 'create',
      latitude: 59.91,
      longitude: 10.75,
      altitude: null,
      speed: 3.5,
      timestamp: '2026-11-23T12:00:00.000Z',
    };
    live.publishGps(point);
    await broker.publish(
      channelNames.gps,
      wire.Payload.encode({ gps: { id: 'x', operation: 'teleport', latitude: 0, longitude: 0 } }).finish(),
    );
    await publisher.settled();
    await tick();
    expect(heard).toEqual([point]);
    stop();
    await broker.close();
  });

  it('listeners share one broker subscription per channel, released with the last of them', async () => {
    const broker = createMemoryBroker(LIMITS);
    let subscriptions = 0;
    let released = 0;
    const counted = {
      ...broker,
      subscribe: async (...args: Parameters<typeof broker.subscribe>) => {
        subscriptions += 1;
        const unsubscribe = await broker.subscribe(...args);
        return async () => {
          released += 1;
          await unsubscribe();
        };
      },
    };
    const publisher = createRealtimePublisher({ broker, usersWithRole: async () => [], onError: fail });
    const live = createLiveEvents({ broker: counted, publisher, onError: fail });
    const a = live.auditEvents(() => undefined);
    const b = live.auditEvents(() => undefined);
    a();
    await tick();
    expect([subscriptions, released]).toEqual([1, 0]);
    b();
    await tick();
    expect([subscriptions, released]).toEqual([1, 1]);
    await broker.close();
  });

  it('keeps trying to subscribe while the broker cannot be reached, for the listeners it has', async () => {
    const broker = createMemoryBroker(LIMITS);
    let attempts = 0;
    const flaky = {
      ...broker,
      subscribe: async (...args: Parameters<typeof broker.subscribe>) => {
        attempts += 1;
        if (attempts === 1) throw new Error('redis down');
        return broker.subscribe(...args);
      },
    };
    const errors: unknown[] = [];
    const publisher = createRealtimePublisher({ broker, usersWithRole: async () => [], onError: fail });
    const live = createLiveEvents({ broker: flaky, publisher, onError: (err) => errors.push(err) });
    const heard: AuditEventRecord[] = [];
    const stop = live.auditEvents((e) => heard.push(e));
    await new Promise((r) => setTimeout(r, 2200));
    expect(attempts).toBe(2);
    const row = toAuditRow({ event_type: 'logout' });
    publisher.auditStored([row]);
    await publisher.settled();
    await tick();
    expect(heard).toEqual([toAuditRecord(row)]);
    expect(errors).toHaveLength(1);
    stop();
    await broker.close();
  });
});
