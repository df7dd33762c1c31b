import type { AuthContext } from '../core/auth/context.js';
import type { Actor } from '../core/shared/actor.js';

export interface RequestMeta {
  ip?: string | undefined;
  userAgent?: string | undefined;
}

const REQUEST = Symbol('heimdall.request');

/**
 * The session Keystone sees for one request: the (shared, cached) AuthContext, plus where the request came
 * from, which the audit log records for changes. Everything of the AuthContext reads through unchanged.
 */
export function sessionFor(auth: AuthContext, request: RequestMeta): AuthContext {
  return Object.create(auth, { [REQUEST]: { value: request } }) as AuthContext;
}

export const requestOf = (session: AuthContext): RequestMeta | undefined =>
  (session as unknown as Record<symbol, RequestMeta | undefined>)[REQUEST];

/** The caller as the services and the audit log need it: the AuthContext plus the request's address and agent. */
export function actorFrom(session: AuthContext): Actor {
  const request = requestOf(session);
  return { auth: session, ip: request?.ip, userAgent: request?.userAgent };
}
