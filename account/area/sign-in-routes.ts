import type { Request, Response, Router } from 'express';
import { messages } from '../../core/i18n/locales.js';
import { plainIp } from '../../core/shared/actor.js';
import { amrFor, localeOf } from '../../oidc/password-sign-in.js';
import { twoFactorPage } from '../../oidc/views/pages.js';
import { areaLoginPage } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext, AreaDeps } from './context.js';

/** Only paths inside the account area: `return_to` must never send anyone elsewhere. */
export const safeReturn = (value: unknown) =>
  typeof value === 'string' && /^\/account(\/[\w/-]*)?$/.test(value) ? value : '/account';

/** Ends the browser's own session and forgets its cookie. */
export async function endThisSession(
  deps: AreaDeps,
  req: Request,
  res: Response,
  token: string,
): Promise<void> {
  await deps.sessions.endByToken(token, { ip: plainIp(req.ip), userAgent: req.get('user-agent') });
  res.clearCookie(deps.sessionCookie, { path: '/' });
}

/** Signing in to the account area (password, then the second factor when it is on) and out of it. */
export function signInRoutes(router: Router, { deps, form, guarded }: AreaContext): void {
  router.get('/account/login', async (req, res) => {
    sendPage(
      res,
      200,
      areaLoginPage(localeOf(req), {
        csrf: deps.csrf.token(req, res, 'account:login'),
        returnTo: safeReturn(req.query.return_to),
        platforms: (await deps.social?.offered()) ?? [],
        legal: deps.social?.legal,
      }),
    );
  });
  router.post('/account/login', form, async (req, res) => {
    const returnTo = safeReturn(req.body.return_to);
    const email = typeof req.body.email === 'string' ? req.body.email.slice(0, 320) : '';
    const password = typeof req.body.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const again = async (status: number, error: string, resendFor?: string) =>
      sendPage(
        res,
        status,
        areaLoginPage(localeOf(req), {
          csrf: deps.csrf.token(req, res, 'account:login'),
          returnTo,
          email,
          error,
          platforms: (await deps.social?.offered()) ?? [],
          legal: deps.social?.legal,
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
      platform: pending.platform,
      amr: amrFor(pending.platform, true),
      clientId: 'account',
    });
    res.redirect(303, safeReturn(pending.returnTo));
  });
  router.post(
    '/account/logout',
    form,
    guarded(async (req, res, who) => {
      await endThisSession(deps, req, res, who.token);
      res.redirect(303, '/account/login');
    }),
  );
}
