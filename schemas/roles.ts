/**
 * The system and API roles with their exact permission sets (test/database/seeds.test.ts restates them).
 * Role names are case-sensitive display names; code checks roles by id.
 */
export interface RoleDefinition {
  id: string;
  name: string;
  description: string;
  requiresTwoFactor: boolean;
  permissions: readonly string[];
}

export const ROLE_IDS = {
  superAdmin: 'role_super_admin',
  admin: 'role_admin',
  moderator: 'role_moderator',
  user: 'role_user',
  developer: 'role_developer',
  apiFullAccess: 'role_api_full_access',
  apiReadOnly: 'role_api_read_only',
} as const;

/** The second super-admin rule: a role named exactly this (legacy). */
export const LEGACY_SUPER_ADMIN_ROLE_NAME = 'super_admin';

export const SYSTEM_ROLES: readonly RoleDefinition[] = [
  {
    id: ROLE_IDS.superAdmin,
    name: 'Super Admin',
    description: 'Full system access, bypasses all permission checks',
    requiresTwoFactor: true,
    permissions: ['*:*'],
  },
  {
    id: ROLE_IDS.admin,
    name: 'Admin',
    description: 'Full administrative access',
    requiresTwoFactor: true,
    permissions: ['*:*'],
  },
  {
    id: ROLE_IDS.moderator,
    name: 'Moderator',
    description: 'Content moderation and GPS management',
    requiresTwoFactor: true,
    permissions: [
      'gps:read',
      'gps:write',
      'gps:delete',
      'users:read',
      'users:ban',
      'stats:read',
      'backend:access',
      'storage:read',
      'storage:write',
      'storage:edit',
      'storage:download',
      'storage:delete',
      'discord:read',
      'discord:guild.read',
      'discord:guild.sync',
      'discord:guild.warn',
      'discord:guild.timeout',
      'discord:guild.kick',
      'discord:guild.ban',
      // Chat moderation only: twitch:read and youtube:read would hand out streamers' platform tokens.
      'twitch:chat.warn',
      'twitch:chat.timeout',
      'twitch:chat.ban',
      'youtube:chat.warn',
      'youtube:chat.timeout',
      'youtube:chat.ban',
    ],
  },
  {
    id: ROLE_IDS.user,
    name: 'User',
    description: 'Standard user access',
    requiresTwoFactor: false,
    permissions: [],
  },
  {
    id: ROLE_IDS.developer,
    name: 'Developer',
    description: 'OAuth and API key management (external developers)',
    requiresTwoFactor: true,
    permissions: [
      'oauth_clients:read',
      'oauth_clients:create',
      'oauth_clients:update',
      'oauth_clients:delete',
      'api_keys:read',
      'api_keys:write',
      'api_keys:delete',
      'backend:access',
    ],
  },
  {
    id: ROLE_IDS.apiFullAccess,
    name: 'API Full Access',
    description: 'Full API access',
    requiresTwoFactor: false,
    permissions: ['*:*'],
  },
  {
    id: ROLE_IDS.apiReadOnly,
    name: 'API Read Only',
    description: 'Read-only API access',
    requiresTwoFactor: false,
    permissions: [
      'gps:read',
      'users:read',
      'roles:read',
      'permissions:read',
      'api_keys:read',
      'settings:read',
      'stats:read',
      'oauth_clients:read',
      'two_factor:read',
      'storage:read',
      'storage:download',
      'devices:read',
      'trips:read',
      'trip_categories:read',
      'locations:read',
      'geofences:read',
      'pegel:read',
    ],
  },
];
