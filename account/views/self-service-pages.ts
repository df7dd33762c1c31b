import type { FieldError } from '../../core/accounts/service.js';
import { socialButtons, type SocialChoice } from '../../oidc/views/social.js';
import type { Locale, Messages } from '../../core/i18n/locales.js';
import { html, type SafeHtml } from '../../core/shared/html.js';
import { page } from '../../oidc/views/layout.js';

/**
 * The public account pages: registration, email confirmation, forgotten password, in the visitor's
 * language. Field errors name their field (aria-invalid + aria-describedby) so screen readers read them.
 */
export interface FormState {
  values?: Record<string, string>;
  /** Field name → message. */
  errors?: Record<string, string>;
  /** A message for the whole form. */
  alert?: string;
}

/** The message for a field the person must fix (core/accounts FieldError), in their language. */
export function fieldErrorText(m: Messages, reason: FieldError['reason'], minPassword: number): string {
  const text = m.errors[reason];
  return typeof text === 'function' ? text(minPassword) : text;
}

export const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}" />`;

function field(
  state: FormState,
  f: { name: string; label: string; type: string; autocomplete: string; hint?: string; autofocus?: boolean },
): SafeHtml {
  const error = state.errors?.[f.name];
  const described = [error ? `${f.name}-error` : '', f.hint ? `${f.name}-hint` : '']
    .filter(Boolean)
    .join(' ');
  const value = f.type === 'password' ? '' : (state.values?.[f.name] ?? '');
  return html`<label for="${f.name}">${f.label}</label>
    ${f.hint ? html`<p class="hint" id="${f.name}-hint">${f.hint}</p>` : ''}
    <input
      id="${f.name}"
      name="${f.name}"
      type="${f.type}"
      autocomplete="${f.autocomplete}"
      required
      value="${value}"
      ${error ? html`aria-invalid="true"` : ''}
      ${described ? html`aria-describedby="${described}"` : ''}
      ${f.autofocus ? html`autofocus` : ''}
    />
    ${error ? html`<p class="field-error" id="${f.name}-error">${error}</p>` : ''}`;
}

/** What a new account is made of (registration, the first administrator): username, email, password twice. */
export const newAccountFields = (m: Messages, state: FormState, minPassword: number): SafeHtml =>
  // prettier-ignore
  html`${field(state, { name: 'username', label: m.common.username, type: 'text', autocomplete: 'username', hint: m.register.usernameRules, autofocus: true })}
    ${field(state, { name: 'email', label: m.common.email, type: 'email', autocomplete: 'email' })}
    ${field(state, { name: 'password', label: m.common.password, type: 'password', autocomplete: 'new-password', hint: m.register.passwordRules(minPassword) })}
    ${field(state, { name: 'confirm', label: m.register.confirmPassword, type: 'password', autocomplete: 'new-password' })}`;

export const alertBox = (message: string | undefined) =>
  message ? html`<div class="error" role="alert">${message}</div>` : '';

export function registerPage(
  locale: Locale,
  m: Messages,
  o: {
    csrf: string;
    state: FormState;
    minPassword: number;
    termsUrl: string;
    privacyUrl: string;
    social?: SocialChoice | undefined;
  },
): string {
  const termsError = o.state.errors?.terms;
  return page({
    lang: locale,
    title: m.register.title,
    body: html`<h1>${m.register.title}</h1>
      <p class="lead">${m.register.lead}</p>
      ${alertBox(o.state.alert)}
      <form method="post" action="/account/register" novalidate>
        ${csrfField(o.csrf)} ${newAccountFields(m, o.state, o.minPassword)}
        <p class="check">
          <input
            id="terms"
            name="terms"
            type="checkbox"
            value="yes"
            ${termsError ? html`aria-invalid="true" aria-describedby="terms-error"` : ''}
          />
          <label for="terms"
            >${m.register.terms} <a href="${o.termsUrl}">${m.register.termsLink}</a> ${m.register.and}
            <a href="${o.privacyUrl}">${m.register.privacyLink}</a>.</label
          >
        </p>
        ${termsError ? html`<p class="field-error" id="terms-error">${termsError}</p>` : ''}
        <button type="submit">${m.register.submit}</button>
      </form>
      ${socialButtons(locale, o.social)}
      <p class="hint">${m.register.haveAccount}</p>`,
  });
}

export function emailFormPage(
  locale: Locale,
  o: {
    title: string;
    lead: string;
    action: string;
    submit: string;
    csrf: string;
    state: FormState;
    emailLabel: string;
  },
): string {
  return page({
    lang: locale,
    title: o.title,
    body: html`<h1>${o.title}</h1>
      <p class="lead">${o.lead}</p>
      ${alertBox(o.state.alert)}
      <form method="post" action="${o.action}" novalidate>
        ${csrfField(o.csrf)}
        ${field(o.state, { name: 'email', label: o.emailLabel, type: 'email', autocomplete: 'email', autofocus: true })}
        <button type="submit">${o.submit}</button>
      </form>`,
  });
}

export function resetPage(
  locale: Locale,
  m: Messages,
  o: { csrf: string; token: string; state: FormState; minPassword: number },
): string {
  return page({
    lang: locale,
    title: m.reset.title,
    body: html`<h1>${m.reset.title}</h1>
      ${alertBox(o.state.alert)}
      <form method="post" action="/account/reset" novalidate>
        ${csrfField(o.csrf)}
        <input type="hidden" name="token" value="${o.token}" />
        ${field(o.state, { name: 'password', label: m.common.password, type: 'password', autocomplete: 'new-password', hint: m.register.passwordRules(o.minPassword), autofocus: true })}
        ${field(o.state, { name: 'confirm', label: m.register.confirmPassword, type: 'password', autocomplete: 'new-password' })}
        <button type="submit">${m.reset.submit}</button>
      </form>`,
  });
}

export function noticePage(
  locale: Locale,
  o: { title: string; message: string; error?: boolean; link?: { href: string; text: string } },
): string {
  return page({
    lang: locale,
    title: o.title,
    body: html`<h1>${o.title}</h1>
      ${o.error ? alertBox(o.message) : html`<p role="status">${o.message}</p>`}
      ${o.link ? html`<p><a href="${o.link.href}">${o.link.text}</a></p>` : ''}`,
  });
}
