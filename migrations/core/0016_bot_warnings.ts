import type { Migration } from '../types.js';

/**
 * Bots:
 * - "BotWarning": a warning a moderator gave a community member through a bot (Discord guild, Twitch or YouTube
 *   channel). Heimdall keeps them so that every bot process, and the admin, sees one list; the member is named by
 *   their platform id, since most have no Heimdall account. The moderator's Heimdall user stays null when their
 *   account is gone, their platform id stays.
 * - "PlatformAccount".youtube_channel_id: the YouTube channel of a linked Google account. YouTube's live chat names
 *   authors by channel, not by Google account, so a YouTube bot's permission check looks the channel up here.
 */
export const botWarnings: Migration = {
  name: '0016_bot_warnings',
  async up(knex) {
    await knex.raw(`
      CREATE TABLE "BotWarning" (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        platform TEXT NOT NULL CHECK (platform IN ('discord', 'twitch', 'youtube')),
        community_id TEXT NOT NULL,
        member_platform_id TEXT NOT NULL,
        member_name TEXT NOT NULL,
        reason TEXT,
        moderator_platform_id TEXT NOT NULL,
        moderator_user_id UUID REFERENCES "User"(id) ON DELETE SET NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
      );
      CREATE INDEX "BotWarning_member_idx"
        ON "BotWarning" (platform, community_id, member_platform_id, created_at DESC);
      CREATE INDEX "BotWarning_moderator_user_id_idx" ON "BotWarning" (moderator_user_id);
      ALTER TABLE "PlatformAccount" ADD COLUMN youtube_channel_id TEXT;
      CREATE UNIQUE INDEX "PlatformAccount_youtube_channel_id_key"
        ON "PlatformAccount" (youtube_channel_id) WHERE youtube_channel_id IS NOT NULL;
    `);
  },
  async down(knex) {
    await knex.raw(`
      DROP INDEX "PlatformAccount_youtube_channel_id_key";
      ALTER TABLE "PlatformAccount" DROP COLUMN youtube_channel_id;
      DROP TABLE "BotWarning";
    `);
  },
};
