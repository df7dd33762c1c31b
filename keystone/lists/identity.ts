import { list } from '@keystone-6/core';
import { relationship } from '@keystone-6/core/fields';
import {
  NAMED_ROWS,
  READ_ONLY,
  allOrOwn,
  can,
  ownOrByPermission,
  privateField,
  signedIn,
} from '../access.js';
import {
  createdAt,
  flag,
  optionalText,
  order,
  requiredText,
  secret,
  timestamptz,
  updatedAt,
} from '../fields.js';
import type { ExtensionServices } from '../graphql/builder.js';
import { auditChanges } from './audited.js';
import {
  dbUuid,
  dropIndex,
  fixups,
  index,
  optionalRelation,
  requiredRelation,
  trigramIndex,
  unique,
} from '../prisma-fixups.js';

type Runtime = () => ExtensionServices;

/** Users and the platform accounts they sign in with. Secrets (password_hash) are not fields. */
const LAST_ENABLED_PLATFORM =
  'This is the only enabled platform: turning it off would leave nobody a way to sign in. Enable another platform first.';

/** Refuses a change that would leave no platform enabled (turning off or deleting the last one). */
async function keepOneEnabled(
  item: { id: { toString(): string }; enabled?: unknown },
  context: { prisma: { platform: { count(args: object): Promise<number> } } },
  addValidationError: (message: string) => void,
): Promise<void> {
  if (item.enabled !== true) return;
  const others = await context.prisma.platform.count({
    where: { enabled: true, id: { not: String(item.id) } },
  });
  if (others === 0) addValidationError(LAST_ENABLED_PLATFORM);
}

/** Privacy mode's fields: a person's activity on User, their address and picture on PlatformAccount. */
const ownActivity = privateField((user) => user.id);
const ownDetail = privateField((account) => account.userId);

export const identityLists = (runtime: Runtime) => ({
  User: list({
    graphql: READ_ONLY,
    db: {
      map: 'User',
      extendPrismaSchema: fixups(
        dbUuid,
        optionalRelation('primaryPlatformAccount', 'SetNull'),
        optionalRelation('lastLoginPlatformAccount', 'SetNull'),
        // The admin user list's search and sort columns (migration 0014_user_search).
        trigramIndex('username', 'User_username_trgm_idx'),
        index('createdAt, id'),
        index('lastLoginAt, id'),
      ),
    },
    access: ownOrByPermission('users', 'id'),
    fields: {
      // Unique case-insensitively (an index on lower(username) that Prisma cannot express) and as typed.
      username: requiredText('username', { isIndexed: 'unique' }),
      primaryPlatformAccount: relationship({
        ref: 'PlatformAccount',
        db: { foreignKey: { map: 'primary_platform_account_id' } },
      }),
      privacyMode: flag('privacy_mode', false),
      preferredLocale: optionalText('preferred_locale', {
        defaultValue: 'en',
        db: { nativeType: 'VarChar(5)' },
      }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
      lastLoginAt: timestamptz('last_login_at', { nullable: true, readOnly: true, access: ownActivity }),
      lastLoginPlatformAccount: relationship({
        ref: 'PlatformAccount',
        access: ownActivity,
        db: { foreignKey: { map: 'last_login_platform_account_id' } },
        graphql: { omit: { create: true, update: true } },
      }),
      deletedAt: timestamptz('deleted_at', { nullable: true, readOnly: true }),
      platformAccounts: relationship({ ref: 'PlatformAccount.user', many: true }),
      roles: relationship({ ref: 'UserRole.user', many: true }),
      apiKeys: relationship({ ref: 'ApiKey.user', many: true }),
    },
  }),

  PlatformAccount: list({
    graphql: READ_ONLY,
    db: {
      map: 'PlatformAccount',
      extendPrismaSchema: fixups(
        dbUuid,
        requiredRelation('platform'),
        requiredRelation('user'),
        unique('platformId', 'platformUserId'),
        dropIndex('platformId'),
        trigramIndex('email', 'PlatformAccount_email_trgm_idx'),
      ),
    },
    access: {
      operation: {
        query: signedIn,
        create: can('users', 'write'),
        update: can('users', 'write'),
        delete: can('users', 'write'),
      },
      filter: { query: allOrOwn('users', 'read', 'user') },
    },
    fields: {
      platform: relationship({ ref: 'Platform', db: { foreignKey: { map: 'platform_id' } } }),
      platformUserId: requiredText('platform_user_id'),
      username: requiredText('username'),
      displayName: optionalText('display_name'),
      // The channel of a linked Google account: how a YouTube bot finds the person behind a chat author.
      youtubeChannelId: optionalText('youtube_channel_id'),
      email: optionalText('email', { access: ownDetail }),
      avatarUrl: optionalText('avatar_url', { access: ownDetail }),
      passwordHash: secret('password_hash', { nullable: true }),
      emailVerifiedAt: timestamptz('email_verified_at', { nullable: true }),
      user: relationship({ ref: 'User.platformAccounts', db: { foreignKey: { map: 'user_id' } } }),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
  }),

  Platform: list({
    graphql: NAMED_ROWS,
    db: { map: 'Platform', idField: { kind: 'string' } },
    access: {
      operation: {
        query: signedIn,
        create: can('settings', 'write'),
        update: can('settings', 'write'),
        delete: can('settings', 'delete'),
      },
    },
    hooks: {
      // As the platform service: one way to sign in always stays on.
      validate: {
        update: async ({ item, resolvedData, context, addValidationError }) => {
          if (resolvedData.enabled === false) await keepOneEnabled(item, context, addValidationError);
        },
        delete: ({ item, context, addValidationError }) => keepOneEnabled(item, context, addValidationError),
      },
      afterOperation: auditChanges(runtime, 'platform_changed', 'platform'),
    },
    fields: {
      name: requiredText('name'),
      enabled: flag('enabled', true),
      displayOrder: order('display_order'),
      createdAt: createdAt(),
      updatedAt: updatedAt(),
    },
  }),
});
