import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Knex } from 'knex';
import { createKnex } from '../../core/db/knex.js';
import { prepared } from '../../core/db/prepared.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** Named prepared statements on the knex pool (core/db/prepared.ts), as oidc/adapter.ts runs its queries. */
describe('prepared statements', () => {
  let database: TestDatabase;
  let db: Knex;
  beforeAll(async () => {
    database = await createTestDatabase();
    // One connection: every call below shares it, so what it prepared is visible to the next call.
    db = createKnex(database.url, { min: 0, max: 1 });
  });
  afterAll(async () => {
    await db?.destroy();
    await database?.drop();
  });

  const double = prepared<{ twice: number }>('SELECT $1::int * 2 AS twice');
  const inverse = prepared<{ inverse: number }>('SELECT 1 / $1::int AS inverse');

  it('prepares a statement once per connection and runs it with each call’s values', async () => {
    for (let i = 0; i < 10; i += 1) expect((await double(db, [i])).rows).toEqual([{ twice: i * 2 }]);
    const { rows } = await prepared<{ name: string; statement: string }>(
      'SELECT name, statement FROM pg_prepared_statements ORDER BY name',
    )(db, []);
    const ours = rows.filter((r) => r.statement === 'SELECT $1::int * 2 AS twice');
    expect(ours).toHaveLength(1);
    expect(ours[0]!.name).toMatch(/^heimdall_[0-9a-f]{24}$/);
  });

  it('passes PostgreSQL’s error on and gives the connection back to the pool', async () => {
    await expect(inverse(db, [0])).rejects.toMatchObject({ code: '22012' });
    // The pool holds one connection: these would time out had the failed call kept it.
    expect((await inverse(db, [1])).rows).toEqual([{ inverse: 1 }]);
    expect(await db.raw('SELECT 1 AS one')).toMatchObject({ rows: [{ one: 1 }] });
  });

  it('tells how many rows a write touched', async () => {
    await db.raw('CREATE TABLE prepared_probe (id int PRIMARY KEY)');
    const insert = prepared('INSERT INTO prepared_probe (id) SELECT generate_series(1, $1::int)');
    expect((await insert(db, [3])).rowCount).toBe(3);
    expect((await prepared('DELETE FROM prepared_probe WHERE id > $1')(db, [1])).rowCount).toBe(2);
  });

  it('runs on after a migration changed what a prepared statement returns, on a fresh connection', async () => {
    await db.raw('CREATE TABLE prepared_migrated (id int PRIMARY KEY, n int)');
    await db.raw('INSERT INTO prepared_migrated VALUES (1, 7)');
    const read = prepared<{ n: string | number }>('SELECT n FROM prepared_migrated WHERE id = $1');
    expect((await read(db, [1])).rows).toEqual([{ n: 7 }]);
    const backend = async () => (await db.raw('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const before = await backend();
    // As a deploy's migration would, while this process runs: the prepared plan no longer fits (0A000).
    await db.raw('ALTER TABLE prepared_migrated ALTER COLUMN n TYPE numeric');
    expect((await read(db, [1])).rows).toEqual([{ n: '7' }]);
    expect(await backend()).not.toBe(before);
  });

  it('runs on when the server no longer has the statement (DISCARD ALL, a pooler)', async () => {
    expect((await double(db, [2])).rows).toEqual([{ twice: 4 }]);
    await db.raw('DEALLOCATE ALL');
    expect((await double(db, [3])).rows).toEqual([{ twice: 6 }]);
  });
});
