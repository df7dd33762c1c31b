import type { Migration } from '../types.js';

/**
 * Identity tables: Platform, User, PlatformAccount, Session. Column names, types and defaults are fixed
 * (docs/database.md, where Platform's design is documented), and tests hold them. `heimdall_touch_updated_at`
 * keeps every `updated_at` honest without relying on each caller to set it.
 */
export const identity: Migration = {
  name: '0001_identity',
  async up(knex) {
    await knex.raw(`
      CREATE FUNCTION heimdall_touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        NEW.updated_at := NOW();
        RETURN NEW;
      END $$;

      CREATE TABLE "Platform" (
        id TEXT PRIMARY KEY CHECK (id ~ '^[a-z0-9_]+$'),
        name TEXT NOT NULL,
        enabled BOOLEAN NOT NULL DEFAULT true,
        display_order INTEGER NOT NULL DEFAULT 0,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );

      CREATE TABLE "User" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        username TEXT NOT NULL UNIQUE,
        primary_platform_account_id UUID,
        privacy_mode BOOLEAN NOT NULL DEFAULT false,
        preferred_locale VARCHAR(5) DEFAULT 'en',
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        last_login_at TIMESTAMPTZ,
        last_login_platform_account_id UUID,
        deleted_at TIMESTAMPTZ
      );
      -- "Alice" and "alice" are the same person to everyone reading a username.
      CREATE UNIQUE INDEX "User_username_lower_key" ON "User" (lower(username));
      CREATE INDEX "User_deleted_at_idx" ON "User" (deleted_at) WHERE deleted_at IS NOT NULL;

      CREATE TABLE "PlatformAccount" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        platform_id TEXT NOT NULL REFERENCES "Platform"(id) ON DELETE CASCADE,
        platform_user_id TEXT NOT NULL,
        username TEXT NOT NULL,
        email TEXT,
        avatar_url TEXT,
        password_hash TEXT,
        email_verified_at TIMESTAMPTZ,
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (platform_id, platform_user_id)
      );
      CREATE INDEX "PlatformAccount_user_id_idx" ON "PlatformAccount" (user_id);
      CREATE INDEX "PlatformAccount_email_lower_idx" ON "PlatformAccount" (lower(email));
      -- For the email platform platform_user_id is the address: one account per address, whatever its case.
      CREATE UNIQUE INDEX "PlatformAccount_email_user_id_lower_key"
        ON "PlatformAccount" (lower(platform_user_id)) WHERE platform_id = 'email';

      ALTER TABLE "User"
        ADD CONSTRAINT "User_primary_platform_account_id_fkey" FOREIGN KEY (primary_platform_account_id)
          REFERENCES "PlatformAccount"(id) ON DELETE SET NULL,
        ADD CONSTRAINT "User_last_login_platform_account_id_fkey" FOREIGN KEY (last_login_platform_account_id)
          REFERENCES "PlatformAccount"(id) ON DELETE SET NULL;
      CREATE INDEX "User_primary_platform_account_id_idx" ON "User" (primary_platform_account_id);
      CREATE INDEX "User_last_login_platform_account_id_idx" ON "User" (last_login_platform_account_id);

      CREATE TABLE "Session" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        session_token TEXT UNIQUE NOT NULL,
        expires TIMESTAMPTZ NOT NULL,
        ip_address TEXT,
        user_agent TEXT,
        last_activity_at TIMESTAMPTZ DEFAULT NOW(),
        provider TEXT,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "Session_user_id_idx" ON "Session" (user_id);
      CREATE INDEX "Session_expires_idx" ON "Session" (expires);

      CREATE TRIGGER "Platform_touch" BEFORE UPDATE ON "Platform" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
      CREATE TRIGGER "User_touch" BEFORE UPDATE ON "User" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
      CREATE TRIGGER "PlatformAccount_touch" BEFORE UPDATE ON "PlatformAccount" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP TABLE "Session";
      ALTER TABLE "User" DROP CONSTRAINT "User_primary_platform_account_id_fkey",
                         DROP CONSTRAINT "User_last_login_platform_account_id_fkey";
      DROP TABLE "PlatformAccount";
      DROP TABLE "User";
      DROP TABLE "Platform";
      DROP FUNCTION heimdall_touch_updated_at();
    `);
  },
};
