import type { AuthContext } from '../../core/auth/context.js';

/**
 * Realtime channel names and who may use them (docs/realtime.md):
 *
 * | channel                 | subscribe                         | publish                               |
 * |-------------------------|-----------------------------------|---------------------------------------|
 * | `audit`                 | audit:read                        | server only (every stored event)      |
 * | `gps`                   | gps:read                          | realtime:publish + gps:write          |
 * | `user:<id>`             | that user, or users:read          | server only (own security events…)    |
 * | `bot:<platform>:<id>`   | <platform>:read                   | realtime:publish + <platform>:read    |
 * | `app:<name>`            | realtime:subscribe                | realtime:publish                      |
 *
 * Every check goes through AuthContext.can, so API key scopes and a pending required 2FA apply as everywhere.
 */
export const BOT_PLATFORMS = ['discord', 'twitch', 'youtube'] as const;
export type BotPlatform = (typeof BOT_PLATFORMS)[number];

export type Channel =
  | { kind: 'audit'; name: string }
  | { kind: 'gps'; name: string }
  | { kind: 'user'; name: string; userId: string }
  | { kind: 'bot'; name: string; platform: BotPlatform; botId: string }
  | { kind: 'app'; name: string; app: string };

/** Which payload a client may publish on a channel of this kind (none: the server alone publishes there). */
export const PUBLISHABLE_PAYLOAD = {
  audit: null,
  gps: 'gps',
  user: null,
  bot: 'bot',
  app: 'data',
} as const satisfies Record<Channel['kind'], 'gps' | 'bot' | 'data' | null>;

const ID = /^[\w-]{1,64}$/;
const APP = /^[\w.-]{1,64}$/;

export const channelNames = {
  audit: 'audit',
  gps: 'gps',
  user: (userId: string) => `user:${userId}`,
  bot: (platform: BotPlatform, botId: string) => `bot:${platform}:${botId}`,
  app: (name: string) => `app:${name}`,
};

/** The channel a name denotes, or undefined when the name is not a channel. */
export function parseChannel(name: string): Channel | undefined {
  if (name === 'audit' || name === 'gps') return { kind: name, name };
  const parts = name.split(':');
  if (parts[0] === 'user' && parts.length === 2 && ID.test(parts[1]!)) {
    return { kind: 'user', name, userId: parts[1]! };
  }
  if (
    parts[0] === 'bot' &&
    parts.length === 3 &&
    (BOT_PLATFORMS as readonly string[]).includes(parts[1]!) &&
    ID.test(parts[2]!)
  ) {
    return { kind: 'bot', name, platform: parts[1] as BotPlatform, botId: parts[2]! };
  }
  if (parts[0] === 'app' && parts.length === 2 && APP.test(parts[1]!)) {
    return { kind: 'app', name, app: parts[1]! };
  }
  return undefined;
}

/** The permission subscribing needs, as shown in refusals. */
export function subscribePermission(channel: Channel): string {
  switch (channel.kind) {
    case 'audit':
      return 'audit:read';
    case 'gps':
      return 'gps:read';
    case 'user':
      return 'users:read';
    case 'bot':
      return `${channel.platform}:read`;
    case 'app':
      return 'realtime:subscribe';
  }
}

const can = (auth: AuthContext, permission: string): boolean => {
  const at = permission.indexOf(':');
  return auth.can(permission.slice(0, at), permission.slice(at + 1));
};

const ownChannel = (auth: AuthContext, channel: Channel): boolean =>
  channel.kind === 'user' && auth.user?.id === channel.userId && !auth.blockedByTwoFactor;

export function canSubscribe(auth: AuthContext, channel: Channel): boolean {
  // Your own channel needs no permission, but a scoped API key must still carry users:read.
  if (ownChannel(auth, channel)) return auth.hasScope('users:read');
  return can(auth, subscribePermission(channel));
}

/**
 * What holds a credential back from a channel: the scopes of its API key or token leave the permission out
 * (checked first, as REST does), or its holder lacks the permission. Only for a refused credential.
 */
export type Denial = { missing: string; by: 'scope' | 'permission' };

const denial = (auth: AuthContext, permission: string): Denial =>
  auth.hasScope(permission)
    ? { missing: permission, by: 'permission' }
    : { missing: permission, by: 'scope' };

export function subscribeDenial(auth: AuthContext, channel: Channel): Denial {
  return ownChannel(auth, channel) ? denial(auth, 'users:read') : denial(auth, subscribePermission(channel));
}

/** For a publish canPublish refused on a channel clients may publish on: the first permission held back. */
export function publishDenial(auth: AuthContext, channel: Channel): Denial {
  const needed = publishPermissions(channel) ?? [];
  return denial(auth, needed.find((permission) => !can(auth, permission)) ?? needed[0]!);
}

/** The permissions publishing needs, or null when only the server publishes on this channel. */
export function publishPermissions(channel: Channel): string[] | null {
  switch (channel.kind) {
    case 'audit':
    case 'user':
      return null;
    case 'gps':
      return ['realtime:publish', 'gps:write'];
    case 'bot':
      return ['realtime:publish', `${channel.platform}:read`];
    case 'app':
      return ['realtime:publish'];
  }
}

export function canPublish(auth: AuthContext, channel: Channel): boolean {
  const needed = publishPermissions(channel);
  return needed !== null && needed.every((permission) => can(auth, permission));
}
