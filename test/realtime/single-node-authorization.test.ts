import { describe, expect, it } from '@jest/globals';
import { RealtimeClient, type PublicationEvent } from '../../sdk/realtime/index.js';
import { call, createKey } from '../support/fixtures.js';
import { describeModes, keyWith, userWith, waitUntil, type RawClient } from '../support/realtime.js';
import { sleep } from '../support/wait.js';
import { useSingleNode } from './single-node.js';

/** The realtime service on one node, against both brokers (see single-node.ts): authorization. */
describeModes('realtime on one node', (mode) => {
  const { t, clients, url, admin } = useSingleNode(mode);

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

    it('a refusal says whether the credential’s scopes or its holder’s permissions fall short', async () => {
      const refusal = async (key: string, message: NonNullable<Parameters<RawClient['request']>[0]>) => {
        const c = await clients.rawAuthed(url(), key);
        const reply = await c.request(message);
        c.close();
        return reply.error;
      };
      const subscribeAudit = { subscribe: { channel: 'audit' } };
      // Its role grants audit:read, its scopes do not.
      const scoped = (await keyWith(t.db, ['audit:read', 'realtime:publish'], { scopes: ['gps:read'] })).key;
      expect(await refusal(scoped, subscribeAudit)).toEqual({
        code: 'realtime.forbidden',
        message: "This credential's scopes do not include audit:read, which subscribing to audit needs.",
      });
      expect(
        await refusal(scoped, { publish: { channel: 'app:x', payload: { data: Buffer.from('x') } } }),
      ).toEqual({
        code: 'realtime.forbidden',
        message: "This credential's scopes do not include realtime:publish, which publishing on app:x needs.",
      });
      const me = await userWith(t.db, []);
      const ownScoped = await createKey(t.db, {
        userId: me.userId,
        roleIds: ['role_api_full_access'],
        scopes: ['gps:read'],
      });
      expect((await refusal(ownScoped.key, { subscribe: { channel: `user:${me.userId}` } }))?.message).toBe(
        `This credential's scopes do not include users:read, which subscribing to user:${me.userId} needs.`,
      );
      // Every scope, no such permission.
      const unscoped = (await keyWith(t.db, ['gps:read'])).key;
      expect(await refusal(unscoped, subscribeAudit)).toEqual({
        code: 'realtime.forbidden',
        message: 'Subscribing to audit needs the permission audit:read.',
      });
      expect(
        await refusal(unscoped, { publish: { channel: 'app:x', payload: { data: Buffer.from('x') } } }),
      ).toEqual({
        code: 'realtime.forbidden',
        message: 'Publishing on app:x needs the permission realtime:publish.',
      });
    });

    it('a banned user’s credential is refused with 4403, and the SDK does not try again', async () => {
      const banned = await userWith(t.db, ['audit:read']);
      await t.db('UserBan').insert({ user_id: banned.userId, reason: 'test', banned_by: 'test' });
      const c = await clients.raw(url());
      const reply = c.request({ authenticate: { token: banned.key } });
      expect((await reply).error?.code).toBe('auth.account_banned');
      expect((await c.waitClosed()).code).toBe(4403);
      expect(c.messages.find((m) => m.kind === 'disconnect')!.disconnect).toMatchObject({
        code: 4403,
        reconnect: false,
      });

      // A token function could bring a fresh credential, but not an unbanned person.
      let asked = 0;
      const drops: { code: number; willReconnect: boolean }[] = [];
      const sdk = clients.adopt(
        new RealtimeClient({
          url: url(),
          token: async () => {
            asked += 1;
            return banned.key;
          },
          reconnect: { minDelayMs: 20, maxDelayMs: 50 },
        }),
      );
      sdk.on('disconnected', (e) => drops.push({ code: e.code, willReconnect: e.willReconnect }));
      await expect(sdk.connect()).rejects.toThrow();
      await sleep(300);
      expect({ asked, drops }).toEqual({ asked: 1, drops: [{ code: 4403, willReconnect: false }] });
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
});
