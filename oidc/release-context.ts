import type { KoaContextWithOIDC } from 'oidc-provider';

type Next = () => Promise<unknown>;

/**
 * Lets a provider request's objects die young.
 *
 * oidc-provider gives each request's context its `ctx.oidc` with `Object.defineProperty(ctx, 'oidc', { get })`,
 * a fresh getter closure per request. V8 allocates the accessor pair of such a property in the old generation,
 * and a young-generation collection treats every pointer from the old generation as live until the next full
 * collection. So the closure, the context it holds, and through it the whole request (Koa context, request,
 * response, headers, the OIDC entities) survived every scavenge: every provider request was copied twice and
 * promoted, and full collections (each one a pause of the event loop) came every few seconds under load.
 *
 * Once the provider is done with a request (its middleware has returned and the response is closed), this lets
 * the context and its OIDC context drop what they reference: only their empty shells stay behind the accessor
 * pair, so little is promoted and scavenges stay cheap (figures in docs/performance.md).
 *
 * Both conditions are needed. A client that goes away early closes the response while the provider is still
 * working on the request. Koa writes the response only after the middleware has returned, and its `on-finished`
 * handler, which reads the context if the socket fails, fires with the response's end or its socket's close: the
 * release waits a turn of the event loop after both, so that handler has run.
 *
 * The one module that relies on the request context's internals: oidc-provider defining `ctx.oidc` as a getter
 * on the Koa context (oidc-provider/lib/helpers/initialize_app.js), and the Koa context and OIDC context
 * holding what a request references in writable own data properties. Checked against oidc-provider >=9.13.3
 * <10.0.0 with its koa >=3.3.0 <4.0.0 (installed: 9.13.3, 3.3.0); release-context.test.ts fails when either
 * leaves its range, and checks the release itself on a real provider.
 */
export const CONTEXT_CHECKED = {
  'oidc-provider': { from: '9.13.3', below: '10.0.0' },
  koa: { from: '3.3.0', below: '4.0.0' },
} as const;

export async function releaseContextWhenDone(ctx: KoaContextWithOIDC, next: Next): Promise<void> {
  const { res } = ctx;
  let handled = false;
  let closed = false;
  const done = () => setImmediate(releaseContext, ctx);
  res.once('close', () => {
    closed = true;
    if (handled) done();
  });
  try {
    await next();
  } finally {
    handled = true;
    if (closed) done();
  }
}

/** Empties the context's own properties and its OIDC context's (`oidc` itself cannot be redefined). */
function releaseContext(ctx: KoaContextWithOIDC): void {
  let oidc: object | undefined;
  try {
    oidc = ctx.oidc;
  } catch {
    oidc = undefined;
  }
  if (oidc) clearOwnProperties(oidc);
  clearOwnProperties(ctx, 'oidc');
}

function clearOwnProperties(target: object, keep?: PropertyKey): void {
  const record = target as Record<PropertyKey, unknown>;
  for (const key of Reflect.ownKeys(target)) {
    if (key === keep) continue;
    const descriptor = Reflect.getOwnPropertyDescriptor(target, key);
    if (descriptor && 'value' in descriptor && descriptor.writable) record[key] = undefined;
  }
}
