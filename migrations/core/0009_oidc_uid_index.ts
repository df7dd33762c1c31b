import type { Migration } from '../types.js';

/**
 * The session uid index of 0008 was unique; oidc-provider may briefly keep two rows with one uid (a session saved
 * under its old id while a sign-in resets the id), and a unique index turned that race into an error. Lookups by
 * uid need an index, not uniqueness.
 */
export const oidcUidIndex: Migration = {
  name: '0009_oidc_uid_index',
  async up(knex) {
    await knex.raw(`
      DROP INDEX "OidcPayload_uid_idx";
      CREATE INDEX "OidcPayload_uid_idx" ON "OidcPayload" (model, uid) WHERE uid IS NOT NULL;
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP INDEX "OidcPayload_uid_idx";
      CREATE UNIQUE INDEX "OidcPayload_uid_idx" ON "OidcPayload" (model, uid) WHERE uid IS NOT NULL;
    `);
  },
};
