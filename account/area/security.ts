import type { Request, Response, Router } from 'express';
import { AppError } from '../../core/errors/index.js';
import { messages } from '../../core/i18n/locales.js';
import { twoFactorErrorText } from '../../oidc/password-sign-in.js';
import { backupCodesPage, securityPage, securitySetupPage } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext, Signed } from './context.js';

/** Two-factor authentication: set up, enable, new backup codes, disable. */
export function securityRoutes(
  router: Router,
  { deps, form, actor, page, frame, guarded }: AreaContext,
): void {
  const continueOf = (value: unknown) =>
    typeof value === 'string' && /^\/(oidc\/interaction\/[\w-]+|account(\/[\w/-]*)?)$/.test(value)
      ? value
      : undefined;
  /** The one-time or backup code the form sent, cut to a length no real code exceeds. */
  const codeOf = (req: Request) => String(req.body.code ?? '').slice(0, 64);
  /** The new backup codes, shown once; `continueTo` leads on to where the user was going. */
  const showBackupCodes = (req: Request, res: Response, who: Signed, codes: string[], continueTo?: string) =>
    sendPage(
      res,
      200,
      backupCodesPage(frame(req, res, who), { codes, ...(continueTo ? { continueTo } : {}) }),
    );
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
  router.get(
    '/account/security',
    page((req, res, who) => renderSecurity(req, res, who)),
  );
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
        const { backup_codes } = await deps.twoFactor.enable(actor(req, who.auth), codeOf(req));
        showBackupCodes(req, res, who, backup_codes, continueTo);
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
          codeOf(req),
        );
        showBackupCodes(req, res, who, backup_codes);
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
          code: codeOf(req),
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
}
