import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The built `heimdall start` as an operator runs it (NODE_ENV=production, where libraries such as Apollo would
 * install signal handlers of their own): one Ctrl-C stops everything in order and exits 0.
 */
describe('heimdall start: shutdown on SIGINT', () => {
  let database: TestDatabase;
  let dataDir: string | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('stops cleanly after one signal', async () => {
    const port = await freePort();
    dataDir = path.resolve('.heimdall', `shutdown-${port}`);
    const child = spawn(process.execPath, [path.resolve('dist/server/cli/main.js'), 'start'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HEIMDALL__DATABASE__URL: database.url,
        HEIMDALL__SERVER__PORT: String(port),
        HEIMDALL__SERVER__HOST: '127.0.0.1',
        HEIMDALL__LOG__LEVEL: 'info',
        HEIMDALL__DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    const deadline = Date.now() + 30_000;
    while (!output.includes('Heimdall is listening') && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await fetch(`http://127.0.0.1:${port}/ready`)).status).toBe(200);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain('second signal');
  });
});
