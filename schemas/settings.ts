import { z } from 'zod';
import { dateTimeText } from './common.js';

/**
 * The settings Heimdall knows, said once: each key's value type, what it is for, its value while nobody has set
 * it, and whether it is public (readable without `settings:read`, at `GET /v1/settings/public`). The admin
 * panel, REST and the settings service (core/settings) all read them from here. Defaults that have a
 * counterpart in the configuration file repeat its shipped value (`sessions.ttl`, `accounts.registration_enabled`).
 */
export interface SettingDefinition<Z extends z.ZodType = z.ZodType> {
  schema: Z;
  description: string;
  default: z.output<Z>;
  public: boolean;
}

const setting = <Z extends z.ZodType>(
  schema: Z,
  defaultValue: z.output<Z>,
  visibility: 'public' | 'private',
  description: string,
): SettingDefinition<Z> => ({ schema, description, default: defaultValue, public: visibility === 'public' });

export const SETTINGS = {
  'site.name': setting(
    z.string().trim().min(1).max(100),
    'Heimdall',
    'public',
    'The name people see on the sign-in and account pages and in emails (1 to 100 characters)',
  ),
  'site.support_email': setting(
    z.email().max(254).nullable(),
    null,
    'public',
    'Where people can ask for help, shown on the sign-in and account pages (null: not shown)',
  ),
  'accounts.registration_open': setting(
    z.boolean(),
    true,
    'public',
    'Whether people may create an account on the registration page',
  ),
  'security.session_ttl_hours': setting(
    z.number().int().min(1).max(720),
    336,
    'private',
    'How long a sign-in session lasts unless refreshed, in hours (1 to 720)',
  ),
  'maintenance.enabled': setting(
    z.boolean(),
    false,
    'public',
    'Whether apps show the maintenance message to everyone',
  ),
  'maintenance.message': setting(
    z.string().max(500),
    '',
    'public',
    'The maintenance notice apps show while maintenance is on (at most 500 characters)',
  ),
  'gps.retention_days': setting(
    z.number().int().min(1).max(3650).nullable(),
    null,
    'private',
    'GPS points older than this many days may be deleted (1 to 3650; null: kept)',
  ),
} as const satisfies Record<string, SettingDefinition>;

export type KnownSettingKey = keyof typeof SETTINGS;
export const KNOWN_SETTING_KEYS = Object.keys(SETTINGS) as KnownSettingKey[];

export const isKnownSettingKey = (key: string): key is KnownSettingKey => Object.hasOwn(SETTINGS, key);

/**
 * Keys outside the registry are refused, except under `custom.`: those hold any JSON value (apps' own
 * settings), private unless set public.
 */
export const CUSTOM_SETTING_PREFIX = 'custom.';
/** At most this many custom settings, so that the list stays one small answer. */
export const MAX_CUSTOM_SETTINGS = 200;
/** A value's JSON text, in bytes (UTF-8). */
export const MAX_SETTING_BYTES = 16 * 1024;
/** A value's nesting, in arrays and objects. */
export const MAX_SETTING_DEPTH = 16;

/** A key as the Setting table's check constraint allows it, at most 100 characters. */
export const SETTING_KEY_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,99}$/;
export const settingKeyParam = z.object({
  key: z.string().regex(SETTING_KEY_PATTERN, 'Lowercase letters, digits, ".", "_" and "-", at most 100.'),
});

const updatedAt = z
  .string()
  .nullable()
  .describe('When it was last set, ISO 8601 with microseconds (null: never set, the default applies)');

export const settingSchema = z.object({
  key: z.string(),
  value: z.unknown().describe('The value set, else the default'),
  is_public: z.boolean().describe('Readable without settings:read (GET /v1/settings/public)'),
  description: z.string().nullable(),
  updated_at: updatedAt,
  is_set: z.boolean().describe('false: never set (or deleted), so the default applies'),
  known: z.boolean().describe('A key of the registry (false: a custom.* key, or a key the registry dropped)'),
  default: z.unknown().describe('The registry default (null for keys outside the registry)'),
  value_schema: z
    .record(z.string(), z.unknown())
    .nullable()
    .describe('JSON Schema of the value (null: any JSON value)'),
});
export type SettingRecord = z.infer<typeof settingSchema>;

export const settingListSchema = z.object({ data: z.array(settingSchema) });
export const publicSettingsSchema = z.object({
  data: z.record(z.string(), z.unknown()).describe('Every public setting, key → value (defaults included)'),
});

/**
 * The `updated_at` a change expects the setting to have (as last read): another change in between answers
 * 409 `setting.conflict`. null: the setting must not be set yet. Omitted: no check.
 */
const expectedUpdatedAt = dateTimeText
  .nullable()
  .optional()
  .describe('updated_at as you last read it; null: it must not be set yet; omit to skip the check');

export const putSettingBody = z.strictObject({
  // Any JSON here (a JSON body holds nothing else); the settings service checks it against the key's type.
  value: z
    .unknown()
    .refine((value) => value !== undefined, 'Required.')
    .describe(`The value, as the key's value_schema says; its JSON at most ${MAX_SETTING_BYTES} bytes`),
  is_public: z
    .boolean()
    .optional()
    .describe('custom.* keys only (default false); known keys: as the registry says'),
  expected_updated_at: expectedUpdatedAt,
});

export const deleteSettingQuery = z.strictObject({
  expected_updated_at: dateTimeText.optional().describe('updated_at as you last read it'),
});
