import { MODERATION_PERMISSIONS, type BotPlatform } from '../core/index.js';

/**
 * What a bot's Heimdall credential needs (docs/bots.md, "Running a bot"): permission checks and its realtime
 * channel, keeping and listing warnings, audit, community settings, publishing; and for security notices the
 * audit channel and the members' linked accounts.
 */
export function botCredentialPermissions(
  platform: BotPlatform,
  options: { securityNotices?: boolean } = {},
): string[] {
  const { warn, warnings } = MODERATION_PERMISSIONS[platform];
  return [
    ...new Set([
      `${platform}:read`,
      warn,
      warnings,
      'audit:write',
      'settings:read',
      'settings:write',
      'realtime:publish',
      ...(options.securityNotices ? ['audit:read', 'users:read'] : []),
    ]),
  ];
}
