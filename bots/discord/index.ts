/** The Discord bot (docs/bots-discord.md): a PlatformBot on discord.js, and its TOML section. */
export { createDiscordBot, MAX_TIMEOUT_MS, type DiscordBot, type DiscordBotOptions } from './bot.js';
export { discordBotConfigSchema, discordToken, type DiscordBotConfig } from './config.js';
export { quoteArg, slashCommand, slashText, type SlashText } from './slash.js';
