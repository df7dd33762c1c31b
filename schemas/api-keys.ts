import { z } from 'zod';
import { booleanQuery, futureDate, listOf, paginationQuery, sortParam, timestamp } from './common.js';

/** A scope is `*`, or `resource:action` with the permission wildcards. */
export const scopeSchema = z
  .string()
  .regex(
    /^(\*|[a-z0-9_]+:(\*|[a-z0-9_]+(\.[a-z0-9_]+)*(\.\*)?)|\*:[a-z0-9_.]+)$/,
    'A scope is "*" or "resource:action".',
  );

export const roleIdSchema = z
  .string()
  .regex(/^[a-z0-9_]{1,64}$/, 'A role id is lowercase letters, digits and "_".');

export const apiKeySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  prefix: z.string().describe('The first 11 characters, for recognising a key'),
  user_id: z.uuid().nullable(),
  scopes: z.array(z.string()),
  role_ids: z.array(z.string()),
  is_active: z.boolean(),
  is_system: z.boolean(),
  expires_at: timestamp.nullable(),
  last_used_at: timestamp.nullable(),
  created_at: timestamp,
});
export type ApiKeyRecord = z.infer<typeof apiKeySchema>;
/** A row as the database returns it (dates as Date). */
export type ApiKeyRow = Omit<ApiKeyRecord, 'expires_at' | 'last_used_at' | 'created_at'> & {
  expires_at: Date | null;
  last_used_at: Date | null;
  created_at: Date;
};

export const apiKeyWithSecretSchema = apiKeySchema.extend({
  key: z.string().describe('The full key. Shown only in this response: store it now.'),
});

export const createApiKeyBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  description: z.string().max(500).optional(),
  scopes: z
    .array(scopeSchema)
    .max(50)
    .optional()
    .describe('Defaults to the scopes of the credential creating the key ("*" for the CLI).'),
  role_ids: z.array(roleIdSchema).max(20).default([]),
  expires_at: futureDate.optional(),
  user_id: z
    .uuid()
    .nullable()
    .optional()
    .describe('Owner; defaults to the caller. Another owner needs api_keys:write.'),
});

export const updateApiKeyBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    description: z.string().max(500).nullable(),
    scopes: z.array(scopeSchema).max(50),
    role_ids: z.array(roleIdSchema).max(20),
    is_active: z.boolean(),
    expires_at: futureDate.nullable(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

export const listApiKeysQuery = z.strictObject({
  ...paginationQuery,
  user_id: z.uuid().optional(),
  all: booleanQuery.optional().describe('All keys of all users (needs api_keys:read)'),
  is_active: booleanQuery.optional(),
  q: z.string().max(100).optional().describe('Name contains'),
  sort: sortParam(['created_at', 'name', 'last_used_at'] as const, '-created_at'),
});

export const apiKeyListSchema = listOf(apiKeySchema);
