import type { PlatformTokenStore } from '../../../core/platform-tokens/store.js';
import type { PlatformCheckService } from '../../../core/linked-accounts/platform-check.js';
import {
  platformCheckQuery,
  platformCheckSchema,
  platformTokenParams,
  platformTokenQuery,
  platformTokenSchema,
} from '../../../schemas/social.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * `/v1/integrations`: bots acting for a person on a platform. The permission depends on the platform
 * (TOKEN_PERMISSION), so the token store checks it, not the route; every token handed out is audited.
 */
/** Both routes resolve the platform and its permission alike (core/platform-tokens/platform-access.ts). */
const PLATFORM_REFUSALS = [
  { status: 403, code: 'auth.forbidden' },
  { status: 403, code: 'auth.insufficient_scope' },
  { status: 404, code: 'integration.unknown_platform' },
] as const;

export function integrationRoutes(tokens: PlatformTokenStore, checks: PlatformCheckService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/integrations/:platform/token',
      summary:
        "A person's access token on a platform, fresh for at least a minute (twitch:read, youtube:read, discord:read, else integrations:read)",
      tag: 'integrations',
      access: 'authenticated',
      params: platformTokenParams,
      query: platformTokenQuery,
      response: platformTokenSchema,
      errors: [
        ...PLATFORM_REFUSALS,
        { status: 404, code: 'integration.not_linked' },
        { status: 409, code: 'integration.no_token' },
        { status: 409, code: 'integration.token_invalid' },
        { status: 409, code: 'integration.user_unavailable' },
        { status: 503, code: 'integration.unavailable' },
      ],
      handler: ({ req, params, query }) => tokens.issue(actorOf(req), params.platform, query.user_id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/integrations/:platform/check',
      summary:
        "Whether a platform's user may do resource:action, through the Heimdall account they linked (bots, before a command)",
      tag: 'integrations',
      access: 'authenticated',
      params: platformTokenParams,
      query: platformCheckQuery,
      response: platformCheckSchema,
      errors: [{ status: 400, code: 'permission.invalid' }, ...PLATFORM_REFUSALS],
      handler: ({ req, params, query }) =>
        checks.check(actorOf(req), params.platform, query.platform_user_id, query.permission),
    }),
  ];
}
