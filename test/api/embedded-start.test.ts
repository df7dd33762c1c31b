import { mkdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../server/cli/run.js';
import { freePort } from '../support/ports.js';
import { uniqueName } from '../support/services.js';
import { CONFIG_DIR, startTestPlatform, TEST_ENCRYPTION_KEY } from '../support/platform.js';

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The README's start path: nothing configured, so Heimdall runs its own PostgreSQL under data_dir. */
describe('start with nothing configured', () => {
  const dataDir = path.resolve('.heimdall', uniqueName('test-embedded'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts embedded PostgreSQL, serves /health and /ready, stops it, and reuses the data next time', async () => {
    const pgPort = await freePort();
    const vars = { HEIMDALL__DATA_DIR: dataDir, HEIMDALL__DATABASE__EMBEDDED__PORT: String(pgPort) };

    const first = await startTestPlatform(vars);
    expect(first.databases.embedded).toBeDefined();
    expect((await fetch(`${first.url}/health`)).status).toBe(200);
    const ready = await fetch(`${first.url}/ready`);
    expect(ready.status).toBe(200);
    const counts = async (p: typeof first) => ({
      roles: (await p.databases.primary('Role').count({ n: '*' }))[0]!.n,
      permissions: (await p.databases.primary('Permission').count({ n: '*' }))[0]!.n,
      platforms: (await p.databases.primary('Platform').count({ n: '*' }))[0]!.n,
    });
    const before = await counts(first);
    expect(before.roles).toBe(7);
    await first.databases
      .primary('Setting')
      .insert({ key: 'kept.across.restarts', value: JSON.stringify(true) });
    await first.stop();
    expect(await portOpen(pgPort)).toBe(false);

    const second = await startTestPlatform(vars);
    try {
      expect(await counts(second)).toEqual(before);
      expect(await second.databases.primary('Setting').where({ key: 'kept.across.restarts' })).toHaveLength(
        1,
      );
      expect((await fetch(`${second.url}/ready`)).status).toBe(200);
    } finally {
      await second.stop();
    }
    expect(await portOpen(pgPort)).toBe(false);
  });

  // The README's next step: `npx heimdall create-admin` in a second terminal while `npm start` runs.
  it('lets another command (create-admin) use the cluster a running Heimdall serves, and leaves it running', async () => {
    const pgPort = await freePort();
    const vars = {
      HEIMDALL__DATA_DIR: path.resolve('.heimdall', uniqueName('test-shared')),
      HEIMDALL__DATABASE__EMBEDDED__PORT: String(pgPort),
    };
    const platform = await startTestPlatform(vars);
    try {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['create-admin', '--email', 'second@example.com', '--username', 'second'], {
        env: {
          HEIMDALL_CONFIG_DIR: CONFIG_DIR,
          HEIMDALL_ENV: 'test',
          HEIMDALL__SECRETS__ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
          ...vars,
        },
        stdin: Readable.from(['a passphrase long enough\n']),
        stdout: { write: (t: string) => (stdout += t) },
        stderr: { write: (t: string) => (stderr += t) },
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
      expect(stdout).toMatch(/^Created super admin second <second@example.com>/);
      const db = platform.databases.primary;
      const admin = await db('User').where({ username: 'second' }).first();
      expect(await db('UserRole').where({ user_id: admin.id }).pluck('role_id')).toEqual([
        'role_super_admin',
      ]);
      // The command did not stop the server it found.
      expect(await portOpen(pgPort)).toBe(true);
      expect((await fetch(`${platform.url}/ready`)).status).toBe(200);
    } finally {
      await platform.stop();
      rmSync(vars.HEIMDALL__DATA_DIR, { recursive: true, force: true });
    }
    expect(await portOpen(pgPort)).toBe(false);
  });

  it('still refuses a port something else holds, naming the setting', async () => {
    const holder = net.createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => holder.once('listening', resolve));
    const dir = path.resolve('.heimdall', uniqueName('test-taken'));
    try {
      await expect(
        startTestPlatform({
          HEIMDALL__DATA_DIR: dir,
          HEIMDALL__DATABASE__EMBEDDED__PORT: String((holder.address() as net.AddressInfo).port),
        }),
      ).rejects.toThrow(/port \d+ is in use; set database.embedded.port/);
    } finally {
      holder.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  const asRoot = process.getuid?.() === 0 ? it : it.skip;
  asRoot(
    'as root, still works when the postgres user cannot reach data_dir (e.g. under a 0700 home)',
    async () => {
      const locked = path.resolve('.heimdall', uniqueName('test-locked'));
      mkdirSync(locked, { mode: 0o700 });
      try {
        const platform = await startTestPlatform({
          HEIMDALL__DATA_DIR: locked,
          HEIMDALL__DATABASE__EMBEDDED__PORT: String(await freePort()),
        });
        const clusterDir = platform.databases.embedded!.dir;
        try {
          expect(clusterDir.startsWith('/var/lib/heimdall/embedded/')).toBe(true);
          expect((await fetch(`${platform.url}/ready`)).status).toBe(200);
        } finally {
          await platform.stop();
          rmSync(path.dirname(clusterDir), { recursive: true, force: true });
        }
      } finally {
        rmSync(locked, { recursive: true, force: true });
      }
    },
  );
});
