import type { Authenticator } from '../../../core/auth/authenticator.js';
import { requireUserId } from '../../../core/auth/guards.js';
import type { SessionService } from '../../../core/sessions/service.js';
import { meResponseSchema } from '../../../schemas/auth.js';
import { uuidParam } from '../../../schemas/common.js';
import {
  refreshedSessionSchema,
  revokedCountSchema,
  sessionListSchema,
  sessionTokenBody,
} from '../../../schemas/sessions.js';
import { defineRoute, type AnyRoute } from '../route.js';
import { actorOf } from './actor.js';
import { describeAuth } from './me.js';

/**
 * Sessions: apps validate and extend the session token from their cookie;
 * people list and end their sessions. Ending one takes effect on every node at once.
 */
const invalidSession = { status: 401, code: 'auth.invalid_session' } as const;

export function sessionRoutes(deps: { sessions: SessionService; authenticator: Authenticator }): AnyRoute[] {
  const { sessions } = deps;
  return [
    defineRoute({
      method: 'post',
      path: '/v1/auth/session',
      summary: 'Validate a session token (from an app’s session cookie) and get its AuthContext',
      tag: 'auth',
      access: 'public',
      body: sessionTokenBody,
      response: meResponseSchema,
      errors: [invalidSession],
      handler: async ({ body }) =>
        describeAuth(await deps.authenticator.authenticateSession(body.session_token)),
    }),
    defineRoute({
      method: 'post',
      path: '/v1/auth/refresh',
      summary: 'Extend a session by the configured lifetime (sessions.ttl)',
      tag: 'auth',
      access: 'public',
      body: sessionTokenBody,
      response: refreshedSessionSchema,
      errors: [invalidSession],
      handler: ({ body }) => sessions.refresh(body.session_token),
    }),
    defineRoute({
      method: 'get',
      path: '/v1/user/sessions',
      summary: 'Your sessions: where and when you are signed in',
      tag: 'account',
      access: 'authenticated',
      response: sessionListSchema,
      async handler({ auth }) {
        const rows = await sessions.list(auth, requireUserId(auth));
        return { data: rows.map((row) => ({ ...row, current: row.id === auth.sessionId })) };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/sessions/:id',
      summary: 'End one of your sessions (it stops working everywhere at once)',
      tag: 'account',
      access: 'authenticated',
      params: uuidParam,
      errors: [{ status: 404, code: 'session.not_found' }],
      async handler({ req, auth, params }) {
        await sessions.revoke(actorOf(req), requireUserId(auth), params.id);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/user/sessions',
      summary: 'End all your other sessions (the one making this request stays)',
      tag: 'account',
      access: 'authenticated',
      response: revokedCountSchema,
      async handler({ req, auth }) {
        return { revoked: await sessions.revokeAll(actorOf(req), requireUserId(auth), auth.sessionId) };
      },
    }),
  ];
}
