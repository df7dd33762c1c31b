import { Router, type Request, type Response } from 'express';
import { z } from 'zod';
import { LOCALES, pickLocale, type Locale } from '../../core/i18n/locales.js';
import { html, type SafeHtml } from '../../core/shared/html.js';
import { PAGE_CSP, page } from '../../oidc/views/layout.js';
import { isPolicyPage, POLICY_PAGES, type PolicyPage } from '../../schemas/policies.js';
import { BUILT_IN, FRAME } from './content/index.js';
import { policyArticle, renderMarkdown, type RenderedPolicy } from './markdown.js';
import { operatorPolicies } from './operator-files.js';
import { securityTxt } from './security-txt.js';
import { absolutePolicyUrl, policyHref, type PolicySettings } from './settings.js';

/** `?lang=de` or `?lang=en` chooses the language; anything else leaves it to Accept-Language. */
const langQuery = z.object({ lang: z.enum(LOCALES as [Locale, ...Locale[]]) });

function chosenLocale(req: Request): { locale: Locale; negotiated: boolean } {
  const asked = langQuery.safeParse(req.query);
  if (asked.success) return { locale: asked.data.lang, negotiated: false };
  return { locale: pickLocale(undefined, req.get('accept-language')), negotiated: true };
}

/** Policies change rarely; a few minutes of caching keeps an operator's edit from waiting long. */
function sendPolicy(res: Response, negotiated: boolean, locale: Locale, body: string): void {
  res.set({
    'Content-Security-Policy': PAGE_CSP,
    'Cache-Control': 'public, max-age=300',
    'Content-Language': locale,
  });
  if (negotiated) res.vary('Accept-Language');
  res.type('html').send(body);
}

/** The same page in the other language, named in that language. */
function languageSwitch(path: string, locale: Locale): SafeHtml {
  const target = locale === 'en' ? 'de' : 'en';
  return html`<p class="langs">
    <a href="${path}?lang=${target}" hreflang="${target}" lang="${target}">${FRAME[locale].otherLanguage}</a>
  </p>`;
}

/**
 * /policies and its pages, each in English and German, built in or replaced by the operator (a markdown file in
 * policies.dir, or a URL that the page redirects to), and /.well-known/security.txt.
 */
export function policiesRouter(settings: PolicySettings): Router {
  const router = Router();
  const files = operatorPolicies(settings.dir);
  // The built-in texts depend only on the configuration: rendered once.
  const builtIn = Object.fromEntries(
    POLICY_PAGES.map((p) => [
      p,
      Object.fromEntries(LOCALES.map((l) => [l, renderMarkdown(BUILT_IN[p][l].markdown(settings.facts))])),
    ]),
  ) as Record<PolicyPage, Record<Locale, RenderedPolicy>>;

  router.get('/policies', (req, res) => {
    const { locale, negotiated } = chosenLocale(req);
    const frame = FRAME[locale];
    const query = negotiated ? '' : `?lang=${locale}`;
    const link = (p: PolicyPage) => {
      const href = policyHref(settings, p);
      return href.startsWith('/policies/') ? `${href}${query}` : href;
    };
    sendPolicy(
      res,
      negotiated,
      locale,
      page({
        lang: locale,
        title: frame.index,
        body: html`${languageSwitch('/policies', locale)}
          <h1>${frame.index}</h1>
          <p class="lead">${frame.lead}</p>
          <ul class="cards">
            ${POLICY_PAGES.map(
              (p) => html`<li class="card"><a href="${link(p)}">${BUILT_IN[p][locale].title}</a></li>`,
            )}
          </ul>`,
      }),
    );
  });

  router.get('/policies/:page', async (req, res, next) => {
    const name = req.params.page;
    if (!isPolicyPage(name)) return next();
    const elsewhere = settings.elsewhere[name];
    if (elsewhere) return res.redirect(302, elsewhere);
    const { locale, negotiated } = chosenLocale(req);
    const own = await files.find(name, locale);
    const shown = own ?? { ...builtIn[name][locale], locale };
    const title = shown.title ?? BUILT_IN[name][locale].title;
    sendPolicy(
      res,
      negotiated,
      shown.locale,
      page({
        lang: shown.locale,
        title,
        body: html`${languageSwitch(`/policies/${name}`, locale)}
        ${policyArticle(shown, BUILT_IN[name][shown.locale].title)}`,
      }),
    );
  });

  return router;
}

/** /.well-known/security.txt, whose Policy is the security page wherever the operator keeps it. */
export function securityTxtRouter(settings: PolicySettings): Router {
  const router = Router();
  router.get('/.well-known/security.txt', (_req, res) => {
    res
      .set('Cache-Control', 'public, max-age=3600')
      .type('text/plain; charset=utf-8')
      .send(
        securityTxt(
          {
            contact: settings.facts.securityContact,
            policy: absolutePolicyUrl(settings, 'security'),
            canonical: `${settings.facts.publicUrl}/.well-known/security.txt`,
          },
          new Date(),
        ),
      );
  });
  return router;
}
