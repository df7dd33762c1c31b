import type { Migration } from '../types.js';

/** One active signing key per algorithm (ES256 for access tokens, RS256 for ID tokens) instead of one overall. */
export const signingKeyPerAlg: Migration = {
  name: '0012_signing_key_per_alg',
  async up(knex) {
    await knex.raw(`
      DROP INDEX "OidcSigningKey_one_active_idx";
      CREATE UNIQUE INDEX "OidcSigningKey_one_active_idx" ON "OidcSigningKey" (alg) WHERE retired_at IS NULL;
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP INDEX "OidcSigningKey_one_active_idx";
      CREATE UNIQUE INDEX "OidcSigningKey_one_active_idx" ON "OidcSigningKey" ((true)) WHERE retired_at IS NULL;
    `);
  },
};
