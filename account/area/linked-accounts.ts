import type { Request, Router } from 'express';
import { AppError } from '../../core/errors/index.js';
import { messages, type Locale } from '../../core/i18n/locales.js';
import { linkedAccountsPage } from '../views/area-pages.js';
import { sendPage } from '../../oidc/views/respond.js';
import type { AreaContext } from './context.js';

const UUID = /^[0-9a-f-]{36}$/i;

/** What a refused change or link says, in the person's language; undefined for codes nobody needs to read. */
function alertText(locale: Locale, code: string, platform: string): string | undefined {
  const m = messages(locale);
  const a = m.area.accounts;
  const texts: Record<string, string> = {
    'linked_account.linked_elsewhere': a.linkedElsewhere(platform),
    'linked_account.platform_taken': a.platformTaken(platform),
    'linked_account.last_sign_in_method': a.lastMethod,
    access_denied: m.social.denied(platform),
    expired: m.social.expired,
    state_mismatch: m.social.expired,
    unavailable: m.social.unavailable(platform),
    invalid_grant: m.social.invalid(platform),
    invalid_response: m.social.invalid(platform),
    forged_assertion: m.social.invalid(platform),
  };
  return texts[code];
}

/**
 * /account/accounts: the person's sign-in methods. Linking goes to the provider and back through the social
 * callback; unlinking and choosing the primary go through the linked-accounts service, as REST does.
 */
export function linkedAccountRoutes(
  router: Router,
  { deps, form, actor, page, frame, guarded }: AreaContext,
): void {
  const back = (query: Record<string, string>) => `/account/accounts?${new URLSearchParams(query)}`;
  const refusal = (err: unknown) => {
    if (err instanceof AppError && err.status < 500) return err.code;
    throw err;
  };

  router.get(
    '/account/accounts',
    page(async (req, res, who) => {
      const [accounts, offered] = await Promise.all([
        deps.linkedAccounts.mine(who.auth),
        deps.social?.offered() ?? Promise.resolve([]),
      ]);
      const platformParam = typeof req.query.platform === 'string' ? req.query.platform : '';
      const platformName = offered.find((p) => p.id === platformParam)?.name ?? platformParam;
      const m = messages(who.locale).area.accounts;
      const alert =
        typeof req.query.alert === 'string'
          ? alertText(who.locale, req.query.alert, platformName)
          : undefined;
      const notices: Record<string, string> = {
        linked: m.linked(platformName),
        unlinked: m.unlinked,
        primary: m.primaryChanged,
      };
      const notice = typeof req.query.notice === 'string' ? notices[req.query.notice] : undefined;
      const bots = new Set(offered.filter((p) => p.bots).map((p) => p.id as string));
      sendPage(
        res,
        200,
        linkedAccountsPage(
          { ...frame(req, res, who, alert), ...(notice ? { notice } : {}) },
          accounts.map((a) => ({
            id: a.id,
            platformId: a.platform_id,
            platformName: a.platform_name,
            username: a.username,
            displayName: a.display_name,
            email: a.email,
            emailVerified: a.email_verified,
            primary: a.is_primary,
            tokenStatus: a.token_status,
            botsOffered: bots.has(a.platform_id),
          })),
          offered.filter((p) => !accounts.some((a) => a.platform_id === p.id)),
        ),
      );
    }),
  );

  router.post(
    '/account/accounts/link/:platform',
    form,
    guarded(async (req: Request, res, who) => {
      const platform = String(req.params.platform);
      const purpose = { kind: 'link' as const, userId: who.auth.user!.id };
      if (await deps.social?.start(res, platform, purpose, req.body.bots === '1')) return;
      res.redirect(303, back({ platform, alert: 'unavailable' }));
    }),
  );

  for (const [action, notice] of [
    ['unlink', 'unlinked'],
    ['primary', 'primary'],
  ] as const) {
    router.post(
      `/account/accounts/:id/${action}`,
      form,
      guarded(async (req, res, who) => {
        const id = String(req.params.id);
        if (!UUID.test(id)) return res.redirect(303, '/account/accounts');
        try {
          const by = { ...actor(req, who.auth), source: 'id' as const };
          if (action === 'unlink') await deps.linkedAccounts.unlink(by, id);
          else await deps.linkedAccounts.setPrimary(by, id);
          res.redirect(303, back({ notice }));
        } catch (err) {
          res.redirect(303, back({ alert: refusal(err) }));
        }
      }),
    );
  }
}
