import type { Migration } from '../types.js';

/**
 * OAuth clients and consents ("connected apps"). OAuthConsent has fixed columns; OAuthClient has the core
 * columns (client_id, hashed client_secret, name, redirect_uris, user_id) plus those an OpenID provider needs
 * to register a client, documented in docs/database.md.
 */
export const oauth: Migration = {
  name: '0003_oauth',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "OAuthClient" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        client_id TEXT UNIQUE NOT NULL,
        client_secret TEXT,
        name TEXT NOT NULL,
        description TEXT,
        logo_url TEXT,
        redirect_uris TEXT[] NOT NULL DEFAULT '{}',
        post_logout_redirect_uris TEXT[] NOT NULL DEFAULT '{}',
        grant_types TEXT[] NOT NULL DEFAULT '{authorization_code,refresh_token}',
        scopes TEXT[] NOT NULL DEFAULT '{openid,profile,email}',
        token_endpoint_auth_method TEXT NOT NULL DEFAULT 'client_secret_basic'
          CHECK (token_endpoint_auth_method IN ('client_secret_basic', 'client_secret_post', 'none')),
        is_first_party BOOLEAN NOT NULL DEFAULT false,
        is_active BOOLEAN NOT NULL DEFAULT true,
        user_id UUID REFERENCES "User"(id) ON DELETE SET NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        -- A confidential client has a secret; a public one (auth method none) must not.
        CONSTRAINT "OAuthClient_secret_matches_auth_method"
          CHECK ((token_endpoint_auth_method = 'none') = (client_secret IS NULL))
      );
      CREATE INDEX "OAuthClient_user_id_idx" ON "OAuthClient" (user_id);
      CREATE TRIGGER "OAuthClient_touch" BEFORE UPDATE ON "OAuthClient" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();

      CREATE TABLE "OAuthConsent" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        client_id UUID NOT NULL REFERENCES "OAuthClient"(id) ON DELETE CASCADE,
        scopes TEXT[] NOT NULL DEFAULT '{}',
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        UNIQUE (user_id, client_id)
      );
      CREATE INDEX "OAuthConsent_client_id_idx" ON "OAuthConsent" (client_id);
      CREATE TRIGGER "OAuthConsent_touch" BEFORE UPDATE ON "OAuthConsent" FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "OAuthConsent", "OAuthClient";`);
  },
};
