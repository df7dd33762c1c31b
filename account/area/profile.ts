import type { Router } from 'express';
import { FieldError } from '../../core/accounts/service.js';
import { AppError } from '../../core/errors/index.js';
import { messages } from '../../core/i18n/locales.js';
import { plainIp } from '../../core/shared/actor.js';
import { usernameSchema } from '../../schemas/users.js';
import { fieldErrorText } from '../views/self-service-pages.js';
import { overviewPage, passwordPage, profilePage } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext, Signed } from './context.js';

/** The overview, the profile (name, language, privacy) and the password. */
export function profileRoutes(
  router: Router,
  { deps, form, actor, page, frame, guarded }: AreaContext,
): void {
  router.get(
    '/account',
    page((req, res, who) => sendPage(res, 200, overviewPage(frame(req, res, who)))),
  );

  // Profile
  router.get(
    '/account/profile',
    page((req, res, who) => sendPage(res, 200, profilePage(frame(req, res, who), profileView(who)))),
  );
  router.post(
    '/account/profile',
    form,
    guarded(async (req, res, who) => {
      const username = typeof req.body.username === 'string' ? req.body.username.trim().slice(0, 64) : '';
      const preferred = req.body.preferred_locale === 'de' ? 'de' : 'en';
      const m = messages(who.locale);
      // The form again, with what was typed and why the name was refused.
      const refused = (status: number, usernameError: string) =>
        sendPage(
          res,
          status,
          profilePage(frame(req, res, who), { ...profileView(who), username, usernameError }),
        );
      if (!usernameSchema.safeParse(username).success) return refused(422, m.errors.usernameInvalid);
      try {
        await deps.users.updateOwnProfile(actor(req, who.auth), {
          username,
          preferred_locale: preferred,
          privacy_mode: req.body.privacy_mode === 'yes',
        });
      } catch (err) {
        if (err instanceof AppError && err.code === 'user.username_taken')
          return refused(409, m.errors.usernameTaken);
        throw err;
      }
      res.redirect(303, '/account/profile?notice=saved');
    }),
  );

  // Password
  const minPassword = deps.accounts.settings.minPasswordLength;
  router.get(
    '/account/password',
    page((req, res, who) =>
      sendPage(res, 200, passwordPage(frame(req, res, who), { minPassword, errors: {} })),
    ),
  );
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
}

function profileView(who: Signed) {
  return {
    username: who.profile.username,
    preferredLocale: who.profile.preferred_locale,
    privacyMode: who.profile.privacy_mode,
  };
}
