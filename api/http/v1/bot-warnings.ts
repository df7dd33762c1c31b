import type { BotWarningService } from '../../../core/bot-warnings/service.js';
import {
  botPlatformParams,
  botWarningListSchema,
  botWarningParams,
  botWarningQuery,
  botWarningSchema,
  createBotWarningBody,
} from '../../../schemas/bots.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * `/v1/bots/{platform}/warnings`: the warnings moderators give through a bot. The permission depends on the
 * platform (WARNING_PERMISSIONS: discord:guild.warn and discord:guild.read, twitch:chat.warn, youtube:chat.warn),
 * so the service checks it.
 */
const refusals = [
  { status: 403, code: 'auth.forbidden' },
  { status: 403, code: 'auth.insufficient_scope' },
] as const;

export function botWarningRoutes(service: BotWarningService): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/v1/bots/:platform/warnings',
      summary:
        'Record a warning a moderator gave a community member through a bot (discord:guild.warn, twitch:chat.warn, youtube:chat.warn)',
      tag: 'bots',
      access: 'authenticated',
      params: botPlatformParams,
      body: createBotWarningBody,
      response: botWarningSchema,
      status: 201,
      errors: refusals,
      handler: ({ req, params, body }) => service.create(actorOf(req), params.platform, body),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/bots/:platform/warnings',
      summary:
        "A community's warnings, or one member's, newest first (discord:guild.read, twitch:chat.warn, youtube:chat.warn)",
      tag: 'bots',
      access: 'authenticated',
      params: botPlatformParams,
      query: botWarningQuery,
      response: botWarningListSchema,
      errors: refusals,
      handler: ({ auth, params, query }) => service.list(auth, params.platform, query),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/bots/:platform/warnings/:id',
      summary: 'Take a warning back (the warning permission of the platform)',
      tag: 'bots',
      access: 'authenticated',
      params: botWarningParams,
      errors: [...refusals, { status: 404, code: 'bot_warning.not_found' }],
      handler: ({ req, params }) => service.remove(actorOf(req), params.platform, params.id),
    }),
  ];
}
