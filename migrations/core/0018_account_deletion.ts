import type { Migration } from '../types.js';

/**
 * "AccountDeletion": a person's request to have their account deleted, waiting out its grace period. The User
 * table's columns are fixed, so the request lives in a table of its own; deleting the user (the purge) deletes
 * it with them. `purge_after` is when the scheduler's purge may erase the account; the partial index on it serves
 * the purge's search for due requests.
 */
export const accountDeletion: Migration = {
  name: '0018_account_deletion',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "AccountDeletion" (
        user_id UUID PRIMARY KEY REFERENCES "User"(id) ON DELETE CASCADE,
        requested_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        purge_after TIMESTAMPTZ NOT NULL,
        requested_by TEXT NOT NULL,
        reason TEXT CHECK (reason IS NULL OR char_length(reason) BETWEEN 1 AND 500),
        via TEXT NOT NULL CHECK (via IN ('self', 'admin')),
        CHECK (purge_after >= requested_at)
      );
      CREATE INDEX "AccountDeletion_purge_after_idx" ON "AccountDeletion" (purge_after);
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "AccountDeletion";`);
  },
};
