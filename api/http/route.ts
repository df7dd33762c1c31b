import type { Request, RequestHandler, Response, Router } from 'express';
import type { z } from 'zod';
import type { AuthContext } from '../../core/auth/context.js';
import { requirePermission, requireSignedIn } from '../../core/auth/guards.js';
import { validateInput } from '../../core/shared/validation.js';
import { jsonBody } from './middleware/json-body.js';

/**
 * One declaration per endpoint (after Logto's koaGuard): method, path, who may call it, zod schemas
 * for params, query, body and response, and the error codes it can answer. The same declaration validates the
 * request, shapes the response (unknown fields, such as a key hash, are stripped) and feeds the OpenAPI document.
 */
export type Access =
  /** Anyone, with or without a credential. */
  | 'public'
  /** Any authenticated caller; the service applies ownership rules. */
  | 'authenticated'
  /** Callers for whom can(resource, action) holds. */
  | { permission: `${string}:${string}` };

export interface RouteContext<P, Q, B> {
  req: Request;
  res: Response;
  auth: AuthContext;
  params: P;
  query: Q;
  body: B;
}

export interface RouteSpec<P = unknown, Q = unknown, B = unknown, R = unknown> {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  /** Express path, e.g. `/v1/users/:id`. */
  path: string;
  summary: string;
  tag: string;
  access: Access;
  /** Still allowed while the caller's 2FA is pending (so they can see why and set it up). */
  allowWithoutTwoFactor?: boolean;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /**
   * A larger JSON body limit than the default 1 MB (bulk routes). Only for paths without parameters; the body
   * is parsed after authentication and rate limiting.
   */
  bodyLimit?: string;
  /**
   * The handler reads the raw request body from `req` as a stream (uploads): it is never parsed as JSON,
   * whatever its Content-Type. `description` says what to send. Only for paths without parameters.
   */
  rawBody?: { description: string };
  /** The handler writes the response itself (downloads); `description` says what a 200 carries. */
  streamsResponse?: { description: string };
  /** Response body schema; omit for 204. */
  response?: z.ZodType<R>;
  status?: number;
  /** Error codes this route may answer besides the common ones (auth, validation, rate limit). */
  errors?: readonly { status: number; code: string }[];
  handler(ctx: RouteContext<P, Q, B>): Promise<R | undefined>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

export const defineRoute = <P, Q, B, R>(spec: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> => spec;

function validate<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  return schema ? validateInput(schema, value, where) : (undefined as T);
}

/** The access rule, applied before the handler runs. */
export function checkAccess(
  auth: AuthContext,
  route: Pick<AnyRoute, 'access' | 'allowWithoutTwoFactor'>,
): void {
  if (route.access === 'public') return;
  requireSignedIn(auth, { allowPendingTwoFactor: route.allowWithoutTwoFactor ?? false });
  if (route.access === 'authenticated') return;
  const [resource, action] = route.access.permission.split(':') as [string, string];
  requirePermission(auth, resource, action);
}

/** Mounts a route on a router that is itself mounted at `mountedAt` (a prefix of the route's full path). */
export function mountRoute(router: Router, route: AnyRoute, mountedAt = ''): void {
  if (!route.path.startsWith(mountedAt)) throw new Error(`${route.path} is not under ${mountedAt}`);
  const handler: RequestHandler = async (req, res) => {
    const auth = req.auth;
    checkAccess(auth, route);
    const params = validate(route.params, req.params, 'path');
    const query = validate(route.query, req.query, 'query');
    const body = route.rawBody ? undefined : validate(route.body, req.body ?? {}, 'body');
    const result = await route.handler({ req, res, auth, params, query, body });
    if (route.streamsResponse) return;
    const status = route.status ?? (route.response ? 200 : 204);
    if (!route.response) {
      res.status(status).end();
      return;
    }
    res.status(status).json(route.response.parse(result));
  };
  const path = route.path.slice(mountedAt.length) || '/';
  if (route.rawBody && path.includes(':')) {
    throw new Error(`rawBody needs a path without parameters: ${route.path}`);
  }
  if (route.bodyLimit) {
    if (path.includes(':')) throw new Error(`bodyLimit needs a path without parameters: ${route.path}`);
    router[route.method](path, jsonBody(route.bodyLimit), handler);
    return;
  }
  router[route.method](path, handler);
}

declare module 'express-serve-static-core' {
  interface Request {
    auth: AuthContext;
  }
}
