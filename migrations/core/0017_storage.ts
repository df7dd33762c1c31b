import type { Migration } from '../types.js';

/**
 * Storage:
 * - "StoredFile": a file kept through /v1/storage. Its contents live in the storage driver (a directory or an
 *   S3 bucket) under `key`; the row holds what people see (name, type) and what was received (size, SHA-256).
 *   The owner is who uploaded it (null for a system API key); a deleted user's files stay, ownerless, for an
 *   administrator to keep or delete.
 */
export const storage: Migration = {
  name: '0017_storage',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "StoredFile" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        owner_user_id UUID REFERENCES "User"(id) ON DELETE SET NULL,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 255),
        content_type TEXT NOT NULL,
        size BIGINT NOT NULL CHECK (size >= 0),
        sha256 TEXT NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "StoredFile_owner_created_idx" ON "StoredFile" (owner_user_id, created_at DESC, id DESC);
      CREATE INDEX "StoredFile_created_idx" ON "StoredFile" (created_at DESC, id DESC);
      CREATE TRIGGER "StoredFile_touch" BEFORE UPDATE ON "StoredFile"
        FOR EACH ROW EXECUTE FUNCTION heimdall_touch_updated_at();
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "StoredFile";`);
  },
};
