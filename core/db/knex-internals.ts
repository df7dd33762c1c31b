import type { Knex } from 'knex';
import type pg from 'pg';

/**
 * The one module that reaches into knex's pool, for callers that need a raw node-postgres connection (named
 * prepared statements, COPY), which knex's public API does not hand out:
 * - `db.client.acquireConnection()` / `db.client.releaseConnection(connection)` (knex/lib/client.js): take a
 *   pooled connection and give it back;
 * - `connection.__knex__disposed` (set by knex/lib/dialects/postgres on a connection's error or end): knex's pool
 *   validates a connection before handing it out again and destroys one that carries it.
 * Checked against knex >=3.3.0 <4.0.0 (installed: 3.3.0); knex-internals.test.ts fails when the installed knex
 * leaves that range or these stop behaving so.
 */
export const KNEX_CHECKED_FROM = '3.3.0';
export const KNEX_CHECKED_BELOW = '4.0.0';

export type PgConnection = pg.PoolClient;

/** A connection of the knex pool, for the caller alone until `releaseConnection`. Never inside a transaction. */
export function acquireConnection(db: Knex): Promise<PgConnection> {
  return db.client.acquireConnection() as Promise<PgConnection>;
}

/** Gives a connection back to the knex pool. */
export function releaseConnection(db: Knex, connection: PgConnection): Promise<void> {
  return db.client.releaseConnection(connection) as Promise<void>;
}

/**
 * Marks a connection unusable, as knex itself does with a broken one: once released, the pool destroys it
 * instead of handing it out again.
 */
export function discardConnection(connection: PgConnection, reason: unknown): void {
  (connection as PgConnection & { __knex__disposed?: unknown }).__knex__disposed = reason;
}
