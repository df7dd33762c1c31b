import { z } from 'zod';

/** The `[bots.youtube]` TOML section (docs/bots-youtube.md). */
export const youtubeBotConfigSchema = z.strictObject({
  /** Where the YouTube Data API is served; a test points it at its fake. */
  api_url: z
    .url({ protocol: /^https?$/ })
    .transform((url) => url.replace(/\/+$/, ''))
    .default('https://www.googleapis.com'),
  /** The bot's id, naming its realtime channel `bot:youtube:<id>`; default: the first channel's id. */
  bot_id: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, _ or -, at most 64')
    .optional(),
  /** The channels the bot serves, each by the Heimdall user who owns it and linked its Google account for bots. */
  channels: z
    .array(z.strictObject({ owner_user_id: z.uuid() }))
    .min(1)
    .refine((channels) => new Set(channels.map((c) => c.owner_user_id)).size === channels.length, {
      message: 'each owner is listed once',
    }),
  /** How long to wait before asking again whether a channel is live. */
  discovery_interval_seconds: z.number().positive().max(3600).default(60),
});

export type YouTubeBotConfig = z.output<typeof youtubeBotConfigSchema>;
export type YouTubeBotConfigInput = z.input<typeof youtubeBotConfigSchema>;
