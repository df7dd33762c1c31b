import { readFile } from 'node:fs/promises';
import { z } from 'zod';

const snowflake = z.string().regex(/^\d{1,20}$/, 'a Discord id (digits)');

/**
 * The `[bot.discord]` TOML section. The token may sit in a file of its own (`token_file`), so the TOML can be
 * shared or committed without the secret; exactly one of the two is required.
 */
export const discordBotConfigSchema = z
  .object({
    token: z.string().min(1).optional(),
    token_file: z.string().min(1).optional(),
    api_url: z.url().default('https://discord.com/api'),
    /** Register the commands in these guilds only: guild commands appear at once, global ones can take a while. */
    guild_ids: z.array(snowflake).min(1).optional(),
    /** Discord's global request limit for the bot: 50 a second, unless Discord raised it for this bot. */
    requests_per_second: z.number().int().min(1).max(10_000).default(50),
  })
  .strict()
  .refine((c) => (c.token === undefined) !== (c.token_file === undefined), {
    message: 'Give exactly one of token and token_file.',
    path: ['token'],
  });

export type DiscordBotConfig = z.infer<typeof discordBotConfigSchema>;

/** The bot token from the section: as given, or the token file's content without its trailing newline. */
export async function discordToken(config: DiscordBotConfig): Promise<string> {
  if (config.token !== undefined) return config.token;
  const token = (await readFile(config.token_file!, 'utf8')).trim();
  if (!token) throw new Error(`The Discord token file ${config.token_file} is empty.`);
  return token;
}
