import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunningPlatform } from '../../server/start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey } from '../support/fixtures.js';
import { startTestPlatform, useTestPlatform } from '../support/platform.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';

describe('HTTP basics (no Redis configured)', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({
      HEIMDALL__DATABASE__URL: database.url,
      HEIMDALL__SERVER__CORS_ORIGINS: 'https://app.example',
    });
  });
  afterAll(async () => {
    await platform?.stop();
    await database?.drop();
  });

  it('GET /health answers 200 with a request id', async () => {
    const res = await fetch(`${platform.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok' });
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a well-formed incoming request id and replaces a malformed one', async () => {
    const kept = await fetch(`${platform.url}/health`, { headers: { 'X-Request-Id': 'trace-abc.123' } });
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123');
    const replaced = await fetch(`${platform.url}/health`, {
      headers: { 'X-Request-Id': 'bad id <script>' },
    });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /ready reports the database and that Redis is not configured', async () => {
    const res = await fetch(`${platform.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'not_configured' } });
  });

  it('answers unknown routes with the one error shape and no stack trace', async () => {
    const res = await fetch(`${platform.url}/nope?x=1`, { headers: { 'X-Request-Id': 'req-404' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({
      error: { code: 'route.not_found', message: 'No route for GET /nope.', requestId: 'req-404' },
    });
  });

  it('GET /metrics exposes request durations by route pattern', async () => {
    await fetch(`${platform.url}/health`);
    const res = await fetch(`${platform.url}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /heimdall_http_request_duration_seconds_bucket\{[^}]*route="\/health"[^}]*status_code="200"/,
    );
    expect(text).toMatch(
      /heimdall_http_request_duration_seconds_count\{[^}]*route="unmatched"[^}]*status_code="404"/,
    );
    expect(text).toContain('heimdall_process_cpu_seconds_total');
  });

  it('allows CORS for configured origins only', async () => {
    const allowed = await fetch(`${platform.url}/health`, { headers: { Origin: 'https://app.example' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.headers.get('access-control-expose-headers')).toContain('X-Request-Id');
    const other = await fetch(`${platform.url}/health`, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${platform.url}/health`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example');
  });

  it('GET /ready answers 503 naming the database when it is gone', async () => {
    await database.drop();
    const res = await fetch(`${platform.url}/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; details: unknown } };
    expect(body.error.code).toBe('service.not_ready');
    expect(body.error.message).toBe('Not ready: database unreachable.');
    expect(body.error.details).toEqual({ checks: { database: 'unreachable', redis: 'not_configured' } });
  });
});

describe('GET /ready with Redis configured but unreachable', () => {
  const platform = useTestPlatform({ HEIMDALL__REDIS__URL: 'redis://127.0.0.1:1' });

  it('answers 503 and names redis', async () => {
    const res = await fetch(`${platform.url}/ready`);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { details: unknown } };
    expect(body.error.details).toEqual({ checks: { database: 'ok', redis: 'unreachable' } });
  });

  it('keeps serving the API: rate limits fall back to per-node counting', async () => {
    const key = await createKey(platform.db, { roleIds: ['role_api_read_only'] });
    for (let i = 0; i < 3; i += 1) {
      const res = await call(platform.url, 'GET', '/v1/me', { key: key.key });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit-remaining')).toBe(String(600 - 1 - i));
    }
  });
});

describeWithRedis('GET /ready with Redis', () => {
  const platform = useTestPlatform({
    HEIMDALL__REDIS__URL: TEST_REDIS_URL,
    HEIMDALL__REDIS__KEY_PREFIX: `${uniqueName('ready')}:`,
  });

  it('answers 200 with redis ok', async () => {
    const res = await fetch(`${platform.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });
});

describe('security headers on every response', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });

  const headersOf = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(`${t.url}${path}`, init);
    await res.arrayBuffer();
    return {
      status: res.status,
      nosniff: res.headers.get('x-content-type-options'),
      referrer: res.headers.get('referrer-policy'),
      cache: res.headers.get('cache-control'),
    };
  };

  it('API answers are never cached and send no referrer; pages keep their origin on form posts', async () => {
    const key = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    const auth = { authorization: `Bearer ${key.key}`, 'content-type': 'application/json' };
    const api = { nosniff: 'nosniff', referrer: 'no-referrer', cache: 'no-store' };
    expect(await headersOf('/v1/me')).toEqual({ status: 401, ...api });
    expect(await headersOf('/v1/me', { headers: auth })).toEqual({ status: 200, ...api });
    // The answer that carries a new key's secret.
    expect(
      await headersOf('/v1/api-keys', { method: 'POST', headers: auth, body: JSON.stringify({ name: 'h' }) }),
    ).toEqual({ status: 201, ...api });
    expect(await headersOf('/v1/openapi.json')).toEqual({ status: 200, ...api });
    expect(await headersOf('/v1/nowhere', { headers: auth })).toEqual({ status: 404, ...api });
    expect(
      await headersOf('/api/graphql', {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ query: '{ me { roles } }' }),
      }),
    ).toEqual({ status: 200, ...api });

    const page = { nosniff: 'nosniff', referrer: 'strict-origin-when-cross-origin' };
    expect(await headersOf('/health')).toMatchObject({ status: 200, ...page });
    expect(await headersOf('/nowhere')).toMatchObject({ status: 404, ...page });
    expect(await headersOf('/account/login')).toMatchObject({ status: 200, ...page, cache: 'no-store' });
    // Heimdall ID's provider endpoints are served outside Express.
    expect(await headersOf('/oidc/.well-known/openid-configuration')).toMatchObject({
      status: 200,
      nosniff: 'nosniff',
      referrer: 'no-referrer',
    });
  });
});
