import type { Router } from 'express';
import { createAdminPanel } from '../admin/panel.js';
import type { Cache } from '../core/cache/types.js';
import type { Logger } from '../core/logger/logger.js';
import type { Config } from '../schemas/config.js';
import type { Services } from './services.js';

/**
 * The admin role: the panel at /admin, with its OAuth client at Heimdall ID brought up to date first. It needs
 * Heimdall ID (the only way into the panel); a process that serves Heimdall ID itself redeems codes over
 * loopback, one that does not (`--roles admin`) reaches it at the public URL.
 */
export async function openAdminPanel(deps: {
  config: Config;
  logger: Logger;
  cache: Cache;
  services: Services;
  servesHeimdallId: boolean;
  internalOrigin: () => string | undefined;
}): Promise<Router | undefined> {
  const { config, services } = deps;
  const logger = deps.logger.child({ component: 'admin' });
  if (!config.oidc.enabled) {
    logger.warn('The admin panel needs Heimdall ID (oidc.enabled); /admin is off.');
    return undefined;
  }
  const panel = await createAdminPanel({
    config,
    logger,
    cache: deps.cache,
    box: services.box,
    sessionSecret: services.adminSessionSecret,
    authenticator: services.authenticator,
    auditLog: services.audit,
    users: services.users,
    roles: services.roles,
    permissions: services.permissions,
    apiKeys: services.apiKeys,
    oauthClients: services.oauthClients,
    sessions: services.sessions,
    twoFactor: services.twoFactor,
    accounts: services.accounts,
    audit: services.auditLog,
    linkedAccounts: services.linkedAccounts,
    explainer: services.explainer,
    settings: services.settings,
    platforms: services.platforms,
    gps: services.gps,
    stats: services.stats,
    auditExport: services.auditExport,
    internalOrigin: deps.servesHeimdallId ? deps.internalOrigin : () => undefined,
  });
  await panel.provision();
  return panel.router;
}
