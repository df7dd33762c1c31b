import type { Migration } from '../types.js';

/**
 * "UserAvatar": the picture a person uploaded, kept as a "StoredFile" they own. It is a table of its own rather
 * than a column of "User" (whose columns are fixed) or the primary "PlatformAccount"'s `avatar_url` (which every
 * sign-in through that provider overwrites, and which changes meaning when the person picks another primary
 * account). `url` is the absolute URL Heimdall serves it at, versioned by its contents so caches never serve an
 * old picture; the `picture` claim reads it before the primary account's. Deleting the file or the person
 * deletes the row.
 */
export const userAvatar: Migration = {
  name: '0020_user_avatar',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "UserAvatar" (
        user_id UUID PRIMARY KEY REFERENCES "User"(id) ON DELETE CASCADE,
        file_id UUID NOT NULL UNIQUE REFERENCES "StoredFile"(id) ON DELETE CASCADE,
        url TEXT NOT NULL,
        updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
    `);
  },
  async down(knex) {
    await knex.raw(`DROP TABLE "UserAvatar";`);
  },
};
