import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import argon2 from 'argon2';
import type { Knex } from 'knex';
import { runCli } from '../../server/cli/run.js';
import { createKnex } from '../../core/db/knex.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { CONFIG_DIR } from '../support/platform.js';
import { coreMigrations } from '../../migrations/core/index.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function stdinOf(text: string | undefined): NodeJS.ReadableStream & { isTTY?: boolean } {
  // undefined: an interactive terminal (nothing piped).
  const stream = Readable.from(text === undefined ? [] : [text]) as Readable & { isTTY?: boolean };
  if (text === undefined) stream.isTTY = true;
  return stream;
}

const KEY = Buffer.alloc(32, 9).toString('base64');

describe('heimdall CLI', () => {
  let database: TestDatabase;
  let db: Knex;
  let env: NodeJS.ProcessEnv;

  async function cli(args: string[], stdin?: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<Result> {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      env: { ...env, ...extraEnv },
      stdin: stdinOf(stdin),
      stdout: { write: (t: string) => (stdout += t) },
      stderr: { write: (t: string) => (stderr += t) },
    });
    return { code, stdout, stderr };
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    db = createKnex(database.url);
    env = { HEIMDALL_CONFIG_DIR: CONFIG_DIR, HEIMDALL_ENV: 'test', HEIMDALL__DATABASE__URL: database.url };
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  it('migrate up, status, down --all and up again', async () => {
    const up = await cli(['migrate', 'up']);
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(up.stdout).toContain('core: applied 0001_identity');
    expect(up.stdout).toContain('audit: applied 0001_audit_event');
    expect((await cli(['migrate', 'status'])).stdout).toContain(
      `core: ${coreMigrations.length} applied, 0 pending`,
    );
    const down = await cli(['migrate', 'down', '--all']);
    expect(down.stdout).toContain('core: rolled back');
    expect((await cli(['migrate', 'status'])).stdout).toContain(
      `core: 0 applied, ${coreMigrations.length} pending`,
    );
    expect((await cli(['migrate'])).code).toBe(0);
    expect((await cli(['migrate', 'sideways'])).code).toBe(2);
  });

  it('seed reports what it added, and nothing the second time', async () => {
    const first = await cli(['seed']);
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/8 platforms, \d+ permissions, 7 roles/);
    expect((await cli(['seed'])).stdout).toContain('0 platforms, 0 permissions, 0 roles, 0 role permissions');
  });

  it('create-admin with a piped password creates a super admin with an Argon2id hash', async () => {
    const res = await cli(
      ['create-admin', '--email', 'Root@Example.com', '--username', 'root'],
      'correct horse battery\n',
    );
    expect(res.code).toBe(0);
    expect(res.stdout).toMatch(/^Created super admin root <root@example.com> \(id [0-9a-f-]{36}\)\.\n$/);
    expect(res.stdout).not.toContain('correct horse');

    const user = await db('User').where({ username: 'root' }).first();
    const account = await db('PlatformAccount').where({ user_id: user.id }).first();
    expect(account).toMatchObject({
      platform_id: 'email',
      platform_user_id: 'root@example.com',
      email: 'root@example.com',
    });
    expect(user.primary_platform_account_id).toBe(account.id);
    expect(account.password_hash).toMatch(/^\$argon2id\$/);
    expect(await argon2.verify(account.password_hash, 'correct horse battery')).toBe(true);
    expect(await db('UserRole').where({ user_id: user.id }).pluck('role_id')).toEqual(['role_super_admin']);
    expect(
      await db('AuditEvent').where({ user_id: user.id }).orderBy('event_type').pluck('event_type'),
    ).toEqual(['role_assigned', 'user_created']);
  });

  it('create-admin refuses a duplicate email (any case) and a duplicate username with a clear message', async () => {
    const email = await cli(
      ['create-admin', '--email', 'ROOT@example.com', '--username', 'other'],
      'another password 1\n',
    );
    expect(email).toEqual({
      code: 1,
      stdout: '',
      stderr: 'Error: An account with the email root@example.com already exists.\n',
    });
    const name = await cli(
      ['create-admin', '--email', 'new@example.com', '--username', 'ROOT'],
      'another password 1\n',
    );
    expect(name).toEqual({ code: 1, stdout: '', stderr: 'Error: The username ROOT is already taken.\n' });
    expect(await db('User').count({ n: '*' })).toEqual([{ n: 1 }]);
  });

  it('create-admin in a terminal generates a password and prints it once', async () => {
    const res = await cli(['create-admin', '--email', 'ops@example.com', '--username', 'ops']);
    expect(res.code).toBe(0);
    const password = /Password \(shown once, store it now\): (\S+)\n/.exec(res.stdout)?.[1];
    expect(password).toHaveLength(24);
    const account = await db('PlatformAccount').where({ platform_user_id: 'ops@example.com' }).first();
    expect(await argon2.verify(account.password_hash, password!)).toBe(true);
  });

  it('create-admin validates its input', async () => {
    expect(
      await cli(['create-admin', '--email', 'not-an-email', '--username', 'x1x'], 'long enough password\n'),
    ).toMatchObject({
      code: 1,
      stderr: 'Error: Enter a valid email address.\n',
    });
    expect(
      (await cli(['create-admin', '--email', 'a@b.example', '--username', 'abc'], 'short\n')).stderr,
    ).toContain('Password must be at least 12 characters.');
    const usage = await cli(['create-admin', '--username', 'abc']);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain('create-admin needs --email and --username.');
  });

  it('create-api-key prints the key once and stores only its hash and prefix', async () => {
    const res = await cli([
      'create-api-key',
      '--name',
      'discord-bot',
      '--roles',
      'role_api_read_only',
      '--system',
    ]);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('Created API key "discord-bot"');
    expect(res.stdout).toContain('system, roles: role_api_read_only, scopes: *');
    const key = /Key \(shown once, store it now\): (hm_\S+)\n/.exec(res.stdout)?.[1];
    expect(key).toMatch(/^hm_[A-Za-z0-9_-]{43}$/);
    const row = await db('ApiKey').where({ name: 'discord-bot' }).first();
    expect(row).toMatchObject({ is_system: true, user_id: null, key_prefix: key!.slice(0, 11) });
    expect(JSON.stringify(row)).not.toContain(key);
    expect(await db('ApiKeyRole').where({ api_key_id: row.id }).pluck('role_id')).toEqual([
      'role_api_read_only',
    ]);

    const owned = await cli([
      'create-api-key',
      '--name',
      'ops',
      '--roles',
      'role_api_full_access',
      '--scopes',
      'users:read,gps:*',
      '--user',
      'ops@example.com',
    ]);
    expect(owned.code).toBe(0);
    const opsRow = await db('ApiKey').where({ name: 'ops' }).first();
    expect(opsRow.scopes).toEqual(['users:read', 'gps:*']);
    expect(opsRow.user_id).toBe((await db('User').where({ username: 'ops' }).first()).id);
  });

  it('rotate-signing-key makes new keys sign and keeps the old ones published for a while', async () => {
    const first = await cli(['rotate-signing-key'], undefined, { HEIMDALL__SECRETS__ENCRYPTION_KEY: KEY });
    expect(first.code).toBe(0);
    const second = await cli(['rotate-signing-key'], undefined, { HEIMDALL__SECRETS__ENCRYPTION_KEY: KEY });
    const active = /New signing keys active: (.+)\.\n/.exec(second.stdout)?.[1]?.split(', ') ?? [];
    const retired = /Keys (.+) no longer sign/.exec(second.stdout)?.[1]?.split(', ') ?? [];
    expect(active).toHaveLength(2);
    expect(retired).toHaveLength(2);
    const keys = await db('OidcSigningKey').select('kid', 'alg', 'retired_at', 'expires_at');
    const signing = keys.filter((k) => k.retired_at === null);
    expect(signing.map((k) => k.kid).sort()).toEqual([...active].sort());
    expect(signing.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256']);
    for (const kid of retired) expect(keys.find((k) => k.kid === kid)?.expires_at).toBeInstanceOf(Date);
  });

  it('create-api-key explains what is wrong', async () => {
    expect((await cli(['create-api-key', '--roles', 'role_user'])).stderr).toContain(
      'create-api-key needs --name.',
    );
    const unknownRole = await cli(['create-api-key', '--name', 'x', '--roles', 'role_nope']);
    expect(unknownRole).toMatchObject({ code: 1, stderr: 'Error: Unknown role: role_nope.\n' });
    const unknownUser = await cli(['create-api-key', '--name', 'x', '--user', 'nobody@example.com']);
    expect(unknownUser.code).toBe(2);
    expect(unknownUser.stderr).toContain('No user with the email nobody@example.com.');
    const badScope = await cli(['create-api-key', '--name', 'x', '--scopes', 'NOPE']);
    expect(badScope.code).toBe(2);
    expect(badScope.stderr).toContain('scopes.0: A scope is "*" or "resource:action".');
  });

  it('config prints the effective configuration with secrets redacted', async () => {
    const res = await cli(['config'], undefined, {
      HEIMDALL__DATABASE__URL: 'postgres://heimdall:topsecret@db.internal:5432/heimdall',
      HEIMDALL__SERVER__PORT: '8080',
    });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('port = 8080');
    expect(res.stdout).toContain('url = "postgres://heimdall:***@db.internal:5432/heimdall"');
    expect(res.stdout).not.toContain('topsecret');
  });

  it('exits with code 2 and names the key and tier on bad configuration', async () => {
    const res = await cli(['config'], undefined, {
      HEIMDALL__SERVER__PORT: 'abc',
      HEIMDALL__SERVER__COLOR: 'red',
    });
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('server.port (from env HEIMDALL__SERVER__PORT): expected number, got "abc"');
    expect(res.stderr).toContain('server.color (from env HEIMDALL__SERVER__COLOR): unknown key');
  });

  it('exits with code 2 on unknown commands, options and roles', async () => {
    expect((await cli(['frobnicate'])).code).toBe(2);
    expect((await cli(['config', '--bogus'])).code).toBe(2);
    const roles = await cli(['start', '--roles', 'api,teleport']);
    expect(roles.code).toBe(2);
    expect(roles.stderr).toContain(
      'Unknown role: teleport. Available: api, admin, realtime, scheduler, all.',
    );
    expect((await cli(['help'])).stdout).toContain('Usage: heimdall <command>');
  });
});
