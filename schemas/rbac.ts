import { z } from 'zod';
import {
  booleanQuery,
  dateTimeText,
  listOf,
  paginationQuery,
  paginationSchema,
  sortParam,
} from './common.js';
import { userSchema } from './users.js';

export const roleSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  is_system: z.boolean(),
  requires_two_factor: z.boolean(),
  permission_ids: z.array(z.string()),
  created_at: z.string(),
});
export type RoleRecord = z.infer<typeof roleSchema>;

export const permissionSchema = z.object({
  id: z.string(),
  resource: z.string(),
  action: z.string(),
  description: z.string().nullable(),
  admin_only: z.boolean(),
  display_order: z.number(),
  created_at: z.string(),
});
export type PermissionRecord = z.infer<typeof permissionSchema>;

const roleName = z.string().trim().min(1).max(64);
const resourceName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,63}$/, 'A resource is lowercase letters, digits and "_".');
const actionName = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/,
    'An action is lowercase words joined by "." (e.g. guild.ban).',
  )
  .max(64);
export const permissionName = z
  .string()
  .regex(/^(\*|[a-z][a-z0-9_]*):(\*|[a-z0-9_.*]+)$/, 'A permission is "resource:action".');

export const createRoleBody = z.strictObject({
  id: z
    .string()
    .regex(/^role_[a-z0-9_]{1,59}$/, 'A role id looks like role_gps_manager.')
    .optional(),
  name: roleName,
  description: z.string().max(500).optional(),
  requires_two_factor: z.boolean().default(false),
  permission_ids: z.array(permissionName).max(200).default([]),
});

export const updateRoleBody = z
  .strictObject({
    name: roleName,
    description: z.string().max(500).nullable(),
    requires_two_factor: z.boolean(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

export const rolePermissionBody = z.strictObject({ permission_id: permissionName });

/** A role's whole permission set at once (the admin panel's matrix), against the version last read. */
export const setRolePermissionsInput = z.strictObject({
  permission_ids: z.array(permissionName).max(200),
  expected_version: z
    .string()
    .min(1)
    .max(100)
    .describe('The version of the set as last read: another change in between is refused'),
});

export const createPermissionBody = z.strictObject({
  resource: resourceName,
  action: actionName,
  description: z.string().max(500).optional(),
  admin_only: z.boolean().default(false),
  display_order: z.number().int().min(0).max(10_000).default(0),
});

export const roleIdParam = z.object({ id: z.string().min(1).max(64) });
export const permissionIdParam = z.object({ id: permissionName });
export const userRoleParams = z.object({ id: z.uuid('Must be a UUID.'), roleId: z.string().min(1).max(64) });
export const rolePermissionParams = z.object({ id: z.string().min(1).max(64), permId: permissionName });

export const listRolesQuery = z.strictObject({
  ...paginationQuery,
  q: z.string().max(100).optional(),
  is_system: booleanQuery.optional(),
  sort: sortParam(['name', 'created_at', 'id'] as const, 'name'),
});
export const listPermissionsQuery = z.strictObject({
  ...paginationQuery,
  per_page: paginationQuery.per_page,
  resource: z.string().max(64).optional(),
  q: z.string().max(100).optional(),
  sort: sortParam(['resource', 'id', 'display_order', 'created_at'] as const, 'resource'),
});
/** Users a list counts at most (GET /v1/users answers `total_capped` past it). */
export const MAX_COUNTED_USERS = 10_000;

export const listUsersQuery = z
  .strictObject({
    ...paginationQuery,
    q: z
      .string()
      .trim()
      .max(100)
      .optional()
      .describe(
        'Username or an email of the user contains this (1 or 2 characters: starts with it), or it is their id; case-insensitive',
      ),
    role_id: z.string().max(64).optional(),
    include_deleted: booleanQuery.optional(),
    banned: booleanQuery.optional().describe('Only users who are (true) or are not (false) banned now'),
    two_factor: booleanQuery.optional().describe('Only users with (true) or without (false) 2FA enabled'),
    created_after: dateTimeText.optional().describe('Only users created at or after this time'),
    created_before: dateTimeText.optional().describe('Only users created before this time'),
    sort: sortParam(['created_at', 'username', 'last_login_at'] as const, '-created_at'),
  })
  .refine(
    (q) => !q.created_after || !q.created_before || new Date(q.created_after) < new Date(q.created_before),
    {
      message: '"created_after" must be before "created_before".',
      path: ['created_after'],
    },
  );

export const roleListSchema = listOf(roleSchema);
export const permissionListSchema = listOf(permissionSchema);
export const userListSchema = z.object({
  data: z.array(userSchema),
  pagination: paginationSchema.extend({
    total: z
      .number()
      .describe(`Users matching, counted up to ${MAX_COUNTED_USERS.toLocaleString('en')} (see total_capped)`),
    total_capped: z
      .boolean()
      .describe(`More than ${MAX_COUNTED_USERS.toLocaleString('en')} users match; total is that cap`),
    has_more: z.boolean().describe('A page follows this one'),
  }),
});
export const roleArraySchema = z.object({ data: z.array(roleSchema) });
export const permissionArraySchema = z.object({ data: z.array(permissionSchema) });

/**
 * How a grant covers `resource:action`: itself, a dotted prefix (`discord:guild.*`), `resource:*`, `*:action`, `*:*`.
 */
export const GRANT_KINDS = ['exact', 'prefix', 'resource_wildcard', 'action_wildcard', 'all'] as const;
export type GrantKind = (typeof GRANT_KINDS)[number];

/** The super-admin rules: the role `role_super_admin`, a role named `super_admin` (legacy), a role holding `*:*`. */
export const SUPER_ADMIN_RULES = ['role_id', 'legacy_role_name', 'wildcard_permission'] as const;
export type SuperAdminRule = (typeof SUPER_ADMIN_RULES)[number];

/** The checks of an access decision, in the order they are made. */
export const DECISION_CHECKS = ['two_factor', 'scope', 'permission', 'owner_cap'] as const;
export type DecisionCheck = (typeof DECISION_CHECKS)[number];

/** Why a decision went as it did: how it was allowed, or the first check that refused it. */
export const DECISION_REASONS = [
  'super_admin',
  'granted',
  'two_factor_missing',
  'scope_missing',
  'permission_missing',
  'owner_lacks_permission',
] as const;
export type DecisionReason = (typeof DECISION_REASONS)[number];

/** An explanation's checks: the credential itself (a key, then the account behind it) before the decision's. */
export const EXPLANATION_CHECKS = ['api_key', 'account', ...DECISION_CHECKS] as const;

/** An explanation's reasons: the decision's, or the credential refused before any decision is made. */
export const EXPLANATION_REASONS = [
  ...DECISION_REASONS,
  'account_deleted',
  'account_banned',
  'api_key_inactive',
  'api_key_expired',
] as const;
export type ExplanationReason = (typeof EXPLANATION_REASONS)[number];

export const explainPermissionQuery = z
  .strictObject({
    permission: permissionName.describe('The permission to explain, `resource:action`'),
    user_id: z
      .uuid('Must be a UUID.')
      .optional()
      .describe('The user to explain, as they would be signed in (the caller needs users:read too)'),
    api_key_id: z
      .uuid('Must be a UUID.')
      .optional()
      .describe('The API key to explain (the caller needs api_keys:read too)'),
  })
  .refine((q) => (q.user_id === undefined) !== (q.api_key_id === undefined), {
    message: 'Send exactly one of user_id and api_key_id.',
    path: ['user_id'],
  });

const explanationRole = z.object({ id: z.string(), name: z.string() });

export const explanationStepSchema = z.object({
  check: z.enum(EXPLANATION_CHECKS),
  passed: z.boolean(),
  grant: z
    .string()
    .nullable()
    .describe('The permission (or, for the scope check, the scope) that covered the one asked about'),
  grant_kind: z.enum(GRANT_KINDS).nullable(),
  super_admin_rule: z
    .enum(SUPER_ADMIN_RULES)
    .nullable()
    .describe("Set when the check passed by super-admin power (for owner_cap: the owner's)"),
  roles: z.array(explanationRole).describe('The roles the check rests on'),
  detail: z.string(),
});

export const permissionExplanationSchema = z.object({
  permission: z.string(),
  allowed: z.boolean(),
  reason: z.enum(EXPLANATION_REASONS),
  summary: z.string(),
  subject: z.object({
    type: z.enum(['user', 'api_key']),
    user_id: z.string().nullable().describe("The user, or the key's owner"),
    username: z.string().nullable(),
    api_key_id: z.string().nullable(),
    api_key_name: z.string().nullable(),
  }),
  permission_exists: z
    .boolean()
    .describe('The permission is in the catalogue (a wildcard grant still covers a name that is not)'),
  two_factor_session_required: z
    .boolean()
    .describe('Allowed only in a session whose second factor was checked (a role requires 2FA)'),
  steps: z.array(explanationStepSchema).max(EXPLANATION_CHECKS.length),
});
export type PermissionExplanation = z.infer<typeof permissionExplanationSchema>;
export type ExplanationStep = z.infer<typeof explanationStepSchema>;
