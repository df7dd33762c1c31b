import { describe, expect, it } from '@jest/globals';
import { wire } from '../../proto/index.js';
import { toAuditRecord, toAuditRow, type AuditRow } from '../../core/audit/rows.js';

import type { Broker, StoredPublication } from './broker.js';
import { channelNames } from './channels.js';
import { createMemoryBroker } from './memory-broker.js';
import { createRealtimePublisher, toAuditPayload } from './publisher.js';

const LIMITS = { size: 100, ttlMs: 60_000, metaTtlMs: 60_000 };

async function everything(broker: Broker, channel: string): Promise<StoredPublication[]> {
  const { position } = await broker.history(channel);
  return (await broker.history(channel, { epoch: position.epoch, offset: 0 })).publications;
}

/** The bytes as the publisher first encoded them: a message instance from create(), a fresh writer. */
const reference = (row: AuditRow) =>
  Buffer.from(wire.Payload.encode(wire.Payload.create(toAuditPayload(toAuditRecord(row)))).finish());

describe('realtime publisher: stored audit events', () => {
  it('each event to `audit`, own events and access changes to `user:<id>`, in order, bytes as before', async () => {
    const broker = createMemoryBroker(LIMITS);
    const publisher = createRealtimePublisher({
      broker,
      usersWithRole: async (roleId) => (roleId === 'role_x' ? ['u2', 'u3'] : []),
      onError: (err) => {
        throw err;
      },
    });
    const rows = [
      toAuditRow({ event_type: 'login', user_id: 'u1', ip_address: '127.0.0.1', metadata: { a: 'é\t"' } }),
      toAuditRow({ event_type: 'bot_command_executed', user_id: 'u1', source_service: 'discord_bot' }),
      toAuditRow({
        event_type: 'role_assigned',
        user_id: 'u1',
        resource_type: 'role',
        resource_id: 'role_x',
      }),
      toAuditRow({ event_type: 'token_created', actor_id: 'oauth_client:c', metadata: {} }),
      toAuditRow({ event_type: 'permission_changed', resource_type: 'role', resource_id: 'role_x' }),
      toAuditRow({ event_type: 'logout', user_id: 'u2', is_reported: true }),
    ];
    // Rows straight from the writer and records as the API shows them give the same publications.
    publisher.auditStored(rows.slice(0, 3));
    publisher.auditStored(rows.slice(3).map(toAuditRecord));
    await publisher.settled();

    const audit = await everything(broker, channelNames.audit);
    expect(audit.map((p) => p.offset)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(audit.map((p) => Buffer.from(p.payload))).toEqual(rows.map(reference));
    expect(wire.Payload.decode(audit[0]!.payload).audit?.metadataJson).toBe('{"a":"é\\t\\""}');

    const u1 = (await everything(broker, channelNames.user('u1'))).map((p) => wire.Payload.decode(p.payload));
    expect(u1.map((p) => p.audit?.eventType ?? `user:${p.user?.type}`)).toEqual([
      'login',
      'role_assigned',
      'user:roles_changed',
    ]);
    expect(u1[2]!.user).toMatchObject({ userId: 'u1', type: 'roles_changed', roleId: 'role_x' });

    const u2 = (await everything(broker, channelNames.user('u2'))).map((p) => wire.Payload.decode(p.payload));
    expect(u2.map((p) => p.audit?.eventType ?? `user:${p.user?.type}`).sort()).toEqual([
      'logout',
      'user:permissions_changed',
    ]);
    const u3 = (await everything(broker, channelNames.user('u3'))).map((p) => wire.Payload.decode(p.payload));
    expect(u3.map((p) => p.user?.type)).toEqual(['permissions_changed']);
  });
});
