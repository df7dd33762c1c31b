import type { Migration } from '../types.js';

/**
 * Indexes for the admin user list (core/users/queries.ts), so that searching and paging cost the same with a
 * hundred thousand users as with a thousand:
 * - trigram GIN indexes (pg_trgm) on "User".username and "PlatformAccount".email, which serve the list's
 *   case-insensitive "contains" search (ILIKE '%q%') and its short prefix search (ILIKE 'q%'). Without
 *   fastupdate: new rows go into the index at once instead of a pending list that every search would read
 *   through until the next vacuum (users and accounts are written rarely, searched often);
 * - B-tree indexes on ("User".created_at, id) and (last_login_at, id), the list's sort columns besides username
 *   (whose unique constraint has one) with the tiebreak: a page is a walk down an index, not a sort of every
 *   user, in either direction.
 * pg_trgm ships with PostgreSQL (contrib: Debian's postgresql package, the official image, the embedded
 * binaries) and is a trusted extension, so the database owner may create it. Rolling back drops the indexes and
 * leaves the extension, which something else may use.
 */
export const userSearch: Migration = {
  name: '0014_user_search',
  async up(knex) {
    await knex.raw(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE INDEX "User_username_trgm_idx" ON "User" USING gin (username gin_trgm_ops)
        WITH (fastupdate = off);
      CREATE INDEX "PlatformAccount_email_trgm_idx" ON "PlatformAccount" USING gin (email gin_trgm_ops)
        WITH (fastupdate = off);
      CREATE INDEX "User_created_at_id_idx" ON "User" (created_at, id);
      CREATE INDEX "User_last_login_at_id_idx" ON "User" (last_login_at, id);
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP INDEX "User_last_login_at_id_idx", "User_created_at_id_idx", "PlatformAccount_email_trgm_idx",
        "User_username_trgm_idx";
    `);
  },
};
