import { describe, expect, it } from '@jest/globals';
import { createHeimdallClient, type HeimdallClientOptions, type Me } from './client.js';
import { HeimdallApiError, HeimdallNetworkError } from './errors.js';

const BASE = 'https://id.example.test';

const ME: Me = {
  user: { id: '0b8f7a52-8f0e-4c5e-9a55-3a4b2d9c1e10', username: 'bot-owner' },
  api_key: null,
  session_id: null,
  oauth_client_id: null,
  roles: ['user'],
  role_ids: ['role_user'],
  permissions: ['users:read'],
  scopes: ['*'],
  is_super_admin: false,
  two_factor_required: false,
  two_factor_verified: false,
};

const apiError = (status: number, code: string, headers: Record<string, string> = {}, details?: unknown) =>
  Response.json(
    { error: { code, message: `${code} happened`, requestId: 'body-id', ...(details ? { details } : {}) } },
    { status, headers: { 'x-request-id': 'header-id', ...headers } },
  );

/** A stand-in Heimdall: answers from `route` (200 with ME by default) and records what reached it. */
function fakeHeimdall(route: (request: Request, n: number) => Response | undefined = () => undefined) {
  const seen: { method: string; url: string; authorization: string | null; userAgent: string | null }[] = [];
  const fetch = async (request: Request) => {
    seen.push({
      method: request.method,
      url: request.url,
      authorization: request.headers.get('authorization'),
      userAgent: request.headers.get('user-agent'),
    });
    return route(request, seen.length) ?? Response.json(ME);
  };
  const client = (options: Partial<HeimdallClientOptions> = {}) =>
    createHeimdallClient({ baseUrl: `${BASE}/`, auth: { apiKey: 'hm_test' }, fetch, ...options });
  return { seen, client };
}

describe('createHeimdallClient', () => {
  it('calls typed paths with the API key as Bearer and the user agent, and answers the body', async () => {
    const heimdall = fakeHeimdall((request) =>
      request.url.includes('/v1/users/') ? Response.json({ id: 'u1', username: 'ann' }) : undefined,
    );
    const client = heimdall.client({ userAgent: 'scoreboard-bot/1.2' });
    expect(await client.me()).toEqual(ME);
    const user = await client.get('/v1/users/{id}', { params: { path: { id: 'a/b c' } } });
    expect(user.username).toBe('ann');
    await client.get('/v1/users', { params: { query: { page: 2, per_page: 50 } } });
    expect(heimdall.seen).toEqual([
      {
        method: 'GET',
        url: `${BASE}/v1/me`,
        authorization: 'Bearer hm_test',
        userAgent: 'scoreboard-bot/1.2',
      },
      expect.objectContaining({ url: `${BASE}/v1/users/a%2Fb%20c` }),
      expect.objectContaining({ url: `${BASE}/v1/users?page=2&per_page=50` }),
    ]);
    expect(await client.accessToken()).toBe('hm_test');
  });

  it('checks paths, params and bodies against the OpenAPI document at compile time', () => {
    const client = fakeHeimdall().client();
    // Never called: what matters is that tsc accepts the first lines and refuses the others.
    const typed = () => [
      client.get('/v1/users/{id}/accounts', { params: { path: { id: 'u1' } } }),
      client.post('/v1/api-keys', { body: { name: 'bot key', scopes: ['users:read'] } }),
      client.platformToken('twitch', 'u1').then((token) => token.access_token),
      // @ts-expect-error a path the API does not have
      client.get('/v1/no-such-route'),
      // @ts-expect-error a path parameter left out
      client.get('/v1/users/{id}'),
      // @ts-expect-error a body the route does not take
      client.post('/v1/api-keys', { body: { title: 'bot key' } }),
      // @ts-expect-error /v1/me is read-only
      client.delete('/v1/me'),
    ];
    expect(typeof typed).toBe('function');
  });

  it('throws HeimdallApiError with the code, message, details, request id and status', async () => {
    const details = { fields: [{ field: 'name', message: 'Required' }] };
    const client = fakeHeimdall((request) =>
      request.method === 'POST'
        ? apiError(400, 'request.validation_failed', {}, details)
        : apiError(403, 'auth.forbidden'),
    ).client();
    const forbidden = await client.get('/v1/roles').catch((err: unknown) => err);
    expect(forbidden).toBeInstanceOf(HeimdallApiError);
    expect(forbidden).toMatchObject({
      name: 'HeimdallApiError',
      status: 403,
      code: 'auth.forbidden',
      message: 'auth.forbidden happened',
      requestId: 'header-id',
      retryAfterSeconds: undefined,
    });
    await expect(client.post('/v1/api-keys', { body: { name: '' } })).rejects.toMatchObject({
      status: 400,
      code: 'request.validation_failed',
      details,
    });
  });

  it('names answers that are not Heimdall errors by their status, and takes the body id without the header', async () => {
    const client = fakeHeimdall((_request, n) =>
      n === 1
        ? new Response('<html>Bad gateway</html>', { status: 502, statusText: 'Bad Gateway' })
        : Response.json(
            { error: { code: 'route.not_found', message: 'No route.', requestId: 'only-body' } },
            { status: 404 },
          ),
    ).client();
    await expect(client.me()).rejects.toMatchObject({
      status: 502,
      code: 'http.502',
      message: 'Heimdall answered 502 Bad Gateway.',
    });
    await expect(client.me()).rejects.toMatchObject({ code: 'route.not_found', requestId: 'only-body' });
  });

  it('waits out 429 and 503 on GET as Retry-After asks, then answers the success', async () => {
    const heimdall = fakeHeimdall((_request, n) =>
      n === 1
        ? apiError(429, 'rate_limit.exceeded', { 'retry-after': '0' })
        : n === 2
          ? apiError(503, 'unavailable', { 'retry-after': '0' })
          : undefined,
    );
    expect(await heimdall.client().me()).toEqual(ME);
    expect(heimdall.seen).toHaveLength(3);
  });

  it('gives up after maxAttempts, or when Retry-After is beyond the cap, with retryAfterSeconds', async () => {
    const always = fakeHeimdall(() => apiError(429, 'rate_limit.exceeded', { 'retry-after': '0' }));
    await expect(always.client({ retries: { maxAttempts: 2 } }).me()).rejects.toMatchObject({
      status: 429,
      code: 'rate_limit.exceeded',
      retryAfterSeconds: 0,
    });
    expect(always.seen).toHaveLength(2);

    const long = fakeHeimdall(() => apiError(429, 'rate_limit.exceeded', { 'retry-after': '120' }));
    const started = Date.now();
    await expect(long.client({ retries: { maxDelayMs: 5000 } }).me()).rejects.toMatchObject({
      retryAfterSeconds: 120,
    });
    expect([long.seen.length, Date.now() - started < 1000]).toEqual([1, true]);
  });

  it('retries POST only when the caller names it, and never with retries: false', async () => {
    const limitedOnce = () =>
      fakeHeimdall((request, n) =>
        n === 1
          ? apiError(429, 'rate_limit.exceeded', { 'retry-after': '0' })
          : Response.json({ id: 'k1' }, { status: 201 }),
      );
    const byDefault = limitedOnce();
    await expect(byDefault.client().post('/v1/api-keys', { body: { name: 'k' } })).rejects.toMatchObject({
      status: 429,
    });
    const optedIn = limitedOnce();
    const created = await optedIn
      .client({ retries: { methods: ['GET', 'POST'] } })
      .post('/v1/api-keys', { body: { name: 'k' } });
    expect(created).toEqual({ id: 'k1' });
    expect(optedIn.seen).toHaveLength(2);
    const never = limitedOnce();
    await expect(never.client({ retries: false }).me()).rejects.toMatchObject({ status: 429 });
    expect(never.seen).toHaveLength(1);
  });

  it('with an API key a 401 is final; raw answers the error instead of throwing', async () => {
    const heimdall = fakeHeimdall(() => apiError(401, 'auth.invalid_api_key'));
    const client = heimdall.client();
    await expect(client.me()).rejects.toMatchObject({ status: 401, code: 'auth.invalid_api_key' });
    const { data, error, response } = await client.raw.GET('/v1/me');
    expect([data, error?.error?.code, response.status]).toEqual([undefined, 'auth.invalid_api_key', 401]);
    expect(heimdall.seen).toHaveLength(2);
  });

  it('gets a client credentials token once for concurrent calls, and renews it once on a 401', async () => {
    let issued = 0;
    const heimdall = fakeHeimdall((request) => {
      if (request.url === `${BASE}/oidc/token`)
        return Response.json({ access_token: `at-${++issued}`, expires_in: 300 });
      // The API stops taking the first token, as after a key rotation on Heimdall's side.
      return request.headers.get('authorization') === 'Bearer at-1' &&
        issued > 0 &&
        request.url.endsWith('/v1/users')
        ? apiError(401, 'auth.invalid_token')
        : undefined;
    });
    const client = heimdall.client({
      auth: { clientCredentials: { clientId: 'hc_1', clientSecret: 'hcs_1', scope: 'users:read' } },
    });
    await Promise.all([client.me(), client.me(), client.me()]);
    expect(heimdall.seen.filter((r) => r.url.endsWith('/oidc/token'))).toHaveLength(1);
    await client.get('/v1/users');
    expect(heimdall.seen.slice(-3).map((r) => [r.url.replace(BASE, ''), r.authorization])).toEqual([
      ['/v1/users', 'Bearer at-1'],
      ['/oidc/token', expect.stringMatching(/^Basic /)],
      ['/v1/users', 'Bearer at-2'],
    ]);
    expect(await client.accessToken()).toBe('at-2');
  });

  it('a token that is refused again is the API error; a token endpoint elsewhere is used as given', async () => {
    const heimdall = fakeHeimdall((request) =>
      request.url.endsWith('/token')
        ? Response.json({ access_token: 'at', expires_in: 300 })
        : apiError(401, 'auth.invalid_token'),
    );
    const client = heimdall.client({
      auth: {
        clientCredentials: { tokenUrl: 'https://login.example.test/token', clientId: 'c', clientSecret: 's' },
      },
    });
    await expect(client.me()).rejects.toMatchObject({ status: 401, code: 'auth.invalid_token' });
    expect(heimdall.seen.map((r) => r.url)).toEqual([
      'https://login.example.test/token',
      `${BASE}/v1/me`,
      'https://login.example.test/token',
      `${BASE}/v1/me`,
    ]);
  });

  it('sends an access token the app holds, asking its function again once when the API refuses it', async () => {
    const heimdall = fakeHeimdall((request) =>
      request.headers.get('authorization') === 'Bearer at-old'
        ? apiError(401, 'auth.token_expired')
        : undefined,
    );
    await heimdall.client({ auth: { accessToken: 'at-fixed' } }).me();
    const handed = ['at-old', 'at-new'];
    const client = heimdall.client({ auth: { accessToken: async () => handed.shift() ?? 'at-later' } });
    expect(await client.me()).toEqual(ME);
    await expect(heimdall.client({ auth: { accessToken: 'at-old' } }).me()).rejects.toMatchObject({
      code: 'auth.token_expired',
    });
    expect(heimdall.seen.map((r) => r.authorization)).toEqual([
      'Bearer at-fixed',
      'Bearer at-old',
      'Bearer at-new',
      'Bearer at-old',
    ]);
  });

  it('surfaces a connection failure as HeimdallNetworkError', async () => {
    const client = createHeimdallClient({
      baseUrl: BASE,
      auth: { apiKey: 'hm_test' },
      fetch: () =>
        Promise.reject(new TypeError('fetch failed', { cause: new Error('getaddrinfo ENOTFOUND') })),
    });
    await expect(client.me()).rejects.toBeInstanceOf(HeimdallNetworkError);
    await expect(client.me()).rejects.toThrow(`GET ${BASE}/v1/me failed: getaddrinfo ENOTFOUND`);
  });
});
