import type { Migration } from '../types.js';

/**
 * Heimdall ID. "OidcPayload" holds every oidc-provider model (sessions, interactions, grants, codes,
 * refresh tokens, opaque access tokens, device codes…) as one row keyed by (model, id), with the columns the
 * adapter looks rows up by: grant_id (revoke a grant's tokens), uid (a session by its uid), user_code (the device
 * flow). Expired rows are deleted by the scheduler. "OidcSigningKey" keeps the provider's signing keys, the
 * private half encrypted with the configured secret; a retired key stops signing but stays in the JWKS until
 * the tokens it signed have expired. OAuthClient gains the back-channel logout URI (OpenID Back-Channel Logout).
 */
export const oidc: Migration = {
  name: '0008_oidc',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "OidcPayload" (
        model TEXT NOT NULL,
        id TEXT NOT NULL,
        payload JSONB NOT NULL,
        grant_id TEXT,
        uid TEXT,
        user_code TEXT,
        expires_at TIMESTAMPTZ,
        consumed_at TIMESTAMPTZ,
        PRIMARY KEY (model, id)
      );
      CREATE INDEX "OidcPayload_grant_id_idx" ON "OidcPayload" (grant_id) WHERE grant_id IS NOT NULL;
      CREATE UNIQUE INDEX "OidcPayload_uid_idx" ON "OidcPayload" (model, uid) WHERE uid IS NOT NULL;
      CREATE UNIQUE INDEX "OidcPayload_user_code_idx" ON "OidcPayload" (model, user_code) WHERE user_code IS NOT NULL;
      CREATE INDEX "OidcPayload_expires_at_idx" ON "OidcPayload" (expires_at) WHERE expires_at IS NOT NULL;

      CREATE TABLE "OidcSigningKey" (
        kid TEXT PRIMARY KEY,
        alg TEXT NOT NULL,
        public_jwk JSONB NOT NULL,
        private_jwk_encrypted TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        retired_at TIMESTAMPTZ,
        expires_at TIMESTAMPTZ,
        CHECK ((retired_at IS NULL) = (expires_at IS NULL))
      );
      -- At most one key signs at a time.
      CREATE UNIQUE INDEX "OidcSigningKey_one_active_idx" ON "OidcSigningKey" ((true)) WHERE retired_at IS NULL;

      ALTER TABLE "OAuthClient" ADD COLUMN backchannel_logout_uri TEXT;
    `);
  },
  async down(knex) {
    await knex.raw(`
      ALTER TABLE "OAuthClient" DROP COLUMN backchannel_logout_uri;
      DROP TABLE "OidcSigningKey", "OidcPayload";
    `);
  },
};
