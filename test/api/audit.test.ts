/* eslint-disable @typescript-eslint/no-explicit-any -- responses are asserted field by field */
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';

const GEOIP = path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb');

describe('audit API: GET and POST /v1/audit', () => {
  const t = useTestPlatform({
    HEIMDALL__RATE_LIMIT__ENABLED: 'false',
    HEIMDALL__GEOIP__DATABASE: GEOIP,
    HEIMDALL__SERVER__TRUST_PROXY: 'true',
  });
  let app: TestKey; // a bot's system key with audit:write and audit:read (API Full Access)
  let reader: TestKey; // an admin's key
  let adminId: string;

  beforeAll(async () => {
    app = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true, name: 'discord bot' });
    adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    reader = await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] });
  });

  const submit = (body: unknown, key = app.key) => call(t.url, 'POST', '/v1/audit', { key, body });
  const search = async (query: string) => {
    const res = await call(t.url, 'GET', `/v1/audit?${query}`, { key: reader.key });
    expect(res.status).toBe(200);
    return res.body as { data: any[]; next_cursor: string | null };
  };

  it('stores a submitted event before answering, with the submitter and GeoIP', async () => {
    const res = await submit({
      event_type: 'bot_command_executed',
      source_service: 'discord_bot',
      user_id: '123456789012345678',
      actor_id: '123456789012345678',
      resource_type: 'discord_guild',
      resource_id: '987',
      ip_address: '81.2.69.142',
      user_agent: 'DiscordBot (heimdall, 1.0)',
      description: '/ban used',
      metadata: { command: 'ban', submitted_by: 'someone else' },
    });
    expect(res.status).toBe(201);
    expect(res.body.ids).toHaveLength(1);
    // No flush: the answer came after the event was stored.
    const row = await t.db('AuditEvent').where({ id: res.body.ids[0] }).first();
    expect(row).toMatchObject({
      event_type: 'bot_command_executed',
      source_service: 'discord_bot',
      user_id: '123456789012345678',
      resource_type: 'discord_guild',
      ip_address: '81.2.69.142',
      country_code: 'GB',
      country_name: 'United Kingdom',
      city: 'London',
      region: 'England',
      metadata: { command: 'ban', submitted_by: `api_key:${app.id}` },
      status: 'success',
      is_reported: false,
    });
  });

  it('enriches IPv6, and leaves private and unknown addresses without a place', async () => {
    const tag = uniqueName('geo');
    const res = await submit({
      events: ['2a02:8109:9b12::1', '2001:218:42::1', '10.0.0.7', 'fd00::1', '8.8.8.8', '::1'].map((ip) => ({
        event_type: 'login',
        source_service: 'backend',
        resource_type: tag,
        ip_address: ip,
      })),
    });
    expect(res.status).toBe(201);
    const { data } = await search(`resource_type=${tag}&limit=10`);
    const byIp = Object.fromEntries(data.map((e) => [e.ip_address, [e.country_code, e.city, e.region]]));
    expect(byIp).toEqual({
      '2a02:8109:9b12::1': ['DE', 'Berlin', 'Land Berlin'],
      '2001:218:42::1': ['JP', null, null],
      '10.0.0.7': [null, null, null],
      'fd00::1': [null, null, null],
      '8.8.8.8': [null, null, null],
      '::1': [null, null, null],
    });
  });

  it('takes a batch of 1,000 and refuses 1,001', async () => {
    const tag = uniqueName('bulk');
    const events = (n: number) =>
      Array.from({ length: n }, (_, i) => ({
        event_type: 'bot_moderation_action',
        source_service: 'twitch_bot',
        resource_type: tag,
        resource_id: String(i),
        user_agent: 'x'.repeat(500),
        metadata: { i, channel: 'some-channel', reason: 'y'.repeat(200) },
      }));
    const ok = await submit({ events: events(1000) });
    expect(ok.status).toBe(201);
    expect(new Set(ok.body.ids).size).toBe(1000);
    expect(Number((await t.db('AuditEvent').where({ resource_type: tag }).count())[0]!.count)).toBe(1000);

    const tooMany = await submit({ events: events(1001) });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.fields).toEqual([
      expect.objectContaining({ in: 'body', field: 'events' }),
    ]);
  });

  it('refuses bad event types and source services with 400 naming the field, storing nothing', async () => {
    const badType = await submit({ event_type: 'login_succeeded', source_service: 'backend' });
    expect(badType.status).toBe(400);
    expect(badType.body.error.code).toBe('request.validation_failed');
    expect(badType.body.error.details.fields.map((f: any) => f.field)).toEqual(['event_type']);

    const badService = await submit({ event_type: 'login', source_service: 'minecraft_bot' });
    expect(badService.status).toBe(400);
    expect(badService.body.error.details.fields.map((f: any) => f.field)).toEqual(['source_service']);

    const missing = await submit({ event_type: 'login' });
    expect(missing.body.error.details.fields.map((f: any) => f.field)).toEqual(['source_service']);

    const tag = uniqueName('halfbad');
    const inBatch = await submit({
      events: [
        { event_type: 'login', source_service: 'backend', resource_type: tag },
        { event_type: 'login', source_service: 'backend', resource_type: tag },
        { event_type: 'login', source_service: 'nope', resource_type: tag },
      ],
    });
    expect(inBatch.status).toBe(400);
    expect(inBatch.body.error.details.fields.map((f: any) => f.field)).toEqual(['events.2.source_service']);
    expect(await t.db('AuditEvent').where({ resource_type: tag })).toEqual([]);

    const geoSmuggled = await submit({ event_type: 'login', source_service: 'backend', country_code: 'XX' });
    expect(geoSmuggled.status).toBe(400);
    const future = await submit({
      event_type: 'login',
      source_service: 'backend',
      created_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect(future.body.error.details.fields.map((f: any) => f.field)).toEqual(['created_at']);
  });

  it('an id and time sent again are stored once (idempotent retries)', async () => {
    const event = {
      id: '6f9d0c1e-8a8b-4c7e-9a3f-2b1d4e5f6a7b',
      created_at: new Date(Date.now() - 60_000).toISOString(),
      event_type: 'bot_config_changed',
      source_service: 'discord_bot',
    };
    expect((await submit(event)).status).toBe(201);
    expect((await submit({ events: [event] })).status).toBe(201);
    expect(await t.db('AuditEvent').where({ id: event.id })).toHaveLength(1);
  });

  describe('filters', () => {
    const tag = uniqueName('filters');
    const ids: Record<string, string> = {};
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();

    beforeAll(async () => {
      const base = { resource_type: tag, source_service: 'backend' as string };
      const events: Record<string, object> = {
        a: {
          ...base,
          event_type: 'login',
          user_id: 'u1',
          actor_id: 'u1',
          ip_address: '81.2.69.142',
          created_at: at(50),
        },
        b: {
          ...base,
          event_type: 'login_failed',
          status: 'failure',
          user_id: 'u1',
          ip_address: '89.160.20.115',
          created_at: at(40),
        },
        c: {
          ...base,
          event_type: 'logout',
          user_id: 'u2',
          actor_id: 'admin',
          resource_id: 'r-1',
          created_at: at(30),
        },
        d: {
          ...base,
          event_type: 'user_banned',
          user_id: 'u2',
          actor_id: 'admin',
          source_service: 'api',
          resource_id: 'r-2',
          ip_address: '216.160.83.60',
          created_at: at(20),
        },
        e: {
          ...base,
          event_type: 'login',
          user_id: 'u3',
          source_service: 'id',
          is_reported: true,
          ip_address: '81.2.69.143',
          created_at: at(10),
        },
      };
      for (const [name, event] of Object.entries(events)) ids[name] = (await submit(event)).body.ids[0];
    });

    const names = async (query: string) => {
      const { data } = await search(`resource_type=${tag}&${query}`);
      const byId = Object.fromEntries(Object.entries(ids).map(([n, id]) => [id, n]));
      return data.map((e) => byId[e.id]);
    };

    it.each([
      ['', ['e', 'd', 'c', 'b', 'a']],
      ['user_id=u1', ['b', 'a']],
      ['actor_id=admin', ['d', 'c']],
      ['event_type=login', ['e', 'a']],
      ['event_type=login,logout', ['e', 'c', 'a']],
      ['event_type=login&event_type=user_banned', ['e', 'd', 'a']],
      ['status=failure', ['b']],
      ['source_service=api', ['d']],
      ['resource_id=r-1', ['c']],
      ['country_code=GB', ['e', 'a']],
      ['country_code=se', ['b']],
      ['ip=81.2.69.142', ['a']],
      ['ip=81.2.69.142/31', ['e', 'a']],
      ['is_reported=true', ['e']],
      ['is_reported=false', ['d', 'c', 'b', 'a']],
      [`from=${encodeURIComponent(at(35))}`, ['e', 'd', 'c']],
      [`to=${encodeURIComponent(at(35))}`, ['b', 'a']],
      [`from=${encodeURIComponent(at(45))}&to=${encodeURIComponent(at(15))}`, ['d', 'c', 'b']],
      ['user_id=u2&event_type=logout', ['c']],
    ])('%s', async (query, expected) => {
      expect(await names(query)).toEqual(expected);
    });

    it('pages newest first with a cursor: no gap, no repeat', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: { data: any[]; next_cursor: string | null } = await search(
          `resource_type=${tag}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.data.map((e) => e.id));
        cursor = page.next_cursor;
        pages += 1;
      } while (cursor);
      expect(pages).toBe(3);
      expect(seen).toEqual(['e', 'd', 'c', 'b', 'a'].map((n) => ids[n]));
    });

    it('pages through events recorded in the same millisecond', async () => {
      const burst = uniqueName('burst');
      const created = await submit({
        events: Array.from({ length: 30 }, () => ({
          event_type: 'login',
          source_service: 'id',
          resource_type: burst,
        })),
      });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: any[]; next_cursor: string | null } = await search(
          `resource_type=${burst}&limit=7${cursor ? `&cursor=${cursor}` : ''}`,
        );
        seen.push(...page.data.map((e) => e.id));
        cursor = page.next_cursor;
      } while (cursor);
      expect(seen).toEqual([...created.body.ids].reverse());
    });

    it.each([
      ['event_type=login,bogus', 'event_type.1'],
      ['status=maybe', 'status'],
      ['source_service=irc_bot', 'source_service'],
      ['country_code=GBR', 'country_code'],
      ['ip=999.1.1.1', 'ip'],
      ['from=yesterday', 'from'],
      [`from=${encodeURIComponent(at(5))}&to=${encodeURIComponent(at(10))}`, 'from'],
      ['limit=1000', 'limit'],
      ['cursor=bm9wZQ', 'cursor'],
      ['colour=red', ''],
    ])('refuses %s naming %s', async (query, field) => {
      const res = await call(t.url, 'GET', `/v1/audit?${query}`, { key: reader.key });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('request.validation_failed');
      expect(res.body.error.details.fields.map((f: any) => f.field)).toEqual([field]);
    });
  });
});
