import { z } from 'zod';
import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import { AppError } from '../../core/errors/index.js';
import type { Actor } from '../../core/shared/actor.js';
import { validateInput } from '../../core/shared/validation.js';
import { createApiKeyBody, updateApiKeyBody } from '../../schemas/api-keys.js';
import { createOAuthClientBody, updateOAuthClientBody } from '../../schemas/oauth-clients.js';
import { createPermissionBody, createRoleBody, updateRoleBody } from '../../schemas/rbac.js';
import { banUserBody, updateUserBody } from '../../schemas/users.js';
import type { Session } from '../access.js';
import { requestOf } from '../session.js';
import type { Builder, ExtensionServices } from './extensions.js';

type Item = { id: string };
interface ListApi {
  findOne(args: { where: { id: string } }): Promise<Item | null>;
}
type Db = Record<'User' | 'Role' | 'Permission' | 'ApiKey' | 'Setting' | 'Platform' | 'OAuthClient', ListApi>;
interface Prisma {
  setting: { create(args: { data: Record<string, unknown> }): Promise<Item> };
  platform: { create(args: { data: Record<string, unknown> }): Promise<Item> };
}

/** Creates a row keyed by a chosen name; a taken name is 409 `<what>.exists`. */
async function createNamed(what: string, create: () => Promise<Item>): Promise<Item> {
  try {
    return await create();
  } catch (err) {
    if ((err as { code?: string }).code === 'P2002') {
      throw new AppError(`${what}.exists`, 409, `A ${what} with this id already exists.`);
    }
    throw err;
  }
}

const namedRow = (max: number) =>
  z
    .string()
    .regex(new RegExp(`^[a-z0-9][a-z0-9_.-]{0,${max - 1}}$`), 'Lowercase letters, digits, ".", "_" and "-".');
const newSetting = z.strictObject({
  id: namedRow(100),
  value: z.json(),
  is_public: z.boolean().default(false),
  description: z.string().max(500).optional(),
});
const newPlatform = z.strictObject({
  id: namedRow(50),
  name: z.string().trim().min(1).max(100),
  enabled: z.boolean().default(true),
  display_order: z.number().int().min(0).max(10_000).default(0),
});

/** The caller as the services need it: AuthContext plus the request's address and user agent (audit). */
function actorOf(session: Session | undefined): Actor {
  requireSignedIn(session);
  const request = requestOf(session);
  return { auth: session, ip: request?.ip, userAgent: request?.userAgent };
}

/** Drops undefined and null-for-omitted GraphQL arguments so the REST schema sees only what was sent. */
function sent(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined));
}

/**
 * Mutations of the lists whose changes have side effects (audit events, cache invalidation, escalation guards):
 * each calls the very service method REST calls, with the same validation (REST's zod schema, so errors name
 * the same fields), and answers with the list item read back through Keystone under the caller's own access
 * rules (null when the caller may change but not see it). Item types are declared by name with their id only;
 * the merged schema resolves the rest with Keystone's resolvers.
 */
export function heimdallMutations(builder: Builder, services: () => ExtensionServices): void {
  const ref = (name: 'User' | 'Role' | 'Permission' | 'ApiKey') =>
    builder.objectRef<Item>(name).implement({ fields: (t) => ({ id: t.exposeID('id') }) });
  const User = ref('User');
  const Role = ref('Role');
  const Permission = ref('Permission');
  const ApiKey = ref('ApiKey');
  const Setting = builder.objectRef<Item>('Setting').implement({ fields: (t) => ({ id: t.exposeID('id') }) });
  const Platform = builder
    .objectRef<Item>('Platform')
    .implement({ fields: (t) => ({ id: t.exposeID('id') }) });
  const prismaOf = (context: unknown) => (context as { prisma: Prisma }).prisma;
  const OAuthClient = builder
    .objectRef<Item>('OAuthClient')
    .implement({ fields: (t) => ({ id: t.exposeID('id') }) });
  const IssuedOAuthClient = builder
    .objectRef<{ client: Item | null; clientSecret: string | null }>('IssuedOAuthClient')
    .implement({
      description:
        'A new client, or a new secret: `clientSecret` is shown in this answer only (null for public clients)',
      fields: (t) => ({
        clientSecret: t.exposeString('clientSecret', { nullable: true }),
        client: t.field({ type: OAuthClient, nullable: true, resolve: (r) => r.client }),
      }),
    });
  const OAuthClientFields = (name: string, required: boolean) =>
    builder.inputType(name, {
      fields: (t) => ({
        name: t.string({ required }),
        description: t.string(),
        logoUrl: t.string(),
        redirectUris: t.stringList({ required }),
        postLogoutRedirectUris: t.stringList(),
        grantTypes: t.stringList(),
        scopes: t.stringList(),
        isActive: t.boolean(),
        ...(required ? { tokenEndpointAuthMethod: t.string(), userId: t.id() } : {}),
      }),
    });
  const NewOAuthClient = OAuthClientFields('NewOAuthClient', true);
  const OAuthClientChanges = OAuthClientFields('OAuthClientChanges', false);
  const clientBody = (data: Record<string, unknown>) =>
    sent({
      name: data.name ?? undefined,
      description: data.description,
      logo_url: data.logoUrl,
      redirect_uris: data.redirectUris ?? undefined,
      post_logout_redirect_uris: data.postLogoutRedirectUris ?? undefined,
      grant_types: data.grantTypes ?? undefined,
      scopes: data.scopes ?? undefined,
      is_active: data.isActive ?? undefined,
      token_endpoint_auth_method: data.tokenEndpointAuthMethod ?? undefined,
      user_id: data.userId === undefined ? undefined : data.userId === null ? null : String(data.userId),
    });

  const read = async (context: unknown, list: keyof Db, id: string): Promise<Item | null> =>
    (context as { db: Db }).db[list].findOne({ where: { id } });

  const UserChanges = builder.inputType('UserChanges', {
    fields: (t) => ({
      username: t.string(),
      preferredLocale: t.string(),
      privacyMode: t.boolean(),
    }),
  });
  const NewRole = builder.inputType('NewRole', {
    fields: (t) => ({
      id: t.string({ description: 'role_… (derived from the name when omitted)' }),
      name: t.string({ required: true }),
      description: t.string(),
      requiresTwoFactor: t.boolean(),
      permissionIds: t.stringList(),
    }),
  });
  const RoleChanges = builder.inputType('RoleChanges', {
    fields: (t) => ({ name: t.string(), description: t.string(), requiresTwoFactor: t.boolean() }),
  });
  const NewPermission = builder.inputType('NewPermission', {
    fields: (t) => ({
      resource: t.string({ required: true }),
      action: t.string({ required: true }),
      description: t.string(),
      adminOnly: t.boolean(),
      displayOrder: t.int(),
    }),
  });
  const NewApiKey = builder.inputType('NewApiKey', {
    fields: (t) => ({
      name: t.string({ required: true }),
      description: t.string(),
      scopes: t.stringList(),
      roleIds: t.stringList(),
      expiresAt: t.string(),
      userId: t.id(),
    }),
  });
  const ApiKeyChanges = builder.inputType('ApiKeyChanges', {
    fields: (t) => ({
      name: t.string(),
      description: t.string(),
      scopes: t.stringList(),
      roleIds: t.stringList(),
      isActive: t.boolean(),
      expiresAt: t.string(),
    }),
  });
  const IssuedApiKey = builder.objectRef<{ apiKey: Item | null; key: string }>('IssuedApiKey').implement({
    description: 'A new or rotated key: `key` is shown in this answer only',
    fields: (t) => ({
      key: t.exposeString('key'),
      apiKey: t.field({ type: ApiKey, nullable: true, resolve: (r) => r.apiKey }),
    }),
  });

  builder.mutationType({
    fields: (t) => ({
      updateUser: t.field({
        type: User,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: UserChanges, required: true }) },
        resolve: async (_root, { id, data }, context) => {
          const input = validateInput(
            updateUserBody,
            sent({
              username: data.username,
              preferred_locale: data.preferredLocale,
              privacy_mode: data.privacyMode,
            }),
            'arguments',
          );
          await services().users.update(actorOf(context.session), String(id), input);
          return read(context, 'User', String(id));
        },
      }),
      deleteUser: t.id({
        description: 'Deletes the user (their keys stop working at once); answers the id',
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().users.remove(actorOf(session), String(id));
          return id;
        },
      }),
      assignRole: t.field({
        type: User,
        nullable: true,
        args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
        resolve: async (_root, { userId, roleId }, context) => {
          await services().users.addRole(actorOf(context.session), String(userId), String(roleId));
          return read(context, 'User', String(userId));
        },
      }),
      removeRole: t.field({
        type: User,
        nullable: true,
        args: { userId: t.arg.id({ required: true }), roleId: t.arg.id({ required: true }) },
        resolve: async (_root, { userId, roleId }, context) => {
          await services().users.removeRole(actorOf(context.session), String(userId), String(roleId));
          return read(context, 'User', String(userId));
        },
      }),
      banUser: t.field({
        type: User,
        nullable: true,
        args: {
          id: t.arg.id({ required: true }),
          reason: t.arg.string({ required: true }),
          expiresAt: t.arg.string(),
        },
        resolve: async (_root, { id, reason, expiresAt }, context) => {
          const input = validateInput(
            banUserBody,
            sent({ reason, expires_at: expiresAt ?? undefined }),
            'arguments',
          );
          await services().users.ban(actorOf(context.session), String(id), input);
          return read(context, 'User', String(id));
        },
      }),
      unbanUser: t.field({
        type: User,
        nullable: true,
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, context) => {
          await services().users.unban(actorOf(context.session), String(id));
          return read(context, 'User', String(id));
        },
      }),
      createRole: t.field({
        type: Role,
        nullable: true,
        args: { data: t.arg({ type: NewRole, required: true }) },
        resolve: async (_root, { data }, context) => {
          const input = validateInput(
            createRoleBody,
            sent({
              id: data.id ?? undefined,
              name: data.name,
              description: data.description ?? undefined,
              requires_two_factor: data.requiresTwoFactor ?? undefined,
              permission_ids: data.permissionIds ?? undefined,
            }),
            'arguments',
          );
          const role = await services().roles.create(actorOf(context.session), input);
          return read(context, 'Role', role.id);
        },
      }),
      updateRole: t.field({
        type: Role,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: RoleChanges, required: true }) },
        resolve: async (_root, { id, data }, context) => {
          const input = validateInput(
            updateRoleBody,
            sent({
              name: data.name ?? undefined,
              description: data.description,
              requires_two_factor: data.requiresTwoFactor ?? undefined,
            }),
            'arguments',
          );
          await services().roles.update(actorOf(context.session), String(id), input);
          return read(context, 'Role', String(id));
        },
      }),
      deleteRole: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().roles.remove(actorOf(session), String(id));
          return id;
        },
      }),
      addRolePermission: t.field({
        type: Role,
        nullable: true,
        args: { roleId: t.arg.id({ required: true }), permissionId: t.arg.id({ required: true }) },
        resolve: async (_root, { roleId, permissionId }, context) => {
          await services().roles.addPermission(
            actorOf(context.session),
            String(roleId),
            String(permissionId),
          );
          return read(context, 'Role', String(roleId));
        },
      }),
      removeRolePermission: t.field({
        type: Role,
        nullable: true,
        args: { roleId: t.arg.id({ required: true }), permissionId: t.arg.id({ required: true }) },
        resolve: async (_root, { roleId, permissionId }, context) => {
          await services().roles.removePermission(
            actorOf(context.session),
            String(roleId),
            String(permissionId),
          );
          return read(context, 'Role', String(roleId));
        },
      }),
      createPermission: t.field({
        type: Permission,
        nullable: true,
        args: { data: t.arg({ type: NewPermission, required: true }) },
        resolve: async (_root, { data }, context) => {
          const input = validateInput(
            createPermissionBody,
            sent({
              resource: data.resource,
              action: data.action,
              description: data.description ?? undefined,
              admin_only: data.adminOnly ?? undefined,
              display_order: data.displayOrder ?? undefined,
            }),
            'arguments',
          );
          const permission = await services().permissions.create(actorOf(context.session), input);
          return read(context, 'Permission', permission.id);
        },
      }),
      deletePermission: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().permissions.remove(actorOf(session), String(id));
          return id;
        },
      }),
      createApiKey: t.field({
        type: IssuedApiKey,
        args: { data: t.arg({ type: NewApiKey, required: true }) },
        resolve: async (_root, { data }, context) => {
          const input = validateInput(
            createApiKeyBody,
            sent({
              name: data.name,
              description: data.description ?? undefined,
              scopes: data.scopes ?? undefined,
              role_ids: data.roleIds ?? undefined,
              expires_at: data.expiresAt ?? undefined,
              user_id:
                data.userId === undefined ? undefined : data.userId === null ? null : String(data.userId),
            }),
            'arguments',
          );
          const created = await services().apiKeys.create(actorOf(context.session), input);
          return { key: created.key, apiKey: await read(context, 'ApiKey', created.record.id) };
        },
      }),
      updateApiKey: t.field({
        type: ApiKey,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: ApiKeyChanges, required: true }) },
        resolve: async (_root, { id, data }, context) => {
          const input = validateInput(
            updateApiKeyBody,
            sent({
              name: data.name ?? undefined,
              description: data.description,
              scopes: data.scopes ?? undefined,
              role_ids: data.roleIds ?? undefined,
              is_active: data.isActive ?? undefined,
              expires_at: data.expiresAt,
            }),
            'arguments',
          );
          await services().apiKeys.update(actorOf(context.session), String(id), input);
          return read(context, 'ApiKey', String(id));
        },
      }),
      rotateApiKey: t.field({
        type: IssuedApiKey,
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, context) => {
          const rotated = await services().apiKeys.rotate(actorOf(context.session), String(id));
          return { key: rotated.key, apiKey: await read(context, 'ApiKey', rotated.record.id) };
        },
      }),
      createSetting: t.field({
        type: Setting,
        nullable: true,
        description: 'A setting under a name you choose, e.g. site.name (settings:write)',
        args: {
          id: t.arg.string({ required: true }),
          value: t.arg({ type: 'JSON', required: true }),
          isPublic: t.arg.boolean(),
          description: t.arg.string(),
        },
        resolve: async (_root, args, context) => {
          requireSignedIn(context.session);
          requirePermission(context.session, 'settings', 'write');
          const input = validateInput(
            newSetting,
            sent({
              id: args.id,
              value: args.value,
              is_public: args.isPublic ?? undefined,
              description: args.description ?? undefined,
            }),
            'arguments',
          );
          const row = await createNamed('setting', () =>
            prismaOf(context).setting.create({
              data: {
                id: input.id,
                value: input.value,
                isPublic: input.is_public,
                description: input.description ?? null,
              },
            }),
          );
          return read(context, 'Setting', row.id);
        },
      }),
      createPlatform: t.field({
        type: Platform,
        nullable: true,
        description: 'A sign-in platform (settings:write)',
        args: {
          id: t.arg.string({ required: true }),
          name: t.arg.string({ required: true }),
          enabled: t.arg.boolean(),
          displayOrder: t.arg.int(),
        },
        resolve: async (_root, args, context) => {
          requireSignedIn(context.session);
          requirePermission(context.session, 'settings', 'write');
          const input = validateInput(
            newPlatform,
            sent({
              id: args.id,
              name: args.name,
              enabled: args.enabled ?? undefined,
              display_order: args.displayOrder ?? undefined,
            }),
            'arguments',
          );
          const row = await createNamed('platform', () =>
            prismaOf(context).platform.create({
              data: {
                id: input.id,
                name: input.name,
                enabled: input.enabled,
                displayOrder: input.display_order,
              },
            }),
          );
          return read(context, 'Platform', row.id);
        },
      }),
      createOAuthClient: t.field({
        type: IssuedOAuthClient,
        description:
          'A client for Heimdall ID (oauth_clients:create); its secret is shown in this answer only',
        args: { data: t.arg({ type: NewOAuthClient, required: true }) },
        resolve: async (_root, { data }, context) => {
          const input = validateInput(createOAuthClientBody, clientBody(data), 'arguments');
          const created = await services().oauthClients.create(actorOf(context.session), input);
          return {
            clientSecret: created.clientSecret,
            client: await read(context, 'OAuthClient', created.row.id),
          };
        },
      }),
      updateOAuthClient: t.field({
        type: OAuthClient,
        nullable: true,
        args: { id: t.arg.id({ required: true }), data: t.arg({ type: OAuthClientChanges, required: true }) },
        resolve: async (_root, { id, data }, context) => {
          const input = validateInput(updateOAuthClientBody, clientBody(data), 'arguments');
          await services().oauthClients.update(actorOf(context.session), String(id), input);
          return read(context, 'OAuthClient', String(id));
        },
      }),
      regenerateOAuthClientSecret: t.field({
        type: IssuedOAuthClient,
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, context) => {
          const issued = await services().oauthClients.regenerateSecret(actorOf(context.session), String(id));
          return {
            clientSecret: issued.clientSecret,
            client: await read(context, 'OAuthClient', issued.row.id),
          };
        },
      }),
      deleteOAuthClient: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().oauthClients.remove(actorOf(session), String(id));
          return id;
        },
      }),
      deleteApiKey: t.id({
        args: { id: t.arg.id({ required: true }) },
        resolve: async (_root, { id }, { session }) => {
          await services().apiKeys.remove(actorOf(session), String(id));
          return id;
        },
      }),
    }),
  });
}
