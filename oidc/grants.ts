import type { KoaContextWithOIDC, Grant } from 'oidc-provider';
import type { ConsentStore } from '../core/oauth-clients/consents.js';

/**
 * When consent is not asked: first-party clients never ask; a third-party client asks once,
 * and a later sign-in asking for the same or fewer scopes reuses the recorded OAuthConsent. Either way a
 * grant covering the request is made here, so oidc-provider finds nothing missing and skips the consent page.
 */
export function createLoadExistingGrant(deps: {
  consents: ConsentStore;
  isFirstParty: (clientId: string, metadata: Record<string, unknown>) => boolean;
}) {
  return async (ctx: KoaContextWithOIDC): Promise<Grant | undefined> => {
    const { oidc } = ctx;
    const client = oidc.client!;
    const accountId = oidc.session!.accountId!;
    const grantId = oidc.result?.consent?.grantId || oidc.session!.grantIdFor(client.clientId);
    let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
    if (grant && grant.accountId !== accountId) grant = undefined;
    // A grant holding offline_access outlives sign-out; a request without it gets a grant of its own, which
    // ends with the session. oidc-provider keeps one "persists logout" mark per app and session, set by the
    // first offline code: it now describes the session's current grant.
    const offline = oidc.requestParamOIDCScopes.has('offline_access');
    if (!offline) {
      if (grant && isOffline(grant)) grant = undefined;
      delete oidc.session!.authorizationFor(client.clientId).persistsLogout;
    }

    const oidcScopes = [...oidc.requestParamOIDCScopes];
    const resourceScopes = Object.entries(oidc.resourceServers ?? {}).map(
      ([indicator, server]) =>
        [indicator, [...oidc.requestParamScopes].filter((s) => server.scopes.has(s))] as const,
    );
    if (!deps.isFirstParty(client.clientId, client.metadata())) {
      const consented = new Set(await deps.consents.scopes(accountId, client.clientId));
      const wanted = [...oidcScopes, ...resourceScopes.flatMap(([, scopes]) => scopes)];
      if (!wanted.every((s) => consented.has(s))) return grant; // the consent page asks for the rest
    }
    grant ??= new oidc.provider.Grant({ accountId, clientId: client.clientId });
    grant.addOIDCScope(oidcScopes.join(' '));
    const claims = [...oidc.requestParamClaims].filter((c) => c !== 'sub');
    if (claims.length) grant.addOIDCClaims(claims);
    for (const [indicator, scopes] of resourceScopes) {
      if (scopes.length) grant.addResourceScope(indicator, scopes.join(' '));
    }
    await grant.save();
    return grant;
  };
}

const isOffline = (grant: Grant) => (grant.getOIDCScope() ?? '').split(' ').includes('offline_access');
