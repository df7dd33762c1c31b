/* eslint-disable @typescript-eslint/no-explicit-any -- the OpenAPI document is walked as plain JSON */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Knex } from 'knex';
import { openApiPath } from '../../api/http/openapi/document.js';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey, createLinkedAccount, createUser, type TestKey } from '../support/fixtures.js';
import { startTestPlatform, useTestPlatform } from '../support/platform.js';

describe('OpenAPI document at /v1/openapi.json', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let db: Knex;
  let doc: any;
  let adminKey: TestKey;
  let userKey: TestKey;
  let userId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url });
    db = platform.databases.primary;
    adminKey = await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true });
    userId = await createUser(db, { username: 'openapi-user', roleIds: ['role_user'] });
    userKey = await createKey(db, { userId, roleIds: ['role_user'], scopes: ['*'] });
    await createLinkedAccount(db, userId, { primary: true });
    await createLinkedAccount(db, userId, { platform: 'twitch' });
    const res = await fetch(`${platform.url}/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = await res.json();
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('is a valid OpenAPI 3.1 document, served without a credential', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc);
    expect(result.errors).toBeUndefined();
    expect(result.valid).toBe(true);
    expect(doc.components.securitySchemes.apiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route the server serves, once, with a unique operationId', () => {
    const operationIds = new Set<string>();
    for (const route of platform.routes) {
      const operation = doc.paths[openApiPath(route.path)]?.[route.method];
      expect({ route: `${route.method} ${route.path}`, documented: Boolean(operation) }).toEqual({
        route: `${route.method} ${route.path}`,
        documented: true,
      });
      expect(operationIds.has(operation.operationId)).toBe(false);
      operationIds.add(operation.operationId);
    }
    const documented = Object.values(doc.paths).flatMap((item: any) => Object.keys(item));
    expect(documented).toHaveLength(platform.routes.length);
  });

  it('states parameters, limits, permissions and error codes as the server applies them', () => {
    const listUsers = doc.paths['/v1/users'].get;
    const perPage = listUsers.parameters.find((p: any) => p.name === 'per_page');
    expect(perPage).toMatchObject({ in: 'query', required: false, schema: { maximum: 100, default: 25 } });
    expect(listUsers['x-required-permission']).toBe('users:read');
    expect(listUsers.responses['403'].content['application/json'].schema.allOf[1]).toEqual({
      properties: {
        error: {
          properties: {
            code: { enum: ['auth.forbidden', 'auth.insufficient_scope', 'auth.two_factor_required'] },
          },
        },
      },
    });

    const getUser = doc.paths['/v1/users/{id}'].get;
    expect(getUser.parameters).toEqual([
      expect.objectContaining({
        name: 'id',
        in: 'path',
        required: true,
        schema: { type: 'string', format: 'uuid' },
      }),
    ]);

    const me = doc.paths['/v1/me'].get;
    expect(Object.keys(me.responses)).toEqual(expect.arrayContaining(['200', '401', '429']));
    // /v1/me stays reachable while 2FA is pending, so it never answers two_factor_required.
    expect(JSON.stringify(me.responses)).not.toContain('auth.two_factor_required');

    const createKeyOp = doc.paths['/v1/api-keys'].post;
    expect(createKeyOp.requestBody.content['application/json'].schema.required).toEqual(['name']);
    // RFC 3339 and the year range 1970–9999: the one pattern the server applies.
    const expiresAt = createKeyOp.requestBody.content['application/json'].schema.properties.expires_at;
    expect(expiresAt).toMatchObject({ type: 'string', format: 'date-time' });
    const pattern = new RegExp(expiresAt.pattern);
    expect(
      ['1970-01-01T00:00:00Z', '1969-12-31T23:59:59Z', '2026-12-01T00:00:00.5+01:00'].map((d) =>
        pattern.test(d),
      ),
    ).toEqual([true, false, true]);
    expect(Object.keys(createKeyOp.responses)).toContain('201');

    // Every /v1 request's JSON body is parsed, whether the route reads it or not.
    const codesOf = (operation: any) => JSON.stringify(operation.responses);
    for (const [path, operations] of Object.entries<any>(doc.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        expect([method, path, codesOf(operation)]).toEqual([
          method,
          path,
          expect.stringMatching(
            /request\.invalid_json.*request\.too_deep|request\.too_deep.*request\.invalid_json/,
          ),
        ]);
      }
    }
    expect(codesOf(doc.paths['/v1/2fa/status'].get)).toContain('auth.user_required');
    expect(codesOf(doc.paths['/v1/2fa/disable'].post)).toContain('two_factor.not_enabled');
    expect(codesOf(doc.paths['/v1/users/{id}'].get)).toContain('request.invalid_path');
  });

  describe('real responses match the documented schemas', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats.default(ajv);
    const check = (path: string, method: string, status: number, body: unknown) => {
      const content = doc.paths[path][method].responses[String(status)]?.content?.['application/json'];
      expect({ path, method, status, documented: Boolean(content) }).toEqual({
        path,
        method,
        status,
        documented: true,
      });
      const validate = ajv.compile({ ...content.schema, components: doc.components });
      const valid = validate(body);
      expect({ path, method, status, errors: valid ? null : validate.errors }).toEqual({
        path,
        method,
        status,
        errors: null,
      });
    };

    it('for successful reads and writes', async () => {
      const cases: [string, string, string, TestKey, unknown?][] = [
        ['/v1/me', 'get', '/v1/me', userKey],
        ['/v1/users', 'get', '/v1/users', adminKey],
        ['/v1/users/{id}', 'get', `/v1/users/${userId}`, adminKey],
        ['/v1/users/{id}/roles', 'get', `/v1/users/${userId}/roles`, adminKey],
        ['/v1/users/{id}/accounts', 'get', `/v1/users/${userId}/accounts`, adminKey],
        ['/v1/user/accounts', 'get', '/v1/user/accounts', userKey],
        ['/v1/roles', 'get', '/v1/roles', adminKey],
        ['/v1/roles/{id}', 'get', '/v1/roles/role_user', adminKey],
        ['/v1/permissions', 'get', '/v1/permissions', adminKey],
        ['/v1/api-keys', 'get', '/v1/api-keys?all=true', adminKey],
        ['/v1/api-keys', 'post', '/v1/api-keys', userKey, { name: 'documented', scopes: ['users:read'] }],
      ];
      for (const [path, method, url, key, body] of cases) {
        const res = await call(platform.url, method.toUpperCase(), url, { key: key.key, body });
        check(path, method, res.status, res.body);
      }
    });

    it('for errors', async () => {
      const anonymous = await call(platform.url, 'GET', '/v1/me');
      expect(anonymous.status).toBe(401);
      check('/v1/me', 'get', 401, anonymous.body);

      const forbidden = await call(platform.url, 'GET', '/v1/users', { key: userKey.key });
      expect(forbidden.status).toBe(403);
      check('/v1/users', 'get', 403, forbidden.body);

      const invalid = await call(platform.url, 'GET', '/v1/users?per_page=1000', { key: adminKey.key });
      expect(invalid.status).toBe(400);
      check('/v1/users', 'get', 400, invalid.body);

      const missing = await call(platform.url, 'GET', '/v1/roles/role_nope', { key: adminKey.key });
      expect(missing.status).toBe(404);
      check('/v1/roles/{id}', 'get', 404, missing.body);
    });
  });
});

describe('Swagger UI switch', () => {
  const t = useTestPlatform({ HEIMDALL__SERVER__API_DOCS: 'false' });

  it('server.api_docs = false removes Swagger UI at /docs/api but keeps the document', async () => {
    expect((await fetch(`${t.url}/docs/api`)).status).toBe(404);
    expect((await fetch(`${t.url}/docs/api/`)).status).toBe(404);
    expect((await fetch(`${t.url}/docs/api/init.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/docs/api/assets/swagger-ui-bundle.js`)).status).toBe(404);
    expect((await fetch(`${t.url}/v1/openapi.json`)).status).toBe(200);
    expect((await fetch(`${t.url}/docs/`)).status).toBe(200);
  });
});
