import { describe, expect, it } from '@jest/globals';
import { totpCode } from '../../core/two-factor/totp.js';
import { call, createKey } from '../support/fixtures.js';
import { graphqlClient } from '../support/graphql.js';
import { createPasswordUser } from '../support/oidc.js';
import { useTestPlatform } from '../support/platform.js';

/** `/v1/2fa`: setup, enable, verify, backup codes, disable, admin reset, role-required 2FA. */
describe('two-factor authentication over REST', () => {
  const t = useTestPlatform();
  const now = () => Math.floor(Date.now() / 1000);

  async function sessionOf(userId: string) {
    return (await t.platform.services.sessions.create({ userId, provider: 'email' })).token;
  }

  async function enrol(key: string) {
    const setup = await call(t.url, 'POST', '/v1/2fa/setup', { key });
    expect(setup.status).toBe(200);
    const code = totpCode(setup.body.secret);
    const enabled = await call(t.url, 'POST', '/v1/2fa/enable', { key, body: { code } });
    expect(enabled.status).toBe(200);
    return { secret: setup.body.secret as string, code, backupCodes: enabled.body.backup_codes as string[] };
  }

  it('sets up in two steps, stores the secret encrypted, and hands out ten backup codes once', async () => {
    const user = await createPasswordUser(t.db);
    const key = await sessionOf(user.id);
    expect((await call(t.url, 'GET', '/v1/2fa/status', { key })).body).toMatchObject({
      enabled: false,
      required: false,
      backup_codes_remaining: 0,
    });
    const setup = await call(t.url, 'POST', '/v1/2fa/setup', { key });
    expect(setup.body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauth_uri).toMatch(/^otpauth:\/\/totp\//);
    expect(setup.body.qr_code).toMatch(/^data:image\/png;base64,/);
    const stored = await t.db('UserTwoFactor').where({ user_id: user.id }).first();
    expect(stored.enabled).toBe(false);
    expect(stored.secret_encrypted).toMatch(/^v2\./);
    expect(stored.secret_encrypted).not.toContain(setup.body.secret);

    const wrong = await call(t.url, 'POST', '/v1/2fa/enable', { key, body: { code: '000000' } });
    expect([wrong.status, wrong.body.error.code]).toEqual([422, 'two_factor.invalid_code']);
    const enabled = await call(t.url, 'POST', '/v1/2fa/enable', {
      key,
      body: { code: totpCode(setup.body.secret) },
    });
    expect(enabled.body.backup_codes).toHaveLength(10);
    expect(new Set(enabled.body.backup_codes).size).toBe(10);
    const hashes = await t.db('TwoFactorBackupCode').where({ user_id: user.id }).pluck('code_hash');
    expect(hashes).toHaveLength(10);
    expect(hashes).not.toContain(enabled.body.backup_codes[0]);
    expect((await call(t.url, 'GET', '/v1/2fa/backup-codes', { key })).body).toEqual({
      remaining: 10,
      total: 10,
    });
    const again = await call(t.url, 'POST', '/v1/2fa/setup', { key });
    expect([again.status, again.body.error.code]).toEqual([409, 'two_factor.already_enabled']);

    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id })
      .pluck('event_type');
    expect(events).toContain('2fa_enabled');
  });

  it('accepts a code once (replay refused), a backup code once, and regenerates backup codes', async () => {
    const user = await createPasswordUser(t.db);
    const key = await sessionOf(user.id);
    const { secret, code, backupCodes } = await enrol(key);

    // The code that enabled 2FA cannot be used again.
    const replay = await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code } });
    expect(replay.status).toBe(422);
    // One step ahead (clock drift) is fine, once.
    const next = totpCode(secret, { epoch: now() + 30 });
    expect((await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: next } })).body).toEqual({
      verified: true,
      method: 'totp',
    });
    expect((await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: next } })).status).toBe(422);

    const backup = await call(t.url, 'POST', '/v1/2fa/verify', {
      key,
      body: { code: backupCodes[3]!.toUpperCase() },
    });
    expect(backup.body).toEqual({ verified: true, method: 'backup_code' });
    expect(
      (await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: backupCodes[3]! } })).status,
    ).toBe(422);
    expect((await call(t.url, 'GET', '/v1/2fa/backup-codes', { key })).body.remaining).toBe(9);

    await t.platform.services.audit.flush();
    const verified = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: user.id, event_type: '2fa_verified' })
      .orderBy('created_at');
    expect(verified.map((e: { metadata: { method: string } }) => e.metadata.method)).toEqual([
      'totp',
      'backup_code',
    ]);
    expect(verified[0]).toMatchObject({ source_service: 'api', actor_id: user.id });
  });

  it('regenerates backup codes with a current code; the old ones stop working', async () => {
    const user = await createPasswordUser(t.db);
    const key = await sessionOf(user.id);
    const { secret, backupCodes } = await enrol(key);
    const fresh = await call(t.url, 'POST', '/v1/2fa/backup-codes/regenerate', {
      key,
      body: { code: totpCode(secret, { epoch: now() + 30 }) },
    });
    expect(fresh.body.backup_codes).toHaveLength(10);
    await t.platform.services.audit.flush();
    expect(
      await t.platform.databases
        .audit('AuditEvent')
        .where({ user_id: user.id, event_type: '2fa_backup_codes_regenerated' }),
    ).toHaveLength(1);
    expect(
      (await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: backupCodes[0]! } })).status,
    ).toBe(422);
    expect(
      (await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: fresh.body.backup_codes[0] } })).body
        .method,
    ).toBe('backup_code');
  });

  it('locks after five wrong codes, so six digits cannot be guessed', async () => {
    const user = await createPasswordUser(t.db);
    const key = await sessionOf(user.id);
    const { secret } = await enrol(key);
    for (let i = 0; i < 4; i++) {
      expect((await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: '123456' } })).status).toBe(
        422,
      );
    }
    const locked = await call(t.url, 'POST', '/v1/2fa/verify', { key, body: { code: '123456' } });
    expect([locked.status, locked.body.error.code]).toEqual([429, 'two_factor.too_many_attempts']);
    // Even the right code waits now.
    const right = await call(t.url, 'POST', '/v1/2fa/verify', {
      key,
      body: { code: totpCode(secret, { epoch: now() + 30 }) },
    });
    expect(right.status).toBe(429);
  });

  it('turns off with a code and the password; an administrator resets someone else’s', async () => {
    const user = await createPasswordUser(t.db);
    const key = await sessionOf(user.id);
    const { backupCodes } = await enrol(key);
    const noPassword = await call(t.url, 'POST', '/v1/2fa/disable', { key, body: { code: backupCodes[0] } });
    expect([noPassword.status, noPassword.body.error.code]).toEqual([403, 'two_factor.password_required']);
    const off = await call(t.url, 'POST', '/v1/2fa/disable', {
      key,
      body: { code: backupCodes[1], password: user.password },
    });
    expect(off.status).toBe(204);
    expect(await t.db('UserTwoFactor').where({ user_id: user.id })).toEqual([]);

    const other = await createPasswordUser(t.db);
    await enrol(await sessionOf(other.id));
    const reader = await createKey(t.db, { roleIds: ['role_api_read_only'], isSystem: true });
    const seen = await call(t.url, 'GET', `/v1/2fa/status?user_id=${other.id}`, { key: reader.key });
    expect(seen.body.enabled).toBe(true);
    const cannot = await call(t.url, 'POST', '/v1/2fa/disable', {
      key: reader.key,
      body: { user_id: other.id },
    });
    expect(cannot.status).toBe(403);
    const stranger = await call(t.url, 'GET', `/v1/2fa/status?user_id=${other.id}`, { key });
    expect(stranger.status).toBe(403);

    const admin = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    const reset = await call(t.url, 'POST', '/v1/2fa/disable', {
      key: admin.key,
      body: { user_id: other.id },
    });
    expect(reset.status).toBe(204);
    expect(
      (await call(t.url, 'GET', `/v1/2fa/status?user_id=${other.id}`, { key: admin.key })).body.enabled,
    ).toBe(false);
    await t.platform.services.audit.flush();
    const disabled = await t.platform.databases
      .audit('AuditEvent')
      .where({ user_id: other.id, event_type: '2fa_disabled' })
      .first();
    expect(disabled.metadata).toEqual({ by: 'administrator' });
  });

  it('API keys manage their owner’s 2FA only with the scope two_factor:manage; a system key gets a 4xx', async () => {
    const user = await createPasswordUser(t.db);
    const session = await sessionOf(user.id);
    const { secret, backupCodes } = await enrol(session);
    const reader = await createKey(t.db, { userId: user.id, scopes: ['users:read'] });
    const wildcard = await createKey(t.db, { userId: user.id, scopes: ['*'] });
    const code = totpCode(secret, { epoch: now() + 30 });
    const attempts: [string, unknown][] = [
      ['/v1/2fa/setup', undefined],
      ['/v1/2fa/enable', { code }],
      ['/v1/2fa/verify', { code }],
      ['/v1/2fa/disable', { code: backupCodes[0], password: user.password }],
      ['/v1/2fa/backup-codes/regenerate', { code }],
    ];
    for (const key of [reader.key, wildcard.key]) {
      for (const [path, body] of attempts) {
        const refused = await call(t.url, 'POST', path, { key, body });
        expect([path, refused.status, refused.body.error.code]).toEqual([
          path,
          403,
          'auth.insufficient_scope',
        ]);
        expect(refused.body.error.details).toEqual({ required: 'two_factor:manage' });
      }
    }
    // Nothing changed: the enrolment, its codes and the lock counter are as they were.
    expect(await t.db('UserTwoFactor').where({ user_id: user.id, enabled: true })).toHaveLength(1);
    expect((await call(t.url, 'GET', '/v1/2fa/backup-codes', { key: session })).body.remaining).toBe(10);
    const verified = await call(t.url, 'POST', '/v1/2fa/verify', { key: session, body: { code } });
    expect(verified.body).toEqual({ verified: true, method: 'totp' });

    const manager = await createKey(t.db, { userId: user.id, scopes: ['two_factor:manage'] });
    const byManager = await call(t.url, 'POST', '/v1/2fa/verify', {
      key: manager.key,
      body: { code: backupCodes[1] },
    });
    expect(byManager.body).toEqual({ verified: true, method: 'backup_code' });

    const system = await createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });
    for (const [path, body] of attempts) {
      const refused = await call(t.url, 'POST', path, { key: system.key, body });
      expect([path, refused.status, refused.body.error.code]).toEqual([path, 403, 'auth.user_required']);
    }
  });

  it('a role that requires 2FA blocks REST and GraphQL until it is set up on the session', async () => {
    const moderator = await createPasswordUser(t.db, { roleIds: ['role_moderator'] });
    const key = await sessionOf(moderator.id);
    const blocked = await call(t.url, 'GET', '/v1/users', { key });
    expect([blocked.status, blocked.body.error.code]).toEqual([403, 'auth.two_factor_required']);
    const gql = await graphqlClient(t.url, key)('{ users(take: 1) { id } }');
    expect(gql.errors[0]?.extensions?.code).toBe('auth.two_factor_required');
    expect((await call(t.url, 'GET', '/v1/2fa/status', { key })).body).toMatchObject({
      required: true,
      enabled: false,
    });

    await enrol(key);
    expect((await call(t.url, 'GET', '/v1/users', { key })).status).toBe(200);
    const after = await graphqlClient(t.url, key)('{ users(take: 1) { id } }');
    expect(after.errors).toEqual([]);
    // A new session of the same person is not verified until it passes a code.
    const second = await sessionOf(moderator.id);
    expect((await call(t.url, 'GET', '/v1/users', { key: second })).status).toBe(403);
  });
});
