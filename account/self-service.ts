import express, { Router, type Request, type Response } from 'express';
import { FieldError, type AccountService, type RequestMeta } from '../core/accounts/service.js';
import { AppError } from '../core/errors/index.js';
import { messages, pickLocale, type Locale, type Messages } from '../core/i18n/locales.js';
import { plainIp } from '../core/shared/actor.js';
import type { Csrf } from '../oidc/csrf.js';
import type { SocialFlow } from '../oidc/social/flow.js';
import { socialLogin } from './views/area-pages.js';
import {
  emailFormPage,
  fieldErrorText,
  noticePage,
  registerPage,
  resetPage,
  type FormState,
} from './views/self-service-pages.js';
import { sendPage } from '../oidc/views/respond.js';

/**
 * The public account pages under /account: register, confirm the email address, send the link again,
 * forgotten password and reset. Every form is CSRF-protected; every answer about an email address is the same
 * whether or not an account uses it.
 */
export interface AccountPagesDeps {
  accounts: AccountService;
  csrf: Csrf;
  /** "Continue with …" on the registration page, when any upstream provider is configured. */
  social?: SocialFlow | undefined;
  termsUrl: string;
  privacyUrl: string;
}

const str = (v: unknown, max = 1024) => (typeof v === 'string' ? v.slice(0, max) : '');

export function accountPagesRouter(deps: AccountPagesDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const { accounts } = deps;
  const minPassword = accounts.settings.minPasswordLength;

  const localeOf = (req: Request): Locale => pickLocale(undefined, req.get('accept-language'));
  const meta = (req: Request): RequestMeta => ({
    ip: plainIp(req.ip),
    userAgent: req.get('user-agent'),
    locale: localeOf(req),
  });

  /** Field errors and refusals → the form again, with the message in the visitor's language. */
  const failure = (err: unknown, m: Messages): { status: number; state: FormState } | undefined => {
    if (err instanceof FieldError) {
      return {
        status: 422,
        state: { errors: { [err.field]: fieldErrorText(m, err.reason, minPassword) } },
      };
    }
    if (err instanceof AppError && err.code === 'account.too_many_emails') {
      return { status: 429, state: { alert: m.errors.tooManyEmails } };
    }
    return undefined;
  };

  const csrfOk = (req: Request, form: string) => deps.csrf.valid(req, `account:${form}`, req.body?.csrf);

  // Registration
  const renderRegister = async (req: Request, res: Response, status: number, state: FormState) => {
    const locale = localeOf(req);
    const m = messages(locale);
    if (!accounts.settings.registrationEnabled) {
      return sendPage(
        res,
        403,
        noticePage(locale, { title: m.register.title, message: m.register.closed, error: true }),
      );
    }
    sendPage(
      res,
      status,
      registerPage(locale, m, {
        csrf: deps.csrf.token(req, res, 'account:register'),
        social: socialLogin(
          (await deps.social?.offered()) ?? [],
          deps.csrf.token(req, res, 'account:login'),
          deps.social?.legal,
        ),
        state,
        minPassword,
        termsUrl: deps.termsUrl,
        privacyUrl: deps.privacyUrl,
      }),
    );
  };
  router.get('/account/register', (req, res) => renderRegister(req, res, 200, {}));
  router.post('/account/register', form, async (req, res) => {
    const m = messages(localeOf(req));
    const values = { username: str(req.body.username, 64), email: str(req.body.email, 320) };
    if (!csrfOk(req, 'register')) return renderRegister(req, res, 403, { values, alert: m.errors.csrf });
    try {
      await accounts.register(
        {
          ...values,
          password: str(req.body.password),
          confirm: str(req.body.confirm),
          acceptTerms: req.body.terms === 'yes',
        },
        meta(req),
      );
    } catch (err) {
      const failed = failure(err, m);
      if (!failed) throw err;
      return renderRegister(req, res, failed.status, { values, ...failed.state });
    }
    sendPage(
      res,
      200,
      noticePage(localeOf(req), {
        title: m.register.checkEmailTitle,
        message: m.register.checkEmail(values.email),
        link: { href: '/account/verify/resend', text: m.verify.resend },
      }),
    );
  });

  // Email confirmation
  router.get('/account/verify', async (req, res) => {
    const locale = localeOf(req);
    const m = messages(locale);
    const ok = await accounts.verifyEmail(str(req.query.token, 200));
    sendPage(
      res,
      ok ? 200 : 410,
      ok
        ? noticePage(locale, {
            title: m.verify.doneTitle,
            message: m.verify.done,
            link: { href: '/account', text: m.area.signIn },
          })
        : noticePage(locale, {
            title: m.verify.resendTitle,
            message: m.errors.linkInvalid,
            error: true,
            link: { href: '/account/verify/resend', text: m.verify.resend },
          }),
    );
  });

  const emailForm = (kind: 'resend' | 'forgot') => {
    const action = kind === 'resend' ? '/account/verify/resend' : '/account/forgot';
    const render = (req: Request, res: Response, status: number, state: FormState) => {
      const locale = localeOf(req);
      const m = messages(locale);
      sendPage(
        res,
        status,
        emailFormPage(locale, {
          title: kind === 'resend' ? m.verify.resendTitle : m.forgot.title,
          lead: kind === 'resend' ? m.register.lead : m.forgot.lead,
          action,
          submit: kind === 'resend' ? m.verify.resend : m.forgot.submit,
          emailLabel: m.common.email,
          csrf: deps.csrf.token(req, res, `account:${kind}`),
          state,
        }),
      );
    };
    router.get(action, (req, res) => render(req, res, 200, { values: { email: str(req.query.email, 320) } }));
    router.post(action, form, async (req, res) => {
      const locale = localeOf(req);
      const m = messages(locale);
      const values = { email: str(req.body.email, 320) };
      if (!csrfOk(req, kind)) return render(req, res, 403, { values, alert: m.errors.csrf });
      try {
        if (kind === 'resend') await accounts.resendVerification(values.email, meta(req));
        else await accounts.requestPasswordReset(values.email, meta(req));
      } catch (err) {
        const failed = failure(err, m);
        if (!failed) throw err;
        return render(req, res, failed.status, { values, ...failed.state });
      }
      sendPage(
        res,
        200,
        noticePage(locale, {
          title: kind === 'resend' ? m.verify.resendTitle : m.forgot.title,
          message: kind === 'resend' ? m.verify.resent : m.forgot.sent,
        }),
      );
    });
  };
  emailForm('resend');
  emailForm('forgot');

  // Password reset
  const renderReset = (req: Request, res: Response, status: number, token: string, state: FormState) => {
    const locale = localeOf(req);
    sendPage(
      res,
      status,
      resetPage(locale, messages(locale), {
        csrf: deps.csrf.token(req, res, 'account:reset'),
        token,
        state,
        minPassword,
      }),
    );
  };
  const linkGone = (req: Request, res: Response) => {
    const locale = localeOf(req);
    const m = messages(locale);
    sendPage(
      res,
      410,
      noticePage(locale, {
        title: m.reset.title,
        message: m.errors.linkInvalid,
        error: true,
        link: { href: '/account/forgot', text: m.forgot.title },
      }),
    );
  };
  router.get('/account/reset', async (req, res) => {
    const token = str(req.query.token, 200);
    if (!(await accounts.resetLinkValid(token))) return linkGone(req, res);
    renderReset(req, res, 200, token, {});
  });
  router.post('/account/reset', form, async (req, res) => {
    const locale = localeOf(req);
    const m = messages(locale);
    const token = str(req.body.token, 200);
    if (!csrfOk(req, 'reset')) return renderReset(req, res, 403, token, { alert: m.errors.csrf });
    try {
      await accounts.resetPassword(token, str(req.body.password), str(req.body.confirm), meta(req));
    } catch (err) {
      if (err instanceof AppError && err.code === 'account.link_invalid') return linkGone(req, res);
      const failed = failure(err, m);
      if (!failed) throw err;
      return renderReset(req, res, failed.status, token, failed.state);
    }
    sendPage(res, 200, noticePage(locale, { title: m.reset.doneTitle, message: m.reset.done }));
  });

  return router;
}
