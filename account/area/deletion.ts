import type { Request, Response, Router } from 'express';
import { AppError } from '../../core/errors/index.js';
import { messages } from '../../core/i18n/locales.js';
import { deletePage, deletionScheduledPage, longDate } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext, Signed } from './context.js';
import { endThisSession } from './sign-in-routes.js';

/**
 * /account/delete: the person asks for their account's deletion, through the same service as
 * `POST /v1/user/delete`, and cancels it from the notice every page shows until the purge.
 */
export function deletionRoutes(
  router: Router,
  { deps, form, actor, page, frame, guarded }: AreaContext,
): void {
  const graceDays = deps.deletionGraceDays;
  const render = async (
    req: Request,
    res: Response,
    who: Signed,
    status = 200,
    problem: { alert?: string; passwordError?: string; reauthenticate?: boolean } = {},
  ) => {
    // People with an email account sign in with its password; the others confirm with a recent sign-in.
    const hasPassword = (await deps.linkedAccounts.mine(who.auth)).some((a) => a.platform_id === 'email');
    sendPage(
      res,
      status,
      deletePage(frame(req, res, who, problem.alert), {
        graceDays,
        hasPassword,
        ...(problem.passwordError ? { passwordError: problem.passwordError } : {}),
        ...(problem.reauthenticate ? { reauthenticate: true } : {}),
      }),
    );
  };

  router.get(
    '/account/delete',
    page((req, res, who) => render(req, res, who)),
  );

  router.post(
    '/account/delete',
    form,
    guarded(async (req, res, who) => {
      const m = messages(who.locale).area;
      const password = typeof req.body.password === 'string' ? req.body.password.slice(0, 256) : '';
      let purgeAfter: string | null;
      try {
        ({ purge_after: purgeAfter } = await deps.deletion.request(actor(req, who.auth), {
          password: password === '' ? undefined : password,
        }));
      } catch (err) {
        const code = err instanceof AppError ? err.code : undefined;
        if (code === 'account.wrong_password')
          return render(req, res, who, 422, { passwordError: m.password.wrong });
        if (code === 'account.reauthentication_required')
          return render(req, res, who, 403, { alert: m.deletion.reauthRequired, reauthenticate: true });
        if (code === 'user.last_super_admin')
          return render(req, res, who, 409, { alert: m.deletion.lastSuperAdmin });
        // Asked twice (a second tab): the page shows the deletion already scheduled.
        if (code === 'account.deletion_scheduled') return res.redirect(303, '/account/delete');
        throw err;
      }
      // The request ended every session, this one too: the browser forgets it, and the page needs none.
      res.clearCookie(deps.sessionCookie, { path: '/' });
      sendPage(res, 200, deletionScheduledPage(who.locale, longDate(who.locale, new Date(purgeAfter!))));
    }),
  );

  router.post(
    '/account/delete/cancel',
    form,
    guarded(async (req, res, who) => {
      try {
        await deps.deletion.cancel(actor(req, who.auth));
      } catch (err) {
        // Cancelled already (another tab): the account stays, which is what was asked.
        if (!(err instanceof AppError && err.code === 'account.deletion_not_scheduled')) throw err;
      }
      res.redirect(303, '/account?notice=kept');
    }),
  );

  // A fresh sign-in stands in for the password: this one ends, and the sign-in page leads back here.
  router.post(
    '/account/delete/reauthenticate',
    form,
    guarded(async (req, res, who) => {
      await endThisSession(deps, req, res, who.token);
      res.redirect(303, '/account/login?return_to=%2Faccount%2Fdelete');
    }),
  );
}
