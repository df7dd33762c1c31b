/* eslint-disable @typescript-eslint/no-explicit-any -- GraphQL answers are asserted field by field */
import { beforeAll, describe, expect, it } from '@jest/globals';
import { camelCase } from '../../schemas/common.js';
import {
  call,
  createKey,
  createLinkedAccount,
  createPersonWithAccounts,
  createUser,
} from '../support/fixtures.js';
import { codes, graphqlClient } from '../support/graphql.js';
import { useTestPlatform } from '../support/platform.js';

const FIELDS =
  'id platformId platformName platformUserId username isPrimary tokenStatus tokenScopes createdAt';

/** A REST answer's keys as GraphQL names them. */
const camelized = (record: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [camelCase(key), value]));

describe('sign-in methods over GraphQL: the service REST calls, no token anywhere', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let adminKey: string;

  /** A person with an email account (primary, with a password), Twitch and Discord, and a key of theirs. */
  async function person() {
    const who = await createPersonWithAccounts(t.db);
    return { ...who, gql: graphqlClient(t.url, who.key) };
  }

  beforeAll(async () => {
    const adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    adminKey = (await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] })).key;
  });

  it('myLinkedAccounts answers what GET /v1/user/accounts does, field for field', async () => {
    const p = await person();
    await t.platform.services.platformTokens.save(p.twitch, {
      accessToken: 'gql-access-token',
      refreshToken: 'gql-refresh-token',
      expiresAt: new Date(Date.now() + 3_600_000),
      scopes: ['chat:read'],
      tokenType: 'bearer',
    });
    const answer = await p.gql(
      `{ myLinkedAccounts { ${FIELDS} avatarUrl displayName email emailVerified updatedAt } }`,
    );
    expect(answer.errors).toEqual([]);
    const rest = await call(t.url, 'GET', '/v1/user/accounts', { key: p.key });
    expect(answer.data.myLinkedAccounts).toEqual(rest.body.data.map(camelized));
    expect(answer.data.myLinkedAccounts.map((a: any) => [a.platformId, a.isPrimary, a.tokenStatus])).toEqual([
      ['email', true, 'none'],
      ['twitch', false, 'valid'],
      ['discord', false, 'none'],
    ]);
    expect(JSON.stringify(answer)).not.toMatch(/gql-access-token|gql-refresh-token|argon2|"v2\./);
  });

  it('setPrimaryAccount and unlinkAccount change the accounts and are audited', async () => {
    const p = await person();
    const primary = await p.gql(
      `mutation { setPrimaryAccount(id: "${p.twitch}") { id platformId isPrimary } }`,
    );
    expect(primary.errors).toEqual([]);
    expect(primary.data.setPrimaryAccount).toEqual({ id: p.twitch, platformId: 'twitch', isPrimary: true });

    const unlinked = await p.gql(`mutation { unlinkAccount(id: "${p.twitch}") }`);
    expect(unlinked).toMatchObject({ errors: [], data: { unlinkAccount: true } });
    const left = await p.gql('{ myLinkedAccounts { id isPrimary } }');
    // The primary passed to the oldest account left that signs in.
    expect(left.data.myLinkedAccounts).toEqual([
      { id: p.email, isPrimary: true },
      { id: p.discord, isPrimary: false },
    ]);

    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: p.userId })
      .whereIn('event_type', ['primary_account_changed', 'account_unlinked'])
      .orderBy('created_at');
    expect(events.map((e) => [e.event_type, e.resource_id, e.actor_id, e.source_service])).toEqual([
      ['primary_account_changed', p.twitch, p.userId, 'api'],
      ['account_unlinked', p.twitch, p.userId, 'api'],
    ]);
    expect(events[1].metadata).toMatchObject({ platform: 'twitch', was_primary: true, new_primary: p.email });
  });

  it('refuses with the service’s codes: last way to sign in, someone else’s account, a bad id', async () => {
    const p = await person();
    const other = await person();
    const lone = await createUser(t.db, { roleIds: ['role_user'] });
    const only = await createLinkedAccount(t.db, lone, { primary: true });
    const loneGql = graphqlClient(t.url, (await createKey(t.db, { userId: lone })).key);

    const last = await loneGql(`mutation { unlinkAccount(id: "${only}") }`);
    expect(codes(last)).toEqual(['linked_account.last_sign_in_method']);
    expect(last.data).toBeNull();
    expect(await t.db('PlatformAccount').where({ id: only })).toHaveLength(1);

    for (const mutation of [
      `mutation { unlinkAccount(id: "${other.discord}") }`,
      `mutation { setPrimaryAccount(id: "${other.discord}") { id } }`,
    ])
      expect(codes(await p.gql(mutation))).toEqual(['linked_account.not_found']);
    expect(await t.db('PlatformAccount').where({ id: other.discord })).toHaveLength(1);

    const bad = await p.gql('mutation { unlinkAccount(id: "not-a-uuid") }');
    expect(bad.errors[0]?.extensions).toMatchObject({
      code: 'request.validation_failed',
      details: { fields: [expect.objectContaining({ field: 'id' })] },
    });

    const scoped = graphqlClient(
      t.url,
      (await createKey(t.db, { userId: p.userId, roleIds: ['role_api_full_access'], scopes: ['users:read'] }))
        .key,
    );
    expect((await scoped('{ myLinkedAccounts { id } }')).errors).toEqual([]);
    expect(codes(await scoped(`mutation { unlinkAccount(id: "${p.discord}") }`))).toEqual([
      'auth.insufficient_scope',
    ]);
    expect(codes(await graphqlClient(t.url)('{ myLinkedAccounts { id } }'))).toEqual(['auth.required']);
  });

  it('signInMethods: a user’s accounts for users:read, as REST answers them', async () => {
    const p = await person();
    const admin = graphqlClient(t.url, adminKey);
    const answer = await admin(`{ signInMethods(userId: "${p.userId}") { ${FIELDS} } }`);
    expect(answer.errors).toEqual([]);
    const rest = await call(t.url, 'GET', `/v1/users/${p.userId}/accounts`, { key: adminKey });
    expect(answer.data.signInMethods.map((a: any) => a.id)).toEqual(rest.body.data.map((a: any) => a.id));
    expect(answer.data.signInMethods.map((a: any) => a.platformId)).toEqual(['email', 'twitch', 'discord']);

    const other = await person();
    expect(codes(await other.gql(`{ signInMethods(userId: "${p.userId}") { id } }`))).toEqual([
      'auth.forbidden',
    ]);
    expect(
      codes(await admin('{ signInMethods(userId: "00000000-0000-4000-8000-000000000000") { id } }')),
    ).toEqual(['user.not_found']);
    expect(codes(await admin('{ signInMethods(userId: "nope") { id } }'))).toEqual([
      'request.validation_failed',
    ]);
  });

  it('has no token or secret field: not on LinkedAccount, not anywhere, and no PlatformToken list', async () => {
    const answer = await graphqlClient(t.url, adminKey)('{ __schema { types { name fields { name } } } }');
    expect(answer.errors).toEqual([]);
    const types: { name: string; fields: { name: string }[] | null }[] = answer.data.__schema.types;
    const fieldsOf = (name: string) => types.find((type) => type.name === name)?.fields?.map((f) => f.name);
    expect(fieldsOf('LinkedAccount')?.sort()).toEqual(
      [
        'avatarUrl',
        'createdAt',
        'displayName',
        'email',
        'emailVerified',
        'id',
        'isPrimary',
        'platformId',
        'platformName',
        'platformUserId',
        'tokenScopes',
        'tokenStatus',
        'updatedAt',
        'username',
      ].sort(),
    );
    const tokenish = /^(token|accesstoken|refreshtoken)$|encrypted|passwordhash/i;
    const offenders = types.flatMap((type) =>
      (type.fields ?? []).filter((f) => tokenish.test(f.name)).map((f) => `${type.name}.${f.name}`),
    );
    expect(offenders).toEqual([]);
    expect(types.filter((type) => /PlatformToken/i.test(type.name))).toEqual([]);
    expect(fieldsOf('PlatformAccount')).not.toContain('passwordHash');
  });
});
