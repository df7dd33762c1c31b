import type { Config } from '../../schemas/config.js';
import { POLICY_PAGES, type PolicyPage } from '../../schemas/policies.js';

/** What the built-in texts state about this deployment, taken from its configuration so that they stay true. */
export interface PolicyFacts {
  /** server.public_url without a trailing slash. */
  publicUrl: string;
  /** Where vulnerabilities are reported: a mailto: or https: URI. */
  securityContact: string;
  sessionSeconds: number;
  sessionCookie: string;
  adminCookie: string;
  adminSessionSeconds: number;
  interactionSeconds: number;
  deletionGraceDays: number;
  auditRetentionDays: number;
  /** Audit events carry an approximate location (geoip.database is set). */
  geoip: boolean;
  verificationSeconds: number;
  resetSeconds: number;
  lockoutSeconds: number;
  accessTokenSeconds: number;
  minPasswordLength: number;
}

export interface PolicySettings {
  facts: PolicyFacts;
  /** The operator's markdown files (policies.dir, already resolved against the configuration directory). */
  dir: string;
  /** Pages the operator keeps elsewhere. */
  elsewhere: Partial<Record<PolicyPage, string>>;
}

/** oidc-provider's interaction (a sign-in or consent with an app in progress) lasts an hour (oidc/provider.ts). */
const INTERACTION_SECONDS = 3600;

/**
 * RFC 2142 names security@ as the mailbox for security queries: the one contact that needs no configuration.
 */
export const fallbackSecurityContact = (publicUrl: string): string =>
  `mailto:security@${new URL(publicUrl).hostname}`;

/**
 * Where each page lives: `policies.urls.<page>` when set; for terms and privacy, the older `accounts.terms_url`
 * and `accounts.privacy_url` when they name something other than the built-in page.
 */
function elsewhereOf(config: Config): Partial<Record<PolicyPage, string>> {
  const legacy: Partial<Record<PolicyPage, string>> = {
    terms: config.accounts.terms_url,
    privacy: config.accounts.privacy_url,
  };
  const found: Partial<Record<PolicyPage, string>> = {};
  for (const page of POLICY_PAGES) {
    const url = config.policies.urls[page] || legacy[page];
    if (url && url !== builtInPath(page)) found[page] = url;
  }
  return found;
}

export function policySettings(config: Config): PolicySettings {
  const publicUrl = config.server.public_url.replace(/\/+$/, '');
  return {
    dir: config.policies.dir,
    elsewhere: elsewhereOf(config),
    facts: {
      publicUrl,
      securityContact: config.policies.security_contact || fallbackSecurityContact(publicUrl),
      sessionSeconds: config.sessions.ttl,
      sessionCookie: config.sessions.cookie_names.id,
      adminCookie: config.sessions.cookie_names.backend,
      adminSessionSeconds: config.admin.session_ttl,
      interactionSeconds: INTERACTION_SECONDS,
      deletionGraceDays: config.accounts.deletion_grace_days,
      auditRetentionDays: config.audit.retention_days,
      geoip: Boolean(config.geoip.database),
      verificationSeconds: config.accounts.verification_ttl,
      resetSeconds: config.accounts.reset_ttl,
      lockoutSeconds: config.auth.sign_in.lockout_seconds,
      accessTokenSeconds: config.oidc.access_token_ttl,
      minPasswordLength: config.accounts.min_password_length,
    },
  };
}

export const builtInPath = (page: PolicyPage): string => `/policies/${page}`;

/** Where links to a page point: the operator's page, or the built-in one. */
export const policyHref = (settings: Pick<PolicySettings, 'elsewhere'>, page: PolicyPage): string =>
  settings.elsewhere[page] ?? builtInPath(page);

/** The same as an absolute URL, for documents read outside this site (security.txt). */
export function absolutePolicyUrl(settings: PolicySettings, page: PolicyPage): string {
  const href = policyHref(settings, page);
  return /^https?:/.test(href) ? href : `${settings.facts.publicUrl}${href}`;
}
