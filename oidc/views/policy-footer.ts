import type { Locale } from '../../core/i18n/locales.js';
import { html, type SafeHtml } from '../../core/shared/html.js';
import { POLICY_PAGES, type PolicyPage } from '../../schemas/policies.js';

/** The footer's short names of the policy pages; the pages' own titles are longer. */
export const POLICY_LINK_LABELS: Record<Locale, Record<PolicyPage, string> & { label: string }> = {
  en: {
    label: 'Policies',
    privacy: 'Privacy',
    terms: 'Terms',
    cookies: 'Cookies',
    security: 'Security',
    faq: 'FAQ',
  },
  de: {
    label: 'Richtlinien',
    privacy: 'Datenschutz',
    terms: 'Nutzungsbedingungen',
    cookies: 'Cookies',
    security: 'Sicherheit',
    faq: 'FAQ',
  },
};

const asLocale = (lang: string | undefined): Locale | undefined =>
  lang === 'en' || lang === 'de' ? lang : undefined;

/**
 * The policy links under every page. They go to this Heimdall's own /policies/<page>, which redirects to the
 * operator's page where one is configured: the layout renders without configuration, and each policy keeps one
 * stable address. A page in a known language opens the policy in that language too.
 */
export function policyFooter(lang: string | undefined): SafeHtml {
  const locale = asLocale(lang);
  const labels = POLICY_LINK_LABELS[locale ?? 'en'];
  const query = locale ? `?lang=${locale}` : '';
  return html`<footer>
    <nav aria-label="${labels.label}">
      <ul class="policies">
        ${POLICY_PAGES.map((p) => html`<li><a href="/policies/${p}${query}">${labels[p]}</a></li>`)}
      </ul>
    </nav>
  </footer>`;
}
