import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import { call, createKey, createUser } from '../support/fixtures.js';
import { graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';
import { subscribe, wsClient } from '../support/graphql-ws.js';

describe('GraphQL subscriptions over graphql-ws on /api/graphql', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let adminId: string;
  let adminKey: string;
  let modKey: string;
  let userId: string;
  let userKey: string;
  const clients: Client[] = [];
  const client = (key: string | undefined) => {
    const c = wsClient(t.url, key);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    adminKey = (await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] })).key;
    const mod = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    modKey = (await createKey(t.db, { userId: mod, roleIds: ['role_api_full_access'] })).key;
    userId = await createUser(t.db, { roleIds: ['role_user'] });
    // Not role_developer: it requires 2FA, which this user lacks, so taking it would close their socket.
    await t.db('Role').insert({ id: 'role_streamer', name: 'Streamer' });
    userKey = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'] })).key;
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.dispose()));
  });

  const settle = () => new Promise((r) => setTimeout(r, 300));

  it('auditEvent delivers an event recorded through REST, filtered, once it is stored', async () => {
    const sub = subscribe(
      client(adminKey),
      'subscription { auditEvent(filter: { eventTypes: ["api_key_created"] }) { eventType userId actorId resourceId sourceService metadata } }',
    );
    await settle();
    await call(t.url, 'PATCH', `/v1/users/${userId}`, { key: adminKey, body: { preferred_locale: 'de' } }); // filtered out
    const created = await call(t.url, 'POST', '/v1/api-keys', { key: userKey, body: { name: 'live' } });
    expect(created.status).toBe(201);
    await sub.until(() => sub.events.length > 0);
    expect(sub.errors).toEqual([]);
    expect(sub.events).toEqual([
      {
        auditEvent: {
          eventType: 'api_key_created',
          userId,
          actorId: userId,
          resourceId: created.body.id,
          sourceService: 'api',
          metadata: expect.objectContaining({ name: 'live' }),
        },
      },
    ]);
    sub.stop();
  });

  it('auditEvent needs audit:read; the refusal carries the REST code', async () => {
    const sub = subscribe(client(modKey), 'subscription { auditEvent { id } }');
    await sub.until(() => sub.errors.length > 0);
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['auth.forbidden']);
  });

  it('gpsUpdated delivers points written through GraphQL (gps:read)', async () => {
    const sub = subscribe(
      client(modKey),
      'subscription { gpsUpdated { operation latitude longitude timestamp } }',
    );
    await settle();
    const res = await graphqlClient(
      t.url,
      modKey,
    )(
      'mutation { createGpsData(data: { latitude: 59.91, longitude: 10.75, timestamp: "2026-11-23T12:00:00Z" }) { id } }',
    );
    expect(res.errors).toEqual([]);
    await sub.until(() => sub.events.length > 0);
    expect(sub.events).toEqual([
      {
        gpsUpdated: {
          operation: 'create',
          latitude: 59.91,
          longitude: 10.75,
          timestamp: '2026-11-23T12:00:00.000Z',
        },
      },
    ]);
    const denied = subscribe(client(userKey), 'subscription { gpsUpdated { id } }');
    await denied.until(() => denied.errors.length > 0);
    expect(denied.errors.map((e) => e.extensions?.code)).toEqual(['auth.forbidden']);
  });

  it('myRolesChanged tells a user when a role is given or taken', async () => {
    const sub = subscribe(client(userKey), 'subscription { myRolesChanged { eventType roleId } }');
    await settle();
    expect(
      (
        await call(t.url, 'POST', `/v1/users/${userId}/roles`, {
          key: adminKey,
          body: { role_id: 'role_streamer' },
        })
      ).status,
    ).toBeLessThan(300);
    expect(
      (await call(t.url, 'DELETE', `/v1/users/${userId}/roles/role_streamer`, { key: adminKey })).status,
    ).toBe(204);
    await sub.until(() => sub.events.length >= 2);
    expect(sub.events).toEqual([
      { myRolesChanged: { eventType: 'role_assigned', roleId: 'role_streamer' } },
      { myRolesChanged: { eventType: 'role_removed', roleId: 'role_streamer' } },
    ]);
  });

  it('connection_init without a valid credential is refused with 4403', async () => {
    for (const key of [undefined, 'hm_not_a_real_key_at_all_000000000000000000000']) {
      const sub = subscribe(client(key), 'subscription { myRolesChanged { eventType } }');
      await sub.until(() => sub.errors.length > 0);
      expect(sub.errors[0]).toMatchObject({ code: 4403 });
    }
  });

  it('a revoked key loses its open subscription at once (4403)', async () => {
    const owner = await createUser(t.db, { roleIds: ['role_user'] });
    const doomed = await createKey(t.db, { userId: owner, roleIds: ['role_api_full_access'] });
    const sub = subscribe(client(doomed.key), 'subscription { myRolesChanged { eventType } }');
    await settle();
    expect(sub.errors).toEqual([]);
    expect((await call(t.url, 'DELETE', `/v1/api-keys/${doomed.id}`, { key: doomed.key })).status).toBe(204);
    await sub.until(() => sub.errors.length > 0);
    expect(sub.errors[0]).toMatchObject({ code: 4403 });
  });

  it('subscriptions pass the same query limits', async () => {
    const sub = subscribe(client(adminKey), 'subscription { auditEvent { id nope } }');
    await sub.until(() => sub.errors.length > 0);
    expect(sub.errors.map((e) => e.extensions?.code)).toEqual(['graphql.invalid_query']);
  });
});
