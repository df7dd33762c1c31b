import { Router } from 'express';
import type { AccountDeletionService } from '../core/accounts/deletion.js';
import type { DataExportService } from '../core/accounts/export.js';
import type { AccountService } from '../core/accounts/service.js';
import type { Authenticator } from '../core/auth/authenticator.js';
import type { ConnectedAppService } from '../core/oauth-clients/connected-apps.js';
import type { SessionService } from '../core/sessions/service.js';
import type { TwoFactorService } from '../core/two-factor/service.js';
import type { UserService } from '../core/users/service.js';
import type { LinkedAccountService } from '../core/linked-accounts/service.js';
import type { SignInKit } from '../oidc/heimdall-id.js';
import { onlyUnder } from '../oidc/path-scope.js';
import { accountAreaRouter } from './area/router.js';
import { policiesRouter, securityTxtRouter } from './policies/router.js';
import { policyHref, type PolicySettings } from './policies/settings.js';
import { accountPagesRouter } from './self-service.js';

export interface AccountRoutesDeps {
  /** Heimdall ID's sign-in: the account area signs people in exactly as the provider's pages do. */
  kit: SignInKit;
  accounts: AccountService;
  authenticator: Authenticator;
  connectedApps: ConnectedAppService;
  sessions: SessionService;
  twoFactor: TwoFactorService;
  users: UserService;
  linkedAccounts: LinkedAccountService;
  accountDeletion: AccountDeletionService;
  /** accounts.deletion_grace_days, which the deletion page explains. */
  deletionGraceDays: number;
  /** The data exports the export page asks for and downloads. */
  dataExport: DataExportService;
  /** The policy pages: the deployment's facts they state, and what the operator replaced. */
  policies: PolicySettings;
}

/**
 * /policies and /.well-known/security.txt: served wherever the API is, with Heimdall ID or without, since every
 * page's footer links them.
 */
export function policyRoutes(settings: PolicySettings): Router {
  const router = Router();
  router.use(onlyUnder('/policies', policiesRouter(settings)));
  router.use(onlyUnder('/.well-known/security.txt', securityTxtRouter(settings)));
  return router;
}

/**
 * The person's own pages under /account: the signed-in area, registration, e-mail verification, password reset.
 * Mounted before any body parser: each router parses its own forms.
 */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const { kit } = deps;
  const router = Router();
  router.use(
    onlyUnder(
      '/account',
      accountAreaRouter({
        authenticator: deps.authenticator,
        signIn: kit.signIn,
        sessions: deps.sessions,
        connectedApps: deps.connectedApps,
        accounts: deps.accounts,
        users: deps.users,
        twoFactor: deps.twoFactor,
        secondFactor: kit.secondFactor,
        pending: kit.pending,
        csrf: kit.csrf,
        sessionCookie: kit.sessionCookie,
        cookieSecure: kit.cookieSecure,
        linkedAccounts: deps.linkedAccounts,
        deletion: deps.accountDeletion,
        deletionGraceDays: deps.deletionGraceDays,
        exports: deps.dataExport,
        social: kit.social,
        interactionUrl: kit.interactionUrl,
      }),
    ),
  );
  router.use(
    onlyUnder(
      '/account',
      accountPagesRouter({
        accounts: deps.accounts,
        csrf: kit.csrf,
        social: kit.social,
        termsUrl: policyHref(deps.policies, 'terms'),
        privacyUrl: policyHref(deps.policies, 'privacy'),
      }),
    ),
  );
  return router;
}
