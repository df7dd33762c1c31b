/* eslint-disable @typescript-eslint/no-explicit-any -- responses and the OpenAPI document are walked as JSON */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { hashSecret } from '../../core/auth/secret-token.js';
import { createOAuthClientService } from '../../core/oauth-clients/service.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * REST /v1/oauth-clients. A Developer manages their own clients, an administrator everyone's;
 * `oauth_clients:read` shows everyone's (as the GraphQL list does). The secret is shown once and stored hashed.
 */
describe('/v1/oauth-clients', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  interface Person {
    id: string;
    key: string;
  }
  let dev: Person;
  let otherDev: Person;
  let admin: Person;
  let user: Person;
  let doc: any;

  /** A user with the role, calling with their own key of role API Full Access (capped by the owner). */
  const person = async (roleId: string): Promise<Person> => {
    const id = await createUser(t.db, { roleIds: [roleId], twoFactor: true });
    return { id, key: (await createKey(t.db, { userId: id, roleIds: ['role_api_full_access'] })).key };
  };
  const as = (who: Person, method: string, path: string, body?: unknown) =>
    call(t.url, method, path, { key: who.key, body, headers: { 'user-agent': 'oauth-clients-test/1.0' } });
  const newClient = (who: Person, body: Record<string, unknown> = {}) =>
    as(who, 'POST', '/v1/oauth-clients', {
      name: 'Stream overlay',
      redirect_uris: ['https://overlay.example/callback', 'http://127.0.0.1:8080/cb'],
      ...body,
    });
  const events = async (resourceId: string) => {
    await t.platform.services.audit.flush();
    return t.db('AuditEvent').where({ resource_id: resourceId }).orderBy('created_at');
  };

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  /** The answer matches the schema the OpenAPI document gives for it. */
  const documented = (path: string, method: string, res: { status: number; body: unknown }) => {
    const content = doc.paths[path][method].responses[String(res.status)]?.content?.['application/json'];
    expect({ path, method, status: res.status, documented: Boolean(content) }).toMatchObject({
      documented: true,
    });
    const validate = ajv.compile({ ...content.schema, components: doc.components });
    expect({ path, method, errors: validate(res.body) ? null : validate.errors }).toEqual({
      path,
      method,
      errors: null,
    });
  };

  beforeAll(async () => {
    dev = await person('role_developer');
    otherDev = await person('role_developer');
    admin = await person('role_admin');
    user = await person('role_user');
    doc = await (await fetch(`${t.url}/v1/openapi.json`)).json();
  });

  it('creates a client whose secret is shown once and stored only as a hash', async () => {
    const created = await newClient(dev, { backchannel_logout_uri: 'https://overlay.example/logout' });
    expect(created.status).toBe(201);
    documented('/v1/oauth-clients', 'post', created);
    const secret: string = created.body.client_secret;
    expect(secret).toMatch(/^hcs_[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({
      name: 'Stream overlay',
      user_id: dev.id,
      client_id: expect.stringMatching(/^hc_/),
      redirect_uris: ['https://overlay.example/callback', 'http://127.0.0.1:8080/cb'],
      backchannel_logout_uri: 'https://overlay.example/logout',
      grant_types: ['authorization_code', 'refresh_token'],
      scopes: ['openid', 'profile', 'email'],
      token_endpoint_auth_method: 'client_secret_basic',
      is_first_party: false,
      is_active: true,
    });

    const row = await t.db('OAuthClient').where({ id: created.body.id }).first();
    expect(row.client_secret).not.toBe(secret);
    expect(row.client_secret).toBe(hashSecret(secret));

    const fetched = await as(dev, 'GET', `/v1/oauth-clients/${created.body.id}`);
    expect(fetched.status).toBe(200);
    documented('/v1/oauth-clients/{id}', 'get', fetched);
    expect(fetched.body).not.toHaveProperty('client_secret');
    expect(JSON.stringify(fetched.body)).not.toContain(row.client_secret);
    expect(JSON.stringify(fetched.body)).not.toContain(secret);
    const { client_secret: _shownOnce, ...rest } = created.body;
    expect(fetched.body).toEqual(rest);

    const listed = await as(dev, 'GET', '/v1/oauth-clients');
    expect(JSON.stringify(listed.body)).not.toContain(row.client_secret);
    expect(listed.body.data.every((c: any) => !('client_secret' in c))).toBe(true);

    expect(await events(created.body.id)).toEqual([
      expect.objectContaining({
        event_type: 'client_created',
        actor_id: dev.id,
        user_id: dev.id,
        resource_type: 'oauth_client',
        source_service: 'api',
        user_agent: 'oauth-clients-test/1.0',
        metadata: expect.objectContaining({ client_id: created.body.client_id }),
      }),
    ]);
  });

  it('lists your own clients by default; all of them with oauth_clients:read; pages and filters', async () => {
    const mine = [
      (await newClient(dev, { name: 'List A' })).body.id,
      (await newClient(dev, { name: 'List B' })).body.id,
    ];
    const theirs = (await newClient(otherDev, { name: 'List C' })).body.id;

    const own = await as(dev, 'GET', '/v1/oauth-clients?per_page=100');
    expect(own.status).toBe(200);
    documented('/v1/oauth-clients', 'get', own);
    expect(own.body.data.every((c: any) => c.user_id === dev.id)).toBe(true);
    expect(own.body.data.map((c: any) => c.id)).toEqual(expect.arrayContaining(mine));
    expect(own.body.data.map((c: any) => c.id)).not.toContain(theirs);

    const everyone = await as(admin, 'GET', '/v1/oauth-clients?all=true&per_page=100');
    expect(everyone.status).toBe(200);
    expect(everyone.body.data.map((c: any) => c.id)).toEqual(expect.arrayContaining([...mine, theirs]));
    const byOwner = await as(admin, 'GET', `/v1/oauth-clients?user_id=${otherDev.id}`);
    expect(byOwner.body.data.map((c: any) => c.id)).toEqual([theirs]);
    // The administrator owns none: the default is their own, as for /v1/api-keys.
    expect((await as(admin, 'GET', '/v1/oauth-clients')).body.data).toEqual([]);

    const paged = await as(dev, 'GET', '/v1/oauth-clients?per_page=1&sort=name&q=List');
    expect(paged.body).toMatchObject({ pagination: { page: 1, per_page: 1, total: 2 } });
    expect(paged.body.data.map((c: any) => c.name)).toEqual(['List A']);
    const second = await as(dev, 'GET', '/v1/oauth-clients?per_page=1&page=2&sort=name&q=List');
    expect(second.body.data.map((c: any) => c.name)).toEqual(['List B']);

    // Without oauth_clients:read only your own list is open.
    expect((await as(user, 'GET', '/v1/oauth-clients')).body).toEqual({
      data: [],
      pagination: { page: 1, per_page: 25, total: 0 },
    });
    const refused = await as(user, 'GET', '/v1/oauth-clients?all=true');
    expect([refused.status, refused.body.error.code]).toEqual([403, 'auth.forbidden']);
    documented('/v1/oauth-clients', 'get', refused);
    const unknownFilter = await as(dev, 'GET', '/v1/oauth-clients?owner=me');
    expect([unknownFilter.status, unknownFilter.body.error.code]).toEqual([400, 'request.validation_failed']);
  });

  it('a Developer changes only their own clients; an administrator changes anyone’s', async () => {
    const id = (await newClient(dev, { name: 'Mine' })).body.id;

    // Another Developer sees it (oauth_clients:read, as in GraphQL) but may not change it.
    expect((await as(otherDev, 'GET', `/v1/oauth-clients/${id}`)).status).toBe(200);
    for (const [method, path, body] of [
      ['PATCH', `/v1/oauth-clients/${id}`, { name: 'Taken' }],
      ['POST', `/v1/oauth-clients/${id}/regenerate-secret`, undefined],
      ['DELETE', `/v1/oauth-clients/${id}`, undefined],
    ] as const) {
      const res = await as(otherDev, method, path, body);
      expect({ method, status: res.status, code: res.body?.error?.code }).toEqual({
        method,
        status: 403,
        code: 'auth.forbidden',
      });
    }
    // Someone without oauth_clients:read does not even see it.
    for (const [method, path, body] of [
      ['GET', `/v1/oauth-clients/${id}`, undefined],
      ['PATCH', `/v1/oauth-clients/${id}`, { name: 'Taken' }],
      ['DELETE', `/v1/oauth-clients/${id}`, undefined],
    ] as const) {
      const res = await as(user, method, path, body);
      expect({ method, status: res.status, code: res.body?.error?.code }).toEqual({
        method,
        status: 404,
        code: 'oauth_client.not_found',
      });
    }
    const missing = await as(admin, 'GET', '/v1/oauth-clients/00000000-0000-4000-8000-000000000000');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'oauth_client.not_found']);
    documented('/v1/oauth-clients/{id}', 'get', missing);

    const renamed = await as(dev, 'PATCH', `/v1/oauth-clients/${id}`, {
      name: 'Still mine',
      post_logout_redirect_uris: ['https://mine.example/bye'],
    });
    expect(renamed.status).toBe(200);
    documented('/v1/oauth-clients/{id}', 'patch', renamed);
    expect(renamed.body).toMatchObject({
      name: 'Still mine',
      post_logout_redirect_uris: ['https://mine.example/bye'],
    });

    const byAdmin = await as(admin, 'PATCH', `/v1/oauth-clients/${id}`, { is_active: false });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body).toMatchObject({ name: 'Still mine', is_active: false, user_id: dev.id });
    expect((await as(admin, 'DELETE', `/v1/oauth-clients/${id}`)).status).toBe(204);
    expect(await t.db('OAuthClient').where({ id }).first()).toBeUndefined();

    const trail = await events(id);
    expect(trail.map((e) => [e.event_type, e.actor_id])).toEqual([
      ['client_created', dev.id],
      ['client_updated', dev.id],
      ['client_updated', admin.id],
      ['client_deleted', admin.id],
    ]);
    expect(trail[1].metadata.changed).toEqual(['name', 'post_logout_redirect_uris']);
  });

  it('regenerates the secret: the new one is shown once and the old hash is gone', async () => {
    const created = await newClient(dev, { token_endpoint_auth_method: 'client_secret_post' });
    const before = await t.db('OAuthClient').where({ id: created.body.id }).first();
    const regenerated = await as(dev, 'POST', `/v1/oauth-clients/${created.body.id}/regenerate-secret`);
    expect(regenerated.status).toBe(200);
    documented('/v1/oauth-clients/{id}/regenerate-secret', 'post', regenerated);
    expect(regenerated.body.client_secret).toMatch(/^hcs_/);
    expect(regenerated.body.client_secret).not.toBe(created.body.client_secret);
    expect(regenerated.body).toMatchObject({ id: created.body.id, client_id: created.body.client_id });
    const after = await t.db('OAuthClient').where({ id: created.body.id }).first();
    expect(after.client_secret).not.toBe(before.client_secret);
    expect(after.client_secret).toBe(hashSecret(regenerated.body.client_secret));

    const byAdmin = await as(admin, 'POST', `/v1/oauth-clients/${created.body.id}/regenerate-secret`);
    expect(byAdmin.status).toBe(200);
    expect((await events(created.body.id)).map((e) => [e.event_type, e.actor_id])).toEqual([
      ['client_created', dev.id],
      ['client_secret_regenerated', dev.id],
      ['client_secret_regenerated', admin.id],
    ]);
  });

  it('a public client has no secret to show or regenerate', async () => {
    const created = await newClient(dev, { name: 'SPA', token_endpoint_auth_method: 'none' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ client_secret: null, token_endpoint_auth_method: 'none' });
    documented('/v1/oauth-clients', 'post', created);
    expect((await t.db('OAuthClient').where({ id: created.body.id }).first()).client_secret).toBeNull();
    const regenerated = await as(dev, 'POST', `/v1/oauth-clients/${created.body.id}/regenerate-secret`);
    expect([regenerated.status, regenerated.body.error.code]).toEqual([409, 'oauth_client.public']);
    documented('/v1/oauth-clients/{id}/regenerate-secret', 'post', regenerated);

    // Nor may a change give it a grant that needs a secret, or leave the code grant without a redirect URI.
    for (const body of [{ grant_types: ['client_credentials'] }, { redirect_uris: [] }]) {
      const res = await as(dev, 'PATCH', `/v1/oauth-clients/${created.body.id}`, body);
      expect([res.status, res.body.error.code]).toEqual([409, 'oauth_client.inconsistent']);
    }
    const publicWithSecretGrant = await newClient(dev, {
      token_endpoint_auth_method: 'none',
      grant_types: ['client_credentials'],
    });
    expect(publicWithSecretGrant.body.error.details.fields).toEqual([
      expect.objectContaining({ field: 'grant_types' }),
    ]);
  });

  it('refuses redirect URIs that are not https (except loopback) or carry a fragment', async () => {
    for (const [field, body] of [
      ['redirect_uris.0', { redirect_uris: ['http://evil.example/cb'] }],
      ['redirect_uris.0', { redirect_uris: ['https://app.example/cb#frag'] }],
      ['redirect_uris.0', { redirect_uris: ['not a uri'] }],
      ['post_logout_redirect_uris.0', { post_logout_redirect_uris: ['http://evil.example/bye'] }],
      ['backchannel_logout_uri', { backchannel_logout_uri: 'http://evil.example/logout' }],
    ] as const) {
      const res = await newClient(dev, body);
      expect({ field, status: res.status, code: res.body.error.code }).toEqual({
        field,
        status: 400,
        code: 'request.validation_failed',
      });
      expect(res.body.error.details.fields).toEqual([expect.objectContaining({ in: 'body', field })]);
    }
    const id = (await newClient(dev)).body.id;
    const patched = await as(dev, 'PATCH', `/v1/oauth-clients/${id}`, {
      redirect_uris: ['http://evil.example/cb'],
    });
    expect([patched.status, patched.body.error.code]).toEqual([400, 'request.validation_failed']);
    for (const uri of ['http://localhost:3000/cb', 'http://[::1]/cb', 'https://app.example/cb?x=1']) {
      expect((await newClient(dev, { redirect_uris: [uri] })).status).toBe(201);
    }
  });

  it('needs oauth_clients:create to register a client, and an administrator to register one for others', async () => {
    const byUser = await newClient(user);
    expect([byUser.status, byUser.body.error.code]).toEqual([403, 'auth.forbidden']);
    documented('/v1/oauth-clients', 'post', byUser);
    expect(await t.db('OAuthClient').where({ user_id: user.id })).toEqual([]);

    const forOther = await newClient(dev, { user_id: otherDev.id });
    expect([forOther.status, forOther.body.error.code]).toEqual([403, 'auth.forbidden']);
    const byAdmin = await newClient(admin, { user_id: user.id });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.user_id).toBe(user.id);
    // The owner sees it without oauth_clients:read, but may not change it without oauth_clients:update.
    expect((await as(user, 'GET', `/v1/oauth-clients/${byAdmin.body.id}`)).status).toBe(200);
    expect((await as(user, 'GET', '/v1/oauth-clients')).body.data.map((c: any) => c.id)).toEqual([
      byAdmin.body.id,
    ]);
    const change = await as(user, 'PATCH', `/v1/oauth-clients/${byAdmin.body.id}`, { name: 'x' });
    expect([change.status, change.body.error.code]).toEqual([403, 'auth.forbidden']);
    const ghost = await newClient(admin, { user_id: '00000000-0000-4000-8000-000000000000' });
    expect([ghost.status, ghost.body.error.code]).toEqual([422, 'user.not_found']);
  });

  it('only super admins mark a client first-party (it skips consent)', async () => {
    const byDev = await newClient(dev, { is_first_party: true });
    expect([byDev.status, byDev.body.error.code]).toEqual([403, 'auth.forbidden']);
    const own = (await newClient(dev)).body.id;
    const promote = await as(dev, 'PATCH', `/v1/oauth-clients/${own}`, { is_first_party: true });
    expect([promote.status, promote.body.error.code]).toEqual([403, 'auth.forbidden']);
    // Sending the value it already has is no change.
    expect(
      (await as(dev, 'PATCH', `/v1/oauth-clients/${own}`, { is_first_party: false, name: 'Same' })).status,
    ).toBe(200);

    const byAdmin = await newClient(admin, { name: 'Heimdall ID', is_first_party: true });
    expect(byAdmin.status).toBe(201);
    expect(byAdmin.body.is_first_party).toBe(true);
    const promoted = await as(admin, 'PATCH', `/v1/oauth-clients/${own}`, { is_first_party: true });
    expect(promoted.body.is_first_party).toBe(true);

    // Once first-party, where it sends codes and what it asks for are no longer its owner's to change.
    const hijack = await as(dev, 'PATCH', `/v1/oauth-clients/${own}`, {
      redirect_uris: ['https://attacker.example/cb'],
      scopes: ['openid', 'api'],
    });
    expect([hijack.status, hijack.body.error.code]).toEqual([403, 'oauth_client.first_party_locked']);
    expect(hijack.body.error.details.fields).toEqual(['redirect_uris', 'scopes']);
    expect((await as(dev, 'PATCH', `/v1/oauth-clients/${own}`, { name: 'Renamed' })).status).toBe(200);
  });

  it('tells client caches (the OIDC provider) when a client changes, so old secrets stop at once', async () => {
    const forgotten: string[] = [];
    const service = createOAuthClientService({
      db: t.db,
      audit: t.platform.services.audit,
      onChange: (clientId) => forgotten.push(clientId),
    });
    const actor = { auth: await t.platform.services.authenticator.authenticateApiKey(dev.key) };
    const created = await service.create(actor, {
      name: 'Cached',
      redirect_uris: ['https://cached.example/cb'],
      post_logout_redirect_uris: [],
      grant_types: ['authorization_code'],
      scopes: ['openid'],
      is_active: true,
      is_first_party: false,
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(forgotten).toEqual([]);
    await service.update(actor, created.row.id, { is_active: false });
    await service.regenerateSecret(actor, created.row.id);
    await service.remove(actor, created.row.id);
    expect(forgotten).toEqual([created.row.client_id, created.row.client_id, created.row.client_id]);
  });
});
