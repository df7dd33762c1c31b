import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { graphqlClient } from '../support/graphql.js';
import { createOAuthClient } from '../support/oidc.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * Privacy mode over GraphQL: `setPrivacyMode` is the person's switch; `User.lastLoginAt`,
 * `User.lastLoginPlatformAccount` and `PlatformAccount.email` / `avatarUrl` are read as core/users/visibility.ts
 * decides. The User and PlatformAccount lists show another person only to holders of users:read, and a relation
 * (an OAuth client's owner) reaches no further than the list does.
 */
describe('privacy mode (GraphQL)', () => {
  const t = useTestPlatform({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });
  let db: Knex;
  const AVATAR = 'https://img.example.test/p.png';
  const LAST_LOGIN = '2026-01-02T03:04:05.000Z';
  let personId: string;
  let email: string;
  let clientId: string;
  let person: ReturnType<typeof graphqlClient>;
  let stranger: ReturnType<typeof graphqlClient>;
  let moderator: ReturnType<typeof graphqlClient>;
  let developer: ReturnType<typeof graphqlClient>;

  const asUser = async (roleId: string) => {
    const id = await createUser(db, { roleIds: [roleId], twoFactor: roleId !== 'role_user' });
    return {
      id,
      gql: graphqlClient(t.url, (await createKey(db, { userId: id, roleIds: ['role_api_full_access'] })).key),
    };
  };

  beforeAll(async () => {
    db = t.db;
    const p = await asUser('role_user');
    personId = p.id;
    person = p.gql;
    email = `${p.id}@example.test`;
    const account = await createLinkedAccount(db, p.id, { primary: true, email });
    await db('PlatformAccount').where({ id: account }).update({ avatar_url: AVATAR });
    await db('User')
      .where({ id: p.id })
      .update({ last_login_at: new Date(LAST_LOGIN), last_login_platform_account_id: account });
    clientId = (await createOAuthClient(db, { ownerId: p.id })).id;
    stranger = (await asUser('role_user')).gql;
    moderator = (await asUser('role_moderator')).gql;
    developer = (await asUser('role_developer')).gql;
  });

  const profile = (gql: ReturnType<typeof graphqlClient>) =>
    gql(`{ user(where: { id: "${personId}" }) {
      id privacyMode lastLoginAt lastLoginPlatformAccount { id }
      primaryPlatformAccount { email avatarUrl } platformAccounts { email avatarUrl } } }`);

  const everything = () => ({
    id: personId,
    lastLoginAt: LAST_LOGIN,
    lastLoginPlatformAccount: { id: expect.any(String) },
    primaryPlatformAccount: { email, avatarUrl: AVATAR },
    platformAccounts: [{ email, avatarUrl: AVATAR }],
  });

  const ownerOfClient = async (gql: ReturnType<typeof graphqlClient>) =>
    (await gql(`{ oAuthClient(where: { id: "${clientId}" }) { owner { id lastLoginAt } } }`)).data;

  it('off: the person and users:read holders see everything; others do not see the person', async () => {
    for (const gql of [person, moderator]) {
      const res = await profile(gql);
      expect(res.errors).toEqual([]);
      expect(res.data.user).toEqual({ ...everything(), privacyMode: false });
    }
    expect((await profile(stranger)).data.user).toBeNull();
    expect(await ownerOfClient(developer)).toEqual({ oAuthClient: { owner: null } });
  });

  it('setPrivacyMode switches it for the caller, audited; on hides nothing from the person or users:read', async () => {
    const on = await person('mutation { setPrivacyMode(privacyMode: true) { id privacyMode lastLoginAt } }');
    expect(on.errors).toEqual([]);
    expect(on.data.setPrivacyMode).toEqual({ id: personId, privacyMode: true, lastLoginAt: LAST_LOGIN });

    for (const gql of [person, moderator]) {
      expect((await profile(gql)).data.user).toEqual({ ...everything(), privacyMode: true });
    }
    expect((await profile(stranger)).data.user).toBeNull();
    expect(await ownerOfClient(developer)).toEqual({ oAuthClient: { owner: null } });

    await t.platform.services.audit.flush();
    const events = await db('AuditEvent').where({ event_type: 'user_updated', user_id: personId });
    expect(events).toEqual([
      expect.objectContaining({
        actor_id: personId,
        resource_id: personId,
        metadata: { changed: ['privacy_mode'] },
      }),
    ]);
  });

  it('nobody else switches it: updateUser needs users:write', async () => {
    const res = await moderator(
      `mutation { updateUser(id: "${personId}", data: { privacyMode: false }) { id } }`,
    );
    expect(res.errors[0]?.extensions?.code).toBe('auth.forbidden');
    expect((await profile(person)).data.user.privacyMode).toBe(true);
  });

  it('validates its argument as REST does', async () => {
    const res = await person('mutation { setPrivacyMode { id } }');
    expect(res.status).toBe(400);
  });
});
