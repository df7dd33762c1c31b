import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { installedVersion, withinRange } from '../../test/support/installed.js';
import { createKnex } from './knex.js';
import {
  acquireConnection,
  discardConnection,
  KNEX_CHECKED_BELOW,
  KNEX_CHECKED_FROM,
  releaseConnection,
} from './knex-internals.js';

/** Fails on a knex upgrade that moves what knex-internals.ts reaches into: re-check it, then move the range. */
describe('knex internals', () => {
  let database: TestDatabase;
  let db: Knex;

  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection, so that "the same connection again" and "a new one" are the only possible outcomes.
    db = createKnex(database.url, { min: 0, max: 1 });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const backendPid = async (connection: Awaited<ReturnType<typeof acquireConnection>>) =>
    (await connection.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;

  it('the installed knex is within the checked range', () => {
    expect(withinRange(installedVersion('knex'), KNEX_CHECKED_FROM, KNEX_CHECKED_BELOW)).toBe(true);
  });

  it('the client has acquireConnection() and releaseConnection(connection)', () => {
    expect(typeof db.client.acquireConnection).toBe('function');
    expect(typeof db.client.releaseConnection).toBe('function');
  });

  it('hands out a node-postgres connection, and the same one again after its release', async () => {
    const first = await acquireConnection(db);
    const pid = await backendPid(first);
    await releaseConnection(db, first);
    const again = await acquireConnection(db);
    expect(await backendPid(again)).toBe(pid);
    await releaseConnection(db, again);
  });

  it('replaces a connection released as discarded (__knex__disposed)', async () => {
    const first = await acquireConnection(db);
    const pid = await backendPid(first);
    discardConnection(first, new Error('stale'));
    await releaseConnection(db, first);
    const next = await acquireConnection(db);
    expect(await backendPid(next)).not.toBe(pid);
    await releaseConnection(db, next);
  });
});
