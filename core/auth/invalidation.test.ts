import { describe, expect, it } from '@jest/globals';
import type { AuthInvalidation } from './auth-cache.js';
import { ANONYMOUS, createAuthContext, type AuthContextData } from './context.js';
import { concernsConnection } from './invalidation.js';

const alice = { id: 'u-alice', username: 'alice' };
const as = (data: Partial<AuthContextData>) => createAuthContext({ ...ANONYMOUS, ...data });

/** One connection per kind of credential. */
const connections = {
  aliceKey: as({
    user: alice,
    apiKey: { id: 'k1', name: 'bot', prefix: 'hm_abc', userId: alice.id, isSystem: false, expiresAt: null },
  }),
  systemKey: as({
    apiKey: { id: 'k2', name: 'ci', prefix: 'hm_def', userId: null, isSystem: true, expiresAt: null },
  }),
  aliceSession: as({ user: alice, sessionId: 's1' }),
  aliceAppToken: as({ user: alice, oauthClientId: 'photos' }),
  machineToken: as({ user: { id: 'u-owner', username: 'owner' }, oauthClientId: 'photos' }),
  bobAppToken: as({ user: { id: 'u-bob', username: 'bob' }, oauthClientId: 'music' }),
};
type Name = keyof typeof connections;

const concerned = (event: AuthInvalidation): Name[] =>
  (Object.keys(connections) as Name[]).filter((name) => concernsConnection(event, connections[name]));

describe('which open connections an auth invalidation concerns', () => {
  it('everything, for a change of roles or permissions', () => {
    expect(concerned({ type: 'all' })).toEqual(Object.keys(connections));
  });

  it('a key: only connections with that key', () => {
    expect(concerned({ type: 'key', keyId: 'k1' })).toEqual(['aliceKey']);
    expect(concerned({ type: 'key', keyId: 'k2' })).toEqual(['systemKey']);
  });

  it('a person: everything that acts as them (keys, sessions, app tokens), nothing else', () => {
    expect(concerned({ type: 'user', userId: alice.id })).toEqual([
      'aliceKey',
      'aliceSession',
      'aliceAppToken',
    ]);
    expect(concerned({ type: 'user', userId: 'u-owner' })).toEqual(['machineToken']);
  });

  it('a session: only connections signed in with it', () => {
    expect(concerned({ type: 'session', sessionId: 's1' })).toEqual(['aliceSession']);
    expect(concerned({ type: 'session', sessionId: 'other' })).toEqual([]);
  });

  it("a client: the tokens issued to it, people's and machine ones", () => {
    expect(concerned({ type: 'oauth_client', clientId: 'photos' })).toEqual([
      'aliceAppToken',
      'machineToken',
    ]);
  });

  it("revoked grants: a person's app tokens, or every app token when the person is not known", () => {
    expect(concerned({ type: 'grants_revoked', userId: alice.id })).toEqual(['aliceAppToken']);
    expect(concerned({ type: 'grants_revoked', userId: null })).toEqual([
      'aliceAppToken',
      'machineToken',
      'bobAppToken',
    ]);
  });
});
