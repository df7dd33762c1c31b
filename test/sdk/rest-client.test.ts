import { isBuiltin } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { afterAll, describe, expect, it } from '@jest/globals';
import { build, stop, type Plugin } from 'esbuild';
import { v1OpenApiDocument, v1RouteDeclarations } from '../../api/http/openapi/v1-document.js';
import { heimdallVersion } from '../../core/shared/version.js';
import { createHeimdallClient, HeimdallApiError, type HeimdallClientOptions } from '../../sdk/rest/index.js';
import type * as RestSdk from '../../sdk/rest/index.js';
import { createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { createOAuthClient, createPasswordUser, useOidcPlatform } from '../support/oidc.js';
import { useTestPlatform } from '../support/platform.js';
import { userWith } from '../support/realtime.js';

/**
 * The REST SDK against a running platform: the OpenAPI document it is generated from is the one served, an API
 * key and Heimdall ID client credentials both authenticate, refusals arrive as HeimdallApiError with the API's
 * codes, the rate limiter's 429 is waited out or given up on as the client's caps say, and the SDK bundled for
 * a browser runs on web APIs alone.
 */

/** Every request the client sent, with its status, and when. */
function recorded() {
  const sent: { path: string; status: number; retryAfter: string | null; at: number }[] = [];
  const fetch = async (request: Request) => {
    const response = await globalThis.fetch(request);
    const { pathname } = new URL(request.url);
    sent.push({
      path: pathname,
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      at: Date.now(),
    });
    return response;
  };
  return { sent, fetch };
}

describe('the REST SDK against a platform', () => {
  const t = useOidcPlatform();
  const client = (auth: HeimdallClientOptions['auth'], options: Partial<HeimdallClientOptions> = {}) =>
    createHeimdallClient({ baseUrl: t.url, auth, ...options });

  it('is generated from the document the platform serves', async () => {
    const served = await (await fetch(`${t.url}/v1/openapi.json`)).json();
    expect(served).toEqual(
      JSON.parse(JSON.stringify(v1OpenApiDocument(v1RouteDeclarations(), heimdallVersion()))),
    );
  });

  it('reads /v1/me with an API key', async () => {
    const userId = await createUser(t.db, { username: 'sdk-reader', roleIds: ['role_user'] });
    const { key, id } = await createKey(t.db, { userId, roleIds: ['role_user'] });
    const me = await client({ apiKey: key }, { userAgent: 'sdk-test/1.0' }).me();
    expect(me).toMatchObject({
      user: { id: userId, username: 'sdk-reader' },
      api_key: { id },
      role_ids: ['role_user'],
    });
  });

  it('lists users, and a refusal is HeimdallApiError with the code and the request id', async () => {
    const admin = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    const page = await client({ apiKey: admin.key }).get('/v1/users', { params: { query: { per_page: 2 } } });
    expect(page.data.length).toBeGreaterThan(0);
    expect(page.pagination.total).toBeGreaterThanOrEqual(page.data.length);

    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const user = await createKey(t.db, { userId, roleIds: ['role_user'] });
    const refused = await client({ apiKey: user.key })
      .get('/v1/users', { headers: { 'x-request-id': 'sdk-forbidden-1' } })
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HeimdallApiError);
    expect(refused).toMatchObject({ status: 403, code: 'auth.forbidden', requestId: 'sdk-forbidden-1' });
  });

  it("hands a bot a person's platform token, and says when there is none", async () => {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const twitch = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
    const expiresAt = new Date(Date.now() + 86_400_000);
    await t.platform.services.platformTokens.save(twitch, {
      accessToken: 'twitch-access-sdk',
      refreshToken: 'twitch-refresh-sdk',
      expiresAt,
      scopes: ['chat:read'],
      tokenType: 'bearer',
    });
    const bot = client({ apiKey: (await userWith(t.db, ['twitch:read', 'discord:read'])).key });
    expect(await bot.platformToken('twitch', userId)).toMatchObject({
      platform: 'twitch',
      user_id: userId,
      access_token: 'twitch-access-sdk',
      expires_at: expiresAt.toISOString(),
    });
    await expect(bot.platformToken('discord', userId)).rejects.toMatchObject({
      status: 404,
      code: 'integration.not_linked',
    });
  });

  it('asks whether the author of a chat message may run a command', async () => {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const account = await createLinkedAccount(t.db, userId, { platform: 'twitch' });
    const { platform_user_id: twitchId } = await t.db('PlatformAccount').where({ id: account }).first();
    const bot = client({ apiKey: (await userWith(t.db, ['twitch:read'])).key });
    expect(await bot.platformCheck('twitch', twitchId, 'twitch:read')).toMatchObject({
      linked: true,
      user_id: userId,
      allowed: false,
      reason: 'permission_missing',
    });
    expect(await bot.platformCheck('twitch', 'stranger', 'twitch:read')).toMatchObject({
      linked: false,
      reason: 'not_linked',
    });
  });

  it("authenticates with client credentials at Heimdall ID's token endpoint, one token for many calls", async () => {
    const owner = await createPasswordUser(t.db, { roleIds: ['role_api_read_only'] });
    const oauth = await createOAuthClient(t.db, {
      grantTypes: ['client_credentials'],
      scopes: ['users:read'],
      ownerId: owner.id,
    });
    const { sent, fetch } = recorded();
    const credentials = { clientId: oauth.clientId, clientSecret: oauth.clientSecret!, scope: 'users:read' };
    const service = client({ clientCredentials: credentials }, { fetch });
    const [me] = await Promise.all([service.me(), service.get('/v1/users'), service.me()]);
    expect(me).toMatchObject({
      user: { id: owner.id },
      oauth_client_id: oauth.clientId,
      scopes: ['users:read'],
    });
    expect(sent.filter((r) => r.path === '/oidc/token')).toHaveLength(1);
    await expect(service.get('/v1/roles')).rejects.toMatchObject({
      status: 403,
      code: 'auth.insufficient_scope',
    });
    expect((await service.accessToken()).split('.')).toHaveLength(3);

    const wrong = client({ clientCredentials: { ...credentials, clientSecret: 'hcs_wrong' } });
    const refused = await wrong.me().catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(HeimdallApiError);
    expect(refused).toMatchObject({ status: 401, code: 'invalid_client' });
    expect(String((refused as Error).message)).not.toContain('hcs_wrong');
  });
});

describe('the REST SDK under the rate limit', () => {
  // Two reads per two-second window for ordinary keys: the third read in a window gets 429 and Retry-After.
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__WINDOW_SECONDS: '2',
    HEIMDALL__RATE_LIMIT__TIERS__STANDARD__READ: '2',
  });
  const limitedClient = async (retries: HeimdallClientOptions['retries']) => {
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const { key } = await createKey(t.db, { userId, roleIds: ['role_user'] });
    const { sent, fetch } = recorded();
    return { sent, client: createHeimdallClient({ baseUrl: t.url, auth: { apiKey: key }, fetch, retries }) };
  };

  it('waits as Retry-After asks, then succeeds', async () => {
    const { sent, client } = await limitedClient({ maxDelayMs: 5000 });
    for (let i = 0; i < 3; i += 1) await client.me();
    expect(sent.map((r) => r.status)).toEqual([200, 200, 429, 200]);
    const retryAfter = Number(sent[2]!.retryAfter);
    expect([1, 2]).toContain(retryAfter);
    // A few milliseconds of slack for the clock: the retry went out once the named seconds had passed.
    expect(sent[3]!.at - sent[2]!.at).toBeGreaterThanOrEqual(retryAfter * 1000 - 5);
  });

  it('gives up at once with retryAfterSeconds when Retry-After is beyond its cap, and with retries off', async () => {
    for (const retries of [{ maxDelayMs: 200 }, false] as const) {
      const { sent, client } = await limitedClient(retries);
      await client.me();
      await client.me();
      const refused = await client.me().catch((err: unknown) => err);
      expect(refused).toBeInstanceOf(HeimdallApiError);
      const { status, code, retryAfterSeconds } = refused as HeimdallApiError;
      expect({ status, code }).toEqual({ status: 429, code: 'rate_limit.exceeded' });
      expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
      expect(retryAfterSeconds).toBeLessThanOrEqual(2);
      expect(sent.map((r) => r.status)).toEqual([200, 200, 429]);
    }
  });
});

describe('the REST SDK bundled for a browser', () => {
  const t = useTestPlatform();
  afterAll(() => stop());

  it('needs no Node built-in, and runs against the platform with web APIs alone', async () => {
    const nodeOnly: string[] = [];
    const guard: Plugin = {
      name: 'node-only-imports',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) => {
          if (!isBuiltin(args.path)) return undefined;
          nodeOnly.push(`${args.path} <- ${path.relative(process.cwd(), args.importer)}`);
          return { path: args.path, external: true };
        });
      },
    };
    const result = await build({
      entryPoints: [path.resolve('sdk/rest/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'iife',
      globalName: 'HeimdallRest',
      target: 'es2022',
      write: false,
      logLevel: 'silent',
      plugins: [guard],
    });
    expect(nodeOnly).toEqual([]);

    // What a page has, and nothing of Node's: no process, Buffer or require.
    const page = vm.createContext({
      fetch,
      Request,
      Response,
      Headers,
      FormData,
      URL,
      URLSearchParams,
      AbortController,
      AbortSignal,
      DOMException,
      TextEncoder,
      TextDecoder,
      setTimeout,
      clearTimeout,
      btoa,
      atob,
    });
    const sdk = vm.runInContext(`${result.outputFiles[0]!.text}; HeimdallRest`, page) as typeof RestSdk;
    const userId = await createUser(t.db, { roleIds: ['role_user'] });
    const { key } = await createKey(t.db, { userId, roleIds: ['role_user'] });
    const me = await sdk.createHeimdallClient({ baseUrl: t.url, auth: { apiKey: key } }).me();
    expect(me.user?.id).toBe(userId);
    await expect(
      sdk.createHeimdallClient({ baseUrl: t.url, auth: { apiKey: 'hm_nope' } }).me(),
    ).rejects.toMatchObject({
      name: 'HeimdallApiError',
      status: 401,
    });
  });
});
