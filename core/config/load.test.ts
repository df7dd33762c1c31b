import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig, redactConfig } from './index.js';

function configDir(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'heimdall-config-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}

function problemsOf(fn: () => unknown): ConfigError['problems'] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('expected a ConfigError');
}

describe('config tiers', () => {
  const dir = configDir({
    'default.toml':
      '[server]\nport = 1000\nhost = "default-host"\npublic_url = "http://default"\n[log]\nlevel = "info"\n',
    'staging.toml': '[server]\nport = 2000\nhost = "staging-host"\n',
    'local.toml': '[server]\nport = 3000\n',
  });

  it('applies default → {env} → local → env vars, each overriding only what it sets', () => {
    const config = loadConfig({ dir, env: 'staging', vars: { HEIMDALL__SERVER__PORT: '4000' } });
    expect(config.server.port).toBe(4000);
    expect(config.server.host).toBe('staging-host');
    expect(config.server.public_url).toBe('http://default');
    expect(config.log.level).toBe('info');
  });

  it('falls back tier by tier when a higher tier is absent', () => {
    expect(loadConfig({ dir, env: 'staging', vars: {} }).server.port).toBe(3000);
    const noLocal = configDir({
      'default.toml': '[server]\nport = 1000\n',
      'staging.toml': '[server]\nport = 2000\n',
    });
    expect(loadConfig({ dir: noLocal, env: 'staging', vars: {} }).server.port).toBe(2000);
    expect(loadConfig({ dir: noLocal, env: 'production', vars: {} }).server.port).toBe(1000);
  });

  it('picks the env file from HEIMDALL_ENV, then NODE_ENV', () => {
    expect(loadConfig({ dir, vars: { HEIMDALL_ENV: 'staging', NODE_ENV: 'production' } }).server.host).toBe(
      'staging-host',
    );
    expect(loadConfig({ dir, vars: { NODE_ENV: 'staging' } }).server.host).toBe('staging-host');
  });

  it('coerces env vars to the schema types, nesting on double underscores', () => {
    const config = loadConfig({
      dir,
      env: 'none',
      vars: {
        HEIMDALL__DATABASE__EMBEDDED__PORT: '6000',
        HEIMDALL__SERVER__TRUST_PROXY: 'true',
        HEIMDALL__SERVER__CORS_ORIGINS: 'https://a.example, https://b.example',
        HEIMDALL__REDIS__URL: 'redis://cache:6379',
        HEIMDALL__DATA_DIR: '/var/lib/heimdall',
      },
    });
    expect(config.database.embedded.port).toBe(6000);
    expect(config.server.trust_proxy).toBe(true);
    expect(config.server.cors_origins).toEqual(['https://a.example', 'https://b.example']);
    expect(config.redis.url).toBe('redis://cache:6379');
    expect(config.data_dir).toBe('/var/lib/heimdall');
    expect(
      loadConfig({ dir, env: 'none', vars: { HEIMDALL__SERVER__TRUST_PROXY: '2' } }).server.trust_proxy,
    ).toBe(2);
  });

  it('treats an empty URL as unset so an env var can switch Redis off', () => {
    const withRedis = configDir({ 'default.toml': '[redis]\nurl = "redis://x:6379"\n' });
    expect(
      loadConfig({ dir: withRedis, env: 'none', vars: { HEIMDALL__REDIS__URL: '' } }).redis.url,
    ).toBeUndefined();
  });

  it('fills every section with defaults when default.toml is empty', () => {
    const config = loadConfig({ dir: configDir({ 'default.toml': '' }), env: 'none', vars: {} });
    expect(config.server.port).toBe(3000);
    expect(config.database.url).toBeUndefined();
    expect(config.audit.retention_days).toBe(365);
  });

  it('finds the policy pages beside the TOML files unless given an absolute directory', () => {
    const dir = configDir({ 'default.toml': '' });
    expect(loadConfig({ dir, env: 'none', vars: {} }).policies.dir).toBe(path.join(dir, 'policies'));
    const elsewhere = path.join(tmpdir(), 'operator-policies');
    expect(loadConfig({ dir, env: 'none', vars: { HEIMDALL__POLICIES__DIR: elsewhere } }).policies.dir).toBe(
      elsewhere,
    );
  });
});

describe('config errors name the key, the tier and what was expected', () => {
  it('bad value from an env var', () => {
    const dir = configDir({ 'default.toml': '' });
    expect(
      problemsOf(() => loadConfig({ dir, env: 'none', vars: { HEIMDALL__SERVER__PORT: 'abc' } })),
    ).toEqual([
      { key: 'server.port', tier: 'env HEIMDALL__SERVER__PORT', problem: 'expected number, got "abc"' },
    ]);
  });

  it('bad value from a file', () => {
    const dir = configDir({
      'default.toml': '',
      'local.toml': '[server]\nport = 70000\n[log]\nlevel = "loud"\n',
    });
    const problems = problemsOf(() => loadConfig({ dir, env: 'none', vars: {} }));
    expect(problems.map((p) => [p.key, p.tier])).toEqual([
      ['server.port', `${path.basename(dir)}/local.toml`],
      ['log.level', `${path.basename(dir)}/local.toml`],
    ]);
    expect(problems[0]!.problem).toMatch(/65535.*got 70000/);
    expect(problems[1]!.problem).toMatch(/"fatal"\|"error"|expected one of/);
  });

  it('unknown key in a file and in an env var', () => {
    const dir = configDir({ 'default.toml': '[server]\nprot = 1\n[nope]\nx = 1\n' });
    const problems = problemsOf(() =>
      loadConfig({ dir, env: 'none', vars: { HEIMDALL__SERVER__NOPE: '1' } }),
    );
    const tier = `${path.basename(dir)}/default.toml`;
    expect(problems).toEqual(
      expect.arrayContaining([
        { key: 'server.nope', tier: 'env HEIMDALL__SERVER__NOPE', problem: 'unknown key' },
        { key: 'server.prot', tier, problem: 'unknown key' },
        { key: 'nope', tier, problem: 'unknown key' },
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('malformed TOML, a missing default.toml and an unreadable file', () => {
    const bad = configDir({ 'default.toml': '[server\nport = 1' });
    expect(problemsOf(() => loadConfig({ dir: bad, env: 'none', vars: {} }))[0]).toMatchObject({
      tier: `${path.basename(bad)}/default.toml`,
      problem: expect.stringMatching(/^is not valid TOML/),
    });
    const empty = configDir({});
    expect(problemsOf(() => loadConfig({ dir: empty, env: 'none', vars: {} }))[0]).toMatchObject({
      problem: 'file not found',
    });
    const unreadable = configDir({ 'default.toml': '' });
    mkdirSync(path.join(unreadable, 'local.toml'));
    expect(problemsOf(() => loadConfig({ dir: unreadable, env: 'none', vars: {} }))[0]).toMatchObject({
      tier: `${path.basename(unreadable)}/local.toml`,
      problem: 'cannot be read (EISDIR)',
    });
  });

  it('never prints a secret value in an error', () => {
    const dir = configDir({ 'default.toml': '' });
    const problems = problemsOf(() =>
      loadConfig({ dir, env: 'none', vars: { HEIMDALL__DATABASE__URL: 'mysql://root:hunter2@db/x' } }),
    );
    expect(problems[0]!.key).toBe('database.url');
    expect(JSON.stringify(problems)).not.toContain('hunter2');
  });
});

describe('redactConfig', () => {
  it('hides passwords in URLs and keeps the rest readable', () => {
    const dir = configDir({ 'default.toml': '' });
    const config = loadConfig({
      dir,
      env: 'none',
      vars: {
        HEIMDALL__DATABASE__URL: 'postgres://heimdall:s3cret@db:5432/heimdall',
        HEIMDALL__REDIS__URL: 'redis://cache:6379',
      },
    });
    const redacted = redactConfig(config) as { database: { url: string }; redis: { url: string } };
    expect(redacted.database.url).toBe('postgres://heimdall:***@db:5432/heimdall');
    expect(redacted.redis.url).toBe('redis://cache:6379');
    expect(config.database.url).toContain('s3cret');
  });

  it('hides key lists and provider secrets whole', () => {
    const oldKey = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({
      dir: configDir({
        'default.toml': `[secrets]\nprevious_encryption_keys = ["${oldKey}"]\n[social.discord]\nclient_secret = "discord-s3cret"\n`,
      }),
      env: 'none',
      vars: {},
    });
    const text = JSON.stringify(redactConfig(config));
    expect(text).not.toContain(oldKey);
    expect(text).not.toContain('discord-s3cret');
    expect(config.secrets.previous_encryption_keys).toEqual([oldKey]);
  });
});
