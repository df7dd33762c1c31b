import type { Request, Response, Router } from 'express';
import { AppError } from '../../core/errors/index.js';
import type { UpstreamIdentity } from '../../core/linked-accounts/service.js';
import { messages, type Locale, type Messages } from '../../core/i18n/locales.js';
import { plainIp, type Actor } from '../../core/shared/actor.js';
import { signedInBy } from '../session-cookie.js';
import { localeOf, requestMeta } from '../../oidc/password-sign-in.js';
import type { FlowPurpose, SocialFlow } from '../../oidc/social/flow.js';
import type { UpstreamFailure } from '../../oidc/social/types.js';
import { messagePage } from '../../oidc/views/pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext } from './context.js';
import { safeReturn } from './sign-in-routes.js';

/**
 * The way back from an upstream provider (`/account/social/<platform>/callback`, the URL registered at each
 * provider) and "Continue with …" on the account area's own sign-in and registration pages. A sign-in ends like a
 * password's: bans and deleted accounts refused, the second factor asked when it is on, a role's required 2FA set
 * up first; a link ends on the linked-accounts page. Every refusal is a `login_failed` with the platform and why.
 */
export function socialSignInRoutes(router: Router, context: AreaContext, social: SocialFlow): void {
  const { deps, form } = context;
  const linked = deps.linkedAccounts;

  /** Where a failed or refused round trip sends the person back to. */
  const backTo = (purpose: FlowPurpose | undefined) =>
    purpose?.kind === 'interaction'
      ? deps.interactionUrl(purpose.uid)
      : purpose?.kind === 'link'
        ? '/account/accounts'
        : '/account/login';

  const failurePage = (
    res: Response,
    locale: Locale,
    status: number,
    message: string,
    purpose?: FlowPurpose,
  ) =>
    sendPage(
      res,
      status,
      messagePage({
        title: messages(locale).social.failedTitle,
        message,
        status: 'error',
        locale,
        link: { href: backTo(purpose), text: messages(locale).social.back },
      }),
    );

  const failureText = (m: Messages, reason: UpstreamFailure | 'expired', name: string): string => {
    switch (reason) {
      case 'access_denied':
        return m.social.denied(name);
      case 'expired':
      case 'state_mismatch':
        return m.social.expired;
      case 'unavailable':
        return m.social.unavailable(name);
      default:
        return m.social.invalid(name);
    }
  };

  const refused = (req: Request, platform: string, reason: string, userId?: string) =>
    deps.signIn.record({
      event_type: 'login_failed',
      user_id: userId,
      status: 'failure',
      error_message: reason,
      metadata: { method: 'social', platform, reason },
      ...requestMeta(req),
    });

  /** A linked (or just created) identity signs in; the purpose says where the sign-in continues. */
  async function signIn(req: Request, res: Response, purpose: FlowPurpose, identity: UpstreamIdentity) {
    const locale = localeOf(req);
    const m = messages(locale);
    const { platform } = identity;
    let row = await linked.findForSignIn(platform, identity.profile.id);
    if (row) {
      if (row.deleted_at) {
        refused(req, platform, 'account_unavailable', row.user_id);
        return failurePage(res, locale, 403, m.social.unavailableAccount, purpose);
      }
      if (row.ban_id) {
        refused(req, platform, 'banned', row.user_id);
        const text = row.banned_until
          ? m.lockout.bannedUntil(row.banned_until.toUTCString())
          : m.lockout.banned;
        return failurePage(res, locale, 403, text, purpose);
      }
      await linked.recordSignIn(row.account_id, identity);
    } else {
      try {
        await linked.signUp(identity, { ip: plainIp(req.ip), userAgent: req.get('user-agent'), locale });
      } catch (err) {
        if (!(err instanceof AppError) || err.status >= 500) throw err;
        refused(req, platform, err.code);
        const name = await social.nameOf(platform);
        const text =
          err.code === 'linked_account.email_in_use'
            ? m.social.emailInUse(name)
            : m.social.registrationClosed;
        return failurePage(res, locale, err.status, text, purpose);
      }
      row = (await linked.findForSignIn(platform, identity.profile.id))!;
    }
    const who = { userId: row.user_id, accountId: row.account_id, platform };
    if (purpose.kind === 'interaction') {
      const stage = row.two_factor_enabled ? 'code' : 'done';
      deps.pending.set(res, { ...who, for: purpose.uid, stage });
      return res.redirect(303, deps.interactionUrl(purpose.uid, stage === 'code' ? '/2fa' : '/federated'));
    }
    const returnTo = purpose.kind === 'account' ? purpose.returnTo : '/account';
    if (row.two_factor_enabled) {
      deps.pending.set(res, { ...who, for: 'account', returnTo });
      return res.redirect(303, '/account/login/2fa');
    }
    await deps.signIn.start(req, res, { ...who, amr: ['fed'], clientId: 'account' });
    res.redirect(303, row.two_factor_required ? '/account/security' : returnTo);
  }

  /** The signed-in person links the identity; a session other than the one that started the link is refused. */
  async function link(req: Request, res: Response, userId: string, identity: UpstreamIdentity) {
    const auth = await signedInBy(deps.authenticator, req, deps.sessionCookie);
    if (!auth || auth.user?.id !== userId) {
      return failurePage(res, localeOf(req), 400, messages(localeOf(req)).social.expired);
    }
    const actor: Actor = { auth, ip: plainIp(req.ip), userAgent: req.get('user-agent'), source: 'id' };
    const query = new URLSearchParams({ platform: identity.platform });
    try {
      await linked.link(actor, identity);
      query.set('notice', 'linked');
    } catch (err) {
      if (!(err instanceof AppError) || err.status >= 500) throw err;
      query.set('alert', err.code);
    }
    res.redirect(303, `/account/accounts?${query}`);
  }

  router.get('/account/social/:platform/callback', async (req, res) => {
    const platform = String(req.params.platform);
    const outcome = await social.finish(req, res, platform);
    if (!outcome.ok) {
      const locale = localeOf(req);
      if (outcome.purpose?.kind === 'link') {
        return res.redirect(
          303,
          `/account/accounts?${new URLSearchParams({ platform, alert: outcome.reason })}`,
        );
      }
      // Only a round trip this browser started is worth a record: anyone can call the callback URL.
      if (outcome.purpose) refused(req, platform, outcome.reason);
      const name = await social.nameOf(platform);
      const status = outcome.reason === 'unavailable' ? 502 : outcome.reason === 'access_denied' ? 403 : 400;
      return failurePage(
        res,
        locale,
        status,
        failureText(messages(locale), outcome.reason, name),
        outcome.purpose,
      );
    }
    const { purpose, identity } = outcome;
    if (purpose.kind === 'link') return link(req, res, purpose.userId, identity);
    return signIn(req, res, purpose, identity);
  });

  /** "Continue with …" on /account/login and /account/register. */
  router.post('/account/social/:platform/login', form, async (req, res) => {
    const locale = localeOf(req);
    if (!deps.csrf.valid(req, 'account:login', req.body?.csrf)) {
      return failurePage(res, locale, 403, messages(locale).errors.csrf);
    }
    const purpose = { kind: 'account' as const, returnTo: safeReturn(req.body.return_to) };
    if (await social.start(res, String(req.params.platform), purpose)) return;
    failurePage(
      res,
      locale,
      404,
      messages(locale).social.unavailable(await social.nameOf(String(req.params.platform))),
    );
  });
}
