import { Router } from 'express';
import { accountRoutes, policyRoutes } from '../account/routes.js';
import { policyHref, policySettings } from '../account/policies/settings.js';
import { openAdminPanel } from './admin.js';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCache } from '../core/cache/create.js';
import type { Cache } from '../core/cache/types.js';
import { openDatabases, prepareDatabases, type Databases } from '../core/db/databases.js';
import type { Logger } from '../core/logger/logger.js';
import { auditHousekeepingSettings, runAuditHousekeeping } from '../core/audit/housekeeping.js';
import { startScheduler, type Scheduler } from '../core/scheduler/scheduler.js';
import { createSocialFlow } from '../oidc/social/flow.js';
import type { Config } from '../schemas/config.js';
import { createApp } from '../api/http/app.js';
import { frontRouter } from '../account/front/router.js';
import { checkDependencies } from '../core/health/checks.js';
import { CREATE_ADMIN_COMMAND, createFirstAdminSetup } from '../core/setup/first-admin.js';
import { createSetupLinks, SETUP_LINK_MINUTES, setupAnnouncer } from '../core/setup/setup-links.js';
import { heimdallVersion } from '../core/shared/version.js';
import type { AnyRoute } from '../api/http/route.js';
import { authenticateBearer } from '../core/auth/bearer.js';
import { createGraphqlServer } from '../keystone/graphql/server.js';
import { attachGraphqlWs } from '../keystone/graphql/ws.js';
import { createListBounds } from '../keystone/graphql/list-bounds.js';
import { createServices, type Services } from './services.js';
import { createBruteForceGuard } from '../core/auth/brute-force.js';
import {
  createHeimdallId,
  deleteExpiredOidcRows,
  registerBackchannelMetrics,
  type HeimdallId,
  type ResolveHost,
} from '../oidc/heimdall-id.js';
import type { ProcessRole } from './roles.js';
import { routeUpgrades, type UpgradeHandler } from './upgrades.js';
import type { Broker } from '../realtime/broker/create.js';
import { createRealtimeServer, registerRealtimeMetrics, type RealtimeServer } from '../realtime/server.js';

/**
 * Wires the platform once: databases (embedded when no URL), migrations and seeds, cache,
 * then the HTTP server. `stop()` undoes it in reverse order, so Ctrl-C also stops embedded PostgreSQL.
 */
export interface RunningPlatform {
  url: string;
  port: number;
  databases: Databases;
  cache: Cache;
  /** The /v1 routes this process serves (for the OpenAPI document and tests). */
  routes: readonly AnyRoute[];
  /** The wired services (tests reach the auth cache through it). */
  services: Services;
  /** Heimdall ID, when oidc.enabled. */
  heimdallId: HeimdallId | undefined;
  /** Present when this process runs the scheduler role. */
  scheduler: Scheduler | undefined;
  /** Present when this process runs the realtime role (and realtime.enabled). */
  realtime: RealtimeServer | undefined;
  stop(): Promise<void>;
}

export interface StartOptions {
  config: Config;
  logger: Logger;
  roles: ProcessRole[];
  /** Resolves host names for Heimdall ID's outgoing requests (tests inject one; default: the system's). */
  resolveHost?: ResolveHost;
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export async function startPlatform({
  config,
  logger,
  roles,
  resolveHost,
}: StartOptions): Promise<RunningPlatform> {
  const databases = await openDatabases(config, (line) =>
    logger.debug({ component: 'embedded-postgres' }, line),
  );
  if (databases.embedded)
    logger.info(
      { dataDir: databases.embedded.dir },
      'using embedded PostgreSQL (no database.url configured)',
    );
  let cache: Cache | undefined;
  let broker: Broker | undefined;
  try {
    const prepared = await prepareDatabases(databases, config);
    logger.info(
      { migrations: { core: prepared.core, audit: prepared.audit }, seeded: prepared.seeds },
      'database ready',
    );

    cache = createCache({ url: config.redis.url, keyPrefix: config.redis.key_prefix });
    if (cache.kind === 'memory')
      logger.info('no redis.url configured: in-process cache and pub/sub (single node)');

    const services = createServices({ config, logger, databases, cache });
    broker = services.realtimeBroker;
    const serveApi = roles.includes('api');
    const policies = policySettings(config);
    const heimdallId =
      serveApi && config.oidc.enabled
        ? await createHeimdallId({
            settings: services.oidc.provider,
            social: createSocialFlow({
              providers: services.upstream,
              platforms: services.platforms,
              box: services.box,
              publicUrl: config.server.public_url.replace(/\/+$/, ''),
              secure: services.oidc.provider.cookieSecure,
              legal: { termsUrl: policyHref(policies, 'terms'), privacyUrl: policyHref(policies, 'privacy') },
            }),
            keyCheckIntervalMs: services.oidc.keyCheckIntervalMs,
            db: databases.primary,
            keys: services.signingKeys,
            audit: services.audit,
            sessions: services.sessions,
            bruteForce: createBruteForceGuard(
              {
                maxPerAccount: config.auth.sign_in.max_failures_per_account,
                maxPerIp: config.auth.sign_in.max_failures_per_ip,
                windowSeconds: config.auth.sign_in.window_seconds,
                lockoutSeconds: config.auth.sign_in.lockout_seconds,
                delayAfter: config.auth.sign_in.delay_after,
              },
              cache,
            ),
            bus: cache,
            outbound: services.outbound,
            resolveHost,
            onGrantsRevoked: services.onGrantsRevoked,
            twoFactor: services.twoFactor,
            allowUnverifiedSignIn: config.accounts.allow_unverified_sign_in,
            redis: config.redis.url
              ? { url: config.redis.url, keyPrefix: config.redis.key_prefix }
              : undefined,
            logger: logger.child({ component: 'oidc' }),
          })
        : undefined;
    const account = heimdallId
      ? accountRoutes({
          kit: heimdallId.signInKit,
          accounts: services.accounts,
          authenticator: services.authenticator,
          connectedApps: services.connectedApps,
          sessions: services.sessions,
          twoFactor: services.twoFactor,
          users: services.users,
          linkedAccounts: services.linkedAccounts,
          accountDeletion: services.accountDeletion,
          deletionGraceDays: config.accounts.deletion_grace_days,
          dataExport: services.dataExport,
          policies,
        })
      : undefined;
    const liveCache = cache;
    const setupLinks = createSetupLinks(liveCache);
    const firstAdmin = createFirstAdminSetup({
      db: databases.primary,
      audit: services.audit,
      links: setupLinks,
      minPasswordLength: config.accounts.min_password_length,
    });
    // The browser way needs Heimdall ID's sign-in; the command works everywhere.
    const commandOnly = () =>
      logger.warn(`No administrator exists yet. Create one with: ${CREATE_ADMIN_COMMAND}`);
    const printSetupLink = heimdallId
      ? setupAnnouncer(setupLinks, config.server.public_url, (link, expiresAt) =>
          logger.warn(
            { setupUrl: link, expiresAt },
            `No administrator exists yet. Open ${link} within ${SETUP_LINK_MINUTES} minutes to create one, or run: ${CREATE_ADMIN_COMMAND}`,
          ),
        )
      : undefined;
    // A cache that is down must not stop Heimdall, nor the start page: the command works without it.
    const announceSetupLink = async () => {
      if (!printSetupLink) return commandOnly();
      await printSetupLink().catch((err: unknown) => {
        logger.warn({ err }, 'Could not store a setup link (is the cache reachable?)');
        commandOnly();
      });
    };
    let internalOrigin: string | undefined;
    const admin =
      roles.includes('admin') && config.admin.enabled
        ? await openAdminPanel({
            config,
            logger,
            cache,
            services,
            servesHeimdallId: Boolean(heimdallId),
            internalOrigin: () => internalOrigin,
          })
        : undefined;
    services.authCache.onInvalidate((event) => {
      if (event.type === 'all' || event.type === 'oauth_client') heimdallId?.forgetClients();
    });
    await services.authCache.start();
    const serveGraphql = serveApi && config.graphql.enabled;
    // What relationship lists can really hold, for the GraphQL cost limit (HTTP and graphql-ws).
    const listBounds = serveGraphql
      ? createListBounds({
          schema: services.keystone.context.graphql.schema,
          prisma: services.keystone.context.prisma,
          maxAgeMs: 60_000,
          onError: (err) =>
            logger.warn({ err }, 'Counting relationship sizes for the GraphQL cost limit failed'),
        })
      : undefined;
    const graphql =
      serveGraphql && listBounds
        ? await createGraphqlServer({
            schema: services.keystone.context.graphql.schema,
            keystone: services.keystone.context,
            introspection: config.graphql.introspection,
            playground: config.graphql.playground,
            maxDepth: config.graphql.max_depth,
            maxCost: config.graphql.max_cost,
            maxPageSize: config.graphql.max_page_size,
            listBounds,
            onInternalError: (err) => logger.error({ err }, 'GraphQL request failed'),
          })
        : undefined;
    const app = createApp({
      config,
      logger,
      primary: databases.primary,
      audit: databases.audit,
      cache,
      authenticator: services.authenticator,
      rateLimiter: services.rateLimiter,
      routes: serveApi ? services.routes : [],
      extra: serveApi ? services.extraRouters : [],
      ...(heimdallId ? { oidc: heimdallId.router } : {}),
      ...(account ? { account } : {}),
      ...(admin ? { admin } : {}),
      ...(serveApi
        ? {
            front: Router().use(
              frontRouter({
                version: heimdallVersion(),
                places: {
                  account: Boolean(account),
                  admin: Boolean(admin),
                  docs: services.docsSite,
                  apiDocs: config.server.api_docs,
                  graphql: Boolean(graphql),
                  graphqlExplorer: Boolean(graphql) && config.graphql.playground,
                  realtime:
                    roles.includes('realtime') && config.realtime.enabled ? config.realtime.path : undefined,
                },
                name: async () => String((await services.settings.get('site.name')).value),
                setup: firstAdmin,
                announceSetupLink,
                authenticator: services.authenticator,
                health: async () => ({
                  checks: await checkDependencies({
                    primary: databases.primary,
                    audit: databases.audit,
                    cache: liveCache,
                  }),
                  audit: services.audit.stats(),
                  realtime: realtime ? { connections: realtime.stats().connections } : undefined,
                }),
                kit: heimdallId
                  ? {
                      signIn: heimdallId.signInKit.signIn,
                      csrf: heimdallId.signInKit.csrf,
                      sessionCookie: heimdallId.signInKit.sessionCookie,
                    }
                  : undefined,
              }),
              policyRoutes(policies),
            ),
          }
        : {}),
      ...(graphql ? { graphql: graphql.handler } : {}),
      // The realtime server is made below (it needs the HTTP server); the gauges read it when scraped.
      metrics: (registry) => {
        registerRealtimeMetrics(registry, () => realtime);
        if (heimdallId) registerBackchannelMetrics(registry, heimdallId.backchannelLogouts);
      },
    });
    const server = createServer(app.serverOptions, app.listener);
    const graphqlWs =
      graphql && listBounds
        ? attachGraphqlWs({
            schema: services.keystone.context.graphql.schema,
            keystone: services.keystone.context,
            authenticate: (header) => authenticateBearer(services.authenticator, header),
            onCredentialsChanged: (listener) => services.authCache.onInvalidate(listener),
            introspection: config.graphql.introspection,
            maxDepth: config.graphql.max_depth,
            maxCost: config.graphql.max_cost,
            maxPageSize: config.graphql.max_page_size,
            listBounds,
            onInternalError: (err) => logger.error({ err }, 'GraphQL subscription failed'),
          })
        : undefined;
    const realtime =
      roles.includes('realtime') && config.realtime.enabled
        ? createRealtimeServer({
            broker: services.realtimeBroker,
            limits: {
              authTimeoutMs: config.realtime.auth_timeout_ms,
              heartbeatMs: config.realtime.heartbeat_ms,
              pingIntervalMs: config.realtime.heartbeat_ms,
              maxFrameBytes: config.realtime.max_frame_bytes,
              maxQueueBytes: config.realtime.max_queue_bytes,
              maxSubscriptions: config.realtime.max_subscriptions,
              maxConnectionsPerUser: config.realtime.max_connections_per_user,
            },
            authenticate: (token) => authenticateBearer(services.authenticator, `Bearer ${token}`),
            onCredentialsChanged: (listener) => services.authCache.onInvalidate(listener),
            onError: (err, context) => logger.warn({ err }, context),
          })
        : undefined;
    const upgrades = new Map<string, UpgradeHandler>();
    if (graphqlWs) upgrades.set('/api/graphql', graphqlWs.handleUpgrade);
    if (realtime) upgrades.set(config.realtime.path, realtime.handleUpgrade);
    const stopUpgrades = routeUpgrades(server, upgrades);
    await listen(server, config.server.host, config.server.port);
    const port = (server.address() as AddressInfo).port;
    const url = `http://${config.server.host === '0.0.0.0' ? '127.0.0.1' : config.server.host}:${port}`;
    if (heimdallId) internalOrigin = url;
    logger.info({ url, roles, publicUrl: config.server.public_url }, 'Heimdall is listening');
    if (await firstAdmin.needed()) await announceSetupLink();

    let scheduler: Scheduler | undefined;
    if (roles.includes('scheduler')) {
      try {
        scheduler = startScheduler(
          [
            {
              name: 'audit-housekeeping',
              cron: config.audit.housekeeping_cron,
              runAtStart: true,
              run: () => runAuditHousekeeping(databases.audit, auditHousekeepingSettings(config.audit)),
            },
            {
              name: 'oidc-cleanup',
              cron: config.oidc.cleanup_cron,
              runAtStart: true,
              run: async () => {
                const rows = await deleteExpiredOidcRows(databases.primary);
                const keys = await services.signingKeys.prune();
                return { expiredRows: rows, retiredKeys: keys };
              },
            },
            {
              // Platform tokens bots ask for stay fresh, and what an earlier secrets key sealed is sealed again.
              name: 'platform-token-refresh',
              cron: config.social.refresh_cron,
              runAtStart: true,
              run: () => services.platformTokens.refreshDue(),
            },
            {
              // Accounts whose deletion grace period has ended are erased, with their audit events anonymized.
              name: 'account-purge',
              cron: config.accounts.deletion_purge_cron,
              runAtStart: true,
              run: () => services.accountDeletion.purgeDue(),
            },
            {
              // Data exports past their 24 hours lose their zip; jobs of a process that died are marked failed.
              name: 'data-export-housekeeping',
              cron: config.accounts.export_housekeeping_cron,
              runAtStart: true,
              run: () => services.dataExport.housekeeping(),
            },
          ],
          logger.child({ component: 'scheduler' }),
        );
      } catch (err) {
        await new Promise((resolve) => server.close(resolve));
        throw err;
      }
    }

    const readyCache = cache;
    let stopping: Promise<void> | undefined;
    return {
      url,
      port,
      databases,
      cache: readyCache,
      routes: services.routes,
      services,
      heimdallId,
      scheduler,
      realtime,
      stop: () =>
        (stopping ??= (async () => {
          const force = setTimeout(() => server.closeAllConnections(), config.server.shutdown_timeout_ms);
          force.unref();
          // WebSockets first: they would keep server.close() waiting. Realtime clients are told to reconnect
          // (to another node, or to this one once it is back) and recover what they miss from history.
          stopUpgrades();
          await Promise.all([graphqlWs?.close(), realtime?.close(config.server.shutdown_timeout_ms / 2)]);
          // close() stops accepting and ends idle keep-alive sockets; in-flight requests get the timeout above.
          await new Promise<void>((resolve) => server.close(() => resolve()));
          clearTimeout(force);
          await scheduler?.stop();
          heimdallId?.stop();
          services.geoip.close();
          services.mailer.close();
          services.storageDriver.close();
          await graphql?.stop();
          await services.authCache.stop();
          // After the server: requests that finished have recorded their events; write them all.
          await services.audit.close();
          // Stored events still being handed to realtime subscribers.
          await services.realtimePublisher.settled();
          await services.realtimeBroker.close();
          await readyCache.close();
          await services.closeKeystone();
          await databases.close();
        })()),
    };
  } catch (err) {
    await broker?.close().catch(() => undefined);
    await cache?.close().catch(() => undefined);
    await databases.close().catch(() => undefined);
    throw err;
  }
}
