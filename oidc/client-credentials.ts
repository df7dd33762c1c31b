import { errors, type KoaContextWithOIDC } from 'oidc-provider';

/**
 * The client credentials grant (RFC 6749 §4.4). oidc-provider issues the API token with whatever part of the
 * requested scope the resource server offers and drops the rest unsaid; a machine client must instead learn
 * that it asked for more than it may have (`invalid_scope`, §5.2), and what its token holds.
 */

/**
 * Refuses a requested scope the client did not register: the API's (`api`, `resource:action`) must be among
 * `apiScopes`, OpenID ones among `clientScope` (those carry nothing into an API token).
 */
export function assertMachineScopes(
  requested: string | undefined,
  client: { scope?: string | undefined },
  apiScopes: string,
): void {
  if (!requested) return;
  const allowed = new Set([...apiScopes.split(' '), ...(client.scope ?? '').split(' ')]);
  for (const scope of requested.split(' ')) {
    if (scope && !allowed.has(scope)) throw new errors.InvalidScope('requested scope is not allowed', scope);
  }
}

type Next = () => Promise<unknown>;

/**
 * §5.1 leaves `scope` out only when it equals the request; the token may hold less (OpenID scopes, or none at
 * all), so a client credentials response always states it, empty when the token holds no scope.
 */
export async function stateGrantedScope(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  await next();
  if (ctx.method !== 'POST' || ctx.path !== '/token' || ctx.status !== 200) return;
  if (ctx.oidc?.params?.grant_type !== 'client_credentials') return;
  const body = ctx.body as Record<string, unknown> | undefined;
  if (body && typeof body === 'object' && body.scope === undefined) body.scope = '';
}
