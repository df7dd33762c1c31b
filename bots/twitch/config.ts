import { z } from 'zod';

/** A Twitch login: what `#channel` and `@mention` are written with. */
export const TWITCH_LOGIN = /^[a-z0-9_]{1,25}$/;

const url = (protocols: RegExp) => z.url({ protocol: protocols }).transform((v) => v.replace(/\/+$/, ''));

/** The `[bots.twitch]` TOML section. Tokens are Heimdall's: none is configured here. */
export const twitchBotConfigSchema = z.strictObject({
  /** The Twitch application's client id, the one Heimdall's `[social.twitch]` signs people in with. */
  client_id: z.string().min(1),
  /** The Heimdall user whose linked Twitch account is the bot's: it chats with that account's token. */
  bot_user_id: z.string().min(1),
  channels: z
    .array(
      z.strictObject({
        login: z
          .string()
          .transform((v) => v.toLowerCase().replace(/^#/, ''))
          .pipe(z.string().regex(TWITCH_LOGIN, 'a Twitch login: letters, digits and _')),
        /** The Heimdall user whose linked Twitch account owns the channel: moderation and EventSub use theirs. */
        owner_user_id: z.string().min(1),
      }),
    )
    .min(1)
    .refine((channels) => new Set(channels.map((c) => c.login)).size === channels.length, {
      message: 'a channel is listed twice',
    }),
  chat_url: url(/^wss?$/).default('wss://irc-ws.chat.twitch.tv:443'),
  helix_url: url(/^https?$/).default('https://api.twitch.tv/helix'),
  eventsub_url: url(/^wss?$/).default('wss://eventsub.wss.twitch.tv/ws'),
});

export type TwitchBotConfig = z.output<typeof twitchBotConfigSchema>;
export type TwitchBotConfigInput = z.input<typeof twitchBotConfigSchema>;
