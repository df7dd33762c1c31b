import type { Migration } from '../types.js';

/**
 * Bans (permission `users:ban`, events `user_banned` / `user_unbanned`). A table of its own rather
 * than columns on "User": moderators need the history (who banned whom, why, until when, who lifted it), and
 * the User table keeps its fixed columns. At most one open (not lifted) ban per user; an open ban whose
 * expires_at has passed no longer applies.
 */
export const userBan: Migration = {
  name: '0006_user_ban',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "UserBan" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
        reason TEXT NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
        banned_by TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        expires_at TIMESTAMPTZ CHECK (expires_at IS NULL OR expires_at > created_at),
        lifted_at TIMESTAMPTZ,
        lifted_by TEXT,
        CHECK ((lifted_at IS NULL) = (lifted_by IS NULL))
      );
      CREATE INDEX "UserBan_user_id_idx" ON "UserBan"(user_id, created_at DESC);
      CREATE UNIQUE INDEX "UserBan_one_open_idx" ON "UserBan"(user_id) WHERE lifted_at IS NULL;
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "UserBan";`);
  },
};
