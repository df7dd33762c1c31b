import type { OAuthClientService } from '../../core/oauth-clients/service.js';
import { validateInput } from '../../core/shared/validation.js';
import {
  AUTH_METHODS,
  createOAuthClientBody,
  GRANT_TYPES,
  listOAuthClientsQuery,
  updateOAuthClientBody,
  type OAuthClientRecord,
} from '../../schemas/oauth-clients.js';
import { builtInActions, formAction, isChecked, listOf, optionalText, type FormField } from './actions.js';
import { restPage, ServiceResource, textFilter, type ResourceBackend } from './service-resource.js';

/**
 * OAuth clients: everyone's with oauth_clients:read; created, changed and deleted with the REST permissions.
 * The service keeps its rules: only super admins mark a client first-party or change a first-party client's
 * redirect URIs, scopes or grants, and a secret is shown once (at creation and when a new one is made).
 */
function backend(clients: OAuthClientService): ResourceBackend<OAuthClientRecord> {
  return {
    id: 'OAuthClients',
    properties: [
      { path: 'id', isId: true },
      { path: 'name', isTitle: true, isSortable: true },
      { path: 'client_id' },
      { path: 'description' },
      { path: 'redirect_uris', isArray: true },
      { path: 'post_logout_redirect_uris', isArray: true },
      { path: 'backchannel_logout_uri' },
      { path: 'grant_types', isArray: true },
      { path: 'scopes', isArray: true },
      { path: 'token_endpoint_auth_method' },
      { path: 'is_first_party', type: 'boolean' },
      { path: 'is_active', type: 'boolean' },
      { path: 'user_id' },
      { path: 'created_at', type: 'datetime', isSortable: true },
    ],
    toParams: (c) => ({ ...c }),
    async list(actor, query) {
      const active = textFilter(query, 'is_active');
      const input = validateInput(
        listOAuthClientsQuery,
        {
          ...restPage(query, ['created_at', 'name']),
          all: 'true',
          ...(textFilter(query, 'name') ? { q: textFilter(query, 'name') } : {}),
          ...(active ? { is_active: active } : {}),
        },
        'filters',
      );
      const page = await clients.list(actor.auth, input);
      return { rows: page.data, total: page.pagination.total };
    },
    get: (actor, id) => clients.get(actor.auth, id),
  };
}

const clientFields = (): FormField[] => [
  { name: 'name', type: 'text', required: true, maxLength: 100, fromRecord: true },
  { name: 'description', type: 'textarea', maxLength: 500, fromRecord: true },
  { name: 'redirect_uris', type: 'lines', fromRecord: true },
  { name: 'post_logout_redirect_uris', type: 'lines', fromRecord: true },
  { name: 'backchannel_logout_uri', type: 'text', fromRecord: true },
  {
    name: 'grant_types',
    type: 'multiselect',
    options: GRANT_TYPES.map((g) => ({ value: g, label: g })),
    fromRecord: true,
  },
  { name: 'scopes', type: 'lines', fromRecord: true },
  { name: 'is_first_party', type: 'checkbox', fromRecord: true },
  { name: 'is_active', type: 'checkbox', fromRecord: true, value: true },
];

/** The form's values as REST's create or update body has them. */
function body(payload: Record<string, unknown>) {
  return {
    name: payload.name,
    description: optionalText(payload.description) ?? null,
    redirect_uris: listOf(payload.redirect_uris),
    post_logout_redirect_uris: listOf(payload.post_logout_redirect_uris),
    backchannel_logout_uri: optionalText(payload.backchannel_logout_uri) ?? null,
    grant_types: listOf(payload.grant_types),
    scopes: listOf(payload.scopes),
    is_first_party: isChecked(payload.is_first_party),
    is_active: isChecked(payload.is_active),
  };
}

export function oauthClientsResource(services: { oauthClients: OAuthClientService }) {
  const { oauthClients } = services;
  return {
    resource: new ServiceResource(backend(oauthClients)),
    options: {
      navigation: { name: 'apps', icon: 'Grid' },
      listProperties: [
        'name',
        'client_id',
        'token_endpoint_auth_method',
        'is_first_party',
        'is_active',
        'created_at',
      ],
      filterProperties: ['name', 'is_active'],
      actions: {
        ...builtInActions('oauth_clients', { search: true }),
        createClient: formAction({
          actionType: 'resource',
          icon: 'Plus',
          permission: ['oauth_clients', 'create'],
          fields: () => [
            ...clientFields(),
            {
              name: 'token_endpoint_auth_method',
              type: 'select',
              required: true,
              options: AUTH_METHODS.map((m) => ({ value: m, label: m })),
              value: 'client_secret_basic',
            },
          ],
          async run(actor, payload) {
            const { description, backchannel_logout_uri, ...rest } = body(payload);
            const input = validateInput(
              createOAuthClientBody,
              {
                ...rest,
                ...(description ? { description } : {}),
                ...(backchannel_logout_uri ? { backchannel_logout_uri } : {}),
                ...(rest.grant_types.length === 0 ? { grant_types: undefined } : {}),
                ...(rest.scopes.length === 0 ? { scopes: undefined } : {}),
                token_endpoint_auth_method: optionalText(payload.token_endpoint_auth_method),
              },
              'form',
            );
            const created = await oauthClients.create(actor, input);
            return created.clientSecret
              ? { message: 'clientCreated', secret: created.clientSecret, recordId: created.row.id }
              : { message: 'clientCreated', then: 'show', recordId: created.row.id };
          },
        }),
        editClient: formAction({
          actionType: 'record',
          icon: 'Edit',
          permission: ['oauth_clients', 'update'],
          fields: () => clientFields(),
          async run(actor, payload, record) {
            const current = record!.params as Record<string, unknown>;
            const next = body(payload);
            // Only what changed: a first-party client's locked fields stay untouched unless edited.
            const changed = Object.fromEntries(
              Object.entries(next).filter(([key, value]) => {
                const before = Array.isArray(value)
                  ? Object.keys(current)
                      .filter((k) => k.startsWith(`${key}.`))
                      .map((k) => current[k])
                  : (current[key] ?? null);
                return JSON.stringify(before) !== JSON.stringify(value);
              }),
            );
            const input = validateInput(updateOAuthClientBody, changed, 'form');
            await oauthClients.update(actor, String(record!.id()), input);
            return { message: 'clientUpdated', then: 'show' };
          },
        }),
        regenerateSecret: formAction({
          actionType: 'record',
          icon: 'RefreshCw',
          permission: ['oauth_clients', 'update'],
          variant: 'danger',
          intro: 'regenerateSecretIntro',
          async run(actor, _payload, record) {
            const renewed = await oauthClients.regenerateSecret(actor, String(record!.id()));
            return { message: 'secretRegenerated', secret: renewed.clientSecret };
          },
        }),
        deleteClient: formAction({
          actionType: 'record',
          icon: 'Trash2',
          permission: ['oauth_clients', 'delete'],
          variant: 'danger',
          intro: 'deleteClientIntro',
          async run(actor, _payload, record) {
            await oauthClients.remove(actor, String(record!.id()));
            return { message: 'clientDeleted', then: 'list' };
          },
        }),
      },
    },
  };
}
