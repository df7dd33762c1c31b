import { ADMIN_ASSETS_DIR } from './adminjs-internals.js';
import AdminJS, { type ResourceWithOptions } from 'adminjs';
import { buildAuthenticatedRouter } from '@adminjs/express';
import express, { Router } from 'express';
import session from 'express-session';
import type { AccountService } from '../core/accounts/service.js';
import type { AuditLogger } from '../core/audit/logger.js';
import type { AuditService } from '../core/audit/service.js';
import type { LinkedAccountService } from '../core/linked-accounts/service.js';
import type { Authenticator } from '../core/auth/authenticator.js';
import type { Cache } from '../core/cache/types.js';
import type { SecretBox } from '../core/crypto/secret-box.js';
import type { Logger } from '../core/logger/logger.js';
import type { ApiKeyService } from '../core/api-keys/service.js';
import type { OAuthClientService } from '../core/oauth-clients/service.js';
import type { PermissionService } from '../core/rbac/permissions-service.js';
import type { RoleService } from '../core/rbac/roles-service.js';
import type { SessionService } from '../core/sessions/service.js';
import type { TwoFactorService } from '../core/two-factor/service.js';
import type { UserService } from '../core/users/service.js';
import type { Config } from '../schemas/config.js';
import { createPanelClient } from './auth/heimdall-id-client.js';
import { csrfProtection } from './auth/csrf.js';
import { panelGuard } from './auth/guard.js';
import { actorOf, SIGN_IN_ERRORS } from './auth/panel-session.js';
import { HeimdallIdAuthProvider, refreshContext } from './auth/provider.js';
import { CacheSessionStore } from './auth/session-store.js';
import { createComponentLoader } from './component-loader.js';
import { panelPageSecurity } from './http/security.js';
import { forgedActionGuard } from './http/forged-actions.js';
import { panelLocale } from './locales/panel-locale.js';
import { usersResource } from './resources/users.js';
import { rolesResource, permissionsResource } from './resources/roles.js';
import { apiKeysResource } from './resources/api-keys.js';
import { oauthClientsResource } from './resources/oauth-clients.js';
import { explainPage } from './pages/explain.js';
import { auditResource } from './resources/audit.js';
import { settingsResource } from './resources/settings.js';
import { gpsMapPage, gpsResource, platformsResource } from './resources/platforms-gps.js';
import { auditCsvRoute } from './http/audit-export.js';
import { requireActor } from './resources/service-resource.js';
import type { SettingService } from '../core/settings/service.js';
import type { PlatformService } from '../core/platforms/service.js';
import type { GpsService } from '../core/gps/service.js';
import type { StatsService } from '../core/stats/service.js';
import type { createAuditExport } from '../core/audit/export.js';
import { SECURITY_FEED_EVENT_TYPES } from '../schemas/audit.js';
import type { PermissionExplainer } from '../core/rbac/explain.js';

export interface AdminPanelDeps {
  config: Config;
  logger: Logger;
  cache: Cache;
  box: SecretBox;
  /** Signs the panel's session cookie (derived from the secrets key, the same on every node). */
  sessionSecret: string;
  authenticator: Authenticator;
  auditLog: Pick<AuditLogger, 'record'>;
  users: UserService;
  roles: RoleService;
  permissions: PermissionService;
  apiKeys: ApiKeyService;
  oauthClients: OAuthClientService;
  sessions: SessionService;
  twoFactor: TwoFactorService;
  accounts: AccountService;
  audit: AuditService;
  /** A user's sign-in methods on their page. */
  linkedAccounts: LinkedAccountService;
  explainer: PermissionExplainer;
  settings: SettingService;
  platforms: PlatformService;
  gps: GpsService;
  stats: StatsService;
  auditExport: ReturnType<typeof createAuditExport>;
  /** Where this process serves Heimdall ID itself, once it listens (the token exchange stays local). */
  internalOrigin: () => string | undefined;
}

/** The scopes of the panel's own client: who the person is, and `audit:read` for the live feed's token. */
export const PANEL_SCOPES = ['openid', 'profile', 'email', 'audit:read'];

/**
 * The admin panel at /admin: AdminJS over Heimdall's services, signed in through Heimdall ID (docs/admin.md).
 * Its browser files come prebuilt from `npm run build` (dist/admin-assets), so it starts without bundling and
 * loads nothing from elsewhere.
 */
export async function createAdminPanel(
  deps: AdminPanelDeps,
): Promise<{ router: Router; provision(): Promise<void> }> {
  const { config } = deps;
  const publicUrl = config.server.public_url.replace(/\/+$/, '');
  const secure = publicUrl.startsWith('https:');
  const ttlMs = config.admin.session_ttl * 1000;
  const client = createPanelClient({
    issuer: `${publicUrl}/oidc`,
    clientId: config.admin.client_id,
    publicUrl,
    apiResource: config.oidc.api_resource || `${publicUrl}/v1`,
    scopes: PANEL_SCOPES,
    internalOrigin: deps.internalOrigin,
  });
  const { loader, components } = createComponentLoader();
  const resources = [
    usersResource(deps),
    rolesResource(deps),
    permissionsResource(deps),
    apiKeysResource(deps),
    oauthClientsResource(deps),
    settingsResource(deps),
    platformsResource(deps),
    auditResource(deps),
    gpsResource(deps),
  ] as unknown as ResourceWithOptions[];
  const admin = new AdminJS({
    rootPath: '/admin',
    loginPath: '/admin/login',
    logoutPath: '/admin/logout',
    componentLoader: loader,
    assetsCDN: `${publicUrl}/admin/assets/`,
    dashboard: {
      component: components.Dashboard,
      // Each part for whom may see it: the figures with stats:read, the live feed with audit:read.
      handler: async (_request, _response, context) => {
        const { auth } = requireActor(context);
        return {
          stats: auth.can('stats', 'read') ? await deps.stats.dashboard() : null,
          feed: auth.can('audit', 'read') ? { types: SECURITY_FEED_EVENT_TYPES } : null,
        };
      },
    },
    resources,
    pages: {
      explain: explainPage(deps),
      gpsMap: gpsMapPage({ gps: deps.gps, tileUrl: config.admin.map_tile_url }),
    },
    locale: panelLocale,
    branding: {
      companyName: 'Heimdall',
      withMadeWithLove: false,
      logo: false,
      favicon: `${publicUrl}/admin/assets/favicon.svg`,
    },
  });

  const router = Router();
  const realtime = new URL(config.realtime.path, publicUrl.replace(/^http/, 'ws'));
  router.use(
    '/admin',
    panelPageSecurity({
      realtimeOrigin: realtime.origin,
      tileOrigin: config.admin.map_tile_url
        ? new URL(config.admin.map_tile_url.replace(/[{}]/g, '')).origin
        : undefined,
    }),
  );
  router.use(
    '/admin/assets',
    express.static(ADMIN_ASSETS_DIR, { index: false, dotfiles: 'ignore', maxAge: '1h' }),
  );

  const panel = Router();
  panel.use(
    session({
      name: config.sessions.cookie_names.backend,
      secret: deps.sessionSecret,
      store: new CacheSessionStore(deps.cache, ttlMs),
      resave: false,
      saveUninitialized: false,
      rolling: false,
      proxy: config.server.trust_proxy !== false,
      cookie: { httpOnly: true, sameSite: 'lax', secure, path: '/admin', maxAge: ttlMs },
    }),
  );
  panel.use(csrfProtection({ secure, exempt: (path) => path === '/login' }));
  panel.use(panelGuard({ authenticator: deps.authenticator, ttlMs }));
  panel.get('/login/start', async (req, res, next) => {
    try {
      const { url, pending } = await client.start();
      req.session.pending = pending;
      req.session.save((err) => (err ? next(err) : res.redirect(303, url)));
    } catch (err) {
      next(err);
    }
  });
  panel.get('/login', async (req, res) => {
    const reason = SIGN_IN_ERRORS.find((r) => r === req.query.reason) ?? null;
    res.send(await admin.renderLogin({ action: admin.options.loginPath, errorMessage: reason }));
  });
  panel.get('/logout', async (req, res, next) => {
    const idToken = req.session.signIn?.idToken;
    try {
      const url = await client.endSessionUrl(idToken);
      req.session.destroy((err) => (err ? next(err) : res.redirect(303, url)));
    } catch (err) {
      next(err);
    }
  });
  panel.post('/api/live-token', async (req, res) => {
    const user = req.session.adminUser;
    const sealed = req.session.signIn?.refreshToken;
    if (user && !actorOf(user)?.auth.can('audit', 'read')) {
      res.status(403).json({ error: { code: 'auth.forbidden', message: 'The live feed needs audit:read.' } });
      return;
    }
    if (!user || !sealed) {
      res.status(401).json({ error: { code: 'admin.signed_out', message: 'Sign in to the panel first.' } });
      return;
    }
    try {
      const refreshed = await client.refresh(deps.box.open(sealed, refreshContext(user.id)));
      req.session.signIn!.refreshToken = deps.box.seal(refreshed.refreshToken, refreshContext(user.id));
      res.json({ token: refreshed.accessToken, expires_in: refreshed.expiresIn, url: realtime.href });
    } catch (err) {
      deps.logger.warn({ err }, 'admin live feed: could not refresh the access token');
      res.status(401).json({
        error: {
          code: 'admin.token_refused',
          message: 'Heimdall ID no longer accepts this sign-in. Sign in again.',
        },
      });
    }
  });
  panel.get('/export/audit.csv', auditCsvRoute(deps.auditExport));
  panel.use(forgedActionGuard(admin));
  const provider = new HeimdallIdAuthProvider({
    client,
    authenticator: deps.authenticator,
    audit: deps.auditLog,
    box: deps.box,
    sessionCookie: config.sessions.cookie_names.id,
    clientId: config.admin.client_id,
    logger: deps.logger,
  });
  router.use(
    '/admin',
    buildAuthenticatedRouter(
      admin,
      { provider, cookiePassword: deps.sessionSecret },
      panel,
      // Never used (the panel's own session middleware runs first); said so that it does not warn.
      { secret: deps.sessionSecret, resave: false, saveUninitialized: false },
    ),
  );

  return {
    router,
    provision: () =>
      deps.oauthClients.provisionBuiltIn(
        { source: 'admin' },
        {
          client_id: config.admin.client_id,
          name: 'Heimdall admin panel',
          redirect_uris: [client.redirectUri],
          post_logout_redirect_uris: [client.redirectUri],
          grant_types: ['authorization_code', 'refresh_token'],
          scopes: PANEL_SCOPES,
        },
      ),
  };
}
