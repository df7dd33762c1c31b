import type { SettingService } from '../../../core/settings/service.js';
import {
  deleteSettingQuery,
  publicSettingsSchema,
  putSettingBody,
  settingKeyParam,
  settingListSchema,
  settingSchema,
} from '../../../schemas/settings.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/** `/v1/settings`. Keys are the registry's (schemas/settings.ts) or `custom.<name>`. */
const notFound = { status: 404, code: 'setting.not_found' } as const;
const conflict = { status: 409, code: 'setting.conflict' } as const;

export function settingRoutes(service: SettingService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/settings',
      summary: 'List settings: every known key (its default when not set) and every custom one',
      tag: 'settings',
      access: { permission: 'settings:read' },
      response: settingListSchema,
      handler: async () => ({ data: await service.list() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/settings/public',
      summary: 'The public settings, key → value (no credential needed)',
      tag: 'settings',
      access: 'public',
      response: publicSettingsSchema,
      handler: async () => ({ data: await service.publicValues() }),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/settings/:key',
      summary: 'Get a setting (a known key not set answers its default)',
      tag: 'settings',
      access: { permission: 'settings:read' },
      params: settingKeyParam,
      response: settingSchema,
      errors: [notFound],
      handler: ({ params }) => service.get(params.key),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/settings/:key',
      summary: "Set a setting (validated against the key's type; send expected_updated_at to detect races)",
      tag: 'settings',
      access: { permission: 'settings:write' },
      params: settingKeyParam,
      body: putSettingBody,
      response: settingSchema,
      errors: [
        { status: 400, code: 'setting.invalid_value' },
        { status: 400, code: 'setting.too_large' },
        { status: 422, code: 'setting.unknown_key' },
        { status: 422, code: 'setting.visibility_fixed' },
        conflict,
        { status: 409, code: 'setting.limit_reached' },
      ],
      handler: ({ req, params, body }) =>
        service.set(actorOf(req), params.key, body.value, {
          isPublic: body.is_public,
          expectedUpdatedAt: body.expected_updated_at,
        }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/settings/:key',
      summary: 'Delete a setting (a known key falls back to its default)',
      tag: 'settings',
      access: { permission: 'settings:delete' },
      params: settingKeyParam,
      query: deleteSettingQuery,
      errors: [notFound, conflict],
      handler: ({ req, params, query }) =>
        service.remove(actorOf(req), params.key, { expectedUpdatedAt: query.expected_updated_at }),
    }),
  ];
}
