import express, { Router, type NextFunction, type Request, type Response } from 'express';
import type { Interaction, InteractionResults } from 'oidc-provider';
import type { FindAccount } from 'oidc-provider';
import type { ConsentStore } from '../../core/oauth-clients/consents.js';
import type { SessionService } from '../../core/sessions/service.js';
import { plainIp } from '../../core/shared/actor.js';
import { readCookie, type Csrf } from '../csrf.js';
import type { TwoFactorState } from '../../core/auth/password-login.js';
import {
  amrFor,
  localeOf,
  requestMeta,
  type PasswordSignIn,
  type SecondFactor,
} from '../password-sign-in.js';
import type { PendingSignIn, PendingSignIns } from '../pending-sign-in.js';
import type { ProviderHolder } from '../provider.js';
import { sendPage } from '../views/respond.js';
import { messages } from '../../core/i18n/locales.js';
import { consentPage, loginPage, messagePage, twoFactorPage, type ClientView } from '../views/pages.js';
import type { SocialFlow } from '../social/flow.js';

/**
 * The sign-in and consent pages oidc-provider sends people to (`/oidc/interaction/:uid`), mounted before the
 * provider. The password step ends in `completeLogin`, the one place a sign-in is finished: the 2FA issue adds
 * its step in front of it, registration and password reset link from the sign-in page.
 */
export interface InteractionDeps {
  provider: ProviderHolder;
  csrf: Csrf;
  signIn: PasswordSignIn;
  twoFactor: SecondFactor;
  pending: PendingSignIns;
  consents: ConsentStore;
  sessions: SessionService;
  /** The ID app's session cookie (`id.session-token`). */
  sessionCookie: string;
  findAccount: FindAccount;
  /** Mount path of the provider, e.g. /oidc. */
  basePath: string;
  /** Sign-in with upstream providers ("Continue with …"), when any is configured. */
  social?: SocialFlow | undefined;
}

export function interactionRouter(deps: InteractionDeps): Router {
  const router = Router();
  const form = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 20 });
  const at = (uid: string, action = '') => `${deps.basePath}/interaction/${uid}${action}`;

  const record = deps.signIn.record;

  const clientView = async (clientId: unknown): Promise<ClientView> => {
    const client = await deps.provider.current().Client.find(String(clientId));
    return { name: client?.clientName ?? String(clientId), logoUri: client?.logoUri };
  };

  const details = (req: Request, res: Response) => deps.provider.current().interactionDetails(req, res);

  /**
   * A step's result, saved on the interaction this request loaded (as oidc-provider's `interactionResult` does,
   * without loading it a second time), and back to the provider. 303: the browser follows with a GET, whatever
   * method brought it here.
   */
  const finish = async (
    res: Response,
    interaction: Interaction,
    result: InteractionResults,
    merge = false,
  ) => {
    interaction.result =
      merge && !('error' in result) ? { ...interaction.lastSubmission, ...result } : result;
    await interaction.save(interaction.exp - Math.floor(Date.now() / 1000));
    res.redirect(303, interaction.returnTo);
  };

  /**
   * The one place a sign-in completes (after the password now; after the second factor once 2FA lands): a
   * Heimdall session (row + `id.session-token` cookie) and the provider's login result.
   */
  const completeLogin = async (
    req: Request,
    res: Response,
    interaction: Interaction,
    login: { userId: string; accountId: string; amr: string[]; platform?: string | undefined },
    /** A role requires 2FA and it is off (known after the password; not asked after a code). */
    mustSetUp: boolean,
  ) => {
    await deps.signIn.start(req, res, { ...login, clientId: interaction.params.client_id });
    // Set 2FA up first, then this sign-in continues where it was.
    if (mustSetUp) {
      res.redirect(303, `/account/security?continue=${encodeURIComponent(at(interaction.uid))}`);
      return;
    }
    await finish(res, interaction, { login: { accountId: login.userId, amr: login.amr, remember: true } });
  };

  /**
   * A pending sign-in completes: after its code (`afterCode`), or straight from an upstream provider, when a role
   * may still require 2FA to be set up first.
   */
  const completePending = async (
    req: Request,
    res: Response,
    interaction: Interaction,
    pending: PendingSignIn,
    afterCode: boolean,
  ) => {
    deps.pending.clear(res);
    const { userId, accountId, platform } = pending;
    const mustSetUp = !afterCode && (await deps.twoFactor.mustSetUp(userId));
    await completeLogin(
      req,
      res,
      interaction,
      { userId, accountId, platform, amr: amrFor(platform, afterCode) },
      mustSetUp,
    );
  };

  /** After the password: people with 2FA give a code first (the page at …/2fa). */
  const afterPassword = async (
    req: Request,
    res: Response,
    interaction: Interaction,
    login: { userId: string; accountId: string; twoFactor: TwoFactorState },
  ) => {
    const { twoFactor, ...who } = login;
    if (twoFactor.enabled) {
      deps.pending.set(res, { ...who, for: interaction.uid });
      res.redirect(303, at(interaction.uid, '/2fa'));
      return;
    }
    await completeLogin(req, res, interaction, { ...who, amr: ['pwd'] }, twoFactor.required);
  };

  const resumeSession = async (req: Request, res: Response, interaction: Interaction) => {
    const reasons = interaction.prompt.reasons.filter((r) => r !== 'no_session' && r !== 'heimdall_session');
    if (reasons.length > 0) return false;
    const token = readCookie(req, deps.sessionCookie);
    const session = token ? await deps.sessions.find(token) : undefined;
    if (!session) return false;
    // Banned or deleted since they signed in: that session is over, and the sign-in page says why after the password.
    const account = await deps.findAccount(undefined as never, session.user_id);
    if (!account) {
      await deps.sessions.endByToken(token!, {
        ip: plainIp(req.ip),
        userAgent: req.get('user-agent'),
        reason: 'account_unavailable',
      });
      res.clearCookie(deps.sessionCookie, { path: '/' });
      return false;
    }
    // A login_hint naming someone else (by id or email) asks for that person's password.
    const hint = interaction.params.login_hint;
    if (typeof hint === 'string' && hint && hint !== session.user_id) {
      const { email } = await account.claims('id_token', 'email', {}, []);
      if (typeof email !== 'string' || email.toLowerCase() !== hint.toLowerCase()) return false;
    }
    const verified = session.two_factor_verified_at !== null;
    if (!verified && (await deps.twoFactor.enabled(session.user_id))) return false; // ask again, with the code
    if (!verified && (await deps.twoFactor.mustSetUp(session.user_id))) {
      res.redirect(303, `/account/security?continue=${encodeURIComponent(at(interaction.uid))}`);
      return true;
    }
    const amr = amrFor(session.provider ?? undefined, verified);
    await finish(res, interaction, { login: { accountId: session.user_id, amr, remember: true } });
    return true;
  };

  const renderLogin = async (
    req: Request,
    res: Response,
    interaction: Interaction,
    status = 200,
    extra: { email?: string; error?: string; resendFor?: string } = {},
  ) => {
    const csrf = deps.csrf.token(req, res, interaction.uid);
    const platforms = (await deps.social?.offered()) ?? [];
    sendPage(
      res,
      status,
      loginPage({
        locale: localeOf(req, interaction.params.ui_locales),
        action: at(interaction.uid, '/login'),
        csrf,
        client: await clientView(interaction.params.client_id),
        email: emailHint(interaction.params.login_hint),
        social: {
          platforms,
          csrf,
          action: (platform) => at(interaction.uid, `/social/${platform}`),
          legal: deps.social?.legal,
        },
        ...extra,
      }),
    );
  };

  const requestedScopes = (interaction: Interaction): string[] => {
    const d = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    return [
      ...new Set([...(d.missingOIDCScope ?? []), ...Object.values(d.missingResourceScopes ?? {}).flat()]),
    ];
  };

  router.get('/interaction/:uid', async (req, res) => {
    const interaction = await details(req, res);
    if (interaction.uid !== req.params.uid) return staleInteraction(res);
    if (interaction.prompt.name === 'login') {
      if (await resumeSession(req, res, interaction)) return;
      return renderLogin(req, res, interaction);
    }
    if (interaction.prompt.name === 'consent') {
      const account = await deps.findAccount(undefined as never, interaction.session!.accountId);
      const claims = account ? await account.claims('id_token', 'profile', {}, []) : undefined;
      return sendPage(
        res,
        200,
        consentPage({
          action: at(interaction.uid, '/confirm'),
          abortAction: at(interaction.uid, '/abort'),
          csrf: deps.csrf.token(req, res, interaction.uid),
          client: await clientView(interaction.params.client_id),
          scopes: requestedScopes(interaction),
          locale: localeOf(req, interaction.params.ui_locales),
          username: String(claims?.preferred_username ?? ''),
        }),
      );
    }
    return sendPage(
      res,
      400,
      messagePage({
        title: 'Cannot continue',
        message: 'This sign-in step is not supported.',
        status: 'error',
      }),
    );
  });

  /** A form posted to the sign-in step: its interaction, or undefined once a page saying why was sent. */
  const postedLogin = async (req: Request, res: Response) => {
    const interaction = await details(req, res);
    if (interaction.uid !== req.params.uid || interaction.prompt.name !== 'login') {
      staleInteraction(res);
      return undefined;
    }
    if (!deps.csrf.valid(req, interaction.uid, req.body?.csrf)) {
      csrfFailure(res);
      return undefined;
    }
    return interaction;
  };

  router.post('/interaction/:uid/login', form, async (req, res) => {
    const interaction = await postedLogin(req, res);
    if (!interaction) return;
    const email = typeof req.body.email === 'string' ? req.body.email.slice(0, 320) : '';
    const password = typeof req.body.password === 'string' ? req.body.password.slice(0, 1024) : '';
    const outcome = await deps.signIn.attempt(req, res, {
      email,
      password,
      clientId: interaction.params.client_id,
      uiLocales: interaction.params.ui_locales,
    });
    if (!outcome.ok) {
      const { status, error, resendFor } = outcome;
      return renderLogin(req, res, interaction, status, {
        email,
        error,
        ...(resendFor ? { resendFor } : {}),
      });
    }
    return afterPassword(req, res, interaction, outcome);
  });

  const renderCode = (req: Request, res: Response, interaction: Interaction, status = 200, error?: string) =>
    sendPage(
      res,
      status,
      twoFactorPage({
        action: at(interaction.uid, '/2fa'),
        csrf: deps.csrf.token(req, res, interaction.uid),
        locale: localeOf(req, interaction.params.ui_locales),
        error,
      }),
    );

  router.get('/interaction/:uid/2fa', async (req, res) => {
    const interaction = await details(req, res);
    if (interaction.uid !== req.params.uid || !deps.pending.get(req, interaction.uid))
      return staleInteraction(res);
    renderCode(req, res, interaction);
  });

  router.post('/interaction/:uid/2fa', form, async (req, res) => {
    const interaction = await details(req, res);
    const pending = deps.pending.get(req, interaction.uid);
    if (interaction.uid !== req.params.uid || interaction.prompt.name !== 'login' || !pending) {
      return staleInteraction(res);
    }
    if (!deps.csrf.valid(req, interaction.uid, req.body?.csrf)) return csrfFailure(res);
    const code = typeof req.body.code === 'string' ? req.body.code.slice(0, 64) : '';
    const checked = await deps.twoFactor.checkSecondFactor(
      req,
      pending.userId,
      code,
      interaction.params.ui_locales,
    );
    if (!checked.ok) return renderCode(req, res, interaction, checked.status, checked.error);
    await completePending(req, res, interaction, pending, true);
  });

  /** "Continue with …": off to the provider; its answer comes back through /account/social/<platform>/callback. */
  router.post('/interaction/:uid/social/:platform', form, async (req, res) => {
    const interaction = await postedLogin(req, res);
    if (!interaction) return;
    const platform = String(req.params.platform);
    const purpose = { kind: 'interaction' as const, uid: interaction.uid };
    if (await deps.social?.start(res, platform, purpose)) return;
    const m = messages(localeOf(req, interaction.params.ui_locales));
    return renderLogin(req, res, interaction, 404, {
      error: m.social.unavailable((await deps.social?.nameOf(platform)) ?? platform),
    });
  });

  /** Back from the provider, signed in (and past the second factor when one was due): the sign-in completes. */
  router.get('/interaction/:uid/federated', async (req, res) => {
    const interaction = await details(req, res);
    const pending = deps.pending.get(req, interaction.uid, 'done');
    if (interaction.uid !== req.params.uid || interaction.prompt.name !== 'login' || !pending) {
      return staleInteraction(res);
    }
    await completePending(req, res, interaction, pending, false);
  });

  router.post('/interaction/:uid/confirm', form, async (req, res) => {
    const interaction = await details(req, res);
    if (interaction.uid !== req.params.uid || interaction.prompt.name !== 'consent')
      return staleInteraction(res);
    if (!deps.csrf.valid(req, interaction.uid, req.body?.csrf)) return csrfFailure(res);
    const provider = deps.provider.current();
    const accountId = interaction.session!.accountId;
    const clientId = String(interaction.params.client_id);
    const grant =
      (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
      new provider.Grant({ accountId, clientId });
    const d = interaction.prompt.details as {
      missingOIDCScope?: string[];
      missingOIDCClaims?: string[];
      missingResourceScopes?: Record<string, string[]>;
    };
    if (d.missingOIDCScope) grant.addOIDCScope(d.missingOIDCScope.join(' '));
    if (d.missingOIDCClaims) grant.addOIDCClaims(d.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(d.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const granted = requestedScopes(interaction);
    const all = await deps.consents.grant(accountId, clientId, granted);
    record({
      event_type: 'consent_granted',
      user_id: accountId,
      actor_id: accountId,
      resource_type: 'oauth_client',
      resource_id: clientId,
      metadata: { client_id: clientId, scopes: granted, all_scopes: all },
      ...requestMeta(req),
    });
    await finish(res, interaction, { consent: { grantId } }, true);
  });

  router.post('/interaction/:uid/abort', form, async (req, res) => {
    const interaction = await details(req, res);
    if (interaction.uid !== req.params.uid) return staleInteraction(res);
    if (!deps.csrf.valid(req, interaction.uid, req.body?.csrf)) return csrfFailure(res);
    await finish(res, interaction, {
      error: 'access_denied',
      error_description: 'The user denied the request.',
    });
  });

  router.use('/interaction', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const name = (err as { name?: string }).name;
    if (name === 'SessionNotFound') return staleInteraction(res);
    return next(err);
  });
  return router;
}

/** OpenID Connect Core §3.1.2.1 `login_hint`: an email address pre-fills the sign-in form (escaped there). */
function emailHint(hint: unknown): string | undefined {
  return typeof hint === 'string' && hint.includes('@') ? hint.slice(0, 320) : undefined;
}

function staleInteraction(res: Response): void {
  sendPage(
    res,
    400,
    messagePage({
      title: 'This sign-in has expired',
      message: 'Go back to the app you came from and start again.',
      status: 'error',
    }),
  );
}

function csrfFailure(res: Response): void {
  sendPage(
    res,
    403,
    messagePage({
      title: 'Please try again',
      message: 'The form was sent from another page or has expired. Go back, reload the page and try again.',
      status: 'error',
    }),
  );
}
