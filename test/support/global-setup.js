// Jest loads global setup outside its module transform, so this file is plain ESM and uses the built code
// (`npm test` builds first). It provides PostgreSQL for the whole run: the server named by
// HEIMDALL_TEST_DATABASE_URL, or an embedded one so that `npm test` works on a machine with only Node.
// Workers inherit the URL through the environment.
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../dist/core/db/embedded.js';

async function check(url) {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('select 1');
  } catch (err) {
    throw new Error(`PostgreSQL at HEIMDALL_TEST_DATABASE_URL is not reachable: ${err.message}`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export default async function globalSetup() {
  const configured = process.env.HEIMDALL_TEST_DATABASE_URL;
  if (configured) {
    await check(configured);
    return;
  }
  if (process.env.CI === 'true') {
    throw new Error(
      'CI=true requires HEIMDALL_TEST_DATABASE_URL: PostgreSQL-backed tests must not be skipped.',
    );
  }
  const server = await startEmbeddedPostgres({ dir: path.resolve('.heimdall/test-postgres'), port: 54339 });
  globalThis.__heimdallTestPostgres = server;
  process.env.HEIMDALL_TEST_DATABASE_URL = server.url;
}
