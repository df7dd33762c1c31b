import { messages, type Locale } from '../../core/i18n/locales.js';
import { html, type SafeHtml } from '../../core/shared/html.js';

/** The platforms a sign-in page offers, and where each button posts (with the page's CSRF token). */
export interface SocialChoice {
  platforms: readonly { id: string; name: string }[];
  action(platform: string): string;
  csrf: string;
  /** Extra hidden fields (where the account area continues afterwards). */
  hidden?: Record<string, string>;
  /** A first sign-in creates an account: the terms it accepts. */
  legal?: { termsUrl: string; privacyUrl: string } | undefined;
}

/** "Continue with …" buttons below a sign-in or registration form; nothing when no platform is offered. */
export function socialButtons(locale: Locale, choice: SocialChoice | undefined): SafeHtml | '' {
  if (!choice || choice.platforms.length === 0) return '';
  const m = messages(locale).social;
  const r = messages(locale).register;
  return html`<div class="social">
    <p class="divider">${m.or}</p>
    ${choice.platforms.map(
      (p) =>
        html`<form method="post" action="${choice.action(p.id)}">
          <input type="hidden" name="csrf" value="${choice.csrf}" />
          ${Object.entries(choice.hidden ?? {}).map(
            ([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`,
          )}
          <button type="submit" class="secondary" data-platform="${p.id}">${m.continueWith(p.name)}</button>
        </form>`,
    )}
    ${
      choice.legal
        ? html`<p class="hint">
            ${m.acceptsTerms} <a href="${choice.legal.termsUrl}">${r.termsLink}</a> ${r.and}
            <a href="${choice.legal.privacyUrl}">${r.privacyLink}</a>.
          </p>`
        : ''
    }
  </div>`;
}
