import { describe, expect, it } from '@jest/globals';
import { createKey } from '../support/fixtures.js';
import {
  describeModes,
  clientFrame,
  keyWith,
  userWith,
  waitUntil,
  type RawClient,
} from '../support/realtime.js';
import { useSingleNode } from './single-node.js';

/** The realtime service on one node, against both brokers (see single-node.ts): protocol. */
describeModes('realtime on one node', (mode) => {
  const { t, clients, url, admin } = useSingleNode(mode);

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

    it('a dead peer, which never reads its 4002, is counted as 4002', async () => {
      const key = (await admin()).key;
      const before = t.platform.realtime!.closes().get(4002) ?? 0;
      const dead = await clients.rawAuthed(url(), key);
      // It reads nothing any more, as if its network were gone.
      (dead.ws as unknown as { _socket: { pause(): void } })._socket.pause();
      await waitUntil(
        () => t.platform.realtime!.closes().get(4002) === before + 1,
        'the close counted',
        6000,
      );
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
      expect(closed.code).toBe(4002);
      expect(silent.messages.find((m) => m.kind === 'disconnect')!.disconnect).toMatchObject({
        code: 4002,
        reconnect: true,
      });
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
