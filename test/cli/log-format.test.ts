import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBuilt, type BuiltStart } from '../support/built-start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The built `heimdall start` with `log.format = "pretty"`, its stdout a pipe: readable lines without colours,
 * the last one written before the process exits.
 */
describe('heimdall start: pretty logs', () => {
  let database: TestDatabase;
  let heimdall: BuiltStart | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    heimdall?.cleanUp();
  });

  it('writes one readable line per record, to the last one', async () => {
    heimdall = await startBuilt(database.url, { HEIMDALL__LOG__FORMAT: 'pretty' });
    await heimdall.listening();
    // A request with a credential: the request log line must not carry it.
    await fetch(`http://127.0.0.1:${heimdall.port}/v1/me`, {
      headers: { authorization: 'Bearer hm_not_a_real_key' },
    });
    heimdall.kill('SIGINT');
    expect(await heimdall.exited).toBe(0);

    const stdout = heimdall.stdout();
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
