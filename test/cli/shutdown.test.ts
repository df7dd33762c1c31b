import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startBuilt, type BuiltStart } from '../support/built-start.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/**
 * The built `heimdall start` as an operator runs it (NODE_ENV=production, where libraries such as Apollo would
 * install signal handlers of their own): one Ctrl-C stops everything in order and exits 0.
 */
describe('heimdall start: shutdown on SIGINT', () => {
  let database: TestDatabase;
  let heimdall: BuiltStart | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
    heimdall?.cleanUp();
  });

  it('stops cleanly after one signal', async () => {
    heimdall = await startBuilt(database.url);
    await heimdall.listening();
    expect((await fetch(`http://127.0.0.1:${heimdall.port}/ready`)).status).toBe(200);
    heimdall.kill('SIGINT');
    expect(await heimdall.exited).toBe(0);
    const output = heimdall.stdout() + heimdall.stderr();
    expect(output).toContain('"msg":"stopped"');
    expect(output).not.toContain('second signal');
  });
});
