import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { hashPassword } from '../../core/auth/passwords.js';
import { call, createKey, createLinkedAccount, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';
import { CASES, NOT_AUDITED, type Ctx } from './audit-trail-cases.js';

/**
 * Every change made through /v1 is in the audit log with who did it (actor), to whom or what
 * (user, resource), from where (IP, user agent, GeoIP place) and through which service. One row per mutating
 * route (audit-trail-cases.ts); the first test fails when a route is added without a row there, so no change
 * goes unrecorded.
 */
const IP = '89.160.20.120'; // Linköping in the GeoIP fixture
const UA = 'audit-trail-test/1.0';

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
    async ownAvatar() {
      const fileId = await this.file();
      await t
        .db('UserAvatar')
        .insert({ user_id: adminId, file_id: fileId, url: 'https://heimdall.example/a.png' })
        .onConflict('user_id')
        .merge();
    },
    pause: () => new Promise((resolve) => setTimeout(resolve, 1100)),
    async permission() {
      const action = uniqueName('p').toLowerCase();
      await t.db('Permission').insert({ id: `trail:${action}`, resource: 'trail', action });
      return `trail:${action}`;
    },
    async warning() {
      const community = uniqueName('channel').toLowerCase();
      const [row] = await t
        .db('BotWarning')
        .insert({
          platform: 'twitch',
          community_id: community,
          member_platform_id: '42',
          member_name: 'troll',
          moderator_platform_id: '7',
        })
        .returning('id');
      return { id: row.id as string, community };
    },
    async file() {
      const id = randomUUID();
      await t.db('StoredFile').insert({
        id,
        owner_user_id: adminId,
        key: `files/${id}`,
        name: 'trail.txt',
        content_type: 'text/plain',
        size: 0,
        sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
      });
      return id;
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
    async setting() {
      const key = `custom.${uniqueName('trail').toLowerCase()}`;
      await t.db('Setting').insert({ key, value: '1' });
      return key;
    },
    async ownSession() {
      return (await t.platform.services.sessions.create({ userId: adminId, provider: 'email' })).id;
    },
    async ownLinkedAccount() {
      await createLinkedAccount(t.db, adminId);
      return createLinkedAccount(t.db, adminId);
    },
    self: () => adminId,
    exportsDone: () => t.platform.services.dataExport.idle(),
    pseudonym: (userId) => t.platform.services.accountDeletion.pseudonym(userId),
    async ownDeletionScheduled() {
      await t.db('AccountDeletion').insert({
        user_id: adminId,
        purge_after: new Date(Date.now() + 86_400_000),
        requested_by: adminId,
        via: 'self',
      });
      // The two cancel routes leave the same event: the second must not find the first's within its second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    },
    async ownPassword() {
      const password = 'trail password 1234';
      // The admin holds every permission, so counts as a super admin: someone else must stay one.
      await createUser(t.db, { roleIds: ['role_super_admin'] });
      await t.db('PlatformAccount').insert({
        user_id: adminId,
        platform_id: 'email',
        platform_user_id: `${uniqueName('trail').toLowerCase()}@example.test`,
        username: uniqueName('trail').slice(0, 30),
        password_hash: await hashPassword(password),
      });
      return password;
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
    await request.settle?.();
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
