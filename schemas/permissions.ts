/**
 * Every default permission, in catalogue order. The order inside a resource
 * becomes `display_order`. Permission ids are the `resource:action` names themselves: stable, readable,
 * and unambiguous for dotted actions such as `discord:guild.ban`.
 */
export interface PermissionDefinition {
  resource: string;
  action: string;
  description: string;
  /** Hidden from non-admins in the UI (`admin_only`). */
  adminOnly?: boolean;
}

const p = (
  resource: string,
  action: string,
  description: string,
  adminOnly = false,
): PermissionDefinition => ({
  resource,
  action,
  description,
  adminOnly,
});

const crud = (resource: string, noun: string): PermissionDefinition[] => [
  p(resource, 'read', `View ${noun}`),
  p(resource, 'write', `Create/update ${noun}`),
  p(resource, 'delete', `Delete ${noun}`),
];

/** The wildcard that the Super Admin, Admin and API Full Access roles hold. */
export const WILDCARD_PERMISSION = p('*', '*', 'All permissions on every resource (wildcard)', true);

export const PERMISSIONS: readonly PermissionDefinition[] = [
  ...crud('gps', 'GPS data'),
  ...crud('users', 'users'),
  // Beyond the users CRUD set: the Moderator role holds it and `user_banned` needs a gate.
  p('users', 'ban', 'Ban and unban users'),
  ...crud('roles', 'roles'),
  ...crud('permissions', 'permissions'),
  ...crud('api_keys', 'API keys'),
  ...crud('settings', 'settings'),
  p('stats', 'read', 'View statistics'),
  p('storage', 'read', 'View storage files and metadata'),
  p('storage', 'write', 'Upload files to storage'),
  p('storage', 'edit', 'Edit file metadata (rename, move, update metadata)'),
  p('storage', 'download', 'Download files from storage'),
  p('storage', 'delete', 'Delete files from storage'),
  p('two_factor', 'read', 'View 2FA status for other users (users can always view their own)'),
  p('two_factor', 'write', 'Modify 2FA for other users (users can always manage their own)'),
  p('two_factor', 'manage', 'Manage 2FA for any user (admin only)', true),
  p('oauth_clients', 'read', 'View OAuth clients'),
  p('oauth_clients', 'create', 'Create OAuth clients'),
  p('oauth_clients', 'update', 'Update OAuth clients'),
  p('oauth_clients', 'delete', 'Delete OAuth clients'),
  p('audit', 'read', 'Read all audit logs (admin view)', true),
  p('audit', 'write', 'Write audit events (internal apps)', true),
  p('backend', 'access', 'Access the backend application'),
  p('discord', 'read', 'Main Discord access (sidebar, guilds list, bot settings)'),
  p('discord', 'edit', 'Edit Discord bot settings'),
  p('discord', 'delete', 'Delete Discord guilds from the database'),
  p('discord', 'bot.admin', 'Access Discord bot admin commands'),
  p('discord', 'guild.read', 'View guild data, members, channels, roles'),
  p('discord', 'guild.edit', 'Edit guild data and member information'),
  p('discord', 'guild.sync', 'Resync a guild (channels, roles, members)'),
  p('discord', 'guild.warn', 'Warn Discord members'),
  p('discord', 'guild.timeout', 'Timeout Discord members'),
  p('discord', 'guild.kick', 'Kick Discord members'),
  p('discord', 'guild.ban', 'Ban Discord members'),
  p('integrations', 'read', 'View platform integrations'),
  p('integrations', 'manage', 'Connect/disconnect platform integrations'),
  ...crud('devices', 'devices'),
  ...crud('trips', 'trips'),
  ...crud('trip_categories', 'trip categories'),
  ...crud('locations', 'locations'),
  ...crud('geofences', 'geofences'),
  p('pegel', 'read', 'View water level (PegelOnline) data'),
  // Twitch and YouTube bots: read gates their realtime channels (bot:<platform>:<id>); the chat
  // moderation actions mirror Discord's guild ones.
  p('twitch', 'read', 'View Twitch bot data and events'),
  p('twitch', 'edit', 'Edit Twitch bot settings of a channel'),
  p('twitch', 'chat.warn', 'Warn Twitch chatters and list their warnings'),
  p('twitch', 'chat.timeout', 'Time out Twitch chatters'),
  p('twitch', 'chat.ban', 'Ban Twitch chatters'),
  p('youtube', 'read', 'View YouTube bot data and events'),
  p('youtube', 'edit', 'Edit YouTube bot settings of a channel'),
  p('youtube', 'chat.warn', 'Warn YouTube live chat members and list their warnings'),
  p('youtube', 'chat.timeout', 'Time out YouTube live chat members'),
  p('youtube', 'chat.ban', 'Ban YouTube live chat members'),
  p('realtime', 'subscribe', 'Subscribe to app-defined realtime channels (app:<name>)'),
  p('realtime', 'publish', 'Publish on realtime channels that accept client publications'),
];

export const permissionId = (resource: string, action: string): string => `${resource}:${action}`;

/** The scopes an API key may carry; `*` covers all. */
export const API_KEY_SCOPES = [
  'gps:read',
  'gps:write',
  'users:read',
  'users:write',
  'settings:read',
  'settings:write',
  '*',
] as const;
