import type { Migration } from '../types.js';

/**
 * Social sign-in and platform tokens:
 * - "PlatformAccount".display_name: the name a provider shows (Twitch's display_name, Discord's global name) beside
 *   the login name kept in `username`;
 * - one account per platform per person (besides email): which Twitch account a bot acts for is never ambiguous;
 * - "PlatformToken": the upstream access and refresh tokens of an account, sealed with the secrets key (AES-256-GCM,
 *   the key's id in each value, so rotation knows what to re-seal), with their expiry and whether the provider
 *   still accepts them. The partial index serves the scheduler's "what expires soon" scan.
 */
export const platformTokens: Migration = {
  name: '0015_platform_tokens',
  async up(knex) {
    await knex.raw(`
      ALTER TABLE "PlatformAccount" ADD COLUMN display_name TEXT;
      CREATE UNIQUE INDEX "PlatformAccount_user_platform_key"
        ON "PlatformAccount" (user_id, platform_id) WHERE platform_id <> 'email';
      CREATE TABLE "PlatformToken" (
        platform_account_id UUID PRIMARY KEY REFERENCES "PlatformAccount"(id) ON DELETE CASCADE,
        access_token_encrypted TEXT NOT NULL,
        refresh_token_encrypted TEXT,
        token_type TEXT NOT NULL DEFAULT 'bearer',
        scopes TEXT[] NOT NULL DEFAULT '{}',
        expires_at TIMESTAMPTZ,
        status TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'invalid')),
        invalid_reason TEXT,
        invalid_at TIMESTAMPTZ,
        refreshed_at TIMESTAMPTZ,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "PlatformToken_refresh_due_idx" ON "PlatformToken" (expires_at)
        WHERE status = 'valid' AND refresh_token_encrypted IS NOT NULL;
      CREATE TRIGGER "PlatformToken_touch" BEFORE UPDATE ON "PlatformToken"
        FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP TABLE "PlatformToken";
      DROP INDEX "PlatformAccount_user_platform_key";
      ALTER TABLE "PlatformAccount" DROP COLUMN display_name;
    `);
  },
};
