import { z } from 'zod';
import { futureDate } from './common.js';

/** Username rules, stated once for the CLI, REST, GraphQL and the registration page. */
export const USERNAME_RULES =
  '3 to 32 characters: letters, digits, "_", "." or "-", starting with a letter or digit';
export const usernameSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{2,31}$/, `Username must be ${USERNAME_RULES}.`);

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email('Enter a valid email address.'))
  .transform((email) => email.toLowerCase());

export const PASSWORD_MIN_LENGTH = 12;
export const passwordSchema = z
  .string()
  .min(PASSWORD_MIN_LENGTH, `Password must be at least ${PASSWORD_MIN_LENGTH} characters.`)
  .max(256, 'Password must be at most 256 characters.');

export const userBanSchema = z.object({
  reason: z.string(),
  banned_by: z.string().describe('Who banned: a user id, or api_key:<id>'),
  banned_at: z.string(),
  expires_at: z.string().nullable().describe('Null: until lifted'),
});

export const userSchema = z.object({
  id: z.uuid(),
  username: z.string(),
  email: z.string().nullable().describe('Email of the primary account'),
  privacy_mode: z.boolean(),
  preferred_locale: z.string().nullable(),
  role_ids: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
  last_login_at: z.string().nullable(),
  deleted_at: z.string().nullable(),
  ban: userBanSchema.nullable().describe('The ban that applies now, if any'),
  two_factor_enabled: z.boolean().describe('Two-factor authentication is on'),
});
export type UserRecord = z.infer<typeof userSchema>;

export const updateUserBody = z
  .strictObject({
    username: usernameSchema,
    preferred_locale: z.enum(['en', 'de']),
    privacy_mode: z.boolean(),
  })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'Send at least one field to change.');

export const privacyModeBody = z.strictObject({
  privacy_mode: z
    .boolean()
    .describe('On: people and apps without users:read no longer see your email, picture or activity'),
});

export const assignRoleBody = z.strictObject({ role_id: z.string().min(1).max(64) });

export const banUserBody = z.strictObject({
  reason: z.string().trim().min(1).max(500).describe('Kept in the ban history and the audit log'),
  expires_at: futureDate.optional().describe('Omit for a ban that lasts until lifted'),
});

/** The picture a person uploaded (PUT /v1/user/avatar). */
export const avatarSchema = z.object({
  url: z.string().describe('Where Heimdall serves it; changes with every new picture'),
  content_type: z.string(),
  size: z.number().int(),
  updated_at: z.string(),
});
