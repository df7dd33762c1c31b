/* eslint-disable @typescript-eslint/no-explicit-any -- responses, rows and JSON files are asserted field by field */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { exportKey } from '../../core/accounts/export.js';
import { hashPassword } from '../../core/auth/passwords.js';
import { call, createKey, createUser } from '../support/fixtures.js';
import { columnsNaming } from '../support/naming.js';
import { useTestPlatform } from '../support/platform.js';
import { uniqueName } from '../support/services.js';
import { useSmtpSink } from '../support/smtp.js';

/**
 * Exporting a person's data end to end, on a real database: the request, the background job and its progress,
 * the zip's files compared with the database, the secrets it must not hold, the daily limit, the history, the
 * audit event, the email, and the expiry that deletes the zip.
 */
const IP = '89.160.20.120'; // Linköping, SE in the GeoIP fixture
const UA = 'export-test/1.0';
const PASSWORD = 'correct horse battery staple 42';
const DAY_MS = 86_400_000;

const sink = await useSmtpSink();

/** The tables in which `needle` appears; the audit log's weekly partitions count as their table. */
const tablesNaming = async (db: Knex, needle: string): Promise<string[]> =>
  [...new Set((await columnsNaming(db, needle)).map((c) => c.table.replace(/_p\d{8}$/, '')))].sort();

/** Where each table that can name a person goes in the zip. */
const EXPORTED: Record<string, string> = {
  User: 'profile.json',
  PlatformAccount: 'sign-in-methods.json',
  UserRole: 'roles.json',
  Session: 'sessions.json',
  OAuthConsent: 'consents.json',
  OAuthClient: 'oauth-clients.json',
  ApiKey: 'api-keys.json',
  UserTwoFactor: 'two-factor.json',
  BotWarning: 'warnings.json',
  StoredFile: 'files.json',
  UserBan: 'bans.json',
  DataExportLog: 'export-history.json',
  // The tests keep the audit database in the primary one.
  AuditEvent: 'audit-events.json',
};
/** Tables that name the person but hold only secrets or the export's own bookkeeping. */
const NOT_EXPORTED = ['TwoFactorBackupCode', 'PlatformToken', 'AccountToken', 'DataExport'];

describe('exporting your data', () => {
  const t = useTestPlatform(
    () => ({
      HEIMDALL__RATE_LIMIT__ENABLED: 'false',
      HEIMDALL__EMAIL__SMTP_URL: sink.url,
      HEIMDALL__GEOIP__DATABASE: path.resolve('test/fixtures/geoip/GeoLite2-City-Test.mmdb'),
      HEIMDALL__SERVER__TRUST_PROXY: 'true',
    }),
    ['api', 'scheduler'],
  );

  let admin: string;

  beforeAll(async () => {
    const adminId = await createUser(t.db, { roleIds: ['role_admin'], twoFactor: true });
    admin = (await createKey(t.db, { userId: adminId, roleIds: ['role_api_full_access'] })).key;
    // The start-up run has nothing to do; later runs must not race the tests' own.
    await t.platform.scheduler!.runNow('data-export-housekeeping');
  });

  const headers = { 'x-forwarded-for': IP, 'user-agent': UA };
  const as = (key: string, method: string, p: string, body?: unknown) =>
    call(t.url, method, p, { key, body, headers });
  const expectError = (res: { status: number; body: any }, status: number, code: string) =>
    expect([res.status, res.body?.error?.code]).toEqual([status, code]);
  const service = () => t.platform.services.dataExport;

  /** A person with rows in every table that can name them, and the secrets stored for them. */
  async function person() {
    const userId = await createUser(t.db, { roleIds: ['role_user'], twoFactor: true });
    await t.db('User').where({ id: userId }).update({ preferred_locale: 'de' });
    const email = `${uniqueName('exp').toLowerCase()}@example.test`;
    const [account] = await t
      .db('PlatformAccount')
      .insert({
        user_id: userId,
        platform_id: 'email',
        platform_user_id: email,
        username: uniqueName('exp').slice(0, 30),
        email,
        email_verified_at: new Date(),
        password_hash: await hashPassword(PASSWORD),
      })
      .returning('id');
    const [twitch] = await t
      .db('PlatformAccount')
      .insert({
        user_id: userId,
        platform_id: 'twitch',
        platform_user_id: uniqueName('tw'),
        username: uniqueName('tw').slice(0, 30),
      })
      .returning('id');
    await t.db('User').where({ id: userId }).update({ primary_platform_account_id: account.id });
    await t.db('PlatformToken').insert({
      platform_account_id: twitch.id,
      access_token_encrypted: `access-ciphertext-${uniqueName('at')}`,
      refresh_token_encrypted: `refresh-ciphertext-${uniqueName('rt')}`,
    });
    await t
      .db('TwoFactorBackupCode')
      .insert({ user_id: userId, code_hash: `backup-hash-${uniqueName('bc')}` });
    await t.db('AccountToken').insert({
      purpose: 'verify_email',
      token_hash: `account-token-hash-${uniqueName('ak')}`,
      user_id: userId,
      platform_account_id: account.id,
      expires_at: new Date(Date.now() + DAY_MS),
    });
    const key = await createKey(t.db, { userId, roleIds: ['role_api_full_access'] });
    const [client] = await t
      .db('OAuthClient')
      .insert({
        client_id: uniqueName('hc_exp'),
        name: 'their app',
        redirect_uris: ['https://app.example/cb'],
        client_secret: `client-secret-hash-${uniqueName('cs')}`,
        user_id: userId,
      })
      .returning(['id', 'client_id']);
    await t.db('OAuthConsent').insert({ user_id: userId, client_id: client.id, scopes: ['openid'] });
    const session = await t.platform.services.sessions.create({
      userId,
      provider: 'email',
      ip: IP,
      userAgent: UA,
    });
    await t.db('UserBan').insert({
      user_id: userId,
      reason: 'spam',
      banned_by: 'someone',
      lifted_at: new Date(),
      lifted_by: 'someone',
    });
    await t.db('BotWarning').insert({
      platform: 'twitch',
      community_id: 'channel',
      member_platform_id: '1',
      member_name: 'troll',
      moderator_platform_id: '2',
      moderator_user_id: userId,
    });
    await t.db('StoredFile').insert({
      owner_user_id: userId,
      key: `files/${uniqueName('f')}`,
      name: 'notes.txt',
      content_type: 'text/plain',
      size: 0,
      sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    });
    await t.db('DataExportLog').insert({ user_id: userId, ip_address: IP, locale: 'de' });
    await t.platform.databases.audit('AuditEvent').insert([
      { event_type: 'login', user_id: userId },
      { event_type: 'role_assigned', actor_id: userId, user_id: null },
    ]);
    return { userId, email, key: key.key, session: session.token };
  }

  /** Waits for the job to leave queued and running. */
  async function settled(key: string, id: string) {
    await service().idle();
    const res = await as(key, 'GET', `/v1/user/export/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** The zip behind the download route, and its files' text. */
  async function download(key: string, id: string) {
    const res = await fetch(`${t.url}/v1/user/export/${id}/download`, {
      headers: { authorization: `Bearer ${key}` },
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    // The fs driver's URL is on this server: answered as a path.
    const location = res.headers.get('location')!;
    expect(location).toMatch(/^\/v1\/storage\/download\//);
    const zip = await fetch(`${t.url}${location}`);
    expect(zip.status).toBe(200);
    const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'export-')), 'export.zip');
    writeFileSync(file, Buffer.from(await zip.arrayBuffer()));
    const names = execFileSync('unzip', ['-Z1', file], { encoding: 'utf8' }).trim().split('\n');
    const files = Object.fromEntries(
      names.map((name) => [name, execFileSync('unzip', ['-p', file, name], { encoding: 'utf8' })]),
    );
    return { names, files };
  }

  it('exports every table that names the person, without a secret, then logs, audits and emails', async () => {
    const p = await person();
    const res = await as(p.key, 'POST', '/v1/user/export');
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued', progress: 0, download_path: null });
    const job = await settled(p.key, res.body.id);
    expect(job).toMatchObject({
      status: 'done',
      progress: 100,
      download_path: `/v1/user/export/${job.id}/download`,
    });
    expect(Date.parse(job.expires_at) - Date.parse(job.finished_at)).toBe(DAY_MS);
    expect((await as(p.key, 'GET', '/v1/user/export')).body).toEqual(job);

    const { names, files } = await download(p.key, job.id);
    expect(names).toEqual([
      'README.md',
      'profile.json',
      'sign-in-methods.json',
      'roles.json',
      'sessions.json',
      'consents.json',
      'oauth-clients.json',
      'api-keys.json',
      'two-factor.json',
      'audit-events.json',
      'warnings.json',
      'files.json',
      'bans.json',
      'export-history.json',
    ]);
    expect(files['README.md']).toContain('# Ihre Heimdall-Daten');
    expect(files['README.md']).toContain('GPS');
    const json = (name: string) => JSON.parse(files[name]!);
    const ids = (name: string) =>
      json(name)
        .map((r: any) => r.id)
        .sort();
    const dbIds = async (table: string, where: Record<string, unknown>, db = t.db) =>
      (await db(table).where(where).pluck('id')).sort();

    // Every table naming the person is in the zip, or deliberately not (secrets, the export's own rows).
    for (const table of await tablesNaming(t.db, p.userId)) {
      const covered = NOT_EXPORTED.includes(table) || names.includes(EXPORTED[table] ?? '');
      expect([table, covered]).toEqual([table, true]);
    }

    const user = await t.db('User').where({ id: p.userId }).first();
    expect(json('profile.json')).toMatchObject({
      id: p.userId,
      username: user.username,
      preferred_locale: 'de',
      created_at: user.created_at.toISOString(),
    });
    expect(ids('sign-in-methods.json')).toEqual(await dbIds('PlatformAccount', { user_id: p.userId }));
    expect(json('sign-in-methods.json').find((a: any) => a.email === p.email)).toMatchObject({
      platform_id: 'email',
      has_password: true,
    });
    expect(json('roles.json').map((r: any) => r.role_id)).toEqual(['role_user']);
    expect(ids('sessions.json')).toEqual(await dbIds('Session', { user_id: p.userId }));
    expect(ids('consents.json')).toEqual(await dbIds('OAuthConsent', { user_id: p.userId }));
    expect(ids('oauth-clients.json')).toEqual(await dbIds('OAuthClient', { user_id: p.userId }));
    expect(ids('api-keys.json')).toEqual(await dbIds('ApiKey', { user_id: p.userId }));
    expect(json('two-factor.json')).toMatchObject({ enabled: true });
    expect(ids('warnings.json')).toEqual(await dbIds('BotWarning', { moderator_user_id: p.userId }));
    expect(ids('files.json')).toEqual(await dbIds('StoredFile', { owner_user_id: p.userId }));
    expect(ids('bans.json')).toEqual(await dbIds('UserBan', { user_id: p.userId }));
    expect(ids('export-history.json')).toHaveLength(1);
    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where((q) => q.where({ user_id: p.userId }).orWhere({ actor_id: p.userId }))
      .where('created_at', '<=', new Date(job.requested_at))
      .pluck('id');
    expect(ids('audit-events.json')).toEqual(events.sort());
    expect(events.length).toBeGreaterThanOrEqual(3);

    // No stored secret appears anywhere in the zip.
    const text = Object.values(files).join('\n');
    const secrets = [
      ...(await t
        .db('PlatformAccount')
        .where({ user_id: p.userId })
        .whereNotNull('password_hash')
        .pluck('password_hash')),
      ...(await t.db('ApiKey').where({ user_id: p.userId }).pluck('key_hash')),
      ...(await t.db('UserTwoFactor').where({ user_id: p.userId }).pluck('secret_encrypted')),
      ...(await t.db('TwoFactorBackupCode').where({ user_id: p.userId }).pluck('code_hash')),
      ...(await t.db('OAuthClient').where({ user_id: p.userId }).pluck('client_secret')),
      ...(await t.db('Session').where({ user_id: p.userId }).pluck('session_token')),
      ...(await t.db('AccountToken').where({ user_id: p.userId }).pluck('token_hash')),
      ...(await t
        .db('PlatformToken')
        .join('PlatformAccount', 'PlatformAccount.id', 'PlatformToken.platform_account_id')
        .where({ user_id: p.userId })
        .select('access_token_encrypted', 'refresh_token_encrypted')
        .then((rows) => rows.flatMap((r: any) => [r.access_token_encrypted, r.refresh_token_encrypted]))),
      p.key,
      p.session,
    ];
    expect(secrets.length).toBeGreaterThanOrEqual(10);
    expect(secrets.filter((s: string) => text.includes(s))).toEqual([]);

    // The history, the audit event and the email.
    const logs = await as(p.key, 'GET', '/v1/user/export/logs?per_page=1');
    expect(logs.status).toBe(200);
    expect(logs.body.pagination).toEqual({ page: 1, per_page: 1, total: 2 });
    expect(logs.body.data[0]).toMatchObject({
      export_format: 'zip',
      file_size_bytes: job.size_bytes,
      locale: 'de',
      ip_address: IP,
      user_agent: UA,
    });
    const [exported] = await t.platform.databases
      .audit('AuditEvent')
      .where({ event_type: 'data_exported', resource_id: job.id });
    expect(exported).toMatchObject({
      user_id: p.userId,
      actor_id: p.userId,
      ip_address: IP,
      user_agent: UA,
      resource_type: 'data_export',
      country_code: 'SE',
    });
    const mail = await sink.waitFor({ to: p.email, subject: 'Ihr Datenexport ist fertig' });
    expect(mail.text).toContain('/account/export');
  });

  it('allows 3 exports in 24 hours, then answers 429 with Retry-After', async () => {
    const p = await person();
    for (let i = 0; i < 3; i++) expect((await as(p.key, 'POST', '/v1/user/export')).status).toBe(202);
    const refused = await as(p.key, 'POST', '/v1/user/export');
    expectError(refused, 429, 'export.limit_reached');
    const retry = Number(refused.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(DAY_MS / 1000 - 60);
    expect(retry).toBeLessThanOrEqual(DAY_MS / 1000);
    await service().idle();
    // A day later, one more is allowed.
    await t
      .db('DataExport')
      .where({ user_id: p.userId })
      .update({ requested_at: new Date(Date.now() - DAY_MS - 1000) });
    expect((await as(p.key, 'POST', '/v1/user/export')).status).toBe(202);
    await service().idle();
  });

  it('deletes the zip after 24 hours: the export is expired and its download answers 410', async () => {
    const p = await person();
    const job = await settled(p.key, (await as(p.key, 'POST', '/v1/user/export')).body.id);
    const key = exportKey(p.userId, job.id);
    expect(await t.platform.services.storageDriver.stat(key)).toBeDefined();
    expect(await service().housekeeping(new Date(Date.now() + DAY_MS - 60_000))).toEqual({
      expired: 0,
      abandoned: 0,
      orphaned: 0,
    });
    await t
      .db('DataExport')
      .where({ id: job.id })
      .update({ expires_at: new Date(Date.now() - 1000) });
    expect(await t.platform.scheduler!.runNow('data-export-housekeeping')).toMatchObject({ expired: 1 });
    expect(await t.platform.services.storageDriver.stat(key)).toBeUndefined();
    expect((await as(p.key, 'GET', `/v1/user/export/${job.id}`)).body).toMatchObject({
      status: 'expired',
      download_path: null,
    });
    expectError(await as(p.key, 'GET', `/v1/user/export/${job.id}/download`), 410, 'export.expired');
  });

  it('deletes the zip of an erased account', async () => {
    const p = await person();
    const job = await settled(p.key, (await as(p.key, 'POST', '/v1/user/export')).body.id);
    const key = exportKey(p.userId, job.id);
    expect(await t.platform.services.storageDriver.stat(key)).toBeDefined();
    const purged = await as(admin, 'POST', `/v1/users/${p.userId}/purge`, { reason: 'test' });
    expect(purged.status).toBe(204);
    expect(await t.db('DataExport').where({ id: job.id })).toEqual([]);
    expect(await service().housekeeping()).toMatchObject({ orphaned: 1 });
    expect(await t.platform.services.storageDriver.stat(key)).toBeUndefined();
  });

  it('marks failed a job whose process stopped; others cannot see it', async () => {
    const p = await person();
    const [row] = await t
      .db('DataExport')
      .insert({
        user_id: p.userId,
        locale: 'en',
        status: 'running',
        updated_at: new Date(Date.now() - 3_600_000),
      })
      .returning('id');
    expect(await service().housekeeping()).toMatchObject({ abandoned: 1 });
    expect((await as(p.key, 'GET', `/v1/user/export/${row.id}`)).body).toMatchObject({ status: 'failed' });
    expectError(await as(p.key, 'GET', `/v1/user/export/${row.id}/download`), 409, 'export.not_ready');
    const other = await person();
    expectError(await as(other.key, 'GET', `/v1/user/export/${row.id}`), 404, 'export.not_found');
    expectError(await as(other.key, 'GET', '/v1/user/export'), 404, 'export.not_found');
  });
});
