import { beforeAll, describe, expect, it } from '@jest/globals';
import { listUsersQuery, MAX_COUNTED_USERS } from '../../schemas/rbac.js';
import { useCoreServices } from '../../test/support/core-services.js';
import { createUser } from '../../test/support/fixtures.js';
import type { AuthCache } from '../auth/auth-cache.js';
import { createUserService, type UserService } from './service.js';

/** The admin user list: search, filters, sorting and the capped count. */
describe('listing users', () => {
  const t = useCoreServices();
  let service: UserService;
  const ids: Record<string, string> = {};
  const list = async (query: Record<string, string>) => service.list(listUsersQuery.parse(query));
  const names = async (query: Record<string, string>) =>
    (await list({ per_page: '100', sort: 'created_at', ...query })).data.map((u) => u.username);

  beforeAll(async () => {
    service = createUserService({ db: t.db, audit: t.audit, authCache: {} as AuthCache });
    const user = async (
      username: string,
      options: {
        email?: string;
        emails?: string[];
        createdAt?: string;
        twoFactor?: boolean;
        roleIds?: string[];
      } = {},
    ) => {
      const id = await createUser(t.db, { username, twoFactor: options.twoFactor, roleIds: options.roleIds });
      ids[username] = id;
      for (const [i, email] of (options.emails ?? (options.email ? [options.email] : [])).entries()) {
        const [account] = await t
          .db('PlatformAccount')
          .insert({
            platform_id: i === 0 ? 'email' : 'discord',
            platform_user_id: `${username}-${i}`,
            username,
            email,
            user_id: id,
          })
          .returning('id');
        if (i === 0) await t.db('User').where({ id }).update({ primary_platform_account_id: account.id });
      }
      if (options.createdAt) await t.db('User').where({ id }).update({ created_at: options.createdAt });
      return id;
    };
    await user('alice', { email: 'alice@example.com', createdAt: '2026-01-10T00:00:00Z', twoFactor: true });
    await user('Alicia_B', { email: 'ab@example.org', createdAt: '2026-01-20T00:00:00Z' });
    await user('bob', {
      emails: ['bob@example.com', 'bobby@games.example'],
      createdAt: '2026-02-01T00:00:00Z',
    });
    await user('carol', {
      email: 'carol@example.com',
      createdAt: '2026-02-10T00:00:00Z',
      roleIds: ['role_moderator'],
    });
    await user('dave100', { createdAt: '2026-03-01T00:00:00Z', twoFactor: true });
    await user('percent%er', { email: 'p@example.com', createdAt: '2026-03-05T00:00:00Z' });
    const banned = await user('mallory', {
      email: 'mallory@evil.example',
      createdAt: '2026-03-10T00:00:00Z',
    });
    await t.db('UserBan').insert({ user_id: banned, reason: 'spam', banned_by: 'test' });
    const gone = await user('zed', { createdAt: '2026-03-15T00:00:00Z' });
    await t.db('User').where({ id: gone }).update({ deleted_at: new Date() });
  });

  it('searches usernames and every email of a user, case-insensitively, and ids exactly', async () => {
    expect(await names({ q: 'ALI' })).toEqual(['alice', 'Alicia_B']);
    expect(await names({ q: 'licia' })).toEqual(['Alicia_B']);
    expect(await names({ q: 'games.example' })).toEqual(['bob']);
    expect(await names({ q: 'example.com' })).toEqual(['alice', 'bob', 'carol', 'percent%er']);
    // One or two characters: names and addresses that start with them.
    expect(await names({ q: 'b' })).toEqual(['bob']);
    expect(await names({ q: 'ab' })).toEqual(['Alicia_B']);
    expect(await names({ q: 'e' })).toEqual([]);
    // LIKE's wildcards are plain text.
    expect(await names({ q: 't%e' })).toEqual(['percent%er']);
    expect(await names({ q: '___' })).toEqual([]);
    expect(await names({ q: ids.carol! })).toEqual(['carol']);
    expect(await names({ q: ids.carol!.toUpperCase() })).toEqual(['carol']);
    expect(await names({ q: '   ' })).toHaveLength(7);
    // Deleted users only when asked for.
    expect(await names({ q: 'zed' })).toEqual([]);
    expect(await names({ q: 'zed', include_deleted: 'true' })).toEqual(['zed']);
  });

  it('filters by 2FA, creation time, role and bans, combined with the search', async () => {
    expect(await names({ two_factor: 'true' })).toEqual(['alice', 'dave100']);
    expect(await names({ two_factor: 'false', q: 'ali' })).toEqual(['Alicia_B']);
    expect(
      await names({ created_after: '2026-02-01T00:00:00Z', created_before: '2026-03-05T00:00:00Z' }),
    ).toEqual(['bob', 'carol', 'dave100']);
    expect(await names({ role_id: 'role_moderator' })).toEqual(['carol']);
    expect(await names({ banned: 'true' })).toEqual(['mallory']);
    expect(await names({ banned: 'false', q: 'example' })).toEqual([
      'alice',
      'Alicia_B',
      'bob',
      'carol',
      'percent%er',
    ]);
  });

  it('sorts and pages with an exact total below the cap', async () => {
    const first = await list({ per_page: '3', sort: '-created_at' });
    expect(first.data.map((u) => u.username)).toEqual(['mallory', 'percent%er', 'dave100']);
    expect(first.pagination).toEqual({ page: 1, per_page: 3, total: 7, total_capped: false, has_more: true });
    const last = await list({ per_page: '3', page: '3', sort: '-created_at' });
    expect(last.data.map((u) => u.username)).toEqual(['alice']);
    expect(last.pagination).toMatchObject({ total: 7, has_more: false });
    expect((await list({ per_page: '3', page: '9' })).data).toEqual([]);
    const row = (await list({ q: 'bob' })).data[0]!;
    expect(row).toMatchObject({ username: 'bob', email: 'bob@example.com', ban: null, role_ids: [] });
  });

  it('refuses bad filters', () => {
    for (const query of [
      { two_factor: 'yes' },
      { created_after: 'last week' },
      { created_after: '2026-03-01T00:00:00Z', created_before: '2026-02-01T00:00:00Z' },
      { q: 'x'.repeat(101) },
      { role: 'role_user' },
    ])
      expect(listUsersQuery.safeParse(query).success).toBe(false);
  });

  it(`stops counting past ${MAX_COUNTED_USERS.toLocaleString('en')} users`, async () => {
    await t.db.raw(
      `INSERT INTO "User" (username) SELECT 'bulk' || lpad(i::text, 6, '0') FROM generate_series(1, ?) i`,
      [MAX_COUNTED_USERS],
    );
    const page = await list({ per_page: '25', page: '50' });
    expect(page.data).toHaveLength(25);
    expect(page.pagination).toEqual({
      page: 50,
      per_page: 25,
      total: MAX_COUNTED_USERS,
      total_capped: true,
      has_more: true,
    });
    expect((await list({ q: 'bulk00012' })).pagination).toMatchObject({ total: 10, total_capped: false });
  });
});
