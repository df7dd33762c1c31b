import { hkdfSync, timingSafeEqual } from 'node:crypto';
import type { JWK } from 'jose';
import type { Knex } from 'knex';
import Provider, {
  errors,
  interactionPolicy,
  type Adapter,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { createAuthQueries } from '../core/auth/queries.js';
import { hashSecret } from '../core/auth/secret-token.js';
import { createClientViewers } from '../core/users/visibility.js';
import { AUTH_METHODS } from '../schemas/oauth-clients.js';
import { ACCESS_TOKEN_ALG, ID_TOKEN_ALG } from '../core/tokens/signing-keys.js';
import type { ConsentStore } from '../core/oauth-clients/consents.js';
import { CLAIMS, createFindAccount } from './find-account.js';
import { EXTERNAL_SIGNING_ACK, providerSigningKeys } from './signing.js';
import { OIDC_SCOPES, type createClientAdapter } from './clients.js';
import { createLoadExistingGrant } from './grants.js';
import { cookieSigner } from './cookie-signer.js';
import { releaseContextWhenDone } from './release-context.js';
import { checkClientSecretsWith } from './provider-internals.js';
import { assertMachineScopes, stateGrantedScope } from './client-credentials.js';
import { postAsGet } from './post-as-get.js';
import { LOCALES } from '../core/i18n/locales.js';
import type { DeviceCodeLimit, DeviceCodeThrottle } from './device-code-throttle.js';
import { SafeHtml } from '../core/shared/html.js';
import { PAGE_CSP } from './views/layout.js';
import { deviceConfirmPage, deviceInputPage, logoutPage, messagePage } from './views/pages.js';

/**
 * Heimdall ID's oidc-provider configuration: the one module that configures oidc-provider.
 * Everything the provider keeps lives in PostgreSQL (adapter.ts; the short-lived models in Redis when it is
 * configured: adapter-factory.ts), clients come from OAuthClient (clients.ts),
 * users from User/PlatformAccount (account.ts). Access tokens for the Heimdall API (the `api_resource`
 * indicator) are RFC 9068 JWTs carrying their grant id (`gid`), so the API can refuse them once the grant is
 * revoked; all other access tokens are opaque (userinfo, introspection, revocation).
 */
export interface ProviderSettings {
  issuer: string;
  apiResource: string;
  cookieSecure: boolean;
  /** server.trust_proxy: false, true, or the number of proxies in front. */
  trustProxy: boolean | number;
  encryptionKey: Buffer;
  firstPartyClients: readonly string[];
  ttl: {
    accessToken: number;
    refreshToken: number;
    idToken: number;
    session: number;
    grant: number;
    deviceCode: number;
    clientCredentials: number;
  };
  clientCacheTtlMs: number;
  /** Wrong user codes on the device verification page (RFC 8628 §5.1). */
  deviceCodeLimit: DeviceCodeLimit;
  /** Where the interaction pages are mounted (the provider's mount path). */
  basePath: string;
  /** The Heimdall session cookie of the ID app (`id.session-token`). */
  sessionCookie: string;
}

/** What the provider needs of Heimdall sessions: the sign-in state is only as alive as the session. */
export interface SessionLookup {
  find(token: string): Promise<{ user_id: string } | undefined>;
  endByToken(token: string, meta: { ip?: string; userAgent?: string }): Promise<void>;
}

export type HeimdallProvider = Provider;

export interface ProviderHolder {
  current(): Provider;
}

/** The API scopes a client may obtain: `api` and any `resource:action` permission it registered. */
const apiScopesOf = (metadata: Record<string, unknown>) =>
  ((metadata.heimdall_api_scopes as string[] | undefined) ?? []).filter(
    (s) => s === 'api' || s.includes(':'),
  );

/**
 * `apiScopesOf` per client, as the resource server's scope string, computed once per Client object:
 * oidc-provider keeps one per metadata version (a changed client is a new object), and `metadata()` re-keys the
 * whole client on each call (mostly snake-casing), which every grant would otherwise pay again.
 */
const apiScopeCache = new WeakMap<object, string>();
function apiScopeString(client: { metadata(): Record<string, unknown> }): string {
  let scope = apiScopeCache.get(client);
  if (scope === undefined) apiScopeCache.set(client, (scope = apiScopesOf(client.metadata()).join(' ')));
  return scope;
}

function setPage(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.set('Content-Security-Policy', PAGE_CSP);
  ctx.body = body;
}

export function createProvider(deps: {
  settings: ProviderSettings;
  db: Knex;
  consents: ConsentStore;
  jwks: JWK[];
  clients: ReturnType<typeof createClientAdapter>;
  /** The storage of every other model (adapter-factory.ts). */
  adapters: (model: string) => Adapter;
  sessions: SessionLookup;
  /** oidc-provider's outgoing requests (back-channel logout), held to the outbound rule (outbound-fetch.ts). */
  fetch: NonNullable<Configuration['fetch']>;
  /** Counts wrong user codes on the device verification page (RFC 8628 §5.1). */
  deviceCodes: DeviceCodeThrottle;
  onError: (err: unknown) => void;
}): Provider {
  const { settings } = deps;
  const cookieKey = Buffer.from(
    hkdfSync('sha256', settings.encryptionKey, Buffer.alloc(0), 'heimdall oidc cookies', 32),
  ).toString('base64url');
  const configuredFirstParty = new Set(settings.firstPartyClients);
  /** First-party clients (configured, or marked by a super admin) never ask for consent. */
  const isFirstParty = (clientId: string, metadata: Record<string, unknown>) =>
    configuredFirstParty.has(clientId) || metadata.heimdall_first_party === true;
  const appViewer = createClientViewers(createAuthQueries(deps.db));

  const configuration: Configuration = {
    adapter: (name: string) => (name === 'Client' ? deps.clients : deps.adapters(name)),
    findAccount: createFindAccount(deps.db, (client) => {
      const metadata = client.metadata();
      return appViewer({
        clientId: client.clientId,
        firstParty: isFirstParty(client.clientId, metadata),
        apiScopes: apiScopesOf(metadata),
      });
    }),
    claims: CLAIMS,
    scopes: OIDC_SCOPES,
    jwks: { keys: providerSigningKeys(deps.jwks) },
    cookies: {
      keys: cookieSigner([cookieKey]),
      long: { signed: true, httpOnly: true, sameSite: 'lax', secure: settings.cookieSecure },
      short: { signed: true, httpOnly: true, sameSite: 'lax', secure: settings.cookieSecure },
    },
    responseTypes: ['code'],
    // OpenID Connect Core §3.1.2.1: redirect_uri is REQUIRED, even when the client registered only one.
    allowOmittingSingleRegisteredRedirectUri: false,
    discovery: { ui_locales_supported: [...LOCALES] },
    fetch: deps.fetch,
    // Discovery advertises only what a registered client can use: its auth methods, and RS256 ID tokens.
    clientAuthMethods: [...AUTH_METHODS],
    enabledJWA: { idTokenSigningAlgValues: [ID_TOKEN_ALG] },
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: ID_TOKEN_ALG,
    },
    extraClientMetadata: { properties: ['heimdall_first_party', 'heimdall_api_scopes'] },
    clientBasedCORS: (_ctx, origin, client) =>
      origin !== 'null' && client.redirectUris!.some((uri) => URL.parse(uri)?.origin === origin),
    interactions: {
      url: (_ctx, interaction) => `${settings.basePath}/interaction/${interaction.uid}`,
      policy: sessionBoundPolicy(settings.sessionCookie, deps.sessions),
    },
    loadExistingGrant: createLoadExistingGrant({
      consents: deps.consents,
      isFirstParty,
    }),
    // Access tokens name their grant (revocation) and how the person signed in (2FA: `otp` in amr).
    extraTokenClaims: (ctx, token) => {
      if (token.kind !== 'AccessToken' || !('grantId' in token) || !token.grantId) return undefined;
      const { AuthorizationCode, RefreshToken, DeviceCode } = ctx.oidc.entities;
      const amr = AuthorizationCode?.amr ?? RefreshToken?.amr ?? DeviceCode?.amr;
      return { gid: token.grantId, ...(amr ? { amr } : {}) };
    },
    rotateRefreshToken: true,
    // OpenID Connect honours offline_access only with prompt=consent; first-party apps (which never show consent)
    // get refresh tokens whenever they may use the grant.
    issueRefreshToken: async (_ctx, client, code) =>
      client.grantTypeAllowed('refresh_token') &&
      (code.scopes.has('offline_access') || isFirstParty(client.clientId, client.metadata())),
    ttl: {
      AccessToken: (_ctx, token) =>
        (token as { resourceServer?: { accessTokenTTL?: number } }).resourceServer?.accessTokenTTL ??
        settings.ttl.accessToken,
      AuthorizationCode: 60,
      ClientCredentials: settings.ttl.clientCredentials,
      DeviceCode: settings.ttl.deviceCode,
      Grant: settings.ttl.grant,
      IdToken: settings.ttl.idToken,
      Interaction: 3600,
      RefreshToken: settings.ttl.refreshToken,
      Session: settings.ttl.session,
    },
    features: {
      devInteractions: { enabled: false },
      externalSigningSupport: { enabled: true, ack: EXTERNAL_SIGNING_ACK },
      // The API verifies bearer JWTs only; a DPoP-bound token must not be usable without its proof.
      dPoP: { enabled: false },
      clientCredentials: { enabled: true },
      // A client learns about, and revokes, only tokens issued to itself.
      introspection: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      revocation: {
        enabled: true,
        allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
      },
      userinfo: { enabled: true },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => setPage(ctx, logoutPage(new SafeHtml(form), ctx.host)),
        postLogoutSuccessSource: async (ctx) =>
          setPage(ctx, messagePage({ title: 'Signed out', message: 'You are signed out of Heimdall.' })),
      },
      deviceFlow: {
        enabled: true,
        userCodeInputSource: async (ctx, form, _out, err) => {
          if (err?.name === 'NotFoundError') deps.deviceCodes.wrongCode(ctx);
          setPage(
            ctx,
            deviceInputPage(
              new SafeHtml(form),
              err
                ? (err as { userCode?: unknown }).userCode || err.name === 'NoCodeError'
                  ? 'That code is not valid. Check it and try again.'
                  : 'The request could not be completed. Start again on your device.'
                : undefined,
            ),
          );
        },
        userCodeConfirmSource: async (ctx, form, client, _info, userCode) =>
          setPage(
            ctx,
            deviceConfirmPage(
              new SafeHtml(form),
              { name: client.clientName ?? client.clientId, logoUri: client.logoUri },
              userCode,
            ),
          ),
        successSource: async (ctx) =>
          setPage(
            ctx,
            messagePage({
              title: 'Device connected',
              message: 'You can close this page and return to your device.',
            }),
          ),
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: async (ctx, _client, oneOf) =>
          oneOf ?? (ctx.oidc.params?.grant_type === 'client_credentials' ? settings.apiResource : undefined),
        useGrantedResource: async () => false,
        getResourceServerInfo: async (ctx, indicator, client) => {
          if (indicator !== settings.apiResource) throw new errors.InvalidTarget();
          const machine = ctx.oidc.params?.grant_type === 'client_credentials';
          if (machine)
            assertMachineScopes(ctx.oidc.params?.scope as string | undefined, client, apiScopeString(client));
          return {
            scope: apiScopeString(client),
            audience: settings.apiResource,
            accessTokenTTL: machine ? settings.ttl.clientCredentials : settings.ttl.accessToken,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: ACCESS_TOKEN_ALG } },
          };
        },
      },
    },
    renderError: async (ctx, out) =>
      setPage(
        ctx,
        messagePage({
          title: 'Something went wrong',
          message: String(out.error_description ?? out.error ?? 'The request could not be completed.'),
          status: 'error',
        }),
      ),
  };

  const provider = new Provider(settings.issuer, configuration);
  // Runs around the provider's own routes (provider.use places it before them).
  provider.use(releaseContextWhenDone);
  provider.use(stateGrantedScope);
  provider.use(
    postAsGet(settings.issuer, (ctx, status, message) => {
      ctx.status = status;
      setPage(ctx, messagePage({ title: 'Something went wrong', message, status: 'error' }));
    }),
  );
  provider.use(
    deps.deviceCodes.middleware((ctx, retryAfterSeconds) => {
      const minutes = Math.ceil(retryAfterSeconds / 60);
      setPage(
        ctx,
        messagePage({
          title: 'Too many attempts',
          message: `Too many wrong codes were entered from your network. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
          status: 'error',
        }),
      );
    }),
  );
  provider.proxy = settings.trustProxy !== false;
  // Only as many X-Forwarded-For entries as there are trusted proxies (Koa's default trusts them all).
  if (typeof settings.trustProxy === 'number') provider.maxIpsCount = settings.trustProxy;

  // Signing out of Heimdall ID ends the Heimdall session too (the cookie's row, on every node). "No, stay signed
  // in" (no `logout` in the form) signs out of the one app only, and keeps both sessions.
  provider.on('end_session.success', (ctx: KoaContextWithOIDC) => {
    if (!ctx.oidc.params?.logout) return;
    const token = ctx.cookies.get(settings.sessionCookie, { signed: false });
    if (!token) return;
    ctx.cookies.set(settings.sessionCookie, null, { path: '/' });
    deps.sessions
      .endByToken(token, { ip: ctx.ip, userAgent: ctx.get('user-agent') })
      .catch((err: unknown) => deps.onError(err));
  });

  if (deps.clients.stable) keepClientInstances(provider, deps.clients);

  // Client secrets are stored as SHA-256 hashes: compare the hash of what the client presents.
  checkClientSecretsWith(provider, (stored, actual) => {
    if (!stored || typeof actual !== 'string') return false;
    const expected = Buffer.from(stored);
    const presented = Buffer.from(hashSecret(actual));
    return expected.length === presented.length && timingSafeEqual(expected, presented);
  });
  return provider;
}

/**
 * oidc-provider finds the Client instance of a stored client by hashing its metadata (JSON + SHA-256) on every
 * lookup: every token request. The client adapter hands out one metadata object per client until the client
 * changes (clients.ts), so the instance is kept per object: a changed client comes as a new object, and gets a
 * new instance from oidc-provider's own lookup.
 */
function keepClientInstances(provider: Provider, clients: Pick<Adapter, 'find'>): void {
  const { Client } = provider;
  const find = Client.find.bind(Client);
  const instances = new WeakMap<object, Awaited<ReturnType<typeof find>>>();
  Client.find = async (id: string) => {
    const metadata = await clients.find(id);
    if (!metadata) return find(id);
    let client = instances.get(metadata);
    if (!client) {
      client = await find(id);
      if (client) instances.set(metadata, client);
    }
    return client;
  };
}

/**
 * oidc-provider's default policy plus one login check: a provider session counts only while the Heimdall
 * session in the `id.session-token` cookie is alive and belongs to the same person, who may still sign in.
 * Revoking a session (from the sessions page, another device, a password reset) therefore asks for the password
 * at the next sign-in.
 */
function sessionBoundPolicy(cookie: string, sessions: SessionLookup) {
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('heimdall_session', 'the Heimdall session has ended', async (ctx) => {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // `no_session` asks already
      // Banned or deleted: findAccount found no account, so there is no grant to consent to either.
      if (!ctx.oidc.account) return interactionPolicy.Check.REQUEST_PROMPT;
      const token = ctx.cookies.get(cookie, { signed: false });
      const session = token ? await sessions.find(token) : undefined;
      return session?.user_id === accountId
        ? interactionPolicy.Check.NO_NEED_TO_PROMPT
        : interactionPolicy.Check.REQUEST_PROMPT;
    }),
  );
  return policy;
}
