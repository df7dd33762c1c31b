import type { Knex } from 'knex';
import { afterAll, beforeAll } from '@jest/globals';
import { createKnex } from '../../core/db/knex.js';
import { createTestDatabase, type TestDatabase } from './database.js';

/** A fresh database for the test file and a knex on it; both are cleaned up after the file. */
export function useTestDatabase(): { readonly db: Knex; readonly database: TestDatabase } {
  const state = {} as { db: Knex; database: TestDatabase };
  beforeAll(async () => {
    state.database = await createTestDatabase();
    state.db = createKnex(state.database.url, { min: 0, max: 4 });
  });
  afterAll(async () => {
    await state.db?.destroy();
    await state.database?.drop();
  });
  return state;
}
