import type { SettingService } from '../../core/settings/service.js';
import { AppError } from '../../core/errors/index.js';
import { requirePermission } from '../../core/auth/guards.js';
import { CUSTOM_SETTING_PREFIX, type SettingRecord } from '../../schemas/settings.js';
import { builtInActions, formAction, isChecked, optionalText, type FormField } from './actions.js';
import { ServiceResource, type ResourceBackend } from './service-resource.js';

/**
 * Settings (the Setting table): the keys Heimdall knows, each edited as what it is (a switch, a number, a line
 * of text), checked against its type by the settings service, and `custom.*` keys holding any JSON. An edit
 * sends the `updated_at` it was read at, so a change made meanwhile by someone else is refused, not overwritten.
 */
function backend(settings: SettingService): ResourceBackend<SettingRecord> {
  return {
    id: 'Settings',
    properties: [
      { path: 'key', isId: true, isTitle: true },
      { path: 'value_text', type: 'textarea' },
      { path: 'is_public', type: 'boolean' },
      { path: 'is_set', type: 'boolean' },
      { path: 'known', type: 'boolean' },
      { path: 'description' },
      { path: 'default_text' },
      { path: 'updated_at', type: 'datetime' },
    ],
    toParams: (s) => ({
      key: s.key,
      value_text: JSON.stringify(s.value),
      is_public: s.is_public,
      is_set: s.is_set,
      known: s.known,
      description: s.description,
      default_text: JSON.stringify(s.default),
      updated_at: s.updated_at,
      value_kind: valueKind(s.value_schema),
    }),
    async list(actor, query) {
      requirePermission(actor.auth, 'settings', 'read');
      const all = await settings.list();
      return { rows: all.slice(query.offset, query.offset + query.limit), total: all.length };
    },
    async get(actor, key) {
      requirePermission(actor.auth, 'settings', 'read');
      return settings.get(key);
    },
  };
}

type ValueKind = 'boolean' | 'integer' | 'number' | 'string' | 'text' | 'json';

/** How a value of this JSON Schema is edited: a switch, a number, a line or lines of text, or JSON. */
export function valueKind(schema: Record<string, unknown> | null): ValueKind {
  if (!schema) return 'json';
  const variants = Array.isArray(schema.anyOf)
    ? (schema.anyOf as Record<string, unknown>[]).filter((s) => s.type !== 'null')
    : [schema];
  if (variants.length !== 1) return 'json';
  const only = variants[0]!;
  if (only.type === 'boolean') return 'boolean';
  if (only.type === 'integer') return 'integer';
  if (only.type === 'number') return 'number';
  if (only.type === 'string')
    return typeof only.maxLength === 'number' && only.maxLength > 300 ? 'text' : 'string';
  return 'json';
}

const nullable = (schema: Record<string, unknown> | null) =>
  Array.isArray(schema?.anyOf) && (schema.anyOf as { type?: string }[]).some((s) => s.type === 'null');

/** The form's field for a value, and how the posted text becomes the value. */
function valueField(setting: SettingRecord): { field: FormField; parse(raw: unknown): unknown } {
  const kind = valueKind(setting.value_schema);
  const empty = (raw: unknown) => raw === undefined || raw === '' || raw === null;
  const orNull = (parse: (raw: unknown) => unknown) => (raw: unknown) =>
    empty(raw) && nullable(setting.value_schema) ? null : parse(raw);
  switch (kind) {
    case 'boolean':
      return { field: { name: 'value', type: 'checkbox', value: setting.value === true }, parse: isChecked };
    case 'integer':
    case 'number':
      return {
        field: { name: 'value', type: 'number', value: setting.value ?? '' },
        // A number field posts its text; what is not a number goes to the service, which names the problem.
        parse: orNull((raw) =>
          typeof raw === 'number' ? raw : Number.isNaN(Number(raw)) ? raw : Number(raw),
        ),
      };
    case 'string':
    case 'text':
      return {
        field: { name: 'value', type: kind === 'text' ? 'textarea' : 'text', value: setting.value ?? '' },
        parse: orNull((raw) => (typeof raw === 'string' ? raw : String(raw ?? ''))),
      };
    default:
      return {
        field: { name: 'value', type: 'textarea', value: JSON.stringify(setting.value, null, 2) },
        parse: (raw) => {
          try {
            return JSON.parse(String(raw ?? ''));
          } catch {
            throw new AppError('setting.invalid_json', 400, 'The value is not valid JSON.', {
              field: 'value',
            });
          }
        },
      };
  }
}

export function settingsResource(services: { settings: SettingService }) {
  const { settings } = services;
  return {
    resource: new ServiceResource(backend(settings)),
    options: {
      navigation: { name: 'platform', icon: 'Settings' },
      listProperties: ['key', 'value_text', 'is_public', 'is_set', 'updated_at'],
      showProperties: [
        'key',
        'value_text',
        'description',
        'default_text',
        'is_public',
        'is_set',
        'known',
        'updated_at',
      ],
      filterProperties: [],
      actions: {
        ...builtInActions('settings'),
        editValue: formAction({
          actionType: 'record',
          icon: 'Edit',
          permission: ['settings', 'write'],
          async fields(_actor, record) {
            const setting = await settings.get(String(record!.id()));
            return [
              valueField(setting).field,
              ...(setting.known
                ? []
                : [{ name: 'is_public', type: 'checkbox' as const, value: setting.is_public }]),
              { name: 'expected_updated_at', type: 'hidden', value: setting.updated_at },
            ];
          },
          async run(actor, payload, record) {
            const key = String(record!.id());
            const setting = await settings.get(key);
            const value = valueField(setting).parse(payload.value);
            await settings.set(actor, key, value, {
              ...(setting.known ? {} : { isPublic: isChecked(payload.is_public) }),
              expectedUpdatedAt: optionalText(payload.expected_updated_at) ?? null,
            });
            return { message: 'settingSaved', then: 'show' };
          },
        }),
        createSetting: formAction({
          actionType: 'resource',
          icon: 'Plus',
          permission: ['settings', 'write'],
          intro: 'createSettingIntro',
          fields: () => [
            { name: 'key', type: 'text', required: true, maxLength: 100, value: CUSTOM_SETTING_PREFIX },
            { name: 'value', type: 'textarea', required: true },
            { name: 'is_public', type: 'checkbox' },
          ],
          async run(actor, payload) {
            const key = String(payload.key ?? '').trim();
            let value: unknown;
            try {
              value = JSON.parse(String(payload.value ?? ''));
            } catch {
              throw new AppError('setting.invalid_json', 400, 'The value is not valid JSON.', {
                field: 'value',
              });
            }
            await settings.set(actor, key, value, {
              isPublic: isChecked(payload.is_public),
              expectedUpdatedAt: null,
            });
            return { message: 'settingSaved', then: 'show', recordId: key };
          },
        }),
        deleteSetting: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['settings', 'delete'],
          variant: 'danger',
          intro: 'deleteSettingIntro',
          async run(actor, _payload, record) {
            await settings.remove(actor, String(record!.id()));
            return { message: 'settingDeleted', then: 'list' };
          },
        }),
      },
    },
  };
}
