import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import type { RunningPlatform } from '../../server/start.js';
import { CALLERS, createCallers, type Caller } from '../support/callers.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { call, createKey, createLinkedAccount, createUser, pngBody } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

/**
 * Every /v1 route called as every kind of caller. The expected table is written out by hand from the role
 * definitions and the access rules in docs/api.md; the test computes the actual table and compares the whole
 * of it, so a diff shows exactly which cell changed. A = allowed (2xx); numbers are the expected refusal
 * status.
 *
 * Callers: see test/support/callers.ts (shared with the GraphQL matrix).
 */
type Cell = 'A' | 401 | 403 | 404;

/**
 * /v1/2fa acts on the caller's own enrolment, whose state each call changes (set up, enabled, codes spent), so
 * a caller × route table cannot hold it; test/api/two-factor.test.ts covers who may do what there.
 */
const COVERED_ELSEWHERE = /^\S+ \/v1\/2fa\//;

// prettier-ignore
const EXPECTED: Record<string, Cell[]> = {
  //                                      anon super admin mod  user  dev  mod2fa full  ro   ro-u  f-gps exp  inact rev
  'GET /v1/me':                           [401, 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'POST /v1/auth/session':                ['A', 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'POST /v1/auth/refresh':                ['A', 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'GET /v1/user/sessions':                [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/sessions/:id':         [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/sessions':             [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/connected-apps':          [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/connected-apps/:id':   [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/connected-apps':       [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/accounts':                [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/accounts/:id':         [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'PUT /v1/user/accounts/:id/primary':    [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'PATCH /v1/user/privacy':               [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'PUT /v1/user/avatar':                  [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/avatar':               [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/users/:id/avatar':             ['A', 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'GET /v1/users/:id/accounts':           [401, 'A', 'A', 'A', 403, 403, 403,  'A', 'A', 'A', 403, 401, 401, 401],
  'GET /v1/integrations/:platform/token': [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/integrations/:platform/check': [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'POST /v1/bots/:platform/warnings':     [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/bots/:platform/warnings':      [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'DELETE /v1/bots/:platform/warnings/:id': [401, 'A', 'A', 'A', 403, 403, 403, 'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/users':                        [401, 'A', 'A', 'A', 403, 403, 403,  'A', 'A', 'A', 403, 401, 401, 401],
  'GET /v1/users/:id':                    [401, 'A', 'A', 'A', 404, 404, 403,  'A', 'A', 'A', 404, 401, 401, 401],
  'PATCH /v1/users/:id':                  [401, 'A', 'A', 403, 404, 404, 403,  'A', 403, 403, 404, 401, 401, 401],
  'DELETE /v1/users/:id':                 [401, 'A', 'A', 403, 404, 404, 403,  'A', 403, 403, 404, 401, 401, 401],
  'GET /v1/users/:id/roles':              [401, 'A', 'A', 'A', 404, 404, 403,  'A', 'A', 'A', 404, 401, 401, 401],
  'POST /v1/users/:id/roles':             [401, 'A', 'A', 403, 404, 404, 403,  'A', 403, 403, 404, 401, 401, 401],
  'DELETE /v1/users/:id/roles/:roleId':   [401, 'A', 'A', 403, 404, 404, 403,  'A', 403, 403, 404, 401, 401, 401],
  'POST /v1/users/:id/ban':               [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'DELETE /v1/users/:id/ban':             [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/api-keys':                     [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  'POST /v1/api-keys':                    [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/api-keys/:id':                 [401, 'A', 'A', 404, 404, 'A', 403,  'A', 'A', 404, 404, 401, 401, 401],
  'PATCH /v1/api-keys/:id':               [401, 'A', 'A', 404, 404, 'A', 403,  'A', 403, 404, 404, 401, 401, 401],
  'DELETE /v1/api-keys/:id':              [401, 'A', 'A', 404, 404, 'A', 403,  'A', 403, 404, 404, 401, 401, 401],
  'POST /v1/api-keys/:id/rotate':         [401, 'A', 'A', 404, 404, 'A', 403,  'A', 403, 404, 404, 401, 401, 401],
  'GET /v1/oauth-clients':                [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  'POST /v1/oauth-clients':               [401, 'A', 'A', 403, 403, 'A', 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/oauth-clients/:id':            [401, 'A', 'A', 404, 404, 'A', 403,  'A', 'A', 404, 404, 401, 401, 401],
  'PATCH /v1/oauth-clients/:id':          [401, 'A', 'A', 404, 404, 403, 403,  'A', 403, 404, 404, 401, 401, 401],
  'DELETE /v1/oauth-clients/:id':         [401, 'A', 'A', 404, 404, 403, 403,  'A', 403, 404, 404, 401, 401, 401],
  'POST /v1/oauth-clients/:id/regenerate-secret': [401, 'A', 'A', 404, 404, 403, 403, 'A', 403, 404, 404, 401, 401, 401],
  'GET /v1/roles':                        [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'POST /v1/roles':                       [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/roles/:id':                    [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'PATCH /v1/roles/:id':                  [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'DELETE /v1/roles/:id':                 [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/roles/:id/permissions':        [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'POST /v1/roles/:id/permissions':       [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'DELETE /v1/roles/:id/permissions/:permId': [401, 'A', 'A', 403, 403, 403, 403, 'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/permissions':                  [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'POST /v1/permissions':                 [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/permissions/explain':          [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'GET /v1/permissions/:id':              [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'DELETE /v1/permissions/:id':           [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/audit':                        [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'POST /v1/audit':                       [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/user/activity':                [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/settings':                     [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'GET /v1/settings/public':              ['A', 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'GET /v1/settings/:key':                [401, 'A', 'A', 403, 403, 403, 403,  'A', 'A', 403, 403, 401, 401, 401],
  'PUT /v1/settings/:key':                [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'DELETE /v1/settings/:key':             [401, 'A', 'A', 403, 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'POST /v1/user/activity/:id/report':    [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'POST /v1/users/:id/purge':             [401, 'A', 'A', 403, 404, 404, 403,  'A', 403, 403, 404, 401, 401, 401],
  'GET /v1/user/deletion-status':         [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'DELETE /v1/user/delete':               [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'POST /v1/user/delete/cancel':          [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'POST /v1/storage/files':               [401, 'A', 'A', 'A', 403, 403, 403,  'A', 403, 403, 403, 401, 401, 401],
  'GET /v1/storage/files':                [401, 'A', 'A', 'A', 'A', 'A', 403,  'A', 'A', 403, 403, 401, 401, 401],
  'GET /v1/storage/files/:id':            [401, 'A', 'A', 'A', 404, 404, 403,  'A', 'A', 404, 404, 401, 401, 401],
  'GET /v1/storage/files/:id/download-url': [401, 'A', 'A', 'A', 404, 404, 403, 'A', 'A', 404, 404, 401, 401, 401],
  'GET /v1/storage/download/:token':      ['A', 'A', 'A', 'A', 'A', 'A', 'A',  'A', 'A', 'A', 'A', 401, 401, 401],
  'PATCH /v1/storage/files/:id':          [401, 'A', 'A', 'A', 404, 404, 403,  'A', 403, 404, 404, 401, 401, 401],
  'DELETE /v1/storage/files/:id':         [401, 'A', 'A', 'A', 404, 404, 403,  'A', 403, 404, 404, 401, 401, 401],
  'POST /v1/user/export':                 [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/export':                  [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/export/logs':             [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/export/:id':              [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  'GET /v1/user/export/:id/download':     [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
  // Last: an allowed caller's keys stop working once they asked to delete their account.
  'POST /v1/user/delete':                 [401, 'A', 'A', 'A', 'A', 'A', 403,  403, 403, 403, 403, 401, 401, 401],
};

interface Request {
  method: string;
  path: string;
  body?: unknown;
}

describe('authorization matrix: every /v1 route × every kind of caller', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let platform: RunningPlatform;
  let db: Knex;
  let keys: Record<Caller, string | undefined>;
  let userIds: Partial<Record<Caller, string>>;

  beforeAll(async () => {
    platform = t.platform;
    db = t.db;
    ({ keys, userIds } = await createCallers(db));
  });

  /** Builds a request that would succeed for an allowed caller, with fresh targets for each call. */
  async function requestFor(route: string, caller: Caller): Promise<Request> {
    const victim = async () => createUser(db, { roleIds: ['role_user'] });
    const otherKey = async () => (await createKey(db, { userId: await victim() })).id;
    const consentOf = async (userId: string) => {
      const [client] = await db('OAuthClient')
        .insert({
          client_id: uniqueName('hc_m'),
          name: 'app',
          redirect_uris: ['https://app.example/cb'],
          client_secret: 'x',
        })
        .returning('id');
      const [consent] = await db('OAuthConsent')
        .insert({ user_id: userId, client_id: client.id, scopes: ['openid'] })
        .returning('id');
      return consent.id as string;
    };
    /** A stored file of another user (its metadata row; contents only where a route reads them). */
    const victimFile = async () => {
      const id = randomUUID();
      await db('StoredFile').insert({
        id,
        owner_user_id: await victim(),
        key: `files/${id}`,
        name: 'm.txt',
        content_type: 'text/plain',
        size: 1,
        sha256: '62c66a7a5dd70c3146618063c344e531e6d4b59e379808443ce962b3abd63c5a',
      });
      return id;
    };
    /** A confidential client of another user (a Developer changes only their own). */
    const otherClient = async () => {
      const [row] = await db('OAuthClient')
        .insert({
          client_id: uniqueName('hc_matrix'),
          client_secret: 'f'.repeat(64),
          name: 'matrix',
          redirect_uris: ['https://matrix.example/cb'],
          user_id: await victim(),
        })
        .returning('id');
      return row.id as string;
    };
    /** A finished export of `userId`, its zip stored (JSON contents: `call` reads every answer as JSON). */
    const ownExport = async (userId: string) => {
      const id = randomUUID();
      const key = `exports/${userId}/${id}.zip`;
      await platform.services.storageDriver.put(key, Readable.from([Buffer.from('"m"')]), {
        contentType: 'application/zip',
      });
      await db('DataExport').insert({
        id,
        user_id: userId,
        locale: 'en',
        status: 'done',
        progress: 100,
        storage_key: key,
        expires_at: new Date(Date.now() + 86_400_000),
      });
      return id;
    };
    const customRole = async () => {
      const id = uniqueName('role_m').toLowerCase();
      await db('Role').insert({ id, name: id });
      await db('RolePermission').insert({ role_id: id, permission_id: 'gps:read' });
      return id;
    };
    const customSetting = () => `custom.${uniqueName('matrix').toLowerCase()}`;
    /** A second way to sign in of the caller's user (a stranger's, for callers without a user: they may not). */
    const ownAccount = async () => {
      const userId = userIds[caller] ?? (await victim());
      await createLinkedAccount(db, userId);
      return createLinkedAccount(db, userId);
    };
    const customPermission = async () => {
      const id = `matrix:${uniqueName('p').toLowerCase()}`;
      await db('Permission').insert({ id, resource: 'matrix', action: id.slice(7) });
      return id;
    };
    switch (route) {
      case 'GET /v1/me':
        return { method: 'GET', path: '/v1/me' };
      case 'GET /v1/users':
        return { method: 'GET', path: '/v1/users' };
      case 'GET /v1/users/:id':
        return { method: 'GET', path: `/v1/users/${await victim()}` };
      case 'PATCH /v1/users/:id':
        return { method: 'PATCH', path: `/v1/users/${await victim()}`, body: { preferred_locale: 'de' } };
      case 'DELETE /v1/users/:id':
        return { method: 'DELETE', path: `/v1/users/${await victim()}` };
      case 'GET /v1/users/:id/roles':
        return { method: 'GET', path: `/v1/users/${await victim()}/roles` };
      case 'POST /v1/users/:id/roles':
        return {
          method: 'POST',
          path: `/v1/users/${await createUser(db)}/roles`,
          body: { role_id: 'role_user' },
        };
      case 'DELETE /v1/users/:id/roles/:roleId':
        return { method: 'DELETE', path: `/v1/users/${await victim()}/roles/role_user` };
      case 'POST /v1/users/:id/ban':
        return { method: 'POST', path: `/v1/users/${await victim()}/ban`, body: { reason: 'matrix' } };
      case 'DELETE /v1/users/:id/ban':
        return { method: 'DELETE', path: `/v1/users/${await victim()}/ban` };
      case 'GET /v1/api-keys':
        return { method: 'GET', path: '/v1/api-keys' };
      case 'POST /v1/api-keys':
        return { method: 'POST', path: '/v1/api-keys', body: { name: 'matrix' } };
      case 'GET /v1/api-keys/:id':
        return { method: 'GET', path: `/v1/api-keys/${await otherKey()}` };
      case 'PATCH /v1/api-keys/:id':
        return { method: 'PATCH', path: `/v1/api-keys/${await otherKey()}`, body: { name: 'renamed' } };
      case 'DELETE /v1/api-keys/:id':
        return { method: 'DELETE', path: `/v1/api-keys/${await otherKey()}` };
      case 'POST /v1/api-keys/:id/rotate':
        return { method: 'POST', path: `/v1/api-keys/${await otherKey()}/rotate` };
      case 'GET /v1/oauth-clients':
        return { method: 'GET', path: '/v1/oauth-clients' };
      case 'POST /v1/oauth-clients':
        return {
          method: 'POST',
          path: '/v1/oauth-clients',
          body: { name: 'matrix', redirect_uris: ['https://matrix.example/cb'] },
        };
      case 'GET /v1/oauth-clients/:id':
        return { method: 'GET', path: `/v1/oauth-clients/${await otherClient()}` };
      case 'PATCH /v1/oauth-clients/:id':
        return {
          method: 'PATCH',
          path: `/v1/oauth-clients/${await otherClient()}`,
          body: { name: 'renamed' },
        };
      case 'DELETE /v1/oauth-clients/:id':
        return { method: 'DELETE', path: `/v1/oauth-clients/${await otherClient()}` };
      case 'POST /v1/oauth-clients/:id/regenerate-secret':
        return { method: 'POST', path: `/v1/oauth-clients/${await otherClient()}/regenerate-secret` };
      case 'GET /v1/roles':
        return { method: 'GET', path: '/v1/roles' };
      case 'POST /v1/roles':
        return { method: 'POST', path: '/v1/roles', body: { name: uniqueName('Matrix role') } };
      case 'GET /v1/roles/:id':
        return { method: 'GET', path: `/v1/roles/${await customRole()}` };
      case 'PATCH /v1/roles/:id':
        return { method: 'PATCH', path: `/v1/roles/${await customRole()}`, body: { description: 'changed' } };
      case 'DELETE /v1/roles/:id':
        return { method: 'DELETE', path: `/v1/roles/${await customRole()}` };
      case 'GET /v1/roles/:id/permissions':
        return { method: 'GET', path: `/v1/roles/${await customRole()}/permissions` };
      case 'POST /v1/roles/:id/permissions':
        return {
          method: 'POST',
          path: `/v1/roles/${await customRole()}/permissions`,
          body: { permission_id: 'gps:write' },
        };
      case 'DELETE /v1/roles/:id/permissions/:permId':
        return { method: 'DELETE', path: `/v1/roles/${await customRole()}/permissions/gps:read` };
      case 'GET /v1/permissions':
        return { method: 'GET', path: '/v1/permissions' };
      case 'POST /v1/permissions':
        return {
          method: 'POST',
          path: '/v1/permissions',
          body: { resource: 'matrix', action: uniqueName('a').toLowerCase() },
        };
      case 'GET /v1/permissions/explain':
        return {
          method: 'GET',
          path: `/v1/permissions/explain?permission=users:read&user_id=${await victim()}`,
        };
      case 'GET /v1/permissions/:id':
        return { method: 'GET', path: '/v1/permissions/gps:read' };
      case 'DELETE /v1/permissions/:id':
        return { method: 'DELETE', path: `/v1/permissions/${await customPermission()}` };
      case 'GET /v1/audit':
        return { method: 'GET', path: '/v1/audit?event_type=login' };
      case 'POST /v1/audit':
        return {
          method: 'POST',
          path: '/v1/audit',
          body: { event_type: 'login', source_service: 'backend' },
        };
      case 'GET /v1/user/activity':
        return { method: 'GET', path: '/v1/user/activity' };
      case 'GET /v1/settings':
        return { method: 'GET', path: '/v1/settings' };
      case 'GET /v1/settings/public':
        return { method: 'GET', path: '/v1/settings/public' };
      case 'GET /v1/settings/:key':
        return { method: 'GET', path: '/v1/settings/site.name' };
      case 'PUT /v1/settings/:key':
        return { method: 'PUT', path: `/v1/settings/${customSetting()}`, body: { value: 'matrix' } };
      case 'DELETE /v1/settings/:key': {
        const key = customSetting();
        await db('Setting').insert({ key, value: '1' });
        return { method: 'DELETE', path: `/v1/settings/${key}` };
      }
      case 'POST /v1/auth/session':
      case 'POST /v1/auth/refresh': {
        const { token } = await platform.services.sessions.create({
          userId: await victim(),
          provider: 'email',
        });
        const [method, path] = route.split(' ') as [string, string];
        return { method, path, body: { session_token: token } };
      }
      case 'GET /v1/user/sessions':
        return { method: 'GET', path: '/v1/user/sessions' };
      case 'DELETE /v1/user/sessions/:id': {
        // One of the caller's own sessions (a stranger's, for callers without a user: they may not).
        const { id } = await platform.services.sessions.create({
          userId: userIds[caller] ?? (await victim()),
          provider: 'email',
        });
        return { method: 'DELETE', path: `/v1/user/sessions/${id}` };
      }
      case 'DELETE /v1/user/sessions':
        return { method: 'DELETE', path: '/v1/user/sessions' };
      case 'GET /v1/user/connected-apps':
        return { method: 'GET', path: '/v1/user/connected-apps' };
      case 'DELETE /v1/user/connected-apps/:id':
        // The caller's own connected app (a stranger's, for callers without a user: they may not).
        return {
          method: 'DELETE',
          path: `/v1/user/connected-apps/${await consentOf(userIds[caller] ?? (await victim()))}`,
        };
      case 'DELETE /v1/user/connected-apps':
        return { method: 'DELETE', path: '/v1/user/connected-apps' };
      case 'GET /v1/user/accounts':
        return { method: 'GET', path: '/v1/user/accounts' };
      case 'DELETE /v1/user/accounts/:id':
        return { method: 'DELETE', path: `/v1/user/accounts/${await ownAccount()}` };
      case 'PUT /v1/user/accounts/:id/primary':
        return { method: 'PUT', path: `/v1/user/accounts/${await ownAccount()}/primary` };
      case 'PUT /v1/user/avatar':
        return { method: 'PUT', path: '/v1/user/avatar', body: pngBody() };
      case 'DELETE /v1/user/avatar':
        // An avatar to remove, set with the caller's own key (refused with it for the callers refused below).
        await call(platform.url, 'PUT', '/v1/user/avatar', { key: keys[caller], body: pngBody() });
        return { method: 'DELETE', path: '/v1/user/avatar' };
      case 'GET /v1/users/:id/avatar': {
        // A person who is not in privacy mode shows their avatar to anyone (the callers' users may be in it).
        const owner = await createUser(db, { roleIds: ['role_user'] });
        const { key } = await createKey(db, { userId: owner, roleIds: ['role_api_full_access'] });
        const res = await call(platform.url, 'PUT', '/v1/user/avatar', { key, body: pngBody() });
        return { method: 'GET', path: new URL(res.body.url as string).pathname };
      }
      case 'PATCH /v1/user/privacy':
        return { method: 'PATCH', path: '/v1/user/privacy', body: { privacy_mode: true } };
      case 'GET /v1/users/:id/accounts':
        return { method: 'GET', path: `/v1/users/${await victim()}/accounts` };
      case 'GET /v1/integrations/:platform/check':
        return {
          method: 'GET',
          path: `/v1/integrations/discord/check?platform_user_id=someone&permission=discord:guild.warn`,
        };
      case 'POST /v1/bots/:platform/warnings':
        return {
          method: 'POST',
          path: '/v1/bots/discord/warnings',
          body: { community_id: 'matrix', member: { id: '1', name: 'm' }, moderator: { platform_id: '2' } },
        };
      case 'GET /v1/bots/:platform/warnings':
        return { method: 'GET', path: '/v1/bots/discord/warnings?community_id=matrix' };
      case 'DELETE /v1/bots/:platform/warnings/:id': {
        const [row] = await db('BotWarning')
          .insert({
            platform: 'discord',
            community_id: 'matrix',
            member_platform_id: '1',
            member_name: 'm',
            moderator_platform_id: '2',
          })
          .returning('id');
        return { method: 'DELETE', path: `/v1/bots/discord/warnings/${row.id}` };
      }
      case 'GET /v1/integrations/:platform/token': {
        const userId = await victim();
        const accountId = await createLinkedAccount(db, userId, { platform: 'twitch' });
        await platform.services.platformTokens.save(accountId, {
          accessToken: 'matrix-access',
          refreshToken: 'matrix-refresh',
          expiresAt: new Date(Date.now() + 3_600_000),
          scopes: ['chat:read'],
          tokenType: 'bearer',
        });
        return { method: 'GET', path: `/v1/integrations/twitch/token?user_id=${userId}` };
      }
      case 'POST /v1/user/activity/:id/report': {
        // An event about the caller (or about a stranger, for callers without a user).
        const [event] = await platform.databases
          .audit('AuditEvent')
          .insert({ event_type: 'login', user_id: userIds[caller] ?? (await victim()) })
          .returning('id');
        return { method: 'POST', path: `/v1/user/activity/${event.id}/report`, body: {} };
      }
      case 'POST /v1/users/:id/purge':
        return { method: 'POST', path: `/v1/users/${await victim()}/purge`, body: { reason: 'matrix' } };
      case 'GET /v1/user/deletion-status':
        return { method: 'GET', path: '/v1/user/deletion-status' };
      case 'DELETE /v1/user/delete':
      case 'POST /v1/user/delete/cancel': {
        // A deletion of the caller's account to cancel (callers without a user have none).
        const userId = userIds[caller];
        if (userId) {
          await db('AccountDeletion')
            .insert({
              user_id: userId,
              purge_after: new Date(Date.now() + 86_400_000),
              requested_by: userId,
              via: 'self',
            })
            .onConflict('user_id')
            .ignore();
        }
        const [method, path] = route.split(' ') as [string, string];
        return { method, path };
      }
      case 'POST /v1/user/delete': {
        // The caller's password, so that an allowed caller re-authenticates.
        const userId = userIds[caller];
        const password = 'matrix password 1234';
        if (userId) {
          await db('AccountDeletion').where({ user_id: userId }).delete();
          await db('PlatformAccount').insert({
            user_id: userId,
            platform_id: 'email',
            platform_user_id: `${uniqueName('matrix').toLowerCase()}@example.test`,
            username: uniqueName('matrix').slice(0, 30),
            password_hash: await hashPassword(password),
          });
        }
        return { method: 'POST', path: '/v1/user/delete', body: { password } };
      }
      case 'POST /v1/user/export':
        // Earlier calls' exports would count against the daily limit.
        if (userIds[caller]) await db('DataExport').where({ user_id: userIds[caller] }).delete();
        return { method: 'POST', path: '/v1/user/export' };
      case 'GET /v1/user/export':
      case 'GET /v1/user/export/logs':
        await ownExport(userIds[caller] ?? (await victim()));
        return { method: 'GET', path: route.split(' ')[1]! };
      case 'GET /v1/user/export/:id':
        return {
          method: 'GET',
          path: `/v1/user/export/${await ownExport(userIds[caller] ?? (await victim()))}`,
        };
      case 'GET /v1/user/export/:id/download':
        return {
          method: 'GET',
          path: `/v1/user/export/${await ownExport(userIds[caller] ?? (await victim()))}/download`,
        };
      case 'POST /v1/storage/files':
        // `call` sends JSON, an allowed media type: stored as a file like any other.
        return { method: 'POST', path: '/v1/storage/files?name=matrix.json', body: { matrix: true } };
      case 'GET /v1/storage/files':
        return { method: 'GET', path: '/v1/storage/files' };
      case 'GET /v1/storage/files/:id':
        return { method: 'GET', path: `/v1/storage/files/${await victimFile()}` };
      case 'GET /v1/storage/files/:id/download-url':
        return { method: 'GET', path: `/v1/storage/files/${await victimFile()}/download-url` };
      case 'PATCH /v1/storage/files/:id':
        return { method: 'PATCH', path: `/v1/storage/files/${await victimFile()}`, body: { name: 'm.txt' } };
      case 'DELETE /v1/storage/files/:id':
        return { method: 'DELETE', path: `/v1/storage/files/${await victimFile()}` };
      case 'GET /v1/storage/download/:token': {
        const key = `files/${await victimFile()}`;
        // JSON contents: `call` reads every answer as JSON.
        await platform.services.storageDriver.put(key, Readable.from([Buffer.from('"m"')]), {
          contentType: 'application/json',
        });
        const url = await platform.services.storageDriver.signedUrl(key, {
          expiresInSeconds: 60,
          contentType: 'application/json',
          fileName: 'm.txt',
        });
        return { method: 'GET', path: new URL(url).pathname };
      }
      default:
        throw new Error(`no request for ${route}`);
    }
  }

  it('covers every route the platform serves', () => {
    const served = platform.routes
      .map((r) => `${r.method.toUpperCase()} ${r.path}`)
      .filter((route) => !COVERED_ELSEWHERE.test(route));
    expect([...served].sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it('allows and refuses exactly as the table says', async () => {
    const actual: Record<string, Cell[]> = {};
    const failures: string[] = [];
    for (const route of Object.keys(EXPECTED)) {
      actual[route] = [];
      for (const caller of CALLERS) {
        const request = await requestFor(route, caller);
        const res = await call(platform.url, request.method, request.path, {
          key: keys[caller],
          body: request.body,
        });
        const cell: Cell = res.status >= 200 && res.status < 300 ? 'A' : (res.status as Cell);
        actual[route].push(cell);
        if (cell !== 'A' && ![401, 403, 404].includes(res.status)) {
          failures.push(`${route} as ${caller}: ${res.status} ${JSON.stringify(res.body)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(actual).toEqual(EXPECTED);
  });
});
