/* eslint-disable @typescript-eslint/no-explicit-any -- responses are asserted field by field */
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

const GEOIP = path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb');

describe('your own activity: GET /v1/user/activity and reporting', () => {
  const t = useTestPlatform(
    {
      HEIMDALL__RATE_LIMIT__ENABLED: 'false',
      HEIMDALL__GEOIP__DATABASE: GEOIP,
      HEIMDALL__SERVER__TRUST_PROXY: 'true',
    },
    ['api', 'scheduler'],
  );
  let alice: { id: string; key: TestKey };
  let bob: { id: string; key: TestKey };
  let bot: TestKey;
  let admin: TestKey;

  const person = async (roleIds = ['role_user']) => {
    const id = await createUser(t.db, { roleIds, twoFactor: true });
    return { id, key: await createKey(t.db, { userId: id, roleIds: ['role_api_full_access'] }) };
  };
  const activity = (who: { key: TestKey }, query = '') =>
    call(t.url, 'GET', `/v1/user/activity${query}`, { key: who.key.key });

  beforeAll(async () => {
    alice = await person();
    bob = await person();
    bot = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    admin = (await person(['role_admin'])).key;
    const events = [
      {
        event_type: 'login',
        user_id: alice.id,
        actor_id: alice.id,
        ip_address: '81.2.69.142',
        user_agent: 'Firefox',
      },
      { event_type: 'login_failed', status: 'failure', user_id: alice.id, ip_address: '2a02:8109:9b00::5' },
      {
        event_type: 'role_assigned',
        user_id: alice.id,
        actor_id: 'someone-else',
        metadata: { note: 'internal' },
      },
      { event_type: 'bot_command_executed', user_id: alice.id, actor_id: alice.id },
      { event_type: 'login', user_id: bob.id, actor_id: bob.id, ip_address: '89.160.20.115' },
    ].map((e) => ({ source_service: 'id', ...e }));
    expect((await call(t.url, 'POST', '/v1/audit', { key: bot.key, body: { events } })).status).toBe(201);
  });

  it('shows a person their security events with geo, not others’ and not bot chatter', async () => {
    const res = await activity(alice);
    expect(res.status).toBe(200);
    expect(res.body.data.map((e: any) => e.event_type)).toEqual(['role_assigned', 'login_failed', 'login']);
    const [assigned, failed, login] = res.body.data;
    expect(login).toMatchObject({
      ip_address: '81.2.69.142',
      user_agent: 'Firefox',
      country_code: 'GB',
      city: 'London',
      by_self: true,
      is_reported: false,
    });
    expect(failed).toMatchObject({ status: 'failure', country_code: 'DE', city: 'Berlin', by_self: false });
    // An admin's action: visible, but without its internal metadata or the admin's id.
    expect(assigned.by_self).toBe(false);
    expect(assigned).not.toHaveProperty('metadata');
    expect(assigned).not.toHaveProperty('actor_id');

    const bobs = await activity(bob);
    expect(bobs.body.data.map((e: any) => e.event_type)).toEqual(['login']);
    expect(bobs.body.data[0].country_code).toBe('SE');
    expect((await activity(alice, '?event_type=login')).body.data).toHaveLength(1);
    expect((await activity(alice, '?event_type=bot_command_executed')).body.data).toEqual([]);
  });

  it('records what a person does through the API with their address and its place', async () => {
    const created = await call(t.url, 'POST', '/v1/api-keys', {
      key: alice.key.key,
      body: { name: 'laptop' },
      headers: { 'x-forwarded-for': '216.160.83.57', 'user-agent': 'heimdall-cli/1.0' },
    });
    expect(created.status).toBe(201);
    await t.platform.services.audit.flush();
    const res = await activity(alice, '?event_type=api_key_created');
    expect(res.body.data).toEqual([
      expect.objectContaining({
        event_type: 'api_key_created',
        resource_type: 'api_key',
        resource_id: created.body.id,
        ip_address: '216.160.83.57',
        user_agent: 'heimdall-cli/1.0',
        source_service: 'api',
        country_code: 'US',
        city: 'Milton',
        region: 'Washington',
        by_self: true,
      }),
    ]);
  });

  it('a person cannot read or report another person’s activity', async () => {
    const alicesLogin = (await activity(alice, '?event_type=login')).body.data[0];
    const res = await call(t.url, 'POST', `/v1/user/activity/${alicesLogin.id}/report`, {
      key: bob.key.key,
      body: {},
    });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('audit.event_not_found');
    expect((await activity(bob)).body.data.map((e: any) => e.id)).not.toContain(alicesLogin.id);
    // Without audit:read, the full log is closed.
    const log = await call(t.url, 'GET', `/v1/audit?user_id=${alice.id}`, { key: bob.key.key });
    expect(log.status).toBe(403);
    expect(log.body.error).toMatchObject({ code: 'auth.forbidden', details: { required: 'audit:read' } });
  });

  it('reporting flags the event once, records activity_reported, and admins find it', async () => {
    const login = (await activity(alice, '?event_type=login')).body.data[0];
    const report = (body: object = {}) =>
      call(t.url, 'POST', `/v1/user/activity/${login.id}/report`, {
        key: alice.key.key,
        body,
        headers: { 'x-forwarded-for': '89.160.20.113' },
      });
    const first = await report({ reason: 'I was asleep' });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ id: login.id, is_reported: true });
    expect((await report()).status).toBe(200); // again: no second event

    await t.platform.services.audit.flush();
    const reported = await call(t.url, 'GET', `/v1/audit?is_reported=true&user_id=${alice.id}`, {
      key: admin.key,
    });
    expect(reported.body.data.map((e: any) => e.id)).toEqual([login.id]);
    const notes = await call(t.url, 'GET', `/v1/audit?event_type=activity_reported&user_id=${alice.id}`, {
      key: admin.key,
    });
    expect(notes.body.data).toEqual([
      expect.objectContaining({
        user_id: alice.id,
        actor_id: alice.id,
        resource_type: 'audit_event',
        resource_id: login.id,
        metadata: { reported_event_type: 'login', reason: 'I was asleep' },
        country_code: 'SE',
        source_service: 'api',
      }),
    ]);
    expect((await activity(alice, '?is_reported=true')).body.data.map((e: any) => e.id)).toEqual([login.id]);
  });

  it('refuses events outside the activity (bot events) and unknown ids with 404', async () => {
    const botEvent = await t
      .db('AuditEvent')
      .where({ user_id: alice.id, event_type: 'bot_command_executed' })
      .first();
    for (const id of [botEvent.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await call(t.url, 'POST', `/v1/user/activity/${id}/report`, {
        key: alice.key.key,
        body: {},
      });
      expect(res.status).toBe(404);
    }
    expect((await t.db('AuditEvent').where({ id: botEvent.id }).first()).is_reported).toBe(false);
    const bad = await call(t.url, 'POST', '/v1/user/activity/not-a-uuid/report', {
      key: alice.key.key,
      body: {},
    });
    expect(bad.status).toBe(400);
  });

  it('a system key has no activity of its own', async () => {
    const res = await call(t.url, 'GET', '/v1/user/activity', { key: bot.key });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('auth.user_required');
  });

  it('the scheduler role ran audit housekeeping at start', async () => {
    const scheduler = t.platform.scheduler!;
    expect(scheduler).toBeDefined();
    // Start-up already created everything: a second run finds nothing to do.
    expect(await scheduler.runNow('audit-housekeeping')).toEqual({
      storage: 'partitions',
      created: 0,
      dropped: 0,
    });
  });
});
