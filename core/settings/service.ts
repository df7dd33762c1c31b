import type { Knex } from 'knex';
import { z } from 'zod';
import {
  CUSTOM_SETTING_PREFIX,
  KNOWN_SETTING_KEYS,
  MAX_CUSTOM_SETTINGS,
  MAX_SETTING_BYTES,
  MAX_SETTING_DEPTH,
  SETTINGS,
  SETTING_KEY_PATTERN,
  type SettingDefinition,
  type SettingRecord,
} from '../../schemas/settings.js';
import type { AuditLogger } from '../audit/logger.js';
import { auditRecorder } from '../audit/recorder.js';
import { requirePermission } from '../auth/guards.js';
import { AppError, notFound } from '../errors/index.js';
import type { Actor } from '../shared/actor.js';
import { describeUnsafe, findUnsafeInput } from '../shared/input-text.js';
import { fieldIssues } from '../shared/validation.js';
import { createSettingQueries, type SettingChange, type SettingRow } from './queries.js';

/**
 * Settings: the keys of the registry (schemas/settings.ts), each validated against its value type, and free JSON
 * under `custom.`; any other key is refused (422 `setting.unknown_key`), so a typo never becomes a setting nobody
 * reads. Reading needs `settings:read` (checked by the caller: the route, the admin panel), except the public
 * ones; setting needs `settings:write`, deleting `settings:delete` (checked here). Every change records
 * `setting_changed` with the old and new value. A change may name the `updated_at` it last read: if the setting
 * changed meanwhile, it is refused with 409 `setting.conflict` and nothing is written.
 */
export interface SetSettingOptions {
  /** `custom.*` keys only; a known key's visibility is the registry's. */
  isPublic?: boolean | undefined;
  /** The `updated_at` last read; null: the setting must not be set yet; undefined: no check. */
  expectedUpdatedAt?: string | null | undefined;
}

/** The registry with each value type as JSON Schema, for forms (computed once). */
const known = new Map<string, { definition: SettingDefinition; valueSchema: Record<string, unknown> }>(
  KNOWN_SETTING_KEYS.map((key) => {
    const definition: SettingDefinition = SETTINGS[key];
    const { $schema: _ignored, ...valueSchema } = z.toJSONSchema(definition.schema, { io: 'input' });
    return [key, { definition, valueSchema }];
  }),
);

const anyJson = z.json();

const invalidValue = (key: string, fields: { field: string; message: string }[]) =>
  new AppError('setting.invalid_value', 400, `This is not a valid value for ${key}.`, { fields });

const conflict = (key: string) =>
  new AppError(
    'setting.conflict',
    409,
    `${key} was changed by someone else since you read it; read it again and redo your change.`,
  );

const NOT_FOUND = (key: string) => notFound('setting.not_found', `No setting ${key}.`);

function assertKey(key: string): void {
  if (!SETTING_KEY_PATTERN.test(key)) {
    throw new AppError(
      'setting.invalid_key',
      400,
      'A setting key is lowercase letters, digits, ".", "_" and "-", at most 100 characters.',
    );
  }
}

/** The record of a key: its row if set, else the registry's default (known keys only). */
function toRecord(key: string, row: SettingRow | undefined): SettingRecord {
  const entry = known.get(key);
  if (entry) {
    const { definition, valueSchema } = entry;
    return {
      key,
      value: row ? row.value : definition.default,
      is_public: definition.public,
      description: definition.description,
      updated_at: row?.updated_at ?? null,
      is_set: row !== undefined,
      known: true,
      default: definition.default,
      value_schema: valueSchema,
    };
  }
  if (!row) throw NOT_FOUND(key);
  return {
    key,
    value: row.value,
    is_public: row.is_public,
    description: row.description,
    updated_at: row.updated_at,
    is_set: true,
    known: false,
    default: null,
    value_schema: null,
  };
}

/** The value as it will be stored (a known key's schema may normalise it, e.g. trim), or a 400. */
function checkedValue(key: string, value: unknown): unknown {
  const unsafe = findUnsafeInput(value, MAX_SETTING_DEPTH);
  if (unsafe) {
    const where = ['value', ...unsafe.path].map(String).join('.');
    const message =
      unsafe.reason === 'depth'
        ? `Nested deeper than ${MAX_SETTING_DEPTH} levels.`
        : describeUnsafe(unsafe.reason);
    throw invalidValue(key, [{ field: where, message }]);
  }
  const schema = known.get(key)?.definition.schema ?? anyJson;
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw invalidValue(
      key,
      fieldIssues(parsed.error.issues, ['value']).map((i) => ({
        field: i.path.map(String).join('.'),
        message: i.message,
      })),
    );
  }
  const bytes = Buffer.byteLength(JSON.stringify(parsed.data), 'utf8');
  if (bytes > MAX_SETTING_BYTES) {
    throw new AppError(
      'setting.too_large',
      400,
      `The value of ${key} is ${bytes} bytes of JSON; at most ${MAX_SETTING_BYTES} are allowed.`,
      { bytes, max_bytes: MAX_SETTING_BYTES },
    );
  }
  return parsed.data;
}

/**
 * What a change to `key` may be, wherever it comes from (this service, GraphQL's Setting list): a key of the
 * registry with a value of its type and its fixed visibility, or a `custom.*` key with any JSON, within the size
 * limit. Answers the value as it will be stored (undefined when the change sets no value); throws the reason.
 */
export function checkedSettingChange(
  key: string,
  change: { value?: unknown; isPublic?: boolean | undefined },
): unknown {
  assertKey(key);
  const entry = known.get(key);
  const custom = !entry && key.startsWith(CUSTOM_SETTING_PREFIX) && key.length > CUSTOM_SETTING_PREFIX.length;
  if (!entry && !custom) {
    throw new AppError(
      'setting.unknown_key',
      422,
      `${key} is not a setting Heimdall knows; use a key of the registry, or custom.<name> for your own.`,
      { known: KNOWN_SETTING_KEYS, custom_prefix: CUSTOM_SETTING_PREFIX },
    );
  }
  if (entry && change.isPublic !== undefined && change.isPublic !== entry.definition.public) {
    throw new AppError(
      'setting.visibility_fixed',
      422,
      `${key} is ${entry.definition.public ? 'public' : 'private'} by definition; only custom.* settings choose.`,
    );
  }
  return 'value' in change ? checkedValue(key, change.value) : undefined;
}

/**
 * The values an audit event may carry: a registry key's (typed, public or operational, never a secret), but not
 * a `custom.*` key's, which may hold anything, a credential included.
 */
const values = (key: string, shown: Record<string, unknown>) => (known.has(key) ? shown : {});

/** Raises 409 when the row is not the one the caller read. */
function assertExpected(key: string, row: SettingRow | undefined, expected: string | null | undefined): void {
  if (expected === undefined) return;
  if (expected === null ? row !== undefined : row === undefined || !sameInstant(row.updated_at, expected))
    throw conflict(key);
}

/** Two ISO 8601 texts naming the same microsecond (the caller may send another offset than ours). */
function sameInstant(stored: string, sent: string): boolean {
  if (stored === sent) return true;
  const micros = (text: string) => {
    const match = /^(.*T\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?(Z|[+-]\d{2}:\d{2})$/i.exec(text);
    if (!match) return undefined;
    const whole = Date.parse(`${match[1]}${match[3]}`);
    return Number.isNaN(whole) ? undefined : whole * 1000 + Number((match[2] ?? '').padEnd(6, '0'));
  };
  const a = micros(stored);
  return a !== undefined && a === micros(sent);
}

export function createSettingService(deps: { db: Knex; audit: AuditLogger }) {
  const queries = createSettingQueries(deps.db);
  const audit = auditRecorder<'setting_changed'>(deps.audit, { resource_type: 'setting' });
  const record = (actor: Actor, key: string, operation: string, metadata: Record<string, unknown>) =>
    audit.record('setting_changed', actor, {
      resource_id: key,
      description: `setting ${key}: ${operation}`,
      metadata: { operation, ...metadata },
    });

  return {
    /** Every known key (set or not) and every stored key, by key. */
    async list(): Promise<SettingRecord[]> {
      const rows = new Map((await queries.all()).map((row) => [row.key, row]));
      const keys = [...new Set([...KNOWN_SETTING_KEYS, ...rows.keys()])].sort();
      return keys.map((key) => toRecord(key, rows.get(key)));
    },

    /** One setting: its value, or a known key's default when it is not set; 404 for other keys not set. */
    async get(key: string): Promise<SettingRecord> {
      assertKey(key);
      return toRecord(key, await queries.find(key));
    },

    /** The public settings, key → value, for anyone (the sign-in pages, apps before sign-in). */
    async publicValues(): Promise<Record<string, unknown>> {
      const values: Record<string, unknown> = {};
      for (const [key, { definition }] of known) if (definition.public) values[key] = definition.default;
      for (const row of await queries.all()) {
        const entry = known.get(row.key);
        if (entry ? entry.definition.public : row.is_public) values[row.key] = row.value;
      }
      return values;
    },

    /**
     * Sets a known key (validated against its type) or a `custom.*` key (any JSON); at most MAX_SETTING_BYTES
     * of JSON. Setting what is already there changes nothing and records nothing.
     */
    async set(
      actor: Actor,
      key: string,
      value: unknown,
      options: SetSettingOptions = {},
    ): Promise<SettingRecord> {
      requirePermission(actor.auth, 'settings', 'write');
      const stored = checkedSettingChange(key, { value, isPublic: options.isPublic });
      const entry = known.get(key);
      const custom = !entry;

      const result = await deps.db.transaction(async (trx) => {
        const before = await queries.lock(key, trx);
        assertExpected(key, before, options.expectedUpdatedAt);
        const change: SettingChange = {
          value: stored,
          is_public: entry ? entry.definition.public : (options.isPublic ?? before?.is_public ?? false),
          description: entry ? entry.definition.description : (before?.description ?? null),
        };
        if (before) return { before, after: await queries.update(key, change, trx) };
        if (custom && (await queries.countCustom(trx)) >= MAX_CUSTOM_SETTINGS) {
          throw new AppError(
            'setting.limit_reached',
            409,
            `There are already ${MAX_CUSTOM_SETTINGS} custom settings; delete one first.`,
          );
        }
        const after = await queries.insert(key, change, trx);
        // Someone created it between our look and our insert: their value stands, ours is refused.
        if (!after) throw conflict(key);
        return { before, after };
      });

      const { before, after } = result;
      if (!after) return toRecord(key, before);
      record(actor, key, before ? 'update' : 'create', {
        ...values(key, { old_value: before ? before.value : null, new_value: after.value }),
        ...(before && before.is_public !== after.is_public ? { old_is_public: before.is_public } : {}),
        is_public: after.is_public,
      });
      return toRecord(key, after);
    },

    /** Deletes a stored setting (a known key falls back to its default). */
    async remove(actor: Actor, key: string, options: { expectedUpdatedAt?: string | undefined } = {}) {
      requirePermission(actor.auth, 'settings', 'delete');
      assertKey(key);
      const before = await deps.db.transaction(async (trx) => {
        const row = await queries.lock(key, trx);
        if (!row && options.expectedUpdatedAt === undefined) throw NOT_FOUND(key);
        assertExpected(key, row, options.expectedUpdatedAt);
        await queries.remove(key, trx);
        return row!;
      });
      record(actor, key, 'delete', {
        ...values(key, { old_value: before.value }),
        is_public: before.is_public,
      });
    },
  };
}

export type SettingService = ReturnType<typeof createSettingService>;
