import { describe, expect, it } from '@jest/globals';
import type { WebSocket } from 'ws';
import { Recovery, type ServerMessage } from '../../proto/index.js';
import type { PublicationEvent, RealtimeClient } from '../../sdk/realtime/index.js';
import { call, createKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import {
  clientFrame,
  data,
  describeModes,
  keyWith,
  modeVars,
  trackClients,
  userWith,
  waitUntil,
  wsUrl,
  type RawClient,
} from '../support/realtime.js';
import { uniqueName } from '../support/services.js';

/**
 * The realtime service on one node, run against both brokers (issue 9: "the in-process mode passes the same
 * tests that do not need two nodes"). Limits are small so every rule is reached quickly.
 */
const LIMITS = {
  HEIMDALL__REALTIME__HISTORY_SIZE: '150',
  HEIMDALL__REALTIME__AUTH_TIMEOUT_MS: '1000',
  HEIMDALL__REALTIME__HEARTBEAT_MS: '1000',
  HEIMDALL__REALTIME__MAX_FRAME_BYTES: '4096',
  HEIMDALL__REALTIME__MAX_SUBSCRIPTIONS: '4',
  HEIMDALL__REALTIME__MAX_CONNECTIONS_PER_USER: '2',
};

const text = (event: PublicationEvent): string => Buffer.from(event.payload.data ?? []).toString();
const appChannel = () => `app:${uniqueName('ch')}`;
/** The SDK's socket, to cut it like a network failure would. */
const socketOf = (client: RealtimeClient) => (client as unknown as { socket: WebSocket }).socket;

/** A token function that holds reconnections while closed: publications pile up meanwhile. */
function gate(token: string) {
  let open: () => void = () => undefined;
  let opened: Promise<void> = Promise.resolve();
  return {
    token: async () => {
      await opened;
      return token;
    },
    close() {
      opened = new Promise((resolve) => {
        open = resolve;
      });
    },
    open: () => open(),
  };
}

describeModes('realtime on one node', (mode) => {
  const t = useTestPlatform({ ...modeVars(mode), ...LIMITS }, ['api', 'realtime']);
  const clients = trackClients();
  const url = () => wsUrl(t.url);
  const admin = () => createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });

  async function publishAll(publisher: RealtimeClient, channel: string, from: number, to: number) {
    const sent: Promise<unknown>[] = [];
    for (let i = from; i <= to; i += 1) sent.push(publisher.publish(channel, data(`m${i}`)));
    await Promise.all(sent);
  }

  describe('delivery and recovery', () => {
    it('delivers publications to a subscriber, in order', async () => {
      const channel = appChannel();
      const sub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:subscribe'])).key);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: PublicationEvent[] = [];
      await sub.subscribe(channel, { publication: (e) => got.push(e) });
      await publishAll(pub, channel, 1, 20);
      await waitUntil(() => got.length >= 20, '20 publications');
      expect(got.map((e) => [e.offset, text(e)])).toEqual(
        Array.from({ length: 20 }, (_, i) => [i + 1, `m${i + 1}`]),
      );
      expect(got.every((e) => e.channel === channel && e.timeMs > 0)).toBe(true);
    });

    it('a client that drops and reconnects receives every missed publication once, in order (SDK)', async () => {
      const channel = appChannel();
      const g = gate((await keyWith(t.db, ['realtime:subscribe'])).key);
      const sub = await clients.sdk(url(), g.token);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: PublicationEvent[] = [];
      const resyncs: unknown[] = [];
      await sub.subscribe(channel, { publication: (e) => got.push(e), resync: (p) => resyncs.push(p) });
      const reconnected = new Promise<void>((resolve) => sub.once('connected', () => resolve()));

      await publishAll(pub, channel, 1, 60);
      await waitUntil(() => got.length >= 60, 'the first 60 publications');
      g.close();
      const dropped = new Promise<void>((resolve) => sub.once('disconnected', () => resolve()));
      socketOf(sub).terminate();
      await dropped;
      // While it is away…
      await publishAll(pub, channel, 61, 140);
      g.open();
      // …while it comes back, and after.
      await publishAll(pub, channel, 141, 170);
      await reconnected;
      await publishAll(pub, channel, 171, 200);
      await waitUntil(() => got.length >= 200, '200 publications').catch((err: Error) => {
        throw new Error(
          `${err.message}; resyncs ${JSON.stringify(resyncs)} got ${JSON.stringify(got.map((e) => e.offset))}`,
        );
      });
      await sub.ping();
      expect(got.map((e) => e.offset)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
      expect(got.map(text)).toEqual(Array.from({ length: 200 }, (_, i) => `m${i + 1}`));
      expect(resyncs).toEqual([]);
      expect(sub.position(channel)?.offset).toBe(200);
    });

    it('on the wire: a resubscribe with `since` replays exactly what was missed, then goes live without overlap', async () => {
      const channel = appChannel();
      const subKey = (await keyWith(t.db, ['realtime:subscribe'])).key;
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const first = await clients.rawAuthed(url(), subKey);
      const subscribed = await first.request({ subscribe: { channel } });
      expect(subscribed.subscribed!.recovery).toBe(Recovery.RECOVERY_NONE);
      const epoch = subscribed.subscribed!.position!.epoch!;
      expect(epoch).not.toBe('');
      await publishAll(pub, channel, 1, 30);
      await first.waitFor(
        (m) => m.kind === 'publication' && Number(m.publication!.offset) === 30,
        'publication 30',
      );
      first.close();
      await publishAll(pub, channel, 31, 100);

      const second = await clients.rawAuthed(url(), subKey);
      // Publications keep coming while the server reads history for the resubscribe.
      const during = publishAll(pub, channel, 101, 150);
      const reply = await second.request({ subscribe: { channel, since: { epoch, offset: 30 } } });
      await during;
      const s = reply.subscribed!;
      // Up to 150, through the replay or live (how many of each depends on timing).
      await waitUntil(
        () =>
          Number(s.position!.offset) === 150 ||
          second.messages.some((m) => m.kind === 'publication' && Number(m.publication!.offset) === 150),
        'publication 150',
      );
      await second.request({ ping: {} });
      expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
      expect(s.position!.epoch).toBe(epoch);
      const replayed = s.publications!.map((p) => Number(p.offset));
      const top = Number(s.position!.offset);
      expect(replayed).toEqual(Array.from({ length: top - 30 }, (_, i) => 31 + i));
      const live = second.messages
        .filter((m) => m.kind === 'publication')
        .map((m) => Number(m.publication!.offset));
      expect([...replayed, ...live]).toEqual(Array.from({ length: 120 }, (_, i) => 31 + i));
      expect(s.publications!.map((p) => Buffer.from(p.payload!.data!).toString()).slice(0, 3)).toEqual([
        'm31',
        'm32',
        'm33',
      ]);
    });

    it('on the wire: resubscribes racing a stream of publications each see one contiguous sequence', async () => {
      const channel = appChannel();
      // One key each: max_connections_per_user is 2 here.
      const keys = await Promise.all(
        Array.from({ length: 30 }, async () => (await keyWith(t.db, ['realtime:subscribe'])).key),
      );
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const { epoch } = await pub.publish(channel, data('m1'));
      const subscribers: { since: number; client: RawClient; reply: Promise<ServerMessage> }[] = [];
      let confirmed = 1;
      for (let i = 2; i <= 150; i += 1) {
        const sent = pub.publish(channel, data(`m${i}`));
        if (i % 5 === 0) {
          const client = await clients.rawAuthed(url(), keys[subscribers.length]!);
          const since = Math.max(1, confirmed - 2);
          const reply = client.request({ subscribe: { channel, since: { epoch, offset: since } } });
          subscribers.push({ since, client, reply });
        }
        if (i % 10 === 0) confirmed = (await sent).offset;
      }
      await pub.ping();
      const offsetsOf = async ({ client, reply }: (typeof subscribers)[number]) => {
        const s = (await reply).subscribed!;
        expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
        const seen = () => [
          ...s.publications!.map((p) => Number(p.offset)),
          ...client.messages
            .filter((m) => m.kind === 'publication')
            .map((m) => Number(m.publication!.offset)),
        ];
        await waitUntil(() => seen().includes(150), 'publication 150');
        await client.request({ ping: {} });
        return seen();
      };
      for (const subscriber of subscribers) {
        const { since } = subscriber;
        expect({ since, offsets: await offsetsOf(subscriber) }).toEqual({
          since,
          offsets: Array.from({ length: 150 - since }, (_, i) => since + 1 + i),
        });
      }
    });

    it('history gone → the SDK is told to resync and carries on from the current position', async () => {
      const channel = appChannel();
      const g = gate((await keyWith(t.db, ['realtime:subscribe'])).key);
      const sub = await clients.sdk(url(), g.token);
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const got: number[] = [];
      const resyncs: { epoch: string; offset: number }[] = [];
      await sub.subscribe(channel, {
        publication: (e) => got.push(e.offset),
        resync: (p) => resyncs.push(p),
      });
      await publishAll(pub, channel, 1, 5);
      await waitUntil(() => got.length >= 5, 'the first 5 publications');
      g.close();
      const dropped = new Promise<void>((resolve) => sub.once('disconnected', () => resolve()));
      socketOf(sub).terminate();
      await dropped;
      // More than history_size (150) while away.
      await publishAll(pub, channel, 6, 205);
      const reconnected = new Promise<void>((resolve) => sub.once('connected', () => resolve()));
      g.open();
      await reconnected;
      await waitUntil(() => resyncs.length === 1, 'the resync advice');
      expect(resyncs[0]!.offset).toBe(205);
      expect(got).toEqual([1, 2, 3, 4, 5]);
      await publishAll(pub, channel, 206, 206);
      await waitUntil(() => got.length === 6, 'the next publication');
      expect(got[5]).toBe(206);
    });

    it('on the wire: trimmed history, an unknown epoch and an offset from the future get RECOVERY_RESYNC', async () => {
      const channel = appChannel();
      const pub = await clients.sdk(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const first = await pub.publish(channel, data('m1'));
      await publishAll(pub, channel, 2, 200);
      const key = (await keyWith(t.db, ['realtime:subscribe'])).key;
      const cases = [
        { epoch: first.epoch, offset: 1 },
        { epoch: 'not-an-epoch', offset: 199 },
        { epoch: first.epoch, offset: 10_000 },
      ];
      for (const since of cases) {
        const c = await clients.rawAuthed(url(), key);
        const s = (await c.request({ subscribe: { channel, since } })).subscribed!;
        expect({ since, recovery: s.recovery }).toEqual({ since, recovery: Recovery.RECOVERY_RESYNC });
        expect(s.publications).toEqual([]);
        expect({ epoch: s.position!.epoch, offset: Number(s.position!.offset) }).toEqual({
          epoch: first.epoch,
          offset: 200,
        });
        c.close();
      }
      // Within history: recovered.
      const c = await clients.rawAuthed(url(), key);
      const s = (await c.request({ subscribe: { channel, since: { epoch: first.epoch, offset: 190 } } }))
        .subscribed!;
      expect(s.recovery).toBe(Recovery.RECOVERY_RECOVERED);
      expect(s.publications!.map((p) => Number(p.offset))).toEqual([
        191, 192, 193, 194, 195, 196, 197, 198, 199, 200,
      ]);
    });
  });

  describe('authorization', () => {
    async function trySubscribe(key: string, channel: string): Promise<string> {
      const c = await clients.rawAuthed(url(), key);
      const reply = await c.request({ subscribe: { channel } });
      // A refusal is request-level: the connection stays usable.
      expect((await c.request({ ping: {} })).kind).toBe('pong');
      c.close();
      return reply.kind === 'subscribed' ? 'ok' : reply.error!.code!;
    }

    it('audit needs audit:read; gps needs gps:read', async () => {
      const audit = (await keyWith(t.db, ['audit:read'])).key;
      const gps = (await keyWith(t.db, ['gps:read'])).key;
      expect(await trySubscribe(audit, 'audit')).toBe('ok');
      expect(await trySubscribe(gps, 'audit')).toBe('realtime.forbidden');
      expect(await trySubscribe(gps, 'gps')).toBe('ok');
      expect(await trySubscribe(audit, 'gps')).toBe('realtime.forbidden');
    });

    it('user:<id>: yourself without any permission, another user with users:read, never with a key scoped without users:read', async () => {
      const me = await userWith(t.db, []);
      const other = await userWith(t.db, []);
      const reader = await userWith(t.db, ['users:read']);
      const scoped = await createKey(t.db, {
        userId: me.userId,
        roleIds: ['role_api_full_access'],
        scopes: ['gps:read'],
      });
      expect(await trySubscribe(me.key, `user:${me.userId}`)).toBe('ok');
      expect(await trySubscribe(me.key, `user:${other.userId}`)).toBe('realtime.forbidden');
      expect(await trySubscribe(reader.key, `user:${other.userId}`)).toBe('ok');
      expect(await trySubscribe(scoped.key, `user:${me.userId}`)).toBe('realtime.forbidden');
    });

    it('bot:<platform>:<id> needs <platform>:read; app:<name> needs realtime:subscribe', async () => {
      const discord = (await keyWith(t.db, ['discord:read'])).key;
      const twitch = (await keyWith(t.db, ['twitch:read'])).key;
      const youtube = (await keyWith(t.db, ['youtube:read'])).key;
      const apps = (await keyWith(t.db, ['realtime:subscribe'])).key;
      expect(await trySubscribe(discord, 'bot:discord:123')).toBe('ok');
      expect(await trySubscribe(twitch, 'bot:discord:123')).toBe('realtime.forbidden');
      expect(await trySubscribe(twitch, 'bot:twitch:abc')).toBe('ok');
      expect(await trySubscribe(discord, 'bot:twitch:abc')).toBe('realtime.forbidden');
      expect(await trySubscribe(youtube, 'bot:youtube:x-1')).toBe('ok');
      expect(await trySubscribe(apps, 'app:scores')).toBe('ok');
      expect(await trySubscribe(discord, 'app:scores')).toBe('realtime.forbidden');
    });

    it('invalid channel names are refused', async () => {
      const full = (await admin()).key;
      for (const name of [
        '',
        'nope',
        'user:',
        'user:a:b',
        'bot:irc:1',
        'bot:discord',
        'app:has space',
        'audit:x',
      ])
        expect([name, await trySubscribe(full, name)]).toEqual([name, 'realtime.invalid_channel']);
    });

    it('publishing: realtime:publish (+ gps:write on gps, + <platform>:read on bots); audit and user:* are read-only; payloads must match', async () => {
      const publisher = await clients.rawAuthed(url(), (await keyWith(t.db, ['realtime:publish'])).key);
      const gpsWriter = await clients.rawAuthed(
        url(),
        (await keyWith(t.db, ['realtime:publish', 'gps:write'])).key,
      );
      const botWriter = await clients.rawAuthed(
        url(),
        (await keyWith(t.db, ['realtime:publish', 'discord:read'])).key,
      );
      const reader = await clients.rawAuthed(
        url(),
        (await keyWith(t.db, ['realtime:subscribe', 'gps:write'])).key,
      );
      const full = await clients.rawAuthed(url(), (await admin()).key);
      const me = await userWith(t.db, ['realtime:publish']);
      const self = await clients.rawAuthed(url(), me.key);
      const gps = {
        gps: {
          id: 'p1',
          operation: 'create',
          latitude: 1,
          longitude: 2,
          timestamp: new Date().toISOString(),
        },
      };
      const bot = { bot: { platform: 'discord', botId: '1', type: 'message', dataJson: '{}' } };
      const outcome = async (c: RawClient, channel: string, payload: object) => {
        const reply = await c.request({ publish: { channel, payload } });
        return reply.kind === 'published' ? 'ok' : reply.error!.code!;
      };
      expect(await outcome(publisher, 'app:news', { data: Buffer.from('hi') })).toBe('ok');
      expect(await outcome(reader, 'app:news', { data: Buffer.from('hi') })).toBe('realtime.forbidden');
      expect(await outcome(gpsWriter, 'gps', gps)).toBe('ok');
      expect(await outcome(publisher, 'gps', gps)).toBe('realtime.forbidden');
      expect(await outcome(reader, 'gps', gps)).toBe('realtime.forbidden');
      expect(await outcome(botWriter, 'bot:discord:1', bot)).toBe('ok');
      expect(await outcome(publisher, 'bot:discord:1', bot)).toBe('realtime.forbidden');
      expect(await outcome(full, 'audit', { data: Buffer.from('x') })).toBe('realtime.read_only_channel');
      expect(await outcome(full, `user:${me.userId}`, { data: Buffer.from('x') })).toBe(
        'realtime.read_only_channel',
      );
      expect(await outcome(self, `user:${me.userId}`, { data: Buffer.from('x') })).toBe(
        'realtime.read_only_channel',
      );
      expect(await outcome(publisher, 'app:news', gps)).toBe('realtime.payload_mismatch');
      expect(await outcome(publisher, 'app:news', {})).toBe('realtime.payload_mismatch');
      expect(await outcome(gpsWriter, 'gps', { data: Buffer.from('x') })).toBe('realtime.payload_mismatch');
      expect(await outcome(botWriter, 'bot:discord:1', gps)).toBe('realtime.payload_mismatch');
      expect(await outcome(full, 'not a channel', { data: Buffer.from('x') })).toBe(
        'realtime.invalid_channel',
      );
      // A bot channel names its bot: the payload cannot claim another.
      const watcher = await clients.rawAuthed(url(), (await keyWith(t.db, ['discord:read'])).key);
      await watcher.request({ subscribe: { channel: 'bot:discord:7' } });
      await outcome(botWriter, 'bot:discord:7', {
        bot: { platform: 'twitch', botId: '99', type: 'message' },
      });
      const seen = await watcher.waitFor((m) => m.kind === 'publication', 'the bot publication');
      expect(seen.publication!.payload!.bot).toMatchObject({
        platform: 'discord',
        botId: '7',
        type: 'message',
      });
    });

    it('a stored audit event reaches `audit` and its user’s own `user:<id>` as a typed AuditEvent', async () => {
      const adminKey = (await admin()).key;
      const me = await userWith(t.db, []);
      const auditor = await clients.sdk(url(), (await keyWith(t.db, ['audit:read'])).key);
      const own = await clients.sdk(url(), me.key);
      const onAudit: PublicationEvent[] = [];
      const onUser: PublicationEvent[] = [];
      await auditor.subscribe('audit', { publication: (e) => onAudit.push(e) });
      await own.subscribe(`user:${me.userId}`, { publication: (e) => onUser.push(e) });
      const res = await call(t.url, 'POST', '/v1/audit', {
        key: adminKey,
        body: {
          event_type: 'login',
          user_id: me.userId,
          source_service: 'api',
          description: 'realtime test',
          ip_address: '192.0.2.1',
        },
      });
      expect(res.status).toBe(201);
      const id = res.body.ids[0] as string;
      const match = (e: PublicationEvent) => e.payload.audit?.id === id;
      await waitUntil(() => onAudit.some(match) && onUser.some(match), 'the audit event on both channels');
      for (const event of [onAudit.find(match)!, onUser.find(match)!]) {
        expect(event.payload.audit).toMatchObject({
          id,
          eventType: 'login',
          userId: me.userId,
          description: 'realtime test',
          ipAddress: '192.0.2.1',
          sourceService: 'api',
          status: 'success',
        });
        expect(JSON.parse(event.payload.audit!.metadataJson!)).toEqual({
          submitted_by: expect.stringMatching(/^api_key:/),
        });
      }
    });

    it('a role assigned through REST yields UserEvent roles_changed on user:<id>', async () => {
      const adminKey = (await admin()).key;
      const me = await userWith(t.db, []);
      const own = await clients.sdk(url(), me.key);
      const events: PublicationEvent[] = [];
      await own.subscribe(`user:${me.userId}`, { publication: (e) => events.push(e) });
      const res = await call(t.url, 'POST', `/v1/users/${me.userId}/roles`, {
        key: adminKey,
        body: { role_id: 'role_api_read_only' },
      });
      expect(res.status).toBeLessThan(300);
      await waitUntil(() => events.some((e) => e.payload.user), 'the UserEvent');
      expect(events.find((e) => e.payload.user)!.payload.user).toMatchObject({
        userId: me.userId,
        type: 'roles_changed',
        roleId: 'role_api_read_only',
      });
      // The same change as an audit event, the user's own.
      await waitUntil(
        () => events.some((e) => e.payload.audit?.eventType === 'role_assigned'),
        'the audit event',
      );
    });

    it('a revoked API key’s connection gets Disconnect 4403 within a second', async () => {
      const adminKey = (await admin()).key;
      const victim = await keyWith(t.db, ['audit:read']);
      const c = await clients.rawAuthed(url(), victim.key);
      await c.request({ subscribe: { channel: 'audit' } });
      const revokedAt = Date.now();
      expect((await call(t.url, 'DELETE', `/v1/api-keys/${victim.id}`, { key: adminKey })).status).toBe(204);
      const closed = await c.waitClosed(2000);
      expect(Date.now() - revokedAt).toBeLessThan(1000);
      expect(closed.code).toBe(4403);
      const disconnect = c.messages.find((m) => m.kind === 'disconnect')!.disconnect!;
      expect({ code: disconnect.code, reconnect: disconnect.reconnect }).toEqual({
        code: 4403,
        reconnect: false,
      });
    });

    it('a permission taken from a role ends the subscription with realtime.permission_revoked', async () => {
      const adminKey = (await admin()).key;
      const key = await keyWith(t.db, ['audit:read', 'realtime:subscribe']);
      const c = await clients.rawAuthed(url(), key.key);
      expect((await c.request({ subscribe: { channel: 'audit' } })).kind).toBe('subscribed');
      expect((await c.request({ subscribe: { channel: 'app:kept' } })).kind).toBe('subscribed');
      const res = await call(
        t.url,
        'DELETE',
        `/v1/roles/${key.roleId}/permissions/${encodeURIComponent('audit:read')}`,
        {
          key: adminKey,
        },
      );
      expect(res.status).toBe(204);
      const ended = await c.waitFor((m) => m.kind === 'unsubscribed', 'the Unsubscribed push', 2000);
      expect(ended.id).toBe(0);
      expect(ended.unsubscribed).toMatchObject({ channel: 'audit', code: 'realtime.permission_revoked' });
      // The rest of the connection is untouched.
      expect((await c.request({ ping: {} })).kind).toBe('pong');
      expect(c.messages.filter((m) => m.kind === 'unsubscribed')).toHaveLength(1);
      expect((await c.request({ subscribe: { channel: 'audit' } })).error?.code).toBe('realtime.forbidden');
    });
  });

  describe('protocol', () => {
    async function expectProtocolError(c: RawClient, code: string, closeCode: number) {
      const error = await c.waitFor((m) => m.kind === 'error', `an Error ${code}`);
      expect(error.error!.code).toBe(code);
      expect((await c.waitClosed()).code).toBe(closeCode);
    }

    it('garbage bytes, a text frame, an empty frame and a message without a kind: realtime.bad_frame, then 4400', async () => {
      const key = (await admin()).key;
      const frames: [string, (c: RawClient) => void][] = [
        ['garbage', (c) => c.sendBytes(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 1, 2, 3]))],
        ['text', (c) => c.sendBytes('{"subscribe":{"channel":"audit"}}', false)],
        ['empty', (c) => c.sendBytes(Buffer.alloc(0))],
        ['truncated', (c) => c.sendBytes(clientFrame({ id: 1, ping: {} }).subarray(0, 3))],
        ['no kind', (c) => c.sendBytes(clientFrame({ id: 9 }))],
      ];
      for (const [name, send] of frames) {
        const c = await clients.rawAuthed(url(), key);
        send(c);
        try {
          await expectProtocolError(c, 'realtime.bad_frame', 4400);
        } catch (err) {
          throw new Error(`${name}: ${(err as Error).message}`);
        }
        expect(c.messages.find((m) => m.kind === 'disconnect')!.disconnect).toMatchObject({
          code: 4400,
          reconnect: false,
        });
      }
      // Before Authenticate too.
      const early = await clients.raw(url());
      early.sendBytes(Buffer.from([0x0a, 0xff, 0xff]));
      await expectProtocolError(early, 'realtime.bad_frame', 4400);
    });

    it('a frame over max_frame_bytes: realtime.frame_too_large then 1009; far over: 1009', async () => {
      const key = (await admin()).key;
      const large = await clients.rawAuthed(url(), key);
      large.sendBytes(
        clientFrame({ id: 2, publish: { channel: 'app:big', payload: { data: Buffer.alloc(5000) } } }),
      );
      await expectProtocolError(large, 'realtime.frame_too_large', 1009);
      const huge = await clients.rawAuthed(url(), key);
      huge.sendBytes(Buffer.alloc(4096 * 4 + 1000));
      expect((await huge.waitClosed()).code).toBe(1009);
      // Just under the limit is fine.
      const ok = await clients.rawAuthed(url(), key);
      const reply = await ok.request({
        publish: { channel: 'app:big', payload: { data: Buffer.alloc(3900) } },
      });
      expect(reply.kind).toBe('published');
    });

    it('no Authenticate within auth_timeout_ms: realtime.auth_timeout then 4401', async () => {
      const c = await clients.raw(url());
      const started = Date.now();
      await expectProtocolError(c, 'realtime.auth_timeout', 4401);
      expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    });

    it('a bad or missing credential: an auth error then 4401; Subscribe before Authenticate: 4401', async () => {
      const bad = await clients.raw(url());
      bad.send({ authenticate: { token: 'hm_this_is_not_a_key' } });
      const error = await bad.waitFor((m) => m.kind === 'error', 'the auth error');
      expect(error.error!.code).toMatch(/^auth\./);
      expect((await bad.waitClosed()).code).toBe(4401);

      const missing = await clients.raw(url());
      missing.send({ authenticate: { token: '' } });
      await expectProtocolError(missing, 'realtime.credential_missing', 4401);

      const early = await clients.raw(url());
      early.send({ subscribe: { channel: 'audit' } });
      await expectProtocolError(early, 'realtime.not_authenticated', 4401);

      const again = await clients.rawAuthed(url(), (await admin()).key);
      expect((await again.request({ authenticate: { token: 'x' } })).error!.code).toBe(
        'realtime.already_authenticated',
      );
    });

    it('max_subscriptions: realtime.too_many_subscriptions; unsubscribing frees a place', async () => {
      const c = await clients.rawAuthed(url(), (await keyWith(t.db, ['realtime:subscribe'])).key);
      for (const n of [1, 2, 3, 4])
        expect((await c.request({ subscribe: { channel: `app:l${n}` } })).kind).toBe('subscribed');
      expect((await c.request({ subscribe: { channel: 'app:l5' } })).error!.code).toBe(
        'realtime.too_many_subscriptions',
      );
      expect((await c.request({ subscribe: { channel: 'app:l1' } })).error!.code).toBe(
        'realtime.already_subscribed',
      );
      expect((await c.request({ unsubscribe: { channel: 'app:l1' } })).kind).toBe('unsubscribed');
      expect((await c.request({ unsubscribe: { channel: 'app:l1' } })).error!.code).toBe(
        'realtime.not_subscribed',
      );
      expect((await c.request({ subscribe: { channel: 'app:l5' } })).kind).toBe('subscribed');
    });

    it('max_connections_per_user: the next connection gets realtime.too_many_connections and 4429', async () => {
      const me = await userWith(t.db, []);
      // Two keys of one user count together.
      const second = await createKey(t.db, { userId: me.userId, roleIds: ['role_api_full_access'] });
      const a = await clients.rawAuthed(url(), me.key);
      await clients.rawAuthed(url(), second.key);
      const c = await clients.raw(url());
      c.send({ authenticate: { token: me.key } });
      await expectProtocolError(c, 'realtime.too_many_connections', 4429);
      // A place freed is a place taken.
      a.close();
      await waitUntil(async () => {
        const d = await clients.raw(url());
        const reply = await d.request({ authenticate: { token: me.key } });
        d.close();
        return reply.kind === 'connected';
      }, 'a free connection slot');
    });

    it('heartbeat: a peer that stops answering pings is dropped; one that answers stays', async () => {
      const key = (await admin()).key;
      const before = t.platform.realtime!.stats().connections;
      const silent = await clients.raw(url(), { autoPong: false });
      await silent.authenticate(key);
      const lively = await clients.rawAuthed(url(), key);
      const closed = await silent.waitClosed(5000);
      expect(closed.code).toBe(1006);
      expect(lively.closedWith).toBeUndefined();
      expect((await lively.request({ ping: {} })).kind).toBe('pong');
      await waitUntil(
        () => t.platform.realtime!.stats().connections === before + 1,
        'the silent connection to go',
      );
    });

    it('graceful drain: stopping the node sends Disconnect 4000 (reconnect) to every client', async () => {
      const key = (await admin()).key;
      const raw = await clients.rawAuthed(url(), key);
      await raw.request({ subscribe: { channel: 'app:drain' } });
      const sdk = await clients.sdk(url(), key);
      const disconnected = new Promise<{ code: number; willReconnect: boolean }>((resolve) =>
        sdk.once('disconnected', resolve),
      );
      await t.platform.stop();
      expect((await raw.waitClosed()).code).toBe(4000);
      expect(raw.messages.find((m) => m.kind === 'disconnect')!.disconnect).toMatchObject({
        code: 4000,
        reconnect: true,
      });
      expect(await disconnected).toMatchObject({ code: 4000, willReconnect: true });
      // The SDK keeps trying the stopped node (refused connections are routine, never a crash) and closes
      // cleanly whenever asked.
      await waitUntil(() => (sdk as unknown as { attempt: number }).attempt >= 3, 'a few reconnect attempts');
      await sdk.close();
      expect(sdk.state).toBe('closed');
    });
  });
});
