import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * OpenID Connect Core §3.1.2.1 (the authorization endpoint) and RP-Initiated Logout §2 (the end-session
 * endpoint) MUST accept POST as well as GET. oidc-provider serves POST there only with its session cookie at
 * `SameSite=None`, which browsers refuse without `Secure` (plain-http development) and which would send the
 * cookie with every cross-site request. Heimdall keeps its cookies `SameSite=Lax` instead and answers such a
 * POST with a 303 to the same endpoint with the form's parameters as the query: a cross-site form POST carries
 * no Lax cookie, but the GET it is sent on is a top-level navigation, which does, so a person already signed in
 * is not asked again. The parameters then appear in the URL, as with any GET request.
 */
const ROUTES = new Set(['/auth', '/session/end']);

/** A form of more would not fit a URL that browsers and proxies accept. */
const MAX_FORM_BYTES = 8 * 1024;

type Next = () => Promise<unknown>;

export function postAsGet(
  issuer: string,
  refuse: (ctx: KoaContextWithOIDC, status: number, message: string) => void,
) {
  return async (ctx: KoaContextWithOIDC, next: Next) => {
    if (ctx.method !== 'POST' || !ROUTES.has(ctx.path)) return next();
    if (!ctx.is('application/x-www-form-urlencoded')) {
      return refuse(ctx, 415, 'The request must be a form (application/x-www-form-urlencoded).');
    }
    const form = await readForm(ctx.req);
    if (form === undefined) return refuse(ctx, 413, 'The request is too large.');
    ctx.set('Cache-Control', 'no-store');
    ctx.status = 303;
    ctx.redirect(`${issuer}${ctx.path}?${new URLSearchParams(form).toString()}`);
  };
}

/** The body as text, or undefined when it is longer than MAX_FORM_BYTES. */
async function readForm(req: NodeJS.ReadableStream): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
