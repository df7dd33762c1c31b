import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { call, createKey, createLinkedAccount, createUser } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

/**
 * Privacy mode over REST. A user record is shown only to the person and to holders of users:read, who see
 * everything whether it is on or not; everyone else gets 404 for another person, so nothing leaks either way.
 */
describe('privacy mode (REST)', () => {
  const t = useTestPlatform();
  let db: Knex;
  const person = { id: '', key: '', email: '' };
  let stranger: string;
  let moderator: string;
  let readOnly: string;

  const userWithKey = async (roleId: string) => {
    const id = await createUser(db, { roleIds: [roleId], twoFactor: roleId !== 'role_user' });
    return { id, key: (await createKey(db, { userId: id, roleIds: ['role_api_full_access'] })).key };
  };
  const read = (key: string) => call(t.url, 'GET', `/v1/users/${person.id}`, { key });
  const switchTo = (key: string, on: boolean) =>
    call(t.url, 'PATCH', '/v1/user/privacy', { key, body: { privacy_mode: on } });

  beforeAll(async () => {
    db = t.db;
    const p = await userWithKey('role_user');
    person.id = p.id;
    person.key = p.key;
    person.email = `${p.id}@example.test`;
    await createLinkedAccount(db, p.id, { primary: true, email: person.email });
    await db('User')
      .where({ id: p.id })
      .update({ last_login_at: new Date('2026-01-02T03:04:05Z') });
    stranger = (await userWithKey('role_user')).key;
    moderator = (await userWithKey('role_moderator')).key;
    readOnly = (await createKey(db, { roleIds: ['role_api_read_only'], scopes: ['users:read'] })).key;
  });

  const everything = () => ({
    id: person.id,
    email: person.email,
    last_login_at: '2026-01-02T03:04:05.000Z',
  });

  it('off: the person and users:read holders see email and activity; others never see the user', async () => {
    for (const key of [person.key, moderator, readOnly]) {
      const res = await read(key);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ...everything(), privacy_mode: false });
    }
    expect((await read(stranger)).status).toBe(404);
  });

  it('the person turns it on and off; each change is audited as theirs', async () => {
    const on = await switchTo(person.key, true);
    expect(on.status).toBe(200);
    expect(on.body).toMatchObject({ ...everything(), privacy_mode: true });

    // On: still everything for the person and for users:read; still nothing for anyone else.
    for (const key of [person.key, moderator, readOnly]) {
      expect((await read(key)).body).toMatchObject({ ...everything(), privacy_mode: true });
    }
    expect((await read(stranger)).status).toBe(404);

    const list = await call(t.url, 'GET', `/v1/users?q=${person.id}`, { key: moderator });
    expect(list.body.data).toEqual([expect.objectContaining({ ...everything(), privacy_mode: true })]);

    expect((await switchTo(person.key, false)).body.privacy_mode).toBe(false);
    await t.platform.services.audit.flush();
    const events = await db('AuditEvent')
      .where({ event_type: 'user_updated', user_id: person.id })
      .orderBy('created_at');
    expect(events).toEqual([
      expect.objectContaining({ actor_id: person.id, resource_id: person.id, source_service: 'api' }),
      expect.objectContaining({ actor_id: person.id, resource_id: person.id, source_service: 'api' }),
    ]);
    expect(events.map((e: { metadata: unknown }) => e.metadata)).toEqual([
      { changed: ['privacy_mode'] },
      { changed: ['privacy_mode'] },
    ]);
  });

  it('nobody else switches it: the route acts on the caller only, and users:write guards the user', async () => {
    const before = await db('AuditEvent').where({ user_id: person.id }).count<{ count: string }[]>('*');
    // A stranger's own switch changes only their own record.
    const own = await switchTo(stranger, true);
    expect(own.status).toBe(200);
    expect(own.body.id).not.toBe(person.id);
    expect(
      (await call(t.url, 'PATCH', `/v1/users/${person.id}`, { key: stranger, body: { privacy_mode: true } }))
        .status,
    ).toBe(404);
    const mod = await call(t.url, 'PATCH', `/v1/users/${person.id}`, {
      key: moderator,
      body: { privacy_mode: true },
    });
    expect(mod.status).toBe(403);
    expect((await read(person.key)).body.privacy_mode).toBe(false);
    await t.platform.services.audit.flush();
    const after = await db('AuditEvent').where({ user_id: person.id }).count<{ count: string }[]>('*');
    expect(after[0]!.count).toBe(before[0]!.count);
  });

  it('needs a user and the scope users:write', async () => {
    const system = await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true });
    expect((await switchTo(system.key, true)).body.error.code).toBe('auth.user_required');
    const readScoped = await createKey(db, {
      userId: person.id,
      roleIds: ['role_api_full_access'],
      scopes: ['users:read'],
    });
    expect((await switchTo(readScoped.key, true)).body.error.code).toBe('auth.insufficient_scope');
    expect(
      (await call(t.url, 'PATCH', '/v1/user/privacy', { key: person.key, body: { privacy_mode: 'yes' } }))
        .status,
    ).toBe(400);
  });
});
