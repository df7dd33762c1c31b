import type { Migration } from '../types.js';

/**
 * The models whose lifetime is minutes (oidc/adapter-factory.ts `SHORT_LIVED_MODELS`) get a partition of
 * "OidcPayload" of their own, UNLOGGED: their writes skip the write-ahead log, so a sign-in's four interaction
 * and code writes no longer wait for a WAL flush each (about half the cost of a logged INSERT here). It is still
 * one table with the same columns, keys and indexes; the adapter does not change. What that costs, by design:
 * after a crash of PostgreSQL the partition starts empty and is not copied to standbys, so sign-ins in progress
 * start again, as they would with the Redis store. Sessions, grants and tokens stay in the logged partition.
 * A test compares the partition's models with `SHORT_LIVED_MODELS`; changing that list needs a migration.
 */
const SHORT_LIVED = [
  'Interaction',
  'AuthorizationCode',
  'DeviceCode',
  'BackchannelAuthenticationRequest',
  'PushedAuthorizationRequest',
  'ReplayDetection',
  'PreAuthorizedCode',
];

const columns = `
  model TEXT NOT NULL,
  id TEXT NOT NULL,
  payload JSONB NOT NULL,
  grant_id TEXT,
  uid TEXT,
  user_code TEXT,
  expires_at TIMESTAMPTZ,
  consumed_at TIMESTAMPTZ,
  PRIMARY KEY (model, id)`;

const indexes = `
  CREATE INDEX "OidcPayload_grant_id_idx" ON "OidcPayload" (grant_id) WHERE grant_id IS NOT NULL;
  CREATE INDEX "OidcPayload_uid_idx" ON "OidcPayload" (model, uid) WHERE uid IS NOT NULL;
  CREATE UNIQUE INDEX "OidcPayload_user_code_idx" ON "OidcPayload" (model, user_code) WHERE user_code IS NOT NULL;
  CREATE INDEX "OidcPayload_expires_at_idx" ON "OidcPayload" (expires_at) WHERE expires_at IS NOT NULL;`;

/** Renames the table and its constraint and indexes out of the way, so the new one can take their names. */
const setAside = `
  ALTER TABLE "OidcPayload" RENAME TO "OidcPayload_old";
  ALTER TABLE "OidcPayload_old" RENAME CONSTRAINT "OidcPayload_pkey" TO "OidcPayload_old_pkey";
  ALTER INDEX "OidcPayload_grant_id_idx" RENAME TO "OidcPayload_old_grant_id_idx";
  ALTER INDEX "OidcPayload_uid_idx" RENAME TO "OidcPayload_old_uid_idx";
  ALTER INDEX "OidcPayload_user_code_idx" RENAME TO "OidcPayload_old_user_code_idx";
  ALTER INDEX "OidcPayload_expires_at_idx" RENAME TO "OidcPayload_old_expires_at_idx";`;

const copyBack = `
  INSERT INTO "OidcPayload" SELECT model, id, payload, grant_id, uid, user_code, expires_at, consumed_at
    FROM "OidcPayload_old";
  DROP TABLE "OidcPayload_old";`;

export const oidcShortLivedUnlogged: Migration = {
  name: '0013_oidc_short_lived_unlogged',
  async up(knex) {
    const models = SHORT_LIVED.map((m) => `'${m}'`).join(', ');
    await knex.raw(`
      ${setAside}
      CREATE TABLE "OidcPayload" (${columns}) PARTITION BY LIST (model);
      CREATE UNLOGGED TABLE "OidcPayload_short_lived" PARTITION OF "OidcPayload" FOR VALUES IN (${models});
      CREATE TABLE "OidcPayload_long_lived" PARTITION OF "OidcPayload" DEFAULT;
      ${indexes}
      ${copyBack}
    `);
  },
  async down(knex) {
    await knex.raw(`
      ${setAside}
      CREATE TABLE "OidcPayload" (${columns});
      ${indexes}
      ${copyBack}
    `);
  },
};
