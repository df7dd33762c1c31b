import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { FieldError, type AccountService } from '../../core/accounts/service.js';
import type { Authenticator } from '../../core/auth/authenticator.js';
import type { AuthContext } from '../../core/auth/context.js';
import { AppError } from '../../core/errors/index.js';
import { messages, pickLocale, type Locale } from '../../core/i18n/index.js';
import type { ConnectedAppService } from '../../core/oauth-clients/connected-apps.js';
import type { SessionService } from '../../core/sessions/service.js';
import { plainIp, type Actor } from '../../core/shared/actor.js';
import type { UserService } from '../../core/users/service.js';
import { usernameSchema } from '../../schemas/users.js';
import { readCookie, type Csrf } from '../csrf.js';
import { localeOf, twoFactorErrorText, type PasswordSignIn, type SecondFactor } from '../sign-in.js';
import type { PendingSignIns } from '../pending-sign-in.js';
import type { TwoFactorService } from '../../core/two-factor/service.js';
import { twoFactorPage } from '../views/pages.js';
import {
  appsPage,
  areaLoginPage,
  backupCodesPage,
  overviewPage,
  passwordPage,
  profilePage,
  securityPage,
  securitySetupPage,
  sessionsPage,
  type AreaFrame,
} from '../views/area-pages.js';
import { fieldErrorText } from '../views/account-pages.js';
import { sendPage } from '../views/respond.js';

/**
 * The signed-in account area under /account (issue 7): the `id.session-token` cookie is the credential, resolved
 * into the same AuthContext as every other entry point; changes go through the same services as REST. Forms
 * post back and redirect (so a reload never repeats a change), each CSRF-protected. Language: the person's
 * preferred_locale, then the browser's.
 */
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
}

interface Signed {
  auth: AuthContext;
  token: string;
  locale: Locale;
  profile: { username: string; preferred_locale: string; privacy_mode: boolean };
}

const NOTICES = ['saved', 'password', 'ended', 'ended-others', 'disconnected'] as const;

/** Only paths inside the account area: `return_to` must never send anyone elsewhere. */
const safeReturn = (value: unknown) =>
  typeof value === 'string' && /^\/account(\/[\w/-]*)?$/.test(value) ? value : '/account';

export function accountAreaRouter(deps: AreaDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const CSRF_ID = 'account:area';

  const actor = (req: Request, auth: AuthContext): Actor => ({
    auth,
    ip: plainIp(req.ip),
    userAgent: req.get('user-agent'),
  });

  /** The person behind the session cookie, or a redirect to the sign-in page. */
  const signedIn = async (req: Request, res: Response): Promise<Signed | undefined> => {
    const token = readCookie(req, deps.sessionCookie);
    if (token) {
      try {
        const auth = await deps.authenticator.authenticateSession(token);
        const profile = await deps.users.get(auth, auth.user!.id);
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
        };
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
      }
    }
    res.redirect(303, `/account/login?return_to=${encodeURIComponent(req.originalUrl.split('?')[0]!)}`);
    return undefined;
  };

  const frame = (req: Request, res: Response, who: Signed, alert?: string): AreaFrame => {
    const notice = NOTICES.find((n) => n === req.query.notice);
    const m = messages(who.locale).area;
    const text = {
      saved: m.saved,
      password: m.password.changed,
      ended: m.sessions.ended,
      'ended-others': m.sessions.endedOthers,
      disconnected: m.apps.disconnected,
    };
    return {
      locale: who.locale,
      username: who.profile.username,
      csrf: deps.csrf.token(req, res, CSRF_ID),
      notice: notice && text[notice],
      alert,
    };
  };

  /** POST handlers: signed in and a valid CSRF token, or nothing happens. */
  const guarded =
    (handler: (req: Request, res: Response, who: Signed) => Promise<void>) =>
    async (req: Request, res: Response, next: NextFunction) => {
      const who = await signedIn(req, res);
      if (!who) return;
      if (!deps.csrf.valid(req, CSRF_ID, req.body?.csrf)) {
        return res.redirect(
          303,
          req.originalUrl.replace(/\/(end|disconnect|end-others)$/, '').replace(/\/[0-9a-f-]{36}$/, ''),
        );
      }
      await handler(req, res, who).catch(next);
    };

  // Sign in and out
  router.get('/account/login', (req, res) => {
    sendPage(
      res,
      200,
      areaLoginPage(localeOf(req), {
        csrf: deps.csrf.token(req, res, 'account:login'),
        returnTo: safeReturn(req.query.return_to),
      }),
    );
  });
  router.post('/account/login', form, async (req, res) => {
    const returnTo = safeReturn(req.body.return_to);
    const email = typeof req.body.email === 'string' ? req.body.email.slice(0, 320) : '';
    const password = typeof req.body.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const again = (status: number, error: string, resendFor?: string) =>
      sendPage(
        res,
        status,
        areaLoginPage(localeOf(req), {
          csrf: deps.csrf.token(req, res, 'account:login'),
          returnTo,
          email,
          error,
          ...(resendFor ? { resendFor } : {}),
        }),
      );
    if (!deps.csrf.valid(req, 'account:login', req.body?.csrf)) {
      return again(403, messages(localeOf(req)).errors.csrf);
    }
    const outcome = await deps.signIn.attempt(req, res, { email, password, clientId: 'account' });
    if (!outcome.ok) return again(outcome.status, outcome.error, outcome.resendFor);
    const login = { userId: outcome.userId, accountId: outcome.accountId };
    if (outcome.twoFactor.enabled) {
      deps.pending.set(res, { ...login, for: 'account', returnTo });
      return res.redirect(303, '/account/login/2fa');
    }
    await deps.signIn.start(req, res, { ...login, amr: ['pwd'], clientId: 'account' });
    // A role requires 2FA and it is off: set it up first.
    res.redirect(303, outcome.twoFactor.required ? '/account/security' : returnTo);
  });

  const renderCode = (req: Request, res: Response, status = 200, error?: string) =>
    sendPage(
      res,
      status,
      twoFactorPage({
        action: '/account/login/2fa',
        csrf: deps.csrf.token(req, res, 'account:login'),
        locale: localeOf(req),
        error,
      }),
    );
  router.get('/account/login/2fa', (req, res) => {
    if (!deps.pending.get(req, 'account')) return res.redirect(303, '/account/login');
    renderCode(req, res);
  });
  router.post('/account/login/2fa', form, async (req, res) => {
    const pending = deps.pending.get(req, 'account');
    if (!pending) return res.redirect(303, '/account/login');
    if (!deps.csrf.valid(req, 'account:login', req.body?.csrf))
      return renderCode(req, res, 403, messages(localeOf(req)).errors.csrf);
    const code = typeof req.body.code === 'string' ? req.body.code.slice(0, 64) : '';
    const checked = await deps.secondFactor.checkSecondFactor(req, pending.userId, code);
    if (!checked.ok) return renderCode(req, res, checked.status, checked.error);
    deps.pending.clear(res);
    await deps.signIn.start(req, res, {
      userId: pending.userId,
      accountId: pending.accountId,
      amr: ['pwd', 'otp'],
      clientId: 'account',
    });
    res.redirect(303, safeReturn(pending.returnTo));
  });
  router.post(
    '/account/logout',
    form,
    guarded(async (req, res, who) => {
      await deps.sessions.endByToken(who.token, { ip: plainIp(req.ip), userAgent: req.get('user-agent') });
      res.clearCookie(deps.sessionCookie, { path: '/' });
      res.redirect(303, '/account/login');
    }),
  );

  router.get('/account', async (req, res) => {
    const who = await signedIn(req, res);
    if (who) sendPage(res, 200, overviewPage(frame(req, res, who)));
  });

  // Profile
  router.get('/account/profile', async (req, res) => {
    const who = await signedIn(req, res);
    if (who) sendPage(res, 200, profilePage(frame(req, res, who), { ...profileView(who) }));
  });
  router.post(
    '/account/profile',
    form,
    guarded(async (req, res, who) => {
      const username = typeof req.body.username === 'string' ? req.body.username.trim().slice(0, 64) : '';
      const preferred = req.body.preferred_locale === 'de' ? 'de' : 'en';
      const m = messages(who.locale);
      if (!usernameSchema.safeParse(username).success) {
        return sendPage(
          res,
          422,
          profilePage(frame(req, res, who), {
            ...profileView(who),
            username,
            usernameError: m.errors.usernameInvalid,
          }),
        );
      }
      try {
        await deps.users.updateOwnProfile(actor(req, who.auth), {
          username,
          preferred_locale: preferred,
          privacy_mode: req.body.privacy_mode === 'yes',
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'user.username_taken') {
          return sendPage(
            res,
            409,
            profilePage(frame(req, res, who), {
              ...profileView(who),
              username,
              usernameError: m.errors.usernameTaken,
            }),
          );
        }
        throw err;
      }
      res.redirect(303, '/account/profile?notice=saved');
    }),
  );

  // Password
  const minPassword = deps.accounts.settings.minPasswordLength;
  router.get('/account/password', async (req, res) => {
    const who = await signedIn(req, res);
    if (who) sendPage(res, 200, passwordPage(frame(req, res, who), { minPassword, errors: {} }));
  });
  router.post(
    '/account/password',
    form,
    guarded(async (req, res, who) => {
      const m = messages(who.locale);
      const str = (v: unknown) => (typeof v === 'string' ? v.slice(0, 1024) : '');
      try {
        await deps.accounts.changePassword(
          who.auth.user!.id,
          who.auth.sessionId,
          {
            current: str(req.body.current),
            password: str(req.body.password),
            confirm: str(req.body.confirm),
          },
          { ip: plainIp(req.ip), userAgent: req.get('user-agent'), locale: who.locale },
        );
      } catch (err) {
        let errors: Record<string, string> | undefined;
        if (err instanceof AppError && err.code === 'account.wrong_password')
          errors = { current: m.area.password.wrong };
        if (err instanceof FieldError) {
          errors = {
            [err.reason === 'passwordMismatch' ? 'confirm' : 'password']: fieldErrorText(
              m,
              err.reason,
              minPassword,
            ),
          };
        }
        if (!errors) throw err;
        return sendPage(res, 422, passwordPage(frame(req, res, who), { minPassword, errors }));
      }
      res.redirect(303, '/account/password?notice=password');
    }),
  );

  // Sessions
  router.get('/account/sessions', async (req, res) => {
    const who = await signedIn(req, res);
    if (!who) return;
    const rows = await deps.sessions.list(who.auth, who.auth.user!.id);
    sendPage(
      res,
      200,
      sessionsPage(
        frame(req, res, who),
        rows.map((r) => ({
          id: r.id,
          current: r.id === who.auth.sessionId,
          userAgent: r.user_agent,
          ip: r.ip_address,
          createdAt: r.created_at,
          lastActivityAt: r.last_activity_at,
        })),
      ),
    );
  });
  router.post(
    '/account/sessions/:id/end',
    form,
    guarded(async (req, res, who) => {
      const id = String(req.params.id);
      if (/^[0-9a-f-]{36}$/i.test(id) && id !== who.auth.sessionId) {
        await deps.sessions.revoke(actor(req, who.auth), who.auth.user!.id, id).catch((err: unknown) => {
          if (!(err instanceof AppError && err.status === 404)) throw err;
        });
      }
      res.redirect(303, '/account/sessions?notice=ended');
    }),
  );
  router.post(
    '/account/sessions/end-others',
    form,
    guarded(async (req, res, who) => {
      await deps.sessions.revokeAll(actor(req, who.auth), who.auth.user!.id, who.auth.sessionId);
      res.redirect(303, '/account/sessions?notice=ended-others');
    }),
  );

  // Connected apps
  router.get('/account/apps', async (req, res) => {
    const who = await signedIn(req, res);
    if (!who) return;
    const apps = await deps.connectedApps.list(who.auth);
    sendPage(
      res,
      200,
      appsPage(
        frame(req, res, who),
        apps.map((a) => ({
          id: a.id,
          name: a.name,
          logoUrl: a.logo_url,
          scopes: a.scopes,
          createdAt: a.created_at,
        })),
      ),
    );
  });
  router.post(
    '/account/apps/:id/disconnect',
    form,
    guarded(async (req, res, who) => {
      const id = String(req.params.id);
      if (/^[0-9a-f-]{36}$/i.test(id)) {
        await deps.connectedApps.revoke(actor(req, who.auth), id).catch((err: unknown) => {
          if (!(err instanceof AppError && err.status === 404)) throw err;
        });
      }
      res.redirect(303, '/account/apps?notice=disconnected');
    }),
  );

  // Two-factor authentication (issue 8)
  const continueOf = (value: unknown) =>
    typeof value === 'string' && /^\/(oidc\/interaction\/[\w-]+|account(\/[\w/-]*)?)$/.test(value)
      ? value
      : undefined;
  const twoFactorFailure = (err: unknown, who: Signed) => twoFactorErrorText(messages(who.locale), err);
  const renderSecurity = async (req: Request, res: Response, who: Signed, status = 200, alert?: string) => {
    const s = await deps.twoFactor.status(who.auth);
    const continueTo = continueOf(req.query.continue ?? req.body?.continue);
    sendPage(
      res,
      status,
      securityPage(frame(req, res, who, alert), {
        enabled: s.enabled,
        enabledAt: s.enabled_at,
        required: s.required,
        remaining: s.backup_codes_remaining,
        ...(continueTo ? { continueTo } : {}),
      }),
    );
  };
  router.get('/account/security', async (req, res) => {
    const who = await signedIn(req, res);
    if (who) await renderSecurity(req, res, who);
  });
  router.post(
    '/account/security/setup',
    form,
    guarded(async (req, res, who) => {
      const setup = await deps.twoFactor.setup(
        actor(req, who.auth),
        await deps.accounts.accountLabel(who.auth.user!.id),
      );
      const continueTo = continueOf(req.body.continue);
      sendPage(
        res,
        200,
        securitySetupPage(frame(req, res, who), {
          qrCode: setup.qr_code,
          secret: setup.secret,
          ...(continueTo ? { continueTo } : {}),
        }),
      );
    }),
  );
  router.post(
    '/account/security/enable',
    form,
    guarded(async (req, res, who) => {
      const continueTo = continueOf(req.body.continue);
      try {
        const { backup_codes } = await deps.twoFactor.enable(
          actor(req, who.auth),
          String(req.body.code ?? '').slice(0, 64),
        );
        sendPage(
          res,
          200,
          backupCodesPage(frame(req, res, who), {
            codes: backup_codes,
            ...(continueTo ? { continueTo } : {}),
          }),
        );
      } catch (err) {
        const error = twoFactorFailure(err, who);
        if (!error) throw err;
        const qr =
          typeof req.body.qr === 'string' && req.body.qr.startsWith('data:image/png;base64,')
            ? req.body.qr
            : '';
        sendPage(
          res,
          422,
          securitySetupPage(frame(req, res, who), {
            qrCode: qr,
            secret: String(req.body.secret ?? '').slice(0, 64),
            error,
            ...(continueTo ? { continueTo } : {}),
          }),
        );
      }
    }),
  );
  router.post(
    '/account/security/regenerate',
    form,
    guarded(async (req, res, who) => {
      try {
        const { backup_codes } = await deps.twoFactor.regenerateBackupCodes(
          actor(req, who.auth),
          String(req.body.code ?? '').slice(0, 64),
        );
        sendPage(res, 200, backupCodesPage(frame(req, res, who), { codes: backup_codes }));
      } catch (err) {
        const error = twoFactorFailure(err, who);
        if (!error) throw err;
        await renderSecurity(req, res, who, 422, error);
      }
    }),
  );
  router.post(
    '/account/security/disable',
    form,
    guarded(async (req, res, who) => {
      try {
        await deps.twoFactor.disable(actor(req, who.auth), {
          code: String(req.body.code ?? '').slice(0, 64),
          password: String(req.body.password ?? '').slice(0, 1024),
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'two_factor.password_required') {
          return renderSecurity(req, res, who, 403, messages(who.locale).twoFactor.passwordWrong);
        }
        const error = twoFactorFailure(err, who);
        if (!error) throw err;
        return renderSecurity(req, res, who, 422, error);
      }
      res.redirect(303, '/account/security?notice=saved');
    }),
  );

  return router;
}

function profileView(who: Signed) {
  return {
    username: who.profile.username,
    preferredLocale: who.profile.preferred_locale,
    privacyMode: who.profile.privacy_mode,
  };
}
