import { list } from '@keystone-6/core';
import { relationship, text } from '@keystone-6/core/fields';
import {
  READ_ONLY,
  allOrOwn,
  byPermission,
  can,
  ownOrByPermission,
  readOwnOrAll,
  signedIn,
} from '../access.js';
import {
  createdAt,
  flag,
  optionalText,
  order,
  requiredText,
  secret,
  textArray,
  timestamptz,
} from '../fields.js';
import {
  dbUuid,
  dropIndex,
  fixups,
  optionalRelation,
  requiredRelation,
  unique,
  type ModelFixup,
} from '../prisma-fixups.js';

/** A junction's pair stays unique (its composite primary key) beside the single-column id Keystone needs. */
const uniquePair = (a: string, b: string): ModelFixup => fixups(unique(a, b), dropIndex(a));

/** Roles, permissions, API keys and the junctions between them. key_hash is not a field. */
export const accessControlLists = {
  Role: list({
    graphql: READ_ONLY,
    db: { map: 'Role', idField: { kind: 'string' } },
    // Without roles:read, the roles you hold (what GET /v1/me shows you too).
    access: ownOrByPermission('roles', 'users.some.user'),
    fields: {
      name: requiredText('name', { isIndexed: 'unique' }),
      description: optionalText('description'),
      isSystem: flag('is_system', false),
      requiresTwoFactor: flag('requires_two_factor', false),
      createdAt: createdAt(),
      permissions: relationship({ ref: 'RolePermission.role', many: true }),
      users: relationship({ ref: 'UserRole.role', many: true }),
      apiKeys: relationship({ ref: 'ApiKeyRole.role', many: true }),
    },
  }),

  Permission: list({
    graphql: READ_ONLY,
    db: { map: 'Permission', idField: { kind: 'string' }, extendPrismaSchema: unique('resource', 'action') },
    access: {
      operation: byPermission('permissions'),
    },
    fields: {
      resource: requiredText('resource'),
      action: requiredText('action'),
      description: optionalText('description'),
      adminOnly: flag('admin_only', false),
      displayOrder: order('display_order'),
      createdAt: createdAt(),
      roles: relationship({ ref: 'RolePermission.permission', many: true }),
    },
  }),

  UserRole: list({
    graphql: READ_ONLY,
    db: {
      map: 'UserRole',
      extendPrismaSchema: fixups(
        dbUuid,
        requiredRelation('user'),
        requiredRelation('role'),
        uniquePair('userId', 'roleId'),
      ),
    },
    access: {
      operation: {
        query: signedIn,
        create: can('users', 'write'),
        update: () => false,
        delete: can('users', 'write'),
      },
      filter: { query: allOrOwn('users', 'read', 'user') },
    },
    fields: {
      user: relationship({ ref: 'User.roles', db: { foreignKey: { map: 'user_id' } } }),
      role: relationship({ ref: 'Role.users', db: { foreignKey: { map: 'role_id' } } }),
      createdAt: createdAt(),
    },
  }),

  RolePermission: list({
    graphql: READ_ONLY,
    db: {
      map: 'RolePermission',
      extendPrismaSchema: fixups(
        dbUuid,
        requiredRelation('role'),
        requiredRelation('permission'),
        uniquePair('roleId', 'permissionId'),
      ),
    },
    access: {
      operation: {
        query: can('roles', 'read'),
        create: can('roles', 'write'),
        update: () => false,
        delete: can('roles', 'write'),
      },
    },
    fields: {
      role: relationship({ ref: 'Role.permissions', db: { foreignKey: { map: 'role_id' } } }),
      permission: relationship({ ref: 'Permission.roles', db: { foreignKey: { map: 'permission_id' } } }),
      createdAt: createdAt(),
    },
  }),

  ApiKey: list({
    graphql: READ_ONLY,
    db: { map: 'ApiKey', extendPrismaSchema: fixups(dbUuid, optionalRelation('user', 'Cascade')) },
    access: {
      operation: { query: signedIn, create: () => false, update: signedIn, delete: signedIn },
      filter: {
        query: allOrOwn('api_keys', 'read', 'user'),
        update: allOrOwn('api_keys', 'write', 'user'),
        delete: allOrOwn('api_keys', 'delete', 'user'),
      },
    },
    fields: {
      keyPrefix: text({
        db: { map: 'key_prefix' },
        validation: { isRequired: true },
        graphql: { omit: { create: true, update: true } },
      }),
      name: requiredText('name'),
      description: optionalText('description'),
      user: relationship({
        ref: 'User.apiKeys',
        db: { foreignKey: { map: 'user_id' } },
        graphql: { omit: { update: true } },
      }),
      scopes: textArray('scopes', { dbDefault: '[]' }),
      isActive: flag('is_active', true),
      isSystem: flag('is_system', false),
      keyHash: secret('key_hash', { unique: true }),
      expiresAt: timestamptz('expires_at', { nullable: true }),
      lastUsedAt: timestamptz('last_used_at', { nullable: true, readOnly: true }),
      createdAt: createdAt(),
      roles: relationship({ ref: 'ApiKeyRole.apiKey', many: true }),
    },
  }),

  ApiKeyRole: list({
    graphql: READ_ONLY,
    db: {
      map: 'ApiKeyRole',
      extendPrismaSchema: fixups(
        dbUuid,
        requiredRelation('apiKey'),
        requiredRelation('role'),
        uniquePair('apiKeyId', 'roleId'),
      ),
    },
    access: readOwnOrAll('api_keys', 'apiKey.user'),
    fields: {
      apiKey: relationship({ ref: 'ApiKey.roles', db: { foreignKey: { map: 'api_key_id' } } }),
      role: relationship({ ref: 'Role.apiKeys', db: { foreignKey: { map: 'role_id' } } }),
      createdAt: createdAt(),
    },
  }),
};
