import type { Migration } from '../types.js';

/**
 * Emailed single-use links: email verification and password reset. Only the SHA-256 of a link's token
 * is kept; a link works once (`used_at`) and until `expires_at`. Issuing a new link of the same purpose voids the
 * older ones, so only the latest email works.
 */
export const accountTokens: Migration = {
  name: '0010_account_tokens',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "AccountToken" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
        token_hash TEXT UNIQUE NOT NULL,
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        platform_account_id UUID NOT NULL REFERENCES "PlatformAccount"(id) ON DELETE CASCADE,
        expires_at TIMESTAMPTZ NOT NULL,
        used_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "AccountToken_account_idx" ON "AccountToken" (platform_account_id, purpose);
      CREATE INDEX "AccountToken_user_id_idx" ON "AccountToken" (user_id);
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "AccountToken";`);
  },
};
