import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';

describe('banning users (users:ban)', () => {
  const t = useTestPlatform();
  let db: Knex;
  let moderatorId: string;
  let moderator: TestKey;
  let system: TestKey;
  const url = () => t.url;
  const userWithKey = async (roleIds: string[]) => {
    const id = await createUser(db, { roleIds, twoFactor: true });
    return { id, key: await createKey(db, { userId: id, roleIds: ['role_api_full_access'] }) };
  };

  beforeAll(async () => {
    db = t.db;
    const mod = await userWithKey(['role_moderator']);
    moderatorId = mod.id;
    moderator = mod.key;
    system = await createKey(db, { roleIds: ['role_api_full_access'], isSystem: true });
  });

  it('a ban stops the user’s keys at once, shows on the user, and is audited', async () => {
    const target = await userWithKey(['role_user']);
    expect((await call(url(), 'GET', '/v1/me', { key: target.key.key })).status).toBe(200); // now cached

    const until = new Date(Date.now() + 3_600_000);
    const banned = await call(url(), 'POST', `/v1/users/${target.id}/ban`, {
      key: moderator.key,
      body: { reason: '  spam in #general ', expires_at: until.toISOString() },
    });
    expect(banned.status).toBe(200);
    expect(banned.body.ban).toEqual({
      reason: 'spam in #general',
      banned_by: moderatorId,
      banned_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      expires_at: until.toISOString(),
    });

    const refused = await call(url(), 'GET', '/v1/me', { key: target.key.key });
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'auth.account_banned',
      details: { until: until.toISOString() },
    });

    const list = await call(url(), 'GET', '/v1/users?banned=true', { key: moderator.key });
    expect(list.body.data.map((u: { id: string }) => u.id)).toEqual([target.id]);
    const notBanned = await call(url(), 'GET', '/v1/users?banned=false&per_page=100', { key: moderator.key });
    expect(notBanned.body.data.map((u: { id: string }) => u.id)).not.toContain(target.id);

    await t.platform.services.audit.flush();
    const event = await db('AuditEvent').where({ event_type: 'user_banned', user_id: target.id }).first();
    expect(event).toMatchObject({
      actor_id: moderatorId,
      resource_type: 'user',
      source_service: 'api',
      metadata: expect.objectContaining({ reason: 'spam in #general', expires_at: until.toISOString() }),
    });
  });

  it('lifting the ban restores access at once; lifting again is a no-op', async () => {
    const target = await userWithKey(['role_user']);
    await call(url(), 'POST', `/v1/users/${target.id}/ban`, { key: moderator.key, body: { reason: 'x' } });
    expect((await call(url(), 'GET', '/v1/me', { key: target.key.key })).status).toBe(403);

    expect((await call(url(), 'DELETE', `/v1/users/${target.id}/ban`, { key: moderator.key })).status).toBe(
      204,
    );
    expect((await call(url(), 'GET', '/v1/me', { key: target.key.key })).status).toBe(200);
    expect((await call(url(), 'DELETE', `/v1/users/${target.id}/ban`, { key: moderator.key })).status).toBe(
      204,
    );

    await t.platform.services.audit.flush();
    const events = await db('AuditEvent').where({ user_id: target.id }).orderBy('created_at');
    expect(events.map((e: { event_type: string }) => e.event_type)).toEqual(['user_banned', 'user_unbanned']);
    const user = await call(url(), 'GET', `/v1/users/${target.id}`, { key: moderator.key });
    expect(user.body.ban).toBeNull();
  });

  it('banning again replaces the ban and keeps the history', async () => {
    const target = await userWithKey(['role_user']);
    await call(url(), 'POST', `/v1/users/${target.id}/ban`, {
      key: moderator.key,
      body: { reason: 'first' },
    });
    const again = await call(url(), 'POST', `/v1/users/${target.id}/ban`, {
      key: moderator.key,
      body: { reason: 'second' },
    });
    expect(again.body.ban).toMatchObject({ reason: 'second', expires_at: null });
    const history = await db('UserBan').where({ user_id: target.id }).orderBy('created_at');
    expect(
      history.map((b: { reason: string; lifted_at: Date | null }) => [b.reason, b.lifted_at === null]),
    ).toEqual([
      ['first', false],
      ['second', true],
    ]);
  });

  it('a temporary ban ends by itself', async () => {
    const target = await userWithKey(['role_user']);
    await call(url(), 'POST', `/v1/users/${target.id}/ban`, {
      key: moderator.key,
      body: { reason: 'cool down', expires_at: new Date(Date.now() + 60_000).toISOString() },
    });
    expect((await call(url(), 'GET', '/v1/me', { key: target.key.key })).status).toBe(403);
    // Let the ban run out (moved into the past rather than waiting a minute).
    await db('UserBan')
      .where({ user_id: target.id })
      .update({
        created_at: db.raw(`now() - interval '2 hours'`),
        expires_at: db.raw(`now() - interval '1 hour'`),
      });
    expect((await call(url(), 'GET', '/v1/me', { key: target.key.key })).status).toBe(200);
    const user = await call(url(), 'GET', `/v1/users/${target.id}`, { key: moderator.key });
    expect(user.body.ban).toBeNull();
  });

  it('refuses bad input, self-bans, banning your betters and banning the last super admin', async () => {
    const target = await userWithKey(['role_user']);
    const bad = await call(url(), 'POST', `/v1/users/${target.id}/ban`, {
      key: moderator.key,
      body: { reason: '', expires_at: '2000-01-01T00:00:00Z' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields.map((f: { field: string }) => f.field).sort()).toEqual([
      'expires_at',
      'reason',
    ]);

    const self = await call(url(), 'POST', `/v1/users/${moderatorId}/ban`, {
      key: moderator.key,
      body: { reason: 'me' },
    });
    expect([self.status, self.body.error.code]).toEqual([409, 'user.cannot_ban_self']);

    const admin = await userWithKey(['role_admin']);
    const up = await call(url(), 'POST', `/v1/users/${admin.id}/ban`, {
      key: moderator.key,
      body: { reason: 'x' },
    });
    expect([up.status, up.body.error.code]).toEqual([403, 'auth.escalation_denied']);

    // admin (holds *:*) is the only super admin; a system key may not ban them.
    await db('UserRole')
      .whereNot({ user_id: admin.id })
      .whereIn('role_id', ['role_super_admin', 'role_admin'])
      .delete();
    const last = await call(url(), 'POST', `/v1/users/${admin.id}/ban`, {
      key: system.key,
      body: { reason: 'x' },
    });
    expect([last.status, last.body.error.code]).toEqual([409, 'user.last_super_admin']);
    expect(await db('UserBan').where({ user_id: admin.id })).toHaveLength(0);

    const ghost = await call(url(), 'POST', '/v1/users/00000000-0000-4000-8000-000000000000/ban', {
      key: moderator.key,
      body: { reason: 'x' },
    });
    expect([ghost.status, ghost.body.error.code]).toEqual([404, 'user.not_found']);
  });
});
