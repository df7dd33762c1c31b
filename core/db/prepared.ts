import { createHash } from 'node:crypto';
import type { Knex } from 'knex';
import { acquireConnection, discardConnection, releaseConnection } from './knex-internals.js';

/**
 * One fixed SQL statement, run as a named prepared statement on a connection of the knex pool: PostgreSQL parses
 * and plans it once per connection instead of on every call, and the call skips knex's query builder. For the
 * hottest queries only (a sign-in runs a dozen, every API request with a JWT one), where building and planning
 * the same text again on every call would cost the event loop and PostgreSQL several times the lookup itself
 * (figures in docs/performance.md).
 *
 * Each call takes a connection of its own, so a statement never runs inside a knex transaction. The name is a
 * hash of the text: the same text is prepared once per connection, and two texts never share a name.
 */
export interface Statement<R> {
  (db: Knex, values: readonly unknown[]): Promise<{ rows: R[]; rowCount: number }>;
}

/**
 * A statement a connection can no longer run as prepared: a migration changed what it returns while this process
 * kept running (0A000, "cached plan must not change result type"), or the server no longer has it (26000: a
 * pooler or DISCARD ALL dropped it). The call gives such a connection back marked unusable, so that knex's pool
 * replaces it, and runs once more on another.
 */
const STALE = new Set(['0A000', '26000']);

export function prepared<R extends object = Record<string, unknown>>(text: string): Statement<R> {
  const name = `heimdall_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return async (db, values) => {
    for (let attempt = 1; ; attempt += 1) {
      const client = await acquireConnection(db);
      try {
        const result = await client.query<R>({ name, text, values: [...values] });
        return { rows: result.rows, rowCount: result.rowCount ?? 0 };
      } catch (err) {
        if (attempt > 1 || !STALE.has((err as { code?: string }).code ?? '')) throw err;
        // What knex itself does with a broken connection: its pool will not hand this one out again.
        discardConnection(client, err);
      } finally {
        await releaseConnection(db, client);
      }
    }
  };
}
