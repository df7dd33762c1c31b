import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { freePort } from '../support/ports.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { waitUntil } from '../support/wait.js';

/**
 * The built `heimdall start` with `log.format = "pretty"`, its stdout a pipe: readable lines without colours,
 * the last one written before the process exits.
 */
describe('heimdall start: pretty logs', () => {
  let database: TestDatabase;
  let dataDir: string | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes one readable line per record, to the last one', async () => {
    const port = await freePort();
    dataDir = path.resolve('.heimdall', `log-format-${port}`);
    const child = spawn(process.execPath, [path.resolve('dist/server/cli/main.js'), 'start'], {
      env: {
        ...process.env,
        NODE_ENV: 'production',
        HEIMDALL__DATABASE__URL: database.url,
        HEIMDALL__SERVER__PORT: String(port),
        HEIMDALL__SERVER__HOST: '127.0.0.1',
        HEIMDALL__LOG__LEVEL: 'info',
        HEIMDALL__LOG__FORMAT: 'pretty',
        HEIMDALL__DATA_DIR: dataDir,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    await waitUntil(() => stdout.includes('Heimdall is listening'), 'the listening line', 30_000, 100);
    // A request with a credential: the request log line must not carry it.
    await fetch(`http://127.0.0.1:${port}/v1/me`, { headers: { authorization: 'Bearer hm_not_a_real_key' } });
    child.kill('SIGINT');
    expect(await exited).toBe(0);

    const lines = stdout.split('\n').filter(Boolean);
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] [A-Z]+ \(heimdall\): /);
    expect(lines.some((l) => / INFO \(heimdall\): Heimdall is listening/.test(l))).toBe(true);
    expect(lines.some((l) => / WARN \(heimdall\): request completed .*"statusCode":401/.test(l))).toBe(true);
    expect(lines.at(-1)).toMatch(/ INFO \(heimdall\): stopped$/);
    expect(stdout).not.toContain('hm_not_a_real_key');
    expect(stdout).not.toContain('\u001b[');
    expect(stdout).not.toMatch(/^\{/m);
  });
});
