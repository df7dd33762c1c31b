/* eslint-disable @typescript-eslint/no-explicit-any -- responses are checked as plain JSON */
import { Readable } from 'node:stream';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { createKey, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';
import { generateRequests, type CallerKind, type GeneratedRequest, type Operation } from './rest-requests.js';

/**
 * The REST API driven from its own OpenAPI document with generated requests (rest-requests.ts), checked
 * against three invariants:
 * - no answer is a 5xx;
 * - every 4xx has the documented error shape (`{"error":{"code","message","requestId"}}`, the code dotted
 *   snake case, the request id the one in `X-Request-Id`), with a status the document names for the operation;
 * - every successful change leaves exactly one stored audit event.
 * The cases are drawn once from a fixed seed and sent one after another; failures are grouped by operation
 * and problem. Reproduce with HEIMDALL_FUZZ_SEED, scale with HEIMDALL_FUZZ_REST_CASES.
 */
const SEED = Number(process.env.HEIMDALL_FUZZ_SEED ?? 20261203);
const CASES = Number(process.env.HEIMDALL_FUZZ_REST_CASES ?? 6000);
const ROUNDS = Number(process.env.HEIMDALL_FUZZ_CONCURRENT_ROUNDS ?? 60);
const CODE = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

describe('REST /v1 from its OpenAPI document (property-based)', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let doc: any;
  const keys: Partial<Record<CallerKind, string>> = {};
  const pool: Record<string, string[]> = {};

  beforeAll(async () => {
    doc = await (await fetch(`${t.url}/v1/openapi.json`)).json();
    const superId = await createUser(t.db, { roleIds: ['role_super_admin'], twoFactor: true });
    keys.super = (await createKey(t.db, { userId: superId, roleIds: ['role_api_full_access'] })).key;
    keys.system = (await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true })).key;
    keys['read-key'] = (
      await createKey(t.db, { roleIds: ['role_api_read_only'], scopes: ['users:read'] })
    ).key;
    keys['random-key'] = `hm_${'Q'.repeat(43)}`;
    await fillPool(superId);
  });

  /** Things that exist, so that generated requests reach the handlers and not only the 404 path. */
  async function fillPool(superId: string): Promise<void> {
    const users = await Promise.all([1, 2, 3, 4, 5].map(() => createUser(t.db, { roleIds: ['role_user'] })));
    const roleId = uniqueName('role_fuzz').toLowerCase();
    await t.db('Role').insert({ id: roleId, name: roleId });
    const permissionId = `fuzz:${uniqueName('p').toLowerCase()}`;
    await t.db('Permission').insert({ id: permissionId, resource: 'fuzz', action: permissionId.slice(5) });
    await t.db('RolePermission').insert({ role_id: roleId, permission_id: permissionId });
    const victimKeys = await Promise.all(users.slice(0, 3).map((userId) => createKey(t.db, { userId })));
    const [client] = await t
      .db('OAuthClient')
      .insert({
        client_id: uniqueName('hc_fuzz'),
        name: 'fuzz',
        redirect_uris: ['https://fuzz.example/cb'],
        client_secret: 'x',
      })
      .returning<{ id: string }[]>('id');
    const [consent] = await t
      .db('OAuthConsent')
      .insert({ user_id: superId, client_id: client!.id, scopes: ['openid'] })
      .returning<{ id: string }[]>('id');
    const session = await t.platform.services.sessions.create({ userId: superId, provider: 'email' });
    const event = await send({
      method: 'POST',
      path: '/v1/audit',
      caller: 'system',
      json: { event_type: 'login', user_id: superId },
    });
    pool.users = [...users, superId];
    // Stored files of the super user's, contents and all, for the storage routes' handlers.
    pool.files = await Promise.all(
      [1, 2, 3, 4, 5, 6, 7, 8].map(async (n) => {
        const [row] = await t
          .db('StoredFile')
          .insert({
            owner_user_id: superId,
            key: `files/${uniqueName('fuzz').toLowerCase()}`,
            name: `fuzz-${n}.txt`,
            content_type: 'text/plain',
            size: 4,
            sha256: '0'.repeat(64),
          })
          .returning<{ id: string; key: string }[]>(['id', 'key']);
        await t.platform.services.storageDriver.put(row!.key, Readable.from([Buffer.from('fuzz')]), {
          contentType: 'text/plain',
        });
        return row!.id;
      }),
    );
    pool['purge-targets'] = await Promise.all(
      [1, 2, 3].map(() => createUser(t.db, { roleIds: ['role_user'] })),
    );
    pool.roles = [roleId, 'role_user', 'role_moderator', 'role_super_admin'];
    pool.permissions = [permissionId, 'users:read', 'gps:read'];
    pool['api-keys'] = victimKeys.map((k) => k.id);
    pool['oauth-clients'] = [client!.id];
    pool.sessions = [session.id];
    pool['connected-apps'] = [consent!.id, client!.id];
    pool.activity = event.body?.id ? [event.body.id] : [];
    pool.settings = ['site.name', 'maintenance.enabled', 'security.session_ttl_hours', 'custom.fuzz'];
  }

  function ids(operation: Operation, param: string): readonly string[] {
    if (param === 'roleId') return pool.roles ?? [];
    if (param === 'permId') return pool.permissions ?? [];
    // A purge erases for good: only users nothing else here needs (not the callers' own, not the key holders).
    if (operation.path.endsWith('/purge')) return pool['purge-targets'] ?? [];
    const resource = operation.path.split('/').find((part, i, parts) => parts[i + 1] === `{${param}}`);
    return pool[resource ?? ''] ?? [];
  }

  async function send(request: {
    method: string;
    path: string;
    caller: CallerKind;
    json?: unknown;
    body?: GeneratedRequest['body'];
  }): Promise<{ status: number; body: any; text: string; headers: Headers }> {
    const headers: Record<string, string> = {};
    const key = keys[request.caller];
    if (key) headers.authorization = `Bearer ${key}`;
    const body =
      request.body ??
      (request.json === undefined
        ? undefined
        : { contentType: 'application/json', text: JSON.stringify(request.json) });
    if (body) headers['content-type'] = body.contentType;
    const res = await fetch(`${t.url}${request.path}`, { method: request.method, headers, body: body?.text });
    const text = await res.text();
    let parsed: any;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: res.status, body: parsed, text, headers: res.headers };
  }

  async function storedEvents(): Promise<number> {
    await t.platform.services.audit.flush();
    const [row] = await t.platform.databases.audit('AuditEvent').count<{ count: string }[]>('* as count');
    return Number(row!.count);
  }

  /**
   * How many audit events a successful request must leave: one per change. A bulk revoke answers how many
   * records it ended (none: nothing changed; connected apps: one event each, sessions: one for all); lifting
   * a ban that is not there and setting the value a setting holds are idempotent no-ops; submitted events are
   * stored as they are.
   */
  function eventsOf(
    request: GeneratedRequest,
    answer: any,
    wasBanned: boolean | undefined,
    settingBefore: { status: number; body: any } | undefined,
  ): number {
    const { method, path } = request.operation;
    if (method === 'POST' && path === '/v1/audit') {
      const events = (request.json as { events?: unknown[] } | undefined)?.events;
      return Array.isArray(events) ? events.length : 1;
    }
    if (typeof answer?.revoked === 'number')
      return path === '/v1/user/connected-apps' ? answer.revoked : Math.min(answer.revoked, 1);
    if (method === 'DELETE' && path === '/v1/users/{id}/ban') return wasBanned ? 1 : 0;
    // Setting what a setting already holds changes nothing.
    if (method === 'PUT' && path === '/v1/settings/{key}' && settingBefore?.status === 200)
      return isDeepStrictEqual(
        [settingBefore.body.value, settingBefore.body.is_public, settingBefore.body.is_set],
        [answer.value, answer.is_public, true],
      )
        ? 0
        : 1;
    return 1;
  }

  /**
   * An export is recorded (`data_exported`) when its job is done, not when it is asked for: wait for the job, so
   * its event is counted with its request and not with a later one.
   */
  async function exported(request: GeneratedRequest, answer: any): Promise<void> {
    if (request.operation.method !== 'POST' || request.operation.path !== '/v1/user/export') return;
    for (let i = 0; i < 200; i++) {
      const job = await send({ method: 'GET', path: `/v1/user/export/${answer.id}`, caller: request.caller });
      if (job.body?.status !== 'queued' && job.body?.status !== 'running') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the export ${answer.id} did not finish`);
  }

  /** Whether the user a ban request names is banned now (undefined when the path names no user). */
  async function banned(request: GeneratedRequest): Promise<boolean | undefined> {
    if (request.operation.path !== '/v1/users/{id}/ban') return undefined;
    const user = await send({
      method: 'GET',
      path: request.path.replace(/\/ban(\?.*)?$/, ''),
      caller: 'system',
    });
    return user.status === 200 ? user.body.ban !== null : undefined;
  }

  /** The setting a PUT names, as it is before the request (undefined for other requests). */
  async function setting(request: GeneratedRequest) {
    if (request.operation.method !== 'PUT' || request.operation.path !== '/v1/settings/{key}')
      return undefined;
    return send({ method: 'GET', path: request.path.replace(/\?.*$/, ''), caller: 'system' });
  }

  function problemsOf(request: GeneratedRequest, res: Awaited<ReturnType<typeof send>>): string[] {
    const problems: string[] = [];
    if (res.status >= 500) problems.push(`${res.status}`);
    if (res.status >= 400) {
      const error = res.body?.error;
      const shaped =
        error &&
        typeof error.code === 'string' &&
        CODE.test(error.code) &&
        typeof error.message === 'string' &&
        error.message.length > 0 &&
        error.requestId === res.headers.get('x-request-id');
      if (!shaped) problems.push(`${res.status} without the error shape`);
      if (res.status < 500 && !request.operation.statuses.has(res.status))
        problems.push(`${res.status} ${error?.code ?? ''} not in the document`);
    }
    return problems;
  }

  it(`${CASES} generated requests (seed ${SEED}): no 5xx, the error shape, one audit event per change`, async () => {
    const cases = generateRequests(doc, ids, CASES, SEED);
    const failures = new Map<string, { count: number; example: string }>();
    const fail = (request: GeneratedRequest, problem: string, detail: string) => {
      const group = `${request.operation.method} ${request.operation.path}: ${problem}`;
      const entry = failures.get(group) ?? {
        count: 0,
        example: `${request.caller} ${request.path.slice(0, 120)} ${(request.body?.text ?? '').slice(0, 200)} → ${detail.slice(0, 300)}`,
      };
      entry.count++;
      failures.set(group, entry);
    };
    let successes = 0;
    for (const request of cases) {
      const mutating = request.operation.method !== 'GET';
      const before = mutating ? await storedEvents() : 0;
      const wasBanned = await banned(request);
      const settingBefore = await setting(request);
      const res = await send({ ...request, method: request.operation.method });
      for (const problem of problemsOf(request, res)) fail(request, problem, res.text);
      if (mutating && res.status < 300) {
        successes++;
        await exported(request, res.body);
        const stored = (await storedEvents()) - before;
        if (stored !== eventsOf(request, res.body, wasBanned, settingBefore))
          fail(request, `${stored} audit events for one change`, res.text);
      }
    }
    // The generator must reach the handlers, not only the validation and 404 paths.
    expect(successes).toBeGreaterThan(CASES / 50);
    expect(Object.fromEntries(failures)).toEqual({});
  });

  it(`${ROUNDS} rounds of eight identical creates at once: 409 for all but one, one audit event per 201`, async () => {
    const creates: ((i: number) => { path: string; json: unknown })[] = [
      (i) => ({ path: '/v1/roles', json: { name: `Fuzz race ${i}` } }),
      (i) => ({ path: '/v1/permissions', json: { resource: 'race', action: `act_${i}` } }),
    ];
    const failures: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { path, json } = creates[round % creates.length]!(round);
      const before = await storedEvents();
      const answers = await Promise.all(
        Array.from({ length: 8 }, () => send({ method: 'POST', path, caller: 'system', json })),
      );
      const statuses = answers.map((a) => a.status).sort();
      const created = statuses.filter((s) => s === 201).length;
      if (created !== 1 || statuses.some((s) => s !== 201 && s !== 409))
        failures.push(
          `${path} ${JSON.stringify(json)} → ${statuses.join(',')} ${answers.find((a) => a.status >= 500)?.text ?? ''}`,
        );
      const stored = (await storedEvents()) - before;
      if (stored !== created) failures.push(`${path}: ${stored} audit events for ${created} creates`);
    }
    expect(failures).toEqual([]);
  });
});
