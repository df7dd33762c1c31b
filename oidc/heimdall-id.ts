import { hkdfSync } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Router } from 'express';
import type { Knex } from 'knex';
import type Provider from 'oidc-provider';
import type { KoaContextWithOIDC } from 'oidc-provider';
import type { GrantsRevoked } from '../core/tokens/grants.js';
import type { AuditLogger } from '../core/audit/logger.js';
import { createPasswordLogin } from '../core/auth/password-login.js';
import type { Logger } from '../core/logger/logger.js';
import { createConsentStore } from '../core/oauth-clients/consents.js';
import { SIGNING_KEYS_CHANNEL, type SigningKeyStore } from '../core/tokens/signing-keys.js';
import type { Cache } from '../core/cache/types.js';
import type { SessionService } from '../core/sessions/service.js';
import type { BruteForceGuard } from '../core/auth/brute-force.js';
import { createFindAccount } from './find-account.js';
import { auditProviderEvents, revokedGrantAccount } from './audit-events.js';
import { createClientAdapter } from './clients.js';
import { createAdapterFactory } from './adapter-factory.js';
import { createDeviceCodeThrottle } from './device-code-throttle.js';
import { createOutboundFetch, systemResolver, type ResolveHost } from './outbound-fetch.js';
import { createBackchannelDelivery, type BackchannelOutcome } from './backchannel-delivery.js';
import type { OutboundTargetRule } from '../core/oauth-clients/outbound-target.js';
import { connectRedis } from '../core/cache/redis-connection.js';
import { createCsrf, type Csrf } from './csrf.js';
import { onlyUnder } from './path-scope.js';
import { interactionRouter } from './interactions/router.js';
import type { SocialFlow } from './social/flow.js';
import {
  createPasswordSignIn,
  createSecondFactor,
  type PasswordSignIn,
  type SecondFactor,
} from './password-sign-in.js';
import { createPendingSignIns, type PendingSignIns } from './pending-sign-in.js';
import type { TwoFactorService } from '../core/two-factor/service.js';
import { createProvider, type ProviderHolder, type ProviderSettings } from './provider.js';

export { deleteExpiredOidcRows } from './adapter.js';
export { registerBackchannelMetrics } from './backchannel-metrics.js';
export type { ResolveHost } from './outbound-fetch.js';
export type { ProviderSettings } from './provider.js';

/**
 * The provider's own endpoints (token, JWKS, discovery, userinfo, …: every path under `basePath` but the
 * interaction pages), for serving straight from Node's request event, in front of Express: Express's
 * per-request setup (swapping the request's and response's prototypes, walking the middleware and routers) cost
 * about as much CPU as oidc-provider's whole client_credentials grant (`npm run bench`).
 */
export interface ProviderEndpoints {
  /** True for a request `serve` should take (a raw request URL: path and query). */
  owns(url: string): boolean;
  /** Hands the request to oidc-provider, mounted at `basePath` (as Express's `use` would: the prefix stripped). */
  serve(req: IncomingMessage, res: ServerResponse): void;
  /** The route a URL `owns` names, as a bounded metric label (`/oidc/token`, `/oidc/auth/:uid`, 'unmatched'). */
  route(url: string): string;
}

/** Pauses before the retries of a failed back-channel logout: three attempts within about five seconds. */
const BACKCHANNEL_RETRY_DELAYS_MS = [1_000, 4_000];

/** oidc-provider's routes (its defaults, which provider.ts keeps), for metric labels. */
const PROVIDER_ROUTES = new Set([
  '/auth',
  '/token',
  '/token/introspection',
  '/token/revocation',
  '/jwks',
  '/me',
  '/session/end',
  '/session/end/confirm',
  '/session/end/success',
  '/device',
  '/device/auth',
  '/request',
  '/.well-known/openid-configuration',
  '/.well-known/oauth-authorization-server',
]);
/** Routes with an id in the path: the authorization and device flows resuming after an interaction. */
const RESUME_ROUTES = ['/auth', '/device'];

function providerRoute(basePath: string, url: string): string {
  const query = url.indexOf('?');
  const path = (query < 0 ? url : url.slice(0, query)).slice(basePath.length);
  if (PROVIDER_ROUTES.has(path)) return `${basePath}${path}`;
  const resume = RESUME_ROUTES.find((r) => path.startsWith(`${r}/`) && !path.includes('/', r.length + 1));
  return resume ? `${basePath}${resume}/:uid` : 'unmatched';
}

/** The Express router (pages, and the provider too: whatever `endpoints` does not take) with the direct entry. */
export type HeimdallIdRouter = Router & { endpoints: ProviderEndpoints };

/**
 * Heimdall ID in one object: the provider (rebuilt when another node rotates the signing keys), its interaction
 * pages, and the Express router that mounts both at `basePath` — before any body parser, as oidc-provider
 * parses its own bodies.
 */
export interface HeimdallId extends ProviderHolder {
  router: HeimdallIdRouter;
  /** Back-channel logouts since start, by outcome (for /metrics). */
  backchannelLogouts(): Record<BackchannelOutcome, number>;
  /** Drops cached clients (after a client changed). */
  forgetClients(): void;
  /** Looks for rotated keys now (nodes also do so every `keyCheckIntervalMs`). */
  refreshKeys(): Promise<boolean>;
  /** What the person's own pages (account/) sign in with: the same checks, cookies and CSRF as the provider's. */
  signInKit: SignInKit;
  stop(): void;
}

/** Heimdall ID's sign-in, shared with the pages that live outside the provider. */
export interface SignInKit {
  signIn: PasswordSignIn;
  secondFactor: SecondFactor;
  pending: PendingSignIns;
  /** Sign-in with upstream providers, when any is configured. */
  social?: SocialFlow | undefined;
  /** Where an OpenID sign-in continues: `/oidc/interaction/<uid><action>`. */
  interactionUrl(uid: string, action?: string): string;
  csrf: Csrf;
  sessionCookie: string;
  cookieSecure: boolean;
}

export async function createHeimdallId(deps: {
  settings: ProviderSettings;
  /** "Continue with …" on the sign-in page, when any upstream provider is configured. */
  social?: SocialFlow | undefined;
  keyCheckIntervalMs: number;
  db: Knex;
  keys: SigningKeyStore;
  audit: AuditLogger;
  sessions: SessionService;
  bruteForce: BruteForceGuard;
  twoFactor: TwoFactorService;
  allowUnverifiedSignIn: boolean;
  /** Where rotations are announced (the cache's pub/sub), and where wrong device codes are counted. */
  bus: Cache;
  /** Every node hears of revoked grants: connections holding their tokens close (core/tokens/grants.ts). */
  onGrantsRevoked: GrantsRevoked;
  /** Where Heimdall may call clients (core/oauth-clients/outbound-target.ts), the rule registration applies. */
  outbound: OutboundTargetRule;
  /** Resolves host names for outgoing requests; the system resolver unless a test injects one. */
  resolveHost?: ResolveHost | undefined;
  /** When set (redis.url), the short-lived models live in this Redis, under the prefix (adapter-factory.ts). */
  redis?: { url: string; keyPrefix: string } | undefined;
  logger: Logger;
}): Promise<HeimdallId> {
  const { settings, logger } = deps;
  const consents = createConsentStore(deps.db);
  const clients = createClientAdapter(deps.db, settings.clientCacheTtlMs);
  // Its own connection, queueing while it (re)connects: a sign-in step must wait for Redis, not fail at once.
  const redis = deps.redis ? connectRedis(deps.redis.url, { offlineQueue: true }) : undefined;
  const adapters = createAdapterFactory({
    db: deps.db,
    redis: redis && deps.redis ? { client: redis, keyPrefix: deps.redis.keyPrefix } : undefined,
    onGrantsRevoked: deps.onGrantsRevoked,
  });

  const deviceCodes = createDeviceCodeThrottle(settings.deviceCodeLimit, deps.bus);
  const fetch = createOutboundFetch({ rule: deps.outbound, resolve: deps.resolveHost ?? systemResolver });
  const backchannel = createBackchannelDelivery({
    audit: deps.audit,
    logger,
    retryDelaysMs: BACKCHANNEL_RETRY_DELAYS_MS,
  });
  const build = (jwks: Awaited<ReturnType<SigningKeyStore['load']>>['privateJwks']) => {
    const provider = createProvider({
      settings,
      db: deps.db,
      consents,
      jwks,
      clients,
      adapters,
      sessions: deps.sessions,
      deviceCodes,
      fetch,
      onError: (err) => logger.warn({ err }, 'could not end the Heimdall session at sign-out'),
    });
    auditProviderEvents(provider, deps.audit, logger);
    backchannel.attach(provider);
    // oidc-provider's own revocations: the revocation endpoint, refresh-token reuse, sign-out.
    provider.on('grant.revoked', (ctx: KoaContextWithOIDC) =>
      deps.onGrantsRevoked(revokedGrantAccount(ctx) ?? null),
    );
    return { provider, callback: provider.callback() };
  };

  let keySet = await deps.keys.load();
  let current = build(keySet.privateJwks);

  const refreshKeys = async () => {
    const version = await deps.keys.version();
    if (version === keySet.version) return false;
    keySet = await deps.keys.load();
    current = build(keySet.privateJwks);
    logger.info({ keys: keySet.version }, 'OIDC signing keys changed; provider reloaded');
    return true;
  };
  const check = () =>
    refreshKeys().catch((err: unknown) => logger.warn({ err }, 'could not check the OIDC signing keys'));
  const timer = setInterval(check, deps.keyCheckIntervalMs);
  timer.unref();
  // A rotation announced on the bus is picked up at once; the timer covers a missed message.
  const unsubscribe = await deps.bus
    .subscribe(SIGNING_KEYS_CHANNEL, () => void check())
    .catch((err: unknown) => {
      logger.warn({ err }, 'cannot hear signing key rotations; checking every interval instead');
      return undefined;
    });

  const csrf = createCsrf({
    // Its own key, derived: the encryption key itself only ever encrypts.
    key: Buffer.from(hkdfSync('sha256', settings.encryptionKey, Buffer.alloc(0), 'heimdall csrf', 32)),
    secure: settings.cookieSecure,
    path: '/',
  });
  const signIn = createPasswordSignIn({
    passwords: createPasswordLogin(deps.db, { allowUnverified: deps.allowUnverifiedSignIn }),
    bruteForce: deps.bruteForce,
    sessions: deps.sessions,
    audit: deps.audit,
    logger,
    sessionCookie: settings.sessionCookie,
    cookieSecure: settings.cookieSecure,
  });
  const secondFactor = createSecondFactor({ twoFactor: deps.twoFactor, record: signIn.record });
  const pending = createPendingSignIns({
    key: Buffer.from(
      hkdfSync('sha256', settings.encryptionKey, Buffer.alloc(0), 'heimdall pending sign-in', 32),
    ),
    secure: settings.cookieSecure,
  });
  const router = Router();
  router.use(
    settings.basePath,
    onlyUnder(
      '/interaction',
      interactionRouter({
        provider: { current: () => current.provider },
        csrf,
        signIn,
        twoFactor: secondFactor,
        pending,
        consents,
        sessions: deps.sessions,
        sessionCookie: settings.sessionCookie,
        findAccount: createFindAccount(deps.db),
        basePath: settings.basePath,
        social: deps.social,
      }),
    ),
  );
  router.use(settings.basePath, (req, res) => void current.callback(req, res));

  const { basePath } = settings;
  /** `url` is `path` or below it (a raw request URL: path and query). */
  const under = (url: string, path: string) =>
    url.startsWith(path) &&
    (url.length === path.length || url[path.length] === '/' || url[path.length] === '?');
  const endpoints: ProviderEndpoints = {
    owns: (url) => url.startsWith(`${basePath}/`) && !under(url, `${basePath}/interaction`),
    serve(req, res) {
      // oidc-provider finds its mount path from `originalUrl` (oidc_context.js), as under Express or Koa's mount.
      const url = req.url!;
      Object.assign(req, { originalUrl: url, url: url.slice(basePath.length) });
      void current.callback(req, res);
    },
    route: (url) => providerRoute(basePath, url),
  };

  return {
    router: Object.assign(router, { endpoints }),
    current: (): Provider => current.provider,
    forgetClients: () => clients.forget(),
    backchannelLogouts: () => backchannel.counts(),
    refreshKeys,
    signInKit: {
      signIn,
      secondFactor,
      pending,
      social: deps.social,
      interactionUrl: (uid, action = '') => `${basePath}/interaction/${uid}${action}`,
      csrf,
      sessionCookie: settings.sessionCookie,
      cookieSecure: settings.cookieSecure,
    },
    stop: () => {
      clearInterval(timer);
      backchannel.stop();
      void unsubscribe?.();
      redis?.disconnect();
    },
  };
}
