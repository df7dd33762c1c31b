/** The platform-neutral bot runtime (docs/bots.md): what a Discord, Twitch or YouTube adapter builds on. */
export type { BotPlatform, BotUser, ChatAdapter, IncomingMessage } from './adapter.js';
export type { LogPoster, ModerationOptions, Moderator, PlatformAction, PlatformBot } from './platform.js';
export { PlatformRefusal } from './platform.js';
export { ArgParseError, parseArgs, usage, type ArgKind, type ArgSpec, type RawArg } from './args.js';
export type { BotSourceService } from './audit.js';
export { CommandRegistry, type ArgValue, type Command, type CommandContext } from './commands.js';
export { formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
export { BOT_LANGUAGES, languageOf, translate, type BotLanguage, type MessageKey } from './i18n.js';
export { botChannel, realtimePublisher, type BotEventInput, type BotEventPublisher } from './realtime.js';
export { MODERATION_PERMISSIONS, moderationCommands } from './moderation.js';
export { NOTIFIED_EVENTS, SecurityNotifier, type SecurityNotifierOptions } from './notifier.js';
export { BotRuntime, type BotRuntimeOptions, type Outcome, type RuntimeAdapter } from './runtime.js';
export {
  CommunitySettingsStore,
  DEFAULT_SETTINGS,
  InvalidSettingError,
  settingKey,
  type CommunitySettings,
  type SettingsChange,
} from './settings.js';
