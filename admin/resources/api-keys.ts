import type { ApiKeyService } from '../../core/api-keys/service.js';
import type { RoleService } from '../../core/rbac/roles-service.js';
import { validateInput } from '../../core/shared/validation.js';
import {
  createApiKeyBody,
  listApiKeysQuery,
  updateApiKeyBody,
  type ApiKeyRecord,
} from '../../schemas/api-keys.js';
import { builtInActions, formAction, isChecked, listOf, optionalText, type FormField } from './actions.js';
import { restPage, ServiceResource, textFilter, type ResourceBackend } from './service-resource.js';
import { roleChoices } from './roles.js';

/**
 * API keys in the panel: everyone's (api_keys:read), created for anyone (api_keys:write) with the same escalation
 * guards as REST (a key never holds more than its creator may grant), the key shown once at creation and
 * rotation, revoked with api_keys:delete.
 */
function backend(apiKeys: ApiKeyService): ResourceBackend<ApiKeyRecord> {
  return {
    id: 'ApiKeys',
    properties: [
      { path: 'id', isId: true },
      { path: 'name', isTitle: true, isSortable: true },
      { path: 'prefix' },
      { path: 'description' },
      { path: 'user_id' },
      { path: 'scopes', isArray: true },
      { path: 'role_ids', isArray: true },
      { path: 'is_active', type: 'boolean' },
      { path: 'is_system', type: 'boolean' },
      { path: 'expires_at', type: 'datetime' },
      { path: 'last_used_at', type: 'datetime', isSortable: true },
      { path: 'created_at', type: 'datetime', isSortable: true },
    ],
    toParams: (k) => ({ ...k }),
    async list(actor, query) {
      const active = textFilter(query, 'is_active');
      const input = validateInput(
        listApiKeysQuery,
        {
          ...restPage(query, ['created_at', 'name', 'last_used_at']),
          all: 'true',
          ...(textFilter(query, 'name') ? { q: textFilter(query, 'name') } : {}),
          ...(active ? { is_active: active } : {}),
          ...(textFilter(query, 'user_id') ? { user_id: textFilter(query, 'user_id'), all: 'false' } : {}),
        },
        'filters',
      );
      const page = await apiKeys.list(actor.auth, input);
      return { rows: page.data, total: page.pagination.total };
    },
    get: (actor, id) => apiKeys.get(actor.auth, id),
  };
}

async function keyFields(roles: RoleService, withOwner: boolean): Promise<FormField[]> {
  const roleOptions = await roleChoices(roles);
  return [
    { name: 'name', type: 'text', required: true, maxLength: 100, fromRecord: true },
    { name: 'description', type: 'textarea', maxLength: 500, fromRecord: true },
    { name: 'scopes', type: 'lines', fromRecord: true },
    { name: 'role_ids', type: 'multiselect', options: roleOptions, fromRecord: true },
    { name: 'expires_at', type: 'datetime', fromRecord: true },
    ...(withOwner ? [{ name: 'user_id', type: 'text' as const }] : []),
  ];
}

export function apiKeysResource(services: { apiKeys: ApiKeyService; roles: RoleService }) {
  const { apiKeys, roles } = services;
  return {
    resource: new ServiceResource(backend(apiKeys)),
    options: {
      navigation: { name: 'access', icon: 'Key' },
      listProperties: ['name', 'prefix', 'user_id', 'scopes', 'is_active', 'expires_at', 'last_used_at'],
      filterProperties: ['name', 'user_id', 'is_active'],
      showProperties: [
        'id',
        'name',
        'prefix',
        'description',
        'user_id',
        'scopes',
        'role_ids',
        'is_active',
        'is_system',
        'expires_at',
        'last_used_at',
        'created_at',
      ],
      actions: {
        ...builtInActions('api_keys', { search: true }),
        createKey: formAction({
          actionType: 'resource',
          icon: 'Plus',
          permission: ['api_keys', 'write'],
          intro: 'createKeyIntro',
          fields: () => keyFields(roles, true),
          async run(actor, payload) {
            const body = validateInput(
              createApiKeyBody,
              {
                name: payload.name,
                ...(optionalText(payload.description) ? { description: payload.description } : {}),
                ...(listOf(payload.scopes).length > 0 ? { scopes: listOf(payload.scopes) } : {}),
                role_ids: listOf(payload.role_ids),
                ...(optionalText(payload.expires_at) ? { expires_at: payload.expires_at } : {}),
                ...(optionalText(payload.user_id) ? { user_id: optionalText(payload.user_id) } : {}),
              },
              'form',
            );
            const created = await apiKeys.create(actor, body);
            return { message: 'keyCreated', secret: created.key, recordId: created.record.id };
          },
        }),
        editKey: formAction({
          actionType: 'record',
          icon: 'Edit',
          permission: ['api_keys', 'write'],
          fields: async () => [
            ...(await keyFields(roles, false)),
            { name: 'is_active', type: 'checkbox', fromRecord: true },
          ],
          async run(actor, payload, record) {
            const body = validateInput(
              updateApiKeyBody,
              {
                name: payload.name,
                description: optionalText(payload.description) ?? null,
                scopes: listOf(payload.scopes),
                role_ids: listOf(payload.role_ids),
                is_active: isChecked(payload.is_active),
                expires_at: optionalText(payload.expires_at) ?? null,
              },
              'form',
            );
            await apiKeys.update(actor, String(record!.id()), body);
            return { message: 'keyUpdated', then: 'show' };
          },
        }),
        rotate: formAction({
          actionType: 'record',
          icon: 'RefreshCw',
          permission: ['api_keys', 'write'],
          variant: 'danger',
          intro: 'rotateIntro',
          async run(actor, _payload, record) {
            const rotated = await apiKeys.rotate(actor, String(record!.id()));
            return { message: 'keyRotated', secret: rotated.key };
          },
        }),
        revoke: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['api_keys', 'delete'],
          variant: 'danger',
          intro: 'revokeIntro',
          async run(actor, _payload, record) {
            await apiKeys.remove(actor, String(record!.id()));
            return { message: 'keyRevoked', then: 'list' };
          },
        }),
      },
    },
  };
}
