import type { LinkedAccountService } from '../../../core/linked-accounts/service.js';
import { uuidParam } from '../../../schemas/common.js';
import { linkedAccountListSchema, linkedAccountSchema } from '../../../schemas/social.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';

/**
 * Sign-in methods: the email account and the platforms a person linked. People list theirs, unlink one (never the
 * last way to sign in) and choose the primary; administrators read anyone's. Tokens never appear here: bots get
 * them from /v1/integrations, under the platform's permission.
 */
const notFound = { status: 404, code: 'linked_account.not_found' } as const;
/** These act on the caller's own accounts: a system key has none, a key needs the users scope. */
const userRequired = { status: 403, code: 'auth.user_required' } as const;
const scopeRequired = { status: 403, code: 'auth.insufficient_scope' } as const;

export function linkedAccountRoutes(service: LinkedAccountService): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/v1/user/accounts',
      summary: 'Your sign-in methods: your email account and the platforms you linked',
      tag: 'account',
      access: 'authenticated',
      response: linkedAccountListSchema,
      errors: [userRequired, scopeRequired],
      handler: async ({ auth }) => ({ data: await service.mine(auth) }),
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/accounts/:id',
      summary:
        'Unlink one of your sign-in methods (never the last one); the primary passes to another, the platform grant is revoked',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      errors: [
        notFound,
        userRequired,
        scopeRequired,
        { status: 409, code: 'linked_account.last_sign_in_method' },
      ],
      handler: ({ req, params }) => service.unlink(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'put',
      path: '/v1/user/accounts/:id/primary',
      summary: 'Make one of your sign-in methods the primary: it supplies your profile and email claims',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      response: linkedAccountSchema,
      errors: [notFound, userRequired, scopeRequired],
      handler: ({ req, params }) => service.setPrimary(actorOf(req), params.id),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/users/:id/accounts',
      summary: "A user's sign-in methods (never a password hash or a token)",
      tag: 'users',
      access: { permission: 'users:read' },
      params: uuidParam,
      response: linkedAccountListSchema,
      errors: [{ status: 404, code: 'user.not_found' }],
      handler: async ({ auth, params }) => ({ data: await service.ofUser(auth, params.id) }),
    }),
  ];
}
