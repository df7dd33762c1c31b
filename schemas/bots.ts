import { z } from 'zod';
import { paginationQuery, listOf } from './common.js';

/** The platforms Heimdall runs bots for; their realtime channels are `bot:<platform>:<id>`. */
export const BOT_PLATFORMS = ['discord', 'twitch', 'youtube'] as const;
export type BotPlatformId = (typeof BOT_PLATFORMS)[number];

/**
 * Who may give and read warnings on a platform's communities: the permission a bot's credential needs for the
 * warning routes, and the one its moderators need in chat. Discord's reading is guild data; Twitch and YouTube
 * have one chat permission for both.
 */
export const WARNING_PERMISSIONS: Record<BotPlatformId, { write: string; read: string }> = {
  discord: { write: 'discord:guild.warn', read: 'discord:guild.read' },
  twitch: { write: 'twitch:chat.warn', read: 'twitch:chat.warn' },
  youtube: { write: 'youtube:chat.warn', read: 'youtube:chat.warn' },
};

const platformId = z.enum(BOT_PLATFORMS).describe('discord, twitch or youtube');
/** A platform's id for a guild, channel or user: what the platforms use, with room to spare. */
const externalId = z.string().trim().min(1).max(100);

export const botPlatformParams = z.object({ platform: platformId });
export const botWarningParams = z.object({ platform: platformId, id: z.string().uuid() });

export const createBotWarningBody = z
  .object({
    community_id: externalId.describe('The Discord guild, or the Twitch or YouTube channel'),
    member: z.object({
      id: externalId.describe("The warned member's platform id"),
      name: z.string().trim().min(1).max(100),
    }),
    reason: z.string().trim().min(1).max(500).optional(),
    moderator: z.object({
      platform_id: externalId.describe("The moderator's platform id"),
      user_id: z.string().uuid().optional().describe("The moderator's Heimdall user, when the bot knows it"),
    }),
  })
  .strict();
export type CreateBotWarning = z.infer<typeof createBotWarningBody>;

export const botWarningSchema = z.object({
  id: z.string().uuid(),
  platform: platformId,
  community_id: z.string(),
  member_platform_id: z.string(),
  member_name: z.string(),
  reason: z.string().nullable(),
  moderator_platform_id: z.string(),
  moderator_user_id: z.string().uuid().nullable(),
  created_at: z.string(),
});
export type BotWarning = z.infer<typeof botWarningSchema>;

export const botWarningQuery = z.object({
  community_id: externalId,
  member_id: externalId.optional().describe("Only this member's warnings"),
  ...paginationQuery,
});
export type BotWarningQuery = z.infer<typeof botWarningQuery>;

export const botWarningListSchema = listOf(botWarningSchema);
