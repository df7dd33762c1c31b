/* eslint-disable @typescript-eslint/no-explicit-any -- responses and rows are asserted field by field */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Readable } from 'node:stream';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createPasswordLogin } from '../../core/auth/password-login.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { call, createKey, createUser, type TestKey } from '../support/fixtures.js';
import { columnsNaming } from '../support/naming.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';
import { useSmtpSink } from '../support/smtp.js';

/**
 * Deleting an account end to end, on a real database: the request and its re-authentication, signing out
 * everywhere, the notice email, cancelling, signing in during the grace period, and the scheduler's purge after
 * it, checked by searching every column of every table of both databases for the person's id.
 */
const IP = '89.160.20.120'; // Linköping, SE in the GeoIP fixture
const UA = 'deletion-test/1.0';
const PASSWORD = 'correct horse battery staple 42';
const DAY_MS = 86_400_000;

const sink = await useSmtpSink();

/** Every column that still names `needle`, as `table.column: rows`. */
const rowsNaming = async (db: Knex, needle: string): Promise<string[]> =>
  (await columnsNaming(db, needle)).map((c) => `${c.table}.${c.column}: ${c.rows}`);

describe('deleting accounts', () => {
  const t = useTestPlatform(
    () => ({
      HEIMDALL__RATE_LIMIT__ENABLED: 'false',
      HEIMDALL__EMAIL__SMTP_URL: sink.url,
      HEIMDALL__GEOIP__DATABASE: path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb'),
      HEIMDALL__SERVER__TRUST_PROXY: 'true',
    }),
    ['api', 'scheduler'],
  );
  let admin: TestKey;
  let adminId: string;

  beforeAll(async () => {
    adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    admin = await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] });
    // The start-up run of the purge has nothing to do; later runs must not race the tests' own.
    await t.platform.scheduler!.runNow('account-purge');
  });

  const headers = { 'x-forwarded-for': IP, 'user-agent': UA };
  const as = (key: string, method: string, p: string, body?: unknown) =>
    call(t.url, method, p, { key, body, headers });
  const expectError = (res: { status: number; body: any }, status: number, code: string) =>
    expect([res.status, res.body?.error?.code]).toEqual([status, code]);
  const events = async (where: Record<string, unknown>) => {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where(where).orderBy('created_at');
  };
  const signIn = async (userId: string) =>
    (await t.platform.services.sessions.create({ userId, provider: 'email', ip: IP, userAgent: UA })).token;

  /**
   * A person with an email account and password, an API key, a session, 2FA, an app they let in (with a grant),
   * an OAuth client they registered, a ban they gave and a bot warning they gave: rows naming them in most tables.
   */
  async function person(options: { password?: boolean } = {}) {
    const userId = await createUser(t.db, { roleIds: ['role_user'], twoFactor: true });
    const email = `${uniqueName('gone').toLowerCase()}@example.test`;
    const [account] = await t
      .db('PlatformAccount')
      .insert({
        user_id: userId,
        platform_id: options.password === false ? 'twitch' : 'email',
        platform_user_id: options.password === false ? uniqueName('tw') : email,
        username: uniqueName('gone').slice(0, 30),
        email,
        email_verified_at: new Date(),
        password_hash: options.password === false ? null : await hashPassword(PASSWORD),
      })
      .returning('id');
    await t.db('User').where({ id: userId }).update({ primary_platform_account_id: account.id });
    const key = await createKey(t.db, { userId, roleIds: ['role_api_full_access'] });
    const [client] = await t
      .db('OAuthClient')
      .insert({
        client_id: uniqueName('hc_del'),
        name: 'their app',
        redirect_uris: ['https://app.example/cb'],
        client_secret: 'x',
        user_id: userId,
      })
      .returning(['id', 'client_id']);
    await t.db('OAuthConsent').insert({ user_id: userId, client_id: client.id, scopes: ['openid'] });
    await t.db('OidcPayload').insert({
      model: 'Grant',
      id: uniqueName('grant'),
      payload: { accountId: userId, clientId: client.client_id },
      expires_at: new Date(Date.now() + DAY_MS),
    });
    const banned = await createUser(t.db);
    await t.db('UserBan').insert({ user_id: banned, reason: 'spam', banned_by: userId });
    await t.db('BotWarning').insert({
      platform: 'twitch',
      community_id: 'channel',
      member_platform_id: '1',
      member_name: 'troll',
      moderator_platform_id: '2',
      moderator_user_id: userId,
    });
    await t.db('DataExportLog').insert({ user_id: userId, ip_address: IP });
    return { userId, email, key: key.key, clientId: client.id as string, session: await signIn(userId) };
  }

  it('refuses a wrong or missing password and schedules nothing', async () => {
    const p = await person();
    expectError(
      await as(p.key, 'POST', '/v1/user/delete', { password: 'wrong' }),
      403,
      'account.wrong_password',
    );
    expectError(await as(p.key, 'POST', '/v1/user/delete', {}), 403, 'account.reauthentication_required');
    expect(await t.db('AccountDeletion').where({ user_id: p.userId })).toEqual([]);
    const status = await as(p.key, 'GET', '/v1/user/deletion-status');
    expect(status.body).toEqual({ scheduled: false, requested_at: null, purge_after: null });
    expect(await events({ user_id: p.userId, event_type: 'deletion_scheduled' })).toEqual([]);
  });

  it('without a password, takes a sign-in of the last 10 minutes', async () => {
    const p = await person({ password: false });
    const stale = await signIn(p.userId);
    await t
      .db('Session')
      .where({ user_id: p.userId })
      .update({ created_at: new Date(Date.now() - 11 * 60_000) });
    expectError(await as(stale, 'POST', '/v1/user/delete', {}), 403, 'account.reauthentication_required');
    expectError(await as(p.key, 'POST', '/v1/user/delete', {}), 403, 'account.reauthentication_required');
    const fresh = await signIn(p.userId);
    const res = await as(fresh, 'POST', '/v1/user/delete', {});
    expect(res.status).toBe(202);
    expect(res.body.scheduled).toBe(true);
  });

  it('schedules, signs out everywhere, emails; the person can sign in and cancel, then purge erases everything', async () => {
    const p = await person();
    const before = Date.now();
    const res = await as(p.key, 'POST', '/v1/user/delete', { password: PASSWORD });
    expect(res.status).toBe(202);
    expect(res.body.scheduled).toBe(true);
    const purgeAfter = Date.parse(res.body.purge_after);
    expect(purgeAfter - Date.parse(res.body.requested_at)).toBe(30 * DAY_MS);
    expect(purgeAfter).toBeGreaterThanOrEqual(before + 30 * DAY_MS - 1000);

    // Signed out everywhere: sessions, keys, app grants.
    expect(await t.db('Session').where({ user_id: p.userId })).toEqual([]);
    expectError(await as(p.key, 'GET', '/v1/me'), 401, 'auth.api_key_inactive');
    expectError(await as(p.session, 'GET', '/v1/me'), 401, 'auth.invalid_session');
    expect(await t.db('ApiKey').where({ user_id: p.userId, is_active: true })).toEqual([]);
    expect(await t.db('OidcPayload').whereRaw(`payload->>'accountId' = ?`, [p.userId])).toEqual([]);
    const mail = await sink.waitFor({ to: p.email, subject: 'Your account will be deleted' });
    expect(mail.text).toContain('cancel');
    const [scheduled] = await events({ user_id: p.userId, event_type: 'deletion_scheduled' });
    expect(scheduled).toMatchObject({ actor_id: p.userId, ip_address: IP, user_agent: UA });
    expect(scheduled.metadata).toMatchObject({ via: 'self', sessions_ended: 1, api_keys_deactivated: 1 });

    // Signing in still works during the grace period, and shows the deletion.
    const login = await createPasswordLogin(t.db).check(p.email, PASSWORD);
    expect(login).toMatchObject({ ok: true, userId: p.userId });
    const session = await signIn(p.userId);
    expect((await as(session, 'GET', '/v1/user/deletion-status')).body).toMatchObject({
      scheduled: true,
      purge_after: res.body.purge_after,
    });
    expectError(
      await as(session, 'POST', '/v1/user/delete', { password: PASSWORD }),
      409,
      'account.deletion_scheduled',
    );

    // Cancel (the product page's POST), then the specification's DELETE finds nothing to cancel.
    const cancelled = await as(session, 'POST', '/v1/user/delete/cancel');
    expect([cancelled.status, cancelled.body.scheduled]).toEqual([200, false]);
    expectError(await as(session, 'DELETE', '/v1/user/delete'), 404, 'account.deletion_not_scheduled');
    expect(await events({ user_id: p.userId, event_type: 'deletion_cancelled' })).toHaveLength(1);

    // Ask again, and let the grace period pass (the purge is given a clock 31 days ahead).
    expect((await as(session, 'POST', '/v1/user/delete', { password: PASSWORD })).status).toBe(202);
    expect(await t.platform.services.accountDeletion.purgeDue(new Date(Date.now() + 29 * DAY_MS))).toEqual({
      purged: 0,
      failed: 0,
    });
    expect(await t.db('User').where({ id: p.userId })).toHaveLength(1);
    // A file of theirs, contents and all, goes with them.
    const fileKey = `files/${randomUUID()}`;
    await t.platform.services.storageDriver.put(fileKey, Readable.from([Buffer.from('mine')]), {
      contentType: 'text/plain',
    });
    await t.db('StoredFile').insert({
      owner_user_id: p.userId,
      key: fileKey,
      name: 'mine.txt',
      content_type: 'text/plain',
      size: 4,
      sha256: '0'.repeat(64),
    });
    const result = await t.platform.services.accountDeletion.purgeDue(new Date(Date.now() + 31 * DAY_MS));
    // The password-less person of the test above is due too.
    expect(result).toEqual({ purged: 2, failed: 0 });

    // No row of either database names them.
    await t.platform.services.audit.flush();
    expect(await rowsNaming(t.db, p.userId)).toEqual([]);
    expect(await rowsNaming(t.platform.databases.audit, p.userId)).toEqual([]);

    // Their events stay, under the pseudonym, without what identifies or locates them.
    const alias = t.platform.services.accountDeletion.pseudonym(p.userId);
    const theirs = await events({ user_id: alias });
    expect(theirs.map((e: any) => e.event_type)).toEqual(
      expect.arrayContaining(['deletion_scheduled', 'deletion_cancelled', 'session_created', 'user_deleted']),
    );
    const rewritten = theirs.find((e: any) => e.event_type === 'deletion_scheduled');
    expect(rewritten).toMatchObject({
      actor_id: alias,
      ip_address: '89.160.20.0',
      user_agent: null,
      city: null,
      region: null,
      country_code: 'SE',
      description: null,
    });
    expect(rewritten.metadata).toEqual({
      sessions_ended: 1,
      grants_revoked: 1,
      api_keys_deactivated: 1,
      anonymized: true,
    });
    const [deleted] = await events({ user_id: alias, event_type: 'user_deleted' });
    expect(deleted).toMatchObject({ actor_id: null, resource_id: alias });
    expect(deleted.metadata).toMatchObject({ via: 'scheduled_purge' });

    expect(await t.platform.services.storageDriver.stat(fileKey)).toBeUndefined();
    expect(await t.db('StoredFile').where({ key: fileKey })).toEqual([]);

    // What others keep stays, without them; their credentials fail.
    expect(await t.db('OAuthClient').where({ id: p.clientId }).first()).toMatchObject({ user_id: null });
    expect(await t.db('UserBan').where({ banned_by: alias })).toHaveLength(1);
    expectError(await as(p.key, 'GET', '/v1/me'), 401, 'auth.invalid_api_key');
    expectError(await as(session, 'GET', '/v1/me'), 401, 'auth.invalid_session');

    // A second run (the scheduler's task) changes nothing.
    const count = async () => (await t.platform.databases.audit('AuditEvent').count({ n: '*' }))[0]!.n;
    const eventsBefore = await count();
    expect(await t.platform.scheduler!.runNow('account-purge')).toEqual({ purged: 0, failed: 0 });
    await t.platform.services.audit.flush();
    expect(await count()).toBe(eventsBefore);
  });

  it('lets an administrator erase a user at once, with a reason, audited', async () => {
    const p = await person();
    expectError(
      await as(admin.key, 'POST', `/v1/users/${p.userId}/purge`, {}),
      400,
      'request.validation_failed',
    );
    expectError(
      await as(admin.key, 'POST', `/v1/users/${adminId}/purge`, { reason: 'me' }),
      409,
      'user.cannot_purge_self',
    );
    const res = await as(admin.key, 'POST', `/v1/users/${p.userId}/purge`, { reason: 'GDPR request #12' });
    expect(res.status).toBe(204);
    expect(await rowsNaming(t.db, p.userId)).toEqual([]);
    const alias = t.platform.services.accountDeletion.pseudonym(p.userId);
    const [deleted] = await events({ user_id: alias, event_type: 'user_deleted' });
    expect(deleted).toMatchObject({ actor_id: adminId, ip_address: IP, resource_id: alias });
    expect(deleted.metadata).toMatchObject({ via: 'admin_purge', reason: 'GDPR request #12' });
    expectError(await as(p.key, 'GET', '/v1/me'), 401, 'auth.invalid_api_key');
    expectError(
      await as(admin.key, 'POST', `/v1/users/${p.userId}/purge`, { reason: 'again' }),
      404,
      'user.not_found',
    );
  });
});
