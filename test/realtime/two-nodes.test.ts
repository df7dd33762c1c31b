import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { RunningPlatform } from '../../server/start.js';
import {
  RealtimeClient,
  type PublicationEvent,
  type RealtimeClientOptions,
} from '../../sdk/realtime/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';
import { data, keyWith, trackClients, waitUntil, wsUrl } from '../support/realtime.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';

const text = (event: PublicationEvent): string => Buffer.from(event.payload.data ?? []).toString();
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * Realtime across nodes on one Redis: node A runs the API and realtime, B and C only realtime
 * (`heimdall start --roles realtime`). A publication on one node reaches subscribers on every other; a node that
 * drains sends its clients elsewhere, and they recover what they missed meanwhile.
 */
describeWithRedis('realtime on several nodes sharing Redis', () => {
  let database: TestDatabase;
  let a: RunningPlatform;
  let b: RunningPlatform;
  let c: RunningPlatform;
  const clients = trackClients();

  beforeAll(async () => {
    database = await createTestDatabase();
    const vars = {
      HEIMDALL__DATABASE__URL: database.url,
      HEIMDALL__REDIS__URL: TEST_REDIS_URL,
      HEIMDALL__REDIS__KEY_PREFIX: `${uniqueName('rtnodes')}:`,
    };
    a = await startTestPlatform(vars, ['api', 'realtime']);
    [b, c] = await Promise.all([
      startTestPlatform(vars, ['realtime']),
      startTestPlatform(vars, ['realtime']),
    ]);
  });
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop()]);
    await database?.drop();
  });

  it('a subscriber on node A hears a publisher on node B, in order, and the other way round', async () => {
    const channel = `app:${uniqueName('x')}`;
    const subKey = (await keyWith(a.databases.primary, ['realtime:subscribe'])).key;
    const pubKey = (await keyWith(a.databases.primary, ['realtime:publish'])).key;
    const onA = await clients.sdk(wsUrl(a.url), subKey);
    const onC = await clients.sdk(wsUrl(c.url), subKey);
    const fromA: PublicationEvent[] = [];
    const fromC: PublicationEvent[] = [];
    await onA.subscribe(channel, { publication: (e) => fromA.push(e) });
    await onC.subscribe(channel, { publication: (e) => fromC.push(e) });
    const pubB = await clients.sdk(wsUrl(b.url), pubKey);
    const pubA = await clients.sdk(wsUrl(a.url), pubKey);
    await Promise.all(range(1, 50).map((i) => pubB.publish(channel, data(`b${i}`))));
    await Promise.all(range(51, 100).map((i) => pubA.publish(channel, data(`a${i}`))));
    await waitUntil(() => fromA.length >= 100 && fromC.length >= 100, '100 publications on A and C');
    const expected = [...range(1, 50).map((i) => `b${i}`), ...range(51, 100).map((i) => `a${i}`)];
    for (const got of [fromA, fromC]) {
      expect(got.map((e) => e.offset)).toEqual(range(1, 100));
      expect(got.map(text)).toEqual(expected);
    }
  });

  it('an audit event stored through the API on node A reaches an `audit` subscriber on realtime-only node B', async () => {
    const admin = await createKey(a.databases.primary, { roleIds: ['role_api_full_access'], isSystem: true });
    const auditor = await clients.sdk(wsUrl(b.url), (await keyWith(a.databases.primary, ['audit:read'])).key);
    const events: PublicationEvent[] = [];
    await auditor.subscribe('audit', { publication: (e) => events.push(e) });
    const res = await call(a.url, 'POST', '/v1/audit', {
      key: admin.key,
      body: { event_type: 'bot_command_executed', source_service: 'discord_bot', description: 'cross-node' },
    });
    expect(res.status).toBe(201);
    await waitUntil(
      () => events.some((e) => e.payload.audit?.id === res.body.ids[0]),
      'the audit event on B',
    );
  });

  it('when its node drains, an SDK client moves to another node and recovers without loss or duplicate', async () => {
    const channel = `app:${uniqueName('move')}`;
    const subKey = (await keyWith(a.databases.primary, ['realtime:subscribe'])).key;
    const pub = await clients.sdk(
      wsUrl(a.url),
      (await keyWith(a.databases.primary, ['realtime:publish'])).key,
    );
    // The address the client dials on each (re)connect: a load balancer would stop sending it to C.
    const options: RealtimeClientOptions = {
      url: wsUrl(c.url),
      token: subKey,
      reconnect: { minDelayMs: 20, maxDelayMs: 200 },
    };
    const sub = clients.adopt(new RealtimeClient(options));
    const connects: string[] = [];
    const drops: number[] = [];
    sub.on('connected', () => connects.push(options.url));
    sub.on('disconnected', (e) => drops.push(e.code));
    await sub.connect();
    const got: PublicationEvent[] = [];
    const resyncs: unknown[] = [];
    await sub.subscribe(channel, { publication: (e) => got.push(e), resync: (p) => resyncs.push(p) });

    let next = 1;
    const publishUntil = async (last: number) => {
      while (next <= last) {
        const batch = range(next, Math.min(last, next + 9));
        next += batch.length;
        await Promise.all(batch.map((i) => pub.publish(channel, data(`m${i}`))));
      }
    };
    await publishUntil(50);
    await waitUntil(() => got.length >= 50, 'the first 50 on C');
    options.url = wsUrl(b.url);
    // Publishing goes on while C drains and the client moves to B.
    const publishing = publishUntil(200);
    await c.stop();
    await publishing;
    await waitUntil(() => got.length >= 200, 'all 200 after the move', 10_000);
    await sub.ping();
    expect(got.map((e) => e.offset)).toEqual(range(1, 200));
    expect(got.map(text)).toEqual(range(1, 200).map((i) => `m${i}`));
    expect(resyncs).toEqual([]);
    expect(drops[0]).toBe(4000);
    expect(connects).toEqual([wsUrl(c.url), wsUrl(b.url)]);
  });
});
