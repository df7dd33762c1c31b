/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser } from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';

describe("Heimdall's own GraphQL operations (Pothos, merged into /api/graphql)", () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let adminKey: string;
  let modKey: string;
  let userId: string;
  let userKey: string;
  let pendingKey: string;

  beforeAll(async () => {
    const admin = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    adminKey = (await createKey(t.db, { userId: admin, roleIds: ['role_api_full_access'] })).key;
    const mod = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: true });
    modKey = (await createKey(t.db, { userId: mod, roleIds: ['role_api_full_access'] })).key;
    userId = await createUser(t.db, { roleIds: ['role_user'] });
    userKey = (await createKey(t.db, { userId, roleIds: ['role_api_full_access'], scopes: ['*'] })).key;
    const pending = await createUser(t.db, { roleIds: ['role_moderator'], twoFactor: false });
    pendingKey = (await createKey(t.db, { userId: pending, roleIds: ['role_api_full_access'] })).key;
  });

  it('me: the AuthContext, as GET /v1/me shows it', async () => {
    const gql = await graphqlClient(
      t.url,
      modKey,
    )(
      '{ me { user { id username } apiKey { prefix isSystem } roles roleIds permissions scopes isSuperAdmin twoFactorRequired } }',
    );
    const rest = await call(t.url, 'GET', '/v1/me', { key: modKey });
    expect(gql.errors).toEqual([]);
    expect(gql.data.me).toEqual({
      user: rest.body.user,
      apiKey: { prefix: rest.body.api_key.prefix, isSystem: false },
      roles: rest.body.roles,
      roleIds: rest.body.role_ids,
      permissions: rest.body.permissions,
      scopes: ['*'],
      isSuperAdmin: false,
      twoFactorRequired: true,
    });
  });

  it('can(resource, action) answers the same decision REST makes', async () => {
    const q =
      '{ users: can(resource: "users", action: "ban") roles: can(resource: "roles", action: "write") }';
    expect((await graphqlClient(t.url, modKey)(q)).data).toEqual({ users: true, roles: false });
    expect((await graphqlClient(t.url, adminKey)(q)).data).toEqual({ users: true, roles: true });
    expect((await graphqlClient(t.url)(q)).data).toEqual({ users: false, roles: false });
  });

  it('while a required 2FA is pending, only me answers', async () => {
    const me = await graphqlClient(t.url, pendingKey)('{ me { twoFactorRequired twoFactorVerified } }');
    expect(me.errors).toEqual([]);
    expect(me.data.me).toEqual({ twoFactorRequired: true, twoFactorVerified: false });
    const more = await graphqlClient(t.url, pendingKey)('{ me { roles } users { id } }');
    expect(more.status).toBe(403);
    expect(codes(more)).toEqual(['auth.two_factor_required']);
  });

  it('auditEvents: events recorded through REST, with filters and pages (audit:read)', async () => {
    for (const name of ['one', 'two', 'three']) {
      expect((await call(t.url, 'POST', '/v1/api-keys', { key: userKey, body: { name } })).status).toBe(201);
    }
    await t.platform.services.audit.flush();
    const query = `query ($after: String) {
      auditEvents(filter: { eventTypes: ["api_key_created"], userId: "${userId}" }, first: 2, after: $after) {
        nodes { eventType actorId userId resourceType sourceService metadata }
        nextCursor
      }
    }`;
    const admin = graphqlClient(t.url, adminKey);
    const first = await admin(query);
    expect(first.errors).toEqual([]);
    expect(first.data.auditEvents.nodes).toHaveLength(2);
    expect(first.data.auditEvents.nodes[0]).toMatchObject({
      eventType: 'api_key_created',
      actorId: userId,
      userId,
      resourceType: 'api_key',
      sourceService: 'api',
      metadata: { name: 'three' },
    });
    const second = await admin(query, { after: first.data.auditEvents.nextCursor });
    expect(second.data.auditEvents).toEqual({
      nodes: [expect.objectContaining({ metadata: expect.objectContaining({ name: 'one' }) })],
      nextCursor: null,
    });

    const denied = await graphqlClient(t.url, modKey)('{ auditEvents { nodes { id } } }');
    expect(denied.errors[0]?.extensions).toEqual({
      code: 'auth.forbidden',
      details: { required: 'audit:read' },
    });
    const bad = await admin(
      '{ auditEvents(filter: { eventTypes: ["login", "nope"], countryCode: "GBR" }) { nodes { id } } }',
    );
    expect(bad.errors[0]?.extensions?.code).toBe('request.validation_failed');
    expect((bad.errors[0]?.extensions?.details as any).fields.map((f: any) => f.field).sort()).toEqual([
      'country_code',
      'event_type.1',
    ]);
  });

  it('myActivity: your own security events only', async () => {
    const mine = await graphqlClient(
      t.url,
      userKey,
    )('{ myActivity(first: 10) { nodes { eventType bySelf } nextCursor } }');
    expect(mine.errors).toEqual([]);
    expect(mine.data.myActivity.nodes.map((n: any) => n.eventType)).toEqual([
      'api_key_created',
      'api_key_created',
      'api_key_created',
    ]);
    expect(mine.data.myActivity.nodes.every((n: any) => n.bySelf)).toBe(true);
    const theirs = await graphqlClient(t.url, modKey)('{ myActivity { nodes { id } } }');
    expect(theirs.data.myActivity.nodes).toEqual([]);
  });
});
