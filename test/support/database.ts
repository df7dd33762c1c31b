import pg from 'pg';
import { uniqueName } from './services.js';

/** The admin URL of the test server (set by global-setup). */
export function testServerUrl(): string {
  const url = process.env.HEIMDALL_TEST_DATABASE_URL;
  if (!url) throw new Error('HEIMDALL_TEST_DATABASE_URL is not set: run tests through `npm test`.');
  return url;
}

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testServerUrl() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh, empty database per test file, so files run in parallel without sharing state. */
export async function createTestDatabase(prefix = 'heimdall_test'): Promise<TestDatabase> {
  const name = uniqueName(prefix).toLowerCase();
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(testServerUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => undefined),
  };
}
