import { describe, expect, it } from '@jest/globals';
import { ANONYMOUS, createAuthContext, type AuthContextData } from '../../core/auth/context.js';
import {
  canPublish,
  canSubscribe,
  channelNames,
  parseChannel,
  publishDenial,
  publishPermissions,
  PUBLISHABLE_PAYLOAD,
  subscribeDenial,
  subscribePermission,
  type Channel,
} from './channels.js';

/** The channel authorization table of realtime/broker/channels.ts, rule by rule, allowed and refused. */
const ME = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';

const key = (permissions: string[], scopes: string[] = ['*']) =>
  createAuthContext({
    ...ANONYMOUS,
    apiKey: { id: 'k', name: 'k', prefix: 'hm_k', userId: null, isSystem: false, expiresAt: null },
    permissions,
    scopes,
  });
const user = (permissions: string[], over: Partial<AuthContextData> = {}) =>
  createAuthContext({
    ...ANONYMOUS,
    user: { id: ME, username: 'me' },
    sessionId: 's',
    permissions,
    scopes: ['*'],
    ...over,
  });
const channel = (name: string): Channel => {
  const parsed = parseChannel(name);
  if (!parsed) throw new Error(`${name} should parse`);
  return parsed;
};

describe('realtime channel names', () => {
  it('parses each kind', () => {
    expect(parseChannel('audit')).toEqual({ kind: 'audit', name: 'audit' });
    expect(parseChannel('gps')).toEqual({ kind: 'gps', name: 'gps' });
    expect(parseChannel(`user:${ME}`)).toEqual({ kind: 'user', name: `user:${ME}`, userId: ME });
    expect(parseChannel('bot:discord:123')).toEqual({
      kind: 'bot',
      name: 'bot:discord:123',
      platform: 'discord',
      botId: '123',
    });
    expect(parseChannel('bot:twitch:some_bot-1')?.kind).toBe('bot');
    expect(parseChannel('bot:youtube:x')?.kind).toBe('bot');
    expect(parseChannel('app:scores.v2')).toEqual({ kind: 'app', name: 'app:scores.v2', app: 'scores.v2' });
  });

  it('refuses anything else', () => {
    for (const name of [
      '',
      'Audit',
      'audit:x',
      'gps:1',
      'user:',
      'user:a:b',
      'user:has space',
      `user:${'x'.repeat(65)}`,
      'bot:discord',
      'bot:irc:1',
      'bot:discord:1:2',
      'bot:discord:a.b',
      'app:',
      'app:a b',
      'app:a:b',
      `app:${'x'.repeat(65)}`,
      'other:x',
    ])
      expect([name, parseChannel(name)]).toEqual([name, undefined]);
  });

  it('channelNames builds names that parse back', () => {
    expect(parseChannel(channelNames.user(ME))?.kind).toBe('user');
    expect(parseChannel(channelNames.bot('twitch', 'b1'))?.kind).toBe('bot');
    expect(parseChannel(channelNames.app('chat'))?.kind).toBe('app');
  });
});

describe('realtime subscribe rules', () => {
  it('audit ← audit:read; gps ← gps:read', () => {
    expect(canSubscribe(key(['audit:read']), channel('audit'))).toBe(true);
    expect(canSubscribe(key(['gps:read']), channel('audit'))).toBe(false);
    expect(canSubscribe(key(['gps:read']), channel('gps'))).toBe(true);
    expect(canSubscribe(key(['gps:write']), channel('gps'))).toBe(false);
    expect(subscribePermission(channel('audit'))).toBe('audit:read');
    expect(subscribePermission(channel('gps'))).toBe('gps:read');
  });

  it('user:<id> ← that user (no permission needed) or users:read', () => {
    expect(canSubscribe(user([]), channel(`user:${ME}`))).toBe(true);
    expect(canSubscribe(user([]), channel(`user:${OTHER}`))).toBe(false);
    expect(canSubscribe(user(['users:read']), channel(`user:${OTHER}`))).toBe(true);
    expect(canSubscribe(key(['users:read']), channel(`user:${OTHER}`))).toBe(true);
    expect(canSubscribe(key([]), channel(`user:${OTHER}`))).toBe(false);
    expect(subscribePermission(channel(`user:${ME}`))).toBe('users:read');
  });

  it('user:<id>: a credential scoped without users:read, or one still owing 2FA, is refused even for itself', () => {
    expect(canSubscribe(user([], { scopes: ['gps:read'] }), channel(`user:${ME}`))).toBe(false);
    expect(canSubscribe(user([], { scopes: ['users:read'] }), channel(`user:${ME}`))).toBe(true);
    const owing = user(['users:read'], { twoFactorRequired: true, twoFactorVerified: false });
    expect(canSubscribe(owing, channel(`user:${ME}`))).toBe(false);
    expect(canSubscribe(owing, channel(`user:${OTHER}`))).toBe(false);
  });

  it('bot:<platform>:<id> ← <platform>:read', () => {
    for (const platform of ['discord', 'twitch', 'youtube'] as const) {
      const ch = channel(`bot:${platform}:1`);
      expect(subscribePermission(ch)).toBe(`${platform}:read`);
      expect(canSubscribe(key([`${platform}:read`]), ch)).toBe(true);
      const others = ['discord', 'twitch', 'youtube'].filter((p) => p !== platform).map((p) => `${p}:read`);
      expect(canSubscribe(key(others), ch)).toBe(false);
    }
  });

  it('app:<name> ← realtime:subscribe; wildcards and super admins pass, scopes still apply', () => {
    expect(canSubscribe(key(['realtime:subscribe']), channel('app:x'))).toBe(true);
    expect(canSubscribe(key(['realtime:publish']), channel('app:x'))).toBe(false);
    expect(canSubscribe(key(['realtime:*']), channel('app:x'))).toBe(true);
    expect(canSubscribe(key(['*:*']), channel('audit'))).toBe(true);
    expect(canSubscribe(key(['realtime:subscribe'], ['gps:read']), channel('app:x'))).toBe(false);
  });
});

describe('realtime publish rules', () => {
  it('audit and user:* are the server’s alone', () => {
    expect(publishPermissions(channel('audit'))).toBeNull();
    expect(publishPermissions(channel(`user:${ME}`))).toBeNull();
    expect(canPublish(key(['*:*']), channel('audit'))).toBe(false);
    expect(canPublish(user(['*:*']), channel(`user:${ME}`))).toBe(false);
    expect(PUBLISHABLE_PAYLOAD.audit).toBeNull();
    expect(PUBLISHABLE_PAYLOAD.user).toBeNull();
  });

  it('gps ← realtime:publish + gps:write; bot ← realtime:publish + <platform>:read; app ← realtime:publish', () => {
    expect(canPublish(key(['realtime:publish', 'gps:write']), channel('gps'))).toBe(true);
    expect(canPublish(key(['realtime:publish']), channel('gps'))).toBe(false);
    expect(canPublish(key(['gps:write']), channel('gps'))).toBe(false);
    expect(canPublish(key(['realtime:publish', 'twitch:read']), channel('bot:twitch:1'))).toBe(true);
    expect(canPublish(key(['realtime:publish', 'discord:read']), channel('bot:twitch:1'))).toBe(false);
    expect(canPublish(key(['twitch:read']), channel('bot:twitch:1'))).toBe(false);
    expect(canPublish(key(['realtime:publish']), channel('app:x'))).toBe(true);
    expect(canPublish(key(['realtime:subscribe']), channel('app:x'))).toBe(false);
    expect(canPublish(key(['realtime:publish'], ['realtime:subscribe']), channel('app:x'))).toBe(false);
    expect(PUBLISHABLE_PAYLOAD).toEqual({ audit: null, gps: 'gps', user: null, bot: 'bot', app: 'data' });
  });
});

describe('what a refusal names', () => {
  it('the scope when the credential’s scopes leave the permission out (checked first), else the permission', () => {
    expect(subscribeDenial(key(['audit:read'], ['gps:read']), channel('audit'))).toEqual({
      missing: 'audit:read',
      by: 'scope',
    });
    expect(subscribeDenial(key([], ['gps:read']), channel('audit'))).toEqual({
      missing: 'audit:read',
      by: 'scope',
    });
    expect(subscribeDenial(key(['gps:read']), channel('audit'))).toEqual({
      missing: 'audit:read',
      by: 'permission',
    });
    expect(subscribeDenial(user([], { scopes: ['gps:read'] }), channel(`user:${ME}`))).toEqual({
      missing: 'users:read',
      by: 'scope',
    });
    expect(subscribeDenial(user([]), channel(`user:${OTHER}`))).toEqual({
      missing: 'users:read',
      by: 'permission',
    });
  });

  it('for a publish, the first permission held back', () => {
    expect(publishDenial(key(['realtime:publish']), channel('gps'))).toEqual({
      missing: 'gps:write',
      by: 'permission',
    });
    expect(publishDenial(key(['realtime:publish', 'gps:write'], ['gps:write']), channel('gps'))).toEqual({
      missing: 'realtime:publish',
      by: 'scope',
    });
  });
});
