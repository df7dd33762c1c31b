import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Client } from 'graphql-ws';
import type { RunningPlatform } from '../../server/start.js';
import { runCli } from '../../server/cli/run.js';
import { Recovery } from '../../proto/index.js';
import type { PublicationEvent } from '../../sdk/realtime/index.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { call, createKey } from '../support/fixtures.js';
import { subscribe, wsClient } from '../support/graphql-ws.js';
import { CONFIG_DIR, startTestPlatform } from '../support/platform.js';
import { data, keyWith, trackClients, waitUntil, wsUrl } from '../support/realtime.js';
import { describeWithRedis, TEST_REDIS_URL, uniqueName } from '../support/services.js';
import { sleep } from '../support/wait.js';

const onDatabase = (db: number): string => {
  const url = new URL(TEST_REDIS_URL);
  url.pathname = `/${db}`;
  return url.toString();
};
const text = (event: PublicationEvent): string => Buffer.from(event.payload.data ?? []).toString();

/**
 * Two deployments on one Redis server, with the same key prefix on databases 1 and 2: Redis pub/sub ignores the
 * database, so only channel names in each deployment's namespace keep their events apart.
 */
describeWithRedis('deployments sharing one Redis server', () => {
  const keyPrefix = `${uniqueName('shared')}:`;
  const databases: TestDatabase[] = [];
  let a: RunningPlatform;
  let b: RunningPlatform;
  const clients = trackClients();
  const graphql: Client[] = [];

  const start = async (redisDb: number) => {
    const database = await createTestDatabase();
    databases.push(database);
    return startTestPlatform(
      {
        HEIMDALL__DATABASE__URL: database.url,
        HEIMDALL__REDIS__URL: onDatabase(redisDb),
        HEIMDALL__REDIS__KEY_PREFIX: keyPrefix,
      },
      ['api', 'realtime'],
    );
  };

  beforeAll(async () => {
    [a, b] = await Promise.all([start(1), start(2)]);
  });
  afterAll(async () => {
    await Promise.all(graphql.map((c) => c.dispose()));
    await Promise.all([a?.stop(), b?.stop()]);
    await Promise.all(databases.map((d) => d.drop()));
  });

  /** A `/ws` subscriber and a GraphQL subscriber to one platform's audit events. */
  const auditListeners = async (p: RunningPlatform) => {
    const db = p.databases.primary;
    const ws = await clients.sdk(wsUrl(p.url), (await keyWith(db, ['audit:read'])).key);
    const overWs: string[] = [];
    await ws.subscribe('audit', { publication: (e) => overWs.push(e.payload.audit!.id!) });
    const admin = await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true });
    const client = wsClient(p.url, admin.key);
    graphql.push(client);
    const overGraphql = subscribe(client, 'subscription { auditEvent { id } }');
    return { admin: admin.key, overWs, overGraphql };
  };
  const graphqlIds = (sub: ReturnType<typeof subscribe>) =>
    sub.events.map((e: { auditEvent: { id: string } }) => e.auditEvent.id);

  it('an audit event stored by one reaches its own /ws and GraphQL subscribers only', async () => {
    const [onA, onB] = await Promise.all([auditListeners(a), auditListeners(b)]);
    // graphql-ws subscribes lazily, after connecting.
    await sleep(300);
    const record = async (p: RunningPlatform, key: string, description: string) => {
      const res = await call(p.url, 'POST', '/v1/audit', {
        key,
        body: { event_type: 'bot_command_executed', source_service: 'discord_bot', description },
      });
      expect(res.status).toBe(201);
      return res.body.ids[0] as string;
    };
    const fromA = await record(a, onA.admin, 'on A');
    const fromB = await record(b, onB.admin, 'on B');
    await waitUntil(
      () =>
        onA.overWs.includes(fromA) &&
        onB.overWs.includes(fromB) &&
        graphqlIds(onA.overGraphql).includes(fromA) &&
        graphqlIds(onB.overGraphql).includes(fromB),
      'each event at its own deployment',
    );
    // What might still cross over has had the time to.
    await sleep(300);
    expect(onA.overGraphql.errors).toEqual([]);
    expect({ ws: onA.overWs, graphql: graphqlIds(onA.overGraphql) }).toEqual({
      ws: [fromA],
      graphql: [fromA],
    });
    expect({ ws: onB.overWs, graphql: graphqlIds(onB.overGraphql) }).toEqual({
      ws: [fromB],
      graphql: [fromB],
    });
  });

  it('a channel of the same name is two channels, each with its own offsets and recovery', async () => {
    const channel = `app:${uniqueName('same')}`;
    const setUp = async (p: RunningPlatform) => {
      const db = p.databases.primary;
      const subKey = (await keyWith(db, ['realtime:subscribe'])).key;
      const sub = await clients.sdk(wsUrl(p.url), subKey);
      const got: PublicationEvent[] = [];
      const resyncs: unknown[] = [];
      await sub.subscribe(channel, { publication: (e) => got.push(e), resync: (r) => resyncs.push(r) });
      const pub = await clients.sdk(wsUrl(p.url), (await keyWith(db, ['realtime:publish'])).key);
      return { sub, subKey, got, resyncs, pub, p };
    };
    const [onA, onB] = await Promise.all([setUp(a), setUp(b)]);
    for (const i of [1, 2, 3, 4, 5]) await onA.pub.publish(channel, data(`a${i}`));
    for (const i of [1, 2, 3]) await onB.pub.publish(channel, data(`b${i}`));
    await waitUntil(() => onA.got.length >= 5 && onB.got.length >= 3, 'each deployment’s publications');
    await sleep(300);
    expect(onA.got.map((e) => [e.offset, text(e)])).toEqual([1, 2, 3, 4, 5].map((i) => [i, `a${i}`]));
    expect(onB.got.map((e) => [e.offset, text(e)])).toEqual([1, 2, 3].map((i) => [i, `b${i}`]));

    // A client coming back to either recovers what followed its position, from its own deployment's history.
    for (const { sub, subKey, got, resyncs, p } of [onA, onB]) {
      expect(resyncs).toEqual([]);
      const back = await clients.rawAuthed(wsUrl(p.url), subKey);
      const reply = await back.request({
        subscribe: { channel, since: { epoch: sub.position(channel)!.epoch, offset: 1 } },
      });
      expect(reply.subscribed!.recovery).toBe(Recovery.RECOVERY_RECOVERED);
      expect(
        reply.subscribed!.publications!.map((x) => Buffer.from(x.payload?.data ?? []).toString()),
      ).toEqual(got.slice(1).map(text));
    }
    expect(a.realtime!.stats().foreignPublications).toBe(0);
    expect(b.realtime!.stats().foreignPublications).toBe(0);
  });
});

describeWithRedis('a Redis namespace two settings could share', () => {
  async function start(vars: Record<string, string>) {
    let stderr = '';
    const code = await runCli(['config'], {
      env: { HEIMDALL_CONFIG_DIR: CONFIG_DIR, HEIMDALL_ENV: 'test', HEIMDALL__LOG__LEVEL: 'silent', ...vars },
      stdin: process.stdin,
      stdout: { write: () => true },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stderr };
  }

  it('is refused when the configuration is loaded (exit code 2), naming the key to change', async () => {
    const prefix = await start({ HEIMDALL__REDIS__URL: onDatabase(1), HEIMDALL__REDIS__KEY_PREFIX: 'a|b:' });
    expect(prefix.code).toBe(2);
    expect(prefix.stderr).toContain('redis.key_prefix');
    expect(prefix.stderr).toContain('must not contain "|"');

    const query = await start({ HEIMDALL__REDIS__URL: `${TEST_REDIS_URL}?db=2` });
    expect(query.code).toBe(2);
    expect(query.stderr).toContain('redis.url');
    expect(query.stderr).toContain('name the database in the path');

    const path = await start({ HEIMDALL__REDIS__URL: onDatabase(1).replace(/\/1$/, '/01') });
    expect(path.code).toBe(2);
    expect(path.stderr).toContain('the path must be a database number');

    // A URL that does not parse is reported as such, with the prefix's problem, not as a crash.
    const neither = await start({ HEIMDALL__REDIS__URL: 'not a url', HEIMDALL__REDIS__KEY_PREFIX: 'a|' });
    expect(neither.code).toBe(2);
    expect(neither.stderr).toContain('redis.url');
    expect(neither.stderr).toContain('redis.key_prefix');
  });
});
