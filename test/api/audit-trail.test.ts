import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

/**
 * Issue 4, item 6: every change made through /v1 is in the audit log with who did it (actor), to whom or what
 * (user, resource), from where (IP, user agent, GeoIP place) and through which service. One row per mutating
 * route; the first test fails when a route is added without a row here, so no change goes unrecorded.
 */
const IP = '89.160.20.120'; // Linköping in the GeoIP fixture
const UA = 'audit-trail-test/1.0';

interface Case {
  /** Prepares the targets and returns the request plus the event expected from it. */
  (ctx: Ctx): Promise<{ method: string; path: string; body?: unknown; expect: Record<string, unknown> }>;
}
interface Ctx {
  victim(): Promise<string>;
  ownKey(): Promise<string>;
  role(): Promise<string>;
  permission(): Promise<string>;
  bannedVictim(): Promise<string>;
  ownEvent(): Promise<string>;
  /** An app the caller's user has let in. */
  ownConnectedApp(): Promise<{ consentId: string; clientId: string }>;
  /** A session of the caller's user. */
  ownSession(): Promise<string>;
  /** A confidential OAuth client of another user (created through the API). */
  victimClient(): Promise<{ id: string; userId: string }>;
}

const CASES: Record<string, Case> = {
  'PATCH /v1/users/:id': async (c) => {
    const id = await c.victim();
    return {
      method: 'PATCH',
      path: `/v1/users/${id}`,
      body: { preferred_locale: 'de' },
      expect: { event_type: 'user_updated', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'DELETE /v1/users/:id': async (c) => {
    const id = await c.victim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}`,
      expect: { event_type: 'user_deleted', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'POST /v1/users/:id/roles': async (c) => {
    const id = await c.victim();
    return {
      method: 'POST',
      path: `/v1/users/${id}/roles`,
      body: { role_id: 'role_moderator' },
      expect: {
        event_type: 'role_assigned',
        user_id: id,
        resource_type: 'role',
        resource_id: 'role_moderator',
      },
    };
  },
  'DELETE /v1/users/:id/roles/:roleId': async (c) => {
    const id = await c.victim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}/roles/role_user`,
      expect: { event_type: 'role_removed', user_id: id, resource_type: 'role', resource_id: 'role_user' },
    };
  },
  'POST /v1/users/:id/ban': async (c) => {
    const id = await c.victim();
    return {
      method: 'POST',
      path: `/v1/users/${id}/ban`,
      body: { reason: 'trail' },
      expect: { event_type: 'user_banned', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'DELETE /v1/users/:id/ban': async (c) => {
    const id = await c.bannedVictim();
    return {
      method: 'DELETE',
      path: `/v1/users/${id}/ban`,
      expect: { event_type: 'user_unbanned', user_id: id, resource_type: 'user', resource_id: id },
    };
  },
  'POST /v1/api-keys': async () => ({
    method: 'POST',
    path: '/v1/api-keys',
    body: { name: uniqueName('trail') },
    expect: { event_type: 'api_key_created', resource_type: 'api_key' },
  }),
  'PATCH /v1/api-keys/:id': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'PATCH',
      path: `/v1/api-keys/${id}`,
      body: { name: 'renamed' },
      expect: { event_type: 'api_key_updated', resource_type: 'api_key', resource_id: id },
    };
  },
  'DELETE /v1/api-keys/:id': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'DELETE',
      path: `/v1/api-keys/${id}`,
      expect: { event_type: 'api_key_revoked', resource_type: 'api_key', resource_id: id },
    };
  },
  'POST /v1/api-keys/:id/rotate': async (c) => {
    const id = await c.ownKey();
    return {
      method: 'POST',
      path: `/v1/api-keys/${id}/rotate`,
      expect: {
        event_type: 'api_key_updated',
        resource_type: 'api_key',
        resource_id: id,
        metadata: expect.objectContaining({ rotated: true }),
      },
    };
  },
  'POST /v1/oauth-clients': async () => ({
    method: 'POST',
    path: '/v1/oauth-clients',
    body: { name: uniqueName('trail'), redirect_uris: ['https://trail.example/cb'] },
    expect: { event_type: 'client_created', resource_type: 'oauth_client' },
  }),
  'PATCH /v1/oauth-clients/:id': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'PATCH',
      path: `/v1/oauth-clients/${id}`,
      body: { name: 'renamed' },
      expect: {
        event_type: 'client_updated',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
        metadata: expect.objectContaining({ changed: ['name'] }),
      },
    };
  },
  'DELETE /v1/oauth-clients/:id': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'DELETE',
      path: `/v1/oauth-clients/${id}`,
      expect: {
        event_type: 'client_deleted',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
      },
    };
  },
  'POST /v1/oauth-clients/:id/regenerate-secret': async (c) => {
    const { id, userId } = await c.victimClient();
    return {
      method: 'POST',
      path: `/v1/oauth-clients/${id}/regenerate-secret`,
      expect: {
        event_type: 'client_secret_regenerated',
        user_id: userId,
        resource_type: 'oauth_client',
        resource_id: id,
      },
    };
  },
  'POST /v1/roles': async () => {
    const name = uniqueName('Trail role');
    return {
      method: 'POST',
      path: '/v1/roles',
      body: { name, permission_ids: ['gps:read'] },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        metadata: { action: 'role_created', permission_ids: ['gps:read'] },
      },
    };
  },
  'PATCH /v1/roles/:id': async (c) => {
    const id = await c.role();
    return {
      method: 'PATCH',
      path: `/v1/roles/${id}`,
      body: { description: 'changed' },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'role_updated', changed: ['description'] },
      },
    };
  },
  'DELETE /v1/roles/:id': async (c) => {
    const id = await c.role();
    return {
      method: 'DELETE',
      path: `/v1/roles/${id}`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: expect.objectContaining({ action: 'role_deleted' }),
      },
    };
  },
  'POST /v1/roles/:id/permissions': async (c) => {
    const id = await c.role();
    return {
      method: 'POST',
      path: `/v1/roles/${id}/permissions`,
      body: { permission_id: 'gps:write' },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'permission_added', permission_id: 'gps:write' },
      },
    };
  },
  'DELETE /v1/roles/:id/permissions/:permId': async (c) => {
    const id = await c.role();
    return {
      method: 'DELETE',
      path: `/v1/roles/${id}/permissions/gps:read`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'role',
        resource_id: id,
        metadata: { action: 'permission_removed', permission_id: 'gps:read' },
      },
    };
  },
  'POST /v1/permissions': async () => {
    const action = uniqueName('a').toLowerCase();
    return {
      method: 'POST',
      path: '/v1/permissions',
      body: { resource: 'trail', action },
      expect: {
        event_type: 'permission_changed',
        resource_type: 'permission',
        resource_id: `trail:${action}`,
        metadata: { action: 'permission_created' },
      },
    };
  },
  'DELETE /v1/permissions/:id': async (c) => {
    const id = await c.permission();
    return {
      method: 'DELETE',
      path: `/v1/permissions/${id}`,
      expect: {
        event_type: 'permission_changed',
        resource_type: 'permission',
        resource_id: id,
        metadata: { action: 'permission_deleted' },
      },
    };
  },
  'DELETE /v1/user/sessions/:id': async (c) => {
    const id = await c.ownSession();
    return {
      method: 'DELETE',
      path: `/v1/user/sessions/${id}`,
      expect: { event_type: 'session_revoked', resource_type: 'session', resource_id: id },
    };
  },
  'DELETE /v1/user/sessions': async (c) => {
    await c.ownSession();
    return {
      method: 'DELETE',
      path: '/v1/user/sessions',
      expect: { event_type: 'all_sessions_revoked', metadata: { count: 1, kept_current: false } },
    };
  },
  'DELETE /v1/user/connected-apps/:id': async (c) => {
    const { consentId, clientId } = await c.ownConnectedApp();
    return {
      method: 'DELETE',
      path: `/v1/user/connected-apps/${consentId}`,
      expect: { event_type: 'consent_revoked', resource_type: 'oauth_client', resource_id: clientId },
    };
  },
  'DELETE /v1/user/connected-apps': async (c) => {
    const { clientId } = await c.ownConnectedApp();
    return {
      method: 'DELETE',
      path: '/v1/user/connected-apps',
      expect: { event_type: 'consent_revoked', resource_id: clientId },
    };
  },
  'POST /v1/user/activity/:id/report': async (c) => {
    const id = await c.ownEvent();
    return {
      method: 'POST',
      path: `/v1/user/activity/${id}/report`,
      body: {},
      expect: { event_type: 'activity_reported', resource_type: 'audit_event', resource_id: id },
    };
  },
};

/**
 * Routes that change nothing or whose event is the caller's own submission (asserted in audit.test.ts). The
 * /v1/2fa routes need an authenticator app's codes; test/api/two-factor.test.ts asserts their events.
 */
const NOT_AUDITED = new Set([
  'POST /v1/audit',
  // Checking a session changes nothing; extending one is routine upkeep (its creation and end are recorded).
  'POST /v1/auth/session',
  'POST /v1/auth/refresh',
]);

describe('audit trail: every change through /v1 is recorded', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__GEOIP__DATABASE: path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb'),
    HEIMDALL__SERVER__TRUST_PROXY: 'true',
  });
  let adminId: string;
  let admin: TestKey;

  beforeAll(async () => {
    adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    admin = await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] });
  });

  const ctx = (): Ctx => ({
    victim: () => createUser(t.db, { roleIds: ['role_user'] }),
    ownKey: async () => (await createKey(t.db, { userId: adminId })).id,
    async role() {
      const id = uniqueName('role_t').toLowerCase();
      await t.db('Role').insert({ id, name: id });
      await t.db('RolePermission').insert({ role_id: id, permission_id: 'gps:read' });
      return id;
    },
    async permission() {
      const action = uniqueName('p').toLowerCase();
      await t.db('Permission').insert({ id: `trail:${action}`, resource: 'trail', action });
      return `trail:${action}`;
    },
    async bannedVictim() {
      const id = await createUser(t.db, { roleIds: ['role_user'] });
      const res = await call(t.url, 'POST', `/v1/users/${id}/ban`, { key: admin.key, body: { reason: 'x' } });
      expect(res.status).toBe(200);
      return id;
    },
    async victimClient() {
      const userId = await createUser(t.db, { roleIds: ['role_user'] });
      const res = await call(t.url, 'POST', '/v1/oauth-clients', {
        key: admin.key,
        body: { name: 'trail', redirect_uris: ['https://trail.example/cb'], user_id: userId },
      });
      expect(res.status).toBe(201);
      return { id: res.body.id as string, userId };
    },
    async ownConnectedApp() {
      const clientId = uniqueName('hc_t');
      const [client] = await t
        .db('OAuthClient')
        .insert({
          client_id: clientId,
          name: 'app',
          redirect_uris: ['https://app.example/cb'],
          client_secret: 'x',
        })
        .returning('id');
      const [consent] = await t
        .db('OAuthConsent')
        .insert({ user_id: adminId, client_id: client.id, scopes: ['openid'] })
        .returning('id');
      return { consentId: consent.id as string, clientId };
    },
    async ownSession() {
      return (await t.platform.services.sessions.create({ userId: adminId, provider: 'email' })).id;
    },
    async ownEvent() {
      const [row] = await t
        .db('AuditEvent')
        .insert({ event_type: 'login', user_id: adminId })
        .returning('id');
      return row.id;
    },
  });

  it('has a case for every mutating route', () => {
    const mutating = t.platform.routes
      .filter((r) => r.method !== 'get')
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((r) => !NOT_AUDITED.has(r) && !r.startsWith('POST /v1/2fa/'));
    expect(mutating.sort()).toEqual(Object.keys(CASES).sort());
  });

  it.each(Object.keys(CASES))('%s', async (route) => {
    const request = await CASES[route]!(ctx());
    const started = new Date(Date.now() - 1000);
    const res = await call(t.url, request.method, request.path, {
      key: admin.key,
      body: request.body,
      headers: { 'x-forwarded-for': IP, 'user-agent': UA },
    });
    expect(res.status).toBeLessThan(300);
    await t.platform.services.audit.flush();
    const events = await t
      .db('AuditEvent')
      .where({ event_type: request.expect.event_type, actor_id: adminId, user_agent: UA })
      .where('created_at', '>=', started)
      .modify((q) => {
        if (request.expect.resource_id) q.where({ resource_id: request.expect.resource_id });
        else if (res.body?.id) q.where({ resource_id: res.body.id });
      });
    expect(events).toEqual([
      expect.objectContaining({
        actor_id: adminId,
        ip_address: IP,
        user_agent: UA,
        source_service: 'api',
        status: 'success',
        country_code: 'SE',
        city: 'Linköping',
        ...request.expect,
      }),
    ]);
  });
});
