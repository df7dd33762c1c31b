import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import type pg from 'pg';

/**
 * One fixed SQL statement, run as a named prepared statement on a connection of the knex pool: PostgreSQL parses
 * and plans it once per connection instead of on every call, and the call skips knex's query builder. For the
 * hottest queries only (oidc-provider's storage: a sign-in runs a dozen, every token grant some). Measured on the
 * 2-core machine (bench notes in docs/oidc.md), a lookup by key cost the event loop 58 µs instead of 181 µs
 * through knex's builder, and PostgreSQL 32 µs instead of 96 µs.
 *
 * Each call takes a connection of its own, so a statement never runs inside a knex transaction. The name is a
 * hash of the text: the same text is prepared once per connection, and two texts never share a name.
 */
export interface Statement<R> {
  (db: Knex, values: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

export function prepared<R extends object = Record<string, unknown>>(text: string): Statement<R> {
  const name = `heimdall_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return async (db, values) => {
    const client = (await db.client.acquireConnection()) as pg.PoolClient;
    try {
      const result = await client.query<R>({ name, text, values: [...values] });
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    } finally {
      await db.client.releaseConnection(client);
    }
  };
}
