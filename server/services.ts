import path from 'node:path';
import type { Router } from 'express';
import { createApiKeyService } from '../core/api-keys/service.js';
import { createPermissionService } from '../core/rbac/permissions-service.js';
import { createPermissionExplainer } from '../core/rbac/explain.js';
import { createRoleService } from '../core/rbac/roles-service.js';
import { createUserService } from '../core/users/service.js';
import { geoEnricher, openAuditLogger } from '../core/audit/logger.js';
import { createAuditService } from '../core/audit/service.js';
import { createOAuthClientService } from '../core/oauth-clients/service.js';
import { createOutboundTargetRule } from '../core/oauth-clients/outbound-target.js';
import { createGeoIp } from '../core/geoip/reader.js';
import { createAuthCache } from '../core/auth/auth-cache.js';
import { createAuthenticator } from '../core/auth/authenticator.js';
import { createAuthQueries } from '../core/auth/queries.js';
import type { Cache } from '../core/cache/types.js';
import type { Databases } from '../core/db/databases.js';
import type { Logger } from '../core/logger/logger.js';
import { createRateLimiter } from '../core/rate-limit/limiter.js';
import type { Config } from '../schemas/config.js';
import type { AnyRoute } from '../api/http/route.js';
import { apiDocsRouter } from '../api/http/openapi/router.js';
import { docsSiteBuilt, docsSiteRouter } from '../api/http/docs-site/router.js';
import { v1Routes } from '../api/http/v1/routes.js';
import { heimdallVersion, packageRoot } from '../core/shared/version.js';
import { createKeystoneContext } from '../keystone/context.js';
import { createAccessTokenVerifier } from '../core/tokens/access-tokens.js';
import { openSigningKeys } from './oidc-settings.js';
import { createSessionService } from '../core/sessions/service.js';
import { createMailer } from '../core/email/mailer.js';
import { createAccountService } from '../core/accounts/service.js';
import { createAccountDeletionService } from '../core/accounts/deletion.js';
import { createDataExportService } from '../core/accounts/export.js';
import { pseudonymKey } from '../core/accounts/anonymize.js';
import { createTwoFactorService } from '../core/two-factor/service.js';
import { createSecretBox } from '../core/crypto/secret-box.js';
import { hkdfSync } from 'node:crypto';
import { createConnectedAppService } from '../core/oauth-clients/connected-apps.js';
import type { GrantsRevoked } from '../core/tokens/grants.js';
import { createBroker } from '../realtime/broker/create.js';
import { createRealtimePublisher } from '../realtime/broker/publisher.js';
import { createRealtimeQueries } from '../realtime/broker/queries.js';
import { createLiveEvents } from '../realtime/broker/live-events.js';
import { createSettingService } from '../core/settings/service.js';
import { createPlatformService } from '../core/platforms/service.js';
import { createGpsService } from '../core/gps/service.js';
import { createStatsService } from '../core/stats/service.js';
import { createAuditExport } from '../core/audit/export.js';
import { createPlatformTokenStore } from '../core/platform-tokens/store.js';
import { createLinkedAccountService } from '../core/linked-accounts/service.js';
import { createBotWarningService } from '../core/bot-warnings/service.js';
import { createStorageDriver } from '../core/storage/create.js';
import { createStorageService } from '../core/storage/service.js';
import { createAvatarService } from '../core/users/avatar.js';
import { createUrlSigner } from '../core/storage/url-signer.js';
import { createPlatformCheck } from '../core/linked-accounts/platform-check.js';
import { createPlatformTokenClient } from '../oidc/social/token-client.js';
import { createUpstreamProviders } from '../oidc/social/providers/index.js';
import type { UpstreamProvider } from '../oidc/social/types.js';
import type { SocialPlatformId } from '../schemas/social.js';

export type Services = ReturnType<typeof createServices>;

/** The one wiring place: queries → services → routes, built once per process. */
export function createServices(deps: { config: Config; logger: Logger; databases: Databases; cache: Cache }) {
  const { config, logger, databases, cache } = deps;
  const geoip = createGeoIp({
    database: config.geoip.database,
    checkIntervalMs: config.geoip.check_interval_ms,
    log: logger.child({ component: 'geoip' }),
  });
  const realtimeBroker = createBroker(config, (err) => logger.warn({ err }, 'realtime broker'));
  const realtimePublisher = createRealtimePublisher({
    broker: realtimeBroker,
    usersWithRole: createRealtimeQueries(databases.primary).findUserIdsWithRole,
    onError: (err) => logger.warn({ err }, 'could not publish a realtime event'),
  });
  // GraphQL subscribers hear stored events and GPS points from the broker, as realtime clients do.
  const live = createLiveEvents({
    broker: realtimeBroker,
    publisher: realtimePublisher,
    onError: (err) => logger.warn({ err }, 'live events'),
  });
  const audit = openAuditLogger(config, databases.audit, {
    enrich: geoEnricher(geoip),
    // Straight from the rows: their metadata stays JSON text, never parsed to be serialised again.
    onStored: (rows) => realtimePublisher.auditStored(rows),
    onError: (err, context) => logger.error({ err }, context),
    onRejected: (row, err) => logger.error({ err, event: row }, 'audit event refused by the database'),
  });
  const authCache = createAuthCache({
    bus: cache,
    ttlMs: config.auth.cache_ttl_ms,
    onError: (err) =>
      logger.warn({ err }, 'cannot hear auth invalidations yet; caching credentials is off until then'),
  });
  const {
    encryption,
    previous: previousKeys,
    settings: oidc,
    store: signingKeys,
  } = openSigningKeys(config, databases.primary);
  if (encryption.source === 'generated') {
    logger.warn(
      { file: encryption.file },
      'generated an encryption key for secrets at rest; set secrets.encryption_key (the same on every node) in production',
    );
  }
  const authenticator = createAuthenticator({
    queries: createAuthQueries(databases.primary),
    cache: authCache,
    ...(config.oidc.enabled
      ? {
          accessTokens: createAccessTokenVerifier({
            db: databases.primary,
            issuer: oidc.provider.issuer,
            audience: oidc.provider.apiResource,
            publicKeys: signingKeys.publicKeys,
            maxKeyAgeMs: oidc.keyCheckIntervalMs,
          }),
        }
      : {}),
    onError: (err) => logger.warn({ err }, 'could not record API key use'),
  });
  const rateLimiter = createRateLimiter(
    {
      enabled: config.rate_limit.enabled,
      windowSeconds: config.rate_limit.window_seconds,
      failedAuth: config.rate_limit.failed_auth,
      tiers: config.rate_limit.tiers,
    },
    cache,
  );
  const serviceDeps = { db: databases.primary, audit, authCache };
  const apiKeys = createApiKeyService(serviceDeps);
  const auditService = createAuditService({ db: databases.audit, audit });
  const users = createUserService(serviceDeps);
  const roles = createRoleService(serviceDeps);
  const permissions = createPermissionService(serviceDeps);
  const explainer = createPermissionExplainer(serviceDeps);
  // What the admin panel manages besides users and roles (settings also through REST /v1/settings).
  const settings = createSettingService(serviceDeps);
  const platforms = createPlatformService(serviceDeps);
  const gps = createGpsService(serviceDeps);
  const stats = createStatsService({ db: databases.primary, auditDb: databases.audit });
  const auditExport = createAuditExport({ db: databases.audit, audit });
  const outbound = createOutboundTargetRule(config.oidc.backchannel_logout.allowed_private);
  const oauthClients = createOAuthClientService({
    db: databases.primary,
    audit,
    // Every node drops its cached copy (provider clients, client-credentials contexts) at once.
    onChange: (clientId) => void authCache.invalidate({ type: 'oauth_client', clientId }),
    outbound,
  });
  const sessions = createSessionService({
    db: databases.primary,
    audit,
    authCache,
    ttlSeconds: config.sessions.ttl,
  });
  // Revoked grants kill their access tokens: every node closes the connections that hold one.
  const onGrantsRevoked: GrantsRevoked = (userId) =>
    void authCache.invalidate({ type: 'grants_revoked', userId });
  const connectedApps = createConnectedAppService({ db: databases.primary, audit, onGrantsRevoked });
  // Secrets at rest (TOTP seeds, the admin panel's refresh tokens) are sealed with the secrets key.
  const box = createSecretBox(encryption.key, previousKeys);
  // The upstream sign-in providers (oidc/social): sign-in and linking, and refreshing and revoking the platform
  // tokens stored for bots.
  const upstream: ReadonlyMap<SocialPlatformId, UpstreamProvider> = createUpstreamProviders(config.social, {
    // Steam's response nonces: each is good once, on every node.
    firstUse: async (key, ttlSeconds) =>
      (await cache.incr(`social:first-use:${key}`, 1, ttlSeconds * 1000)) === 1,
    onError: (err, context) => logger.warn({ err }, context),
  });
  const platformTokens = createPlatformTokenStore({
    db: databases.primary,
    box,
    audit,
    client: createPlatformTokenClient(upstream),
    refreshAheadSeconds: config.social.refresh_ahead_seconds,
    onError: (err, context) => logger.warn({ err }, context),
  });
  const linkedAccounts = createLinkedAccountService({
    db: databases.primary,
    audit,
    authCache,
    tokens: platformTokens,
    registrationEnabled: config.accounts.registration_enabled,
    configuredPlatforms: new Set(upstream.keys()),
    onChange: ({ userId, platform, platformName, kind }) => {
      accounts.signInMethodChanged(userId, platformName, kind);
      if (kind === 'unlinked') {
        sessions
          .endSignedInWith(userId, platform, 'account_unlinked')
          .catch((err: unknown) =>
            logger.error({ err }, 'could not end the sessions of an unlinked platform'),
          );
      }
    },
  });
  const twoFactor = createTwoFactorService({
    db: databases.primary,
    box,
    audit,
    authCache,
    cache,
    issuer:
      new URL(config.server.public_url).hostname === 'localhost'
        ? 'Heimdall'
        : `Heimdall (${new URL(config.server.public_url).hostname})`,
    backupCodeKeys: [encryption.key, ...previousKeys].map((key) =>
      Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), 'heimdall backup codes', 32)),
    ),
    onReset: (userId) => accounts.twoFactorWasReset(userId),
  });
  const mailer = createMailer({
    smtpUrl: config.email.smtp_url,
    from: config.email.from,
    logger: logger.child({ component: 'email' }),
  });
  const accounts = createAccountService({
    db: databases.primary,
    audit,
    mailer,
    sessions,
    cache,
    onGrantsRevoked,
    settings: {
      publicUrl: config.server.public_url.replace(/\/+$/, ''),
      registrationEnabled: config.accounts.registration_enabled,
      verificationTtl: config.accounts.verification_ttl,
      resetTtl: config.accounts.reset_ttl,
      emailsPerHour: config.accounts.emails_per_hour,
      minPasswordLength: config.accounts.min_password_length,
    },
    onError: (err) => logger.error({ err }, 'could not send an account email'),
  });
  const accountDeletion = createAccountDeletionService({
    db: databases.primary,
    auditDb: databases.audit,
    audit,
    authCache,
    sessions,
    onGrantsRevoked,
    // Derived from the secrets key: every node names a purged person by the same pseudonym.
    pseudonymKey: pseudonymKey(encryption.key),
    graceDays: config.accounts.deletion_grace_days,
    onScheduled: (userId, purgeAfter) => accounts.deletionScheduled(userId, purgeAfter),
    deleteStored: async (keys) => {
      for (const key of keys) await storageDriver.delete(key);
    },
    onError: (err, context) => logger.error({ err }, context),
  });
  // The fs driver's download URLs are signed with a key of their own, derived from the secrets key, so every
  // node accepts what another signed.
  const storageSigner = createUrlSigner(
    Buffer.from(hkdfSync('sha256', encryption.key, Buffer.alloc(0), 'heimdall storage urls', 32)),
  );
  const storageDriver = createStorageDriver(config, storageSigner);
  const storage = createStorageService({
    db: databases.primary,
    audit,
    driver: storageDriver,
    signer: storageSigner,
    settings: {
      maxFileBytes: config.storage.max_file_bytes,
      allowedContentTypes: config.storage.allowed_content_types,
      signedUrlTtlSeconds: config.storage.signed_url_ttl_seconds,
    },
  });
  const avatars = createAvatarService({
    db: databases.primary,
    audit,
    storage,
    publicUrl: config.server.public_url,
  });
  const dataExport = createDataExportService({
    db: databases.primary,
    auditDb: databases.audit,
    audit,
    driver: storageDriver,
    publicUrl: config.server.public_url,
    onReady: (userId, _exportId, expiresAt) => accounts.exportReady(userId, expiresAt),
    onError: (err, context) => logger.error({ err }, context),
  });
  const routes: AnyRoute[] = v1Routes({
    accountDeletion,
    avatars,
    dataExport,
    twoFactor,
    accountLabel: (userId) => accounts.accountLabel(userId),
    connectedApps,
    sessions,
    authenticator,
    apiKeys,
    users,
    roles,
    permissions,
    explainer,
    audit: auditService,
    oauthClients,
    settings,
    linkedAccounts,
    platformTokens,
    platformChecks: createPlatformCheck({ db: databases.primary, explainer }),
    botWarnings: createBotWarningService({ db: databases.primary, audit }),
    storage,
  });
  // Built on first use: a process serving only realtime or the scheduler never needs Keystone's schema and
  // Prisma client (tens of MB and a second database pool).
  let keystone: ReturnType<typeof createKeystoneContext> | undefined;
  const openKeystone = () =>
    (keystone ??= createKeystoneContext({
      databaseUrl: databases.primaryUrl,
      poolMax: config.database.pool_max,
      maxPageSize: config.graphql.max_page_size,
      services: () => ({
        audit: auditService,
        live,
        users,
        roles,
        permissions,
        explainer,
        apiKeys,
        oauthClients,
        settings,
        linkedAccounts,
      }),
    }));
  const docsSiteDir = path.join(packageRoot(), 'dist', 'docs-site');
  const extraRouters: Router[] = [
    apiDocsRouter({ routes, version: heimdallVersion(), swaggerUi: config.server.api_docs }),
    // After Swagger UI: the site's static files and not-found page answer everything else under /docs.
    docsSiteRouter({ dir: docsSiteDir }),
  ];
  return {
    audit,
    box,
    /** Signs the admin panel's session cookie: derived from the secrets key, so the same on every node. */
    adminSessionSecret: Buffer.from(
      hkdfSync('sha256', encryption.key, Buffer.alloc(0), 'heimdall admin session', 32),
    ).toString('base64url'),
    explainer,
    realtimeBroker,
    realtimePublisher,
    geoip,
    get keystone() {
      return openKeystone();
    },
    /** Closes Keystone's database pool, if anything opened it. */
    closeKeystone: async () => keystone?.close(),
    authCache,
    onGrantsRevoked,
    authenticator,
    rateLimiter,
    signingKeys,
    oidc,
    sessions,
    mailer,
    accounts,
    /** Deleting accounts: requests, their grace period, and the purge the scheduler runs. */
    accountDeletion,
    /** Exporting a person's data: the in-process queue of jobs, and the expiry the scheduler runs. */
    dataExport,
    connectedApps,
    users,
    twoFactor,
    apiKeys,
    oauthClients,
    /** Where Heimdall may call clients: client registration and back-channel logout delivery share it. */
    outbound,
    routes,
    extraRouters,
    /** The documentation site is built, so /docs answers (the start page links it). */
    docsSite: docsSiteBuilt(docsSiteDir),
    // The admin panel's services (users is above).
    roles,
    permissions,
    settings,
    platforms,
    gps,
    stats,
    upstream,
    platformTokens,
    linkedAccounts,
    /** The audit search (GET /v1/audit's service) and its CSV export. */
    auditLog: auditService,
    auditExport,
    storage,
    /** Closed on shutdown (the S3 client's sockets). */
    storageDriver,
  };
}
