import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import type { AccountDeletionService } from '../../core/accounts/deletion.js';
import type { DataExportService } from '../../core/accounts/export.js';
import type { AccountService } from '../../core/accounts/service.js';
import type { Authenticator } from '../../core/auth/authenticator.js';
import type { AuthContext } from '../../core/auth/context.js';
import { AppError } from '../../core/errors/index.js';
import { messages, pickLocale, type Locale } from '../../core/i18n/locales.js';
import type { ConnectedAppService } from '../../core/oauth-clients/connected-apps.js';
import type { SessionService } from '../../core/sessions/service.js';
import { plainIp, type Actor } from '../../core/shared/actor.js';
import type { TwoFactorService } from '../../core/two-factor/service.js';
import type { UserService } from '../../core/users/service.js';
import { readCookie, type Csrf } from '../../oidc/csrf.js';
import type { PendingSignIns } from '../../oidc/pending-sign-in.js';
import type { PasswordSignIn, SecondFactor } from '../../oidc/password-sign-in.js';
import { longDate, type AreaFrame } from '../views/area-pages.js';
import type { LinkedAccountService } from '../../core/linked-accounts/service.js';
import type { SocialFlow } from '../../oidc/social/flow.js';

/** What the account area's pages need: the services they act through, and the cookies they read. */
export interface AreaDeps {
  authenticator: Authenticator;
  signIn: PasswordSignIn;
  sessions: SessionService;
  connectedApps: ConnectedAppService;
  accounts: AccountService;
  users: UserService;
  twoFactor: TwoFactorService;
  secondFactor: SecondFactor;
  pending: PendingSignIns;
  csrf: Csrf;
  sessionCookie: string;
  cookieSecure: boolean;
  linkedAccounts: LinkedAccountService;
  deletion: AccountDeletionService;
  /** accounts.deletion_grace_days: how long a person has to change their mind. */
  deletionGraceDays: number;
  /** The person's data exports, which /account/export asks for and downloads. */
  exports: DataExportService;
  /** Sign-in with upstream providers, when any is configured. */
  social?: SocialFlow | undefined;
  /** Where an OpenID sign-in continues (`/oidc/interaction/<uid><action>`). */
  interactionUrl(uid: string, action?: string): string;
}

/** The person behind a request's session cookie. */
export interface Signed {
  auth: AuthContext;
  token: string;
  locale: Locale;
  profile: { username: string; preferred_locale: string; privacy_mode: boolean };
  /** When the account is erased, if its deletion is scheduled. */
  deletion: Date | null;
}

/** The helpers every page of the area shares, built once per router. */
export interface AreaContext {
  deps: AreaDeps;
  /** The area's form body parser: small bodies, few fields. */
  form: RequestHandler;
  actor(req: Request, auth: AuthContext): Actor;
  /** A page (GET) shown only when signed in; anyone else is sent to the sign-in page. */
  page(
    handler: (req: Request, res: Response, who: Signed) => void | Promise<void>,
  ): (req: Request, res: Response) => Promise<void>;
  /** The frame around a signed-in page: language, name, CSRF token, and the notice or alert to show. */
  frame(req: Request, res: Response, who: Signed, alert?: string): AreaFrame;
  /** A POST handler that runs only when signed in and with a valid CSRF token. */
  guarded(
    handler: (req: Request, res: Response, who: Signed) => Promise<void>,
  ): (req: Request, res: Response, next: NextFunction) => Promise<void>;
}

const NOTICES = ['saved', 'password', 'ended', 'ended-others', 'disconnected', 'kept'] as const;
const CSRF_ID = 'account:area';

export function areaContext(deps: AreaDeps): AreaContext {
  /** The person behind the session cookie, or (undefined) a redirect to the sign-in page already sent. */
  const signedIn = async (req: Request, res: Response): Promise<Signed | undefined> => {
    const token = readCookie(req, deps.sessionCookie);
    if (token) {
      try {
        const auth = await deps.authenticator.authenticateSession(token);
        const [profile, deletion] = await Promise.all([
          deps.users.get(auth, auth.user!.id),
          deps.deletion.status(auth),
        ]);
        const locale = pickLocale(profile.preferred_locale, req.get('accept-language'));
        return {
          auth,
          token,
          locale,
          profile: {
            username: profile.username,
            preferred_locale: profile.preferred_locale ?? 'en',
            privacy_mode: profile.privacy_mode,
          },
          deletion: deletion.purge_after ? new Date(deletion.purge_after) : null,
        };
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
      }
    }
    res.redirect(303, `/account/login?return_to=${encodeURIComponent(req.originalUrl.split('?')[0]!)}`);
    return undefined;
  };

  return {
    deps,
    form: express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 }),
    actor: (req, auth) => ({ auth, ip: plainIp(req.ip), userAgent: req.get('user-agent') }),
    page: (handler) => async (req, res) => {
      const who = await signedIn(req, res);
      if (who) await handler(req, res, who);
    },
    frame(req, res, who, alert) {
      const notice = NOTICES.find((n) => n === req.query.notice);
      const m = messages(who.locale).area;
      const text = {
        saved: m.saved,
        password: m.password.changed,
        ended: m.sessions.ended,
        'ended-others': m.sessions.endedOthers,
        disconnected: m.apps.disconnected,
        kept: m.deletion.cancelled,
      };
      return {
        locale: who.locale,
        username: who.profile.username,
        csrf: deps.csrf.token(req, res, CSRF_ID),
        notice: notice && text[notice],
        alert,
        // A scheduled deletion is announced on every page, with the button that cancels it.
        deletionOn: who.deletion ? longDate(who.locale, who.deletion) : undefined,
      };
    },
    guarded: (handler) => async (req, res, next) => {
      const who = await signedIn(req, res);
      if (!who) return;
      if (!deps.csrf.valid(req, CSRF_ID, req.body?.csrf)) {
        // Back to the section's page (/account/<section>), where the form can be sent again.
        return res.redirect(303, req.originalUrl.split('?')[0]!.split('/').slice(0, 3).join('/'));
      }
      await handler(req, res, who).catch(next);
    },
  };
}
