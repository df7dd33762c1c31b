import { html, type SafeHtml } from '../../core/shared/html.js';
import { page } from './layout.js';
import { messages, type Locale } from '../../core/i18n/locales.js';
import { socialButtons, type SocialChoice } from './social.js';

/**
 * Heimdall ID's interaction pages: sign-in, consent, device code, sign-out, errors. Every form
 * carries the CSRF token; every message is plain text. Registration, password reset and the
 * second-factor step add their pages next to these.
 */
export interface ClientView {
  name: string;
  logoUri?: string | undefined;
}

const csrfField = (token: string) => html`<input type="hidden" name="csrf" value="${token}" />`;

const appHeader = (client: ClientView) =>
  html`<div class="app">
    ${client.logoUri ? html`<img src="${client.logoUri}" alt="" />` : ''}
    <div><strong>${client.name}</strong></div>
  </div>`;

const errorBox = (message: string | undefined) =>
  message ? html`<div class="error" role="alert" id="form-error">${message}</div>` : '';

export function loginPage(options: {
  action: string;
  csrf: string;
  /** The app being signed in to; without one (the account area) the page says so. */
  client?: ClientView | undefined;
  locale: Locale;
  /** Extra hidden fields (the account area's return_to). */
  hidden?: Record<string, string>;
  email?: string | undefined;
  error?: string | undefined;
  /** Offer to send the confirmation link again (the account's address is not confirmed yet). */
  resendFor?: string | undefined;
  /** The platforms one may sign in with instead. */
  social?: SocialChoice | undefined;
}): string {
  const m = messages(options.locale);
  // After a failed attempt the email is kept: the cursor goes to the password, and both fields name the error.
  const refocusPassword = Boolean(options.error && options.email);
  const invalid = options.error ? html`aria-invalid="true" aria-describedby="form-error"` : '';
  const resend = options.resendFor
    ? html`<p>
        <a href="/account/verify/resend?email=${encodeURIComponent(options.resendFor)}">${m.login.resend}</a>
      </p>`
    : '';
  const title = options.client ? m.login.title : m.area.signIn;
  return page({
    lang: options.locale,
    title,
    body: html`<h1>${title}</h1>
      ${options.client ? html`<p class="lead">${m.login.lead(options.client.name)}</p>` : ''}
      ${errorBox(options.error)} ${resend}
      <form method="post" action="${options.action}" novalidate>
        ${csrfField(options.csrf)}
        ${Object.entries(options.hidden ?? {}).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}
        <label for="email">${m.common.email}</label>
        <input
          id="email"
          name="email"
          type="email"
          autocomplete="username"
          required
          value="${options.email ?? ''}"
          ${invalid}
          ${refocusPassword ? '' : html`autofocus`}
        />
        <label for="password">${m.common.password}</label>
        <input
          id="password"
          name="password"
          type="password"
          autocomplete="current-password"
          required
          ${invalid}
          ${refocusPassword ? html`autofocus` : ''}
        />
        <button type="submit">${m.login.submit}</button>
      </form>
      ${socialButtons(options.locale, options.social)}
      <p class="hint">
        <a href="/account/forgot">${m.login.forgot}</a> ·
        <a href="/account/register">${m.login.createAccount}</a>
      </p>`,
  });
}

/** What each scope lets an app do, in words a person understands. */
export function describeScope(scope: string, locale: Locale = 'en'): string {
  const text = messages(locale).scopes;
  const known = text[scope as keyof typeof text];
  if (typeof known === 'string') return known;
  return scope.includes(':') ? text.permission(scope) : scope;
}

export function consentPage(options: {
  action: string;
  abortAction: string;
  csrf: string;
  client: ClientView;
  scopes: readonly string[];
  username: string;
  locale: Locale;
}): string {
  const m = messages(options.locale).consent;
  return page({
    lang: options.locale,
    title: m.title,
    body: html`${appHeader(options.client)}
      <h1>${m.heading(options.client.name)}</h1>
      <p class="lead">${m.lead(options.username, options.client.name)}</p>
      <ul class="scopes">
        ${options.scopes.map((s) => html`<li>${describeScope(s, options.locale)}</li>`)}
      </ul>
      <p>${m.revocable}</p>
      <form method="post" action="${options.action}">
        ${csrfField(options.csrf)}
        <button type="submit">${m.allow}</button>
      </form>
      <form method="post" action="${options.abortAction}">
        ${csrfField(options.csrf)}
        <button type="submit" class="secondary">${m.deny}</button>
      </form>`,
  });
}

export function messagePage(options: {
  title: string;
  message: string;
  status?: 'error';
  locale?: Locale;
  /** Where the person can go on from here. */
  link?: { href: string; text: string };
}): string {
  return page({
    title: options.title,
    ...(options.locale ? { lang: options.locale } : {}),
    body: html`<h1>${options.title}</h1>
      ${options.status === 'error' ? errorBox(options.message) : html`<p>${options.message}</p>`}
      ${options.link ? html`<p><a href="${options.link.href}">${options.link.text}</a></p>` : ''}`,
  });
}

/** oidc-provider hands its own form (hidden fields included) to these; it is trusted markup. */
export function deviceInputPage(form: SafeHtml, error?: string): string {
  return page({
    title: 'Connect a device',
    body: html`<h1>Connect a device</h1>
      <p class="lead">Enter the code shown on your device.</p>
      ${errorBox(error)} ${form}
      <button type="submit" form="op.deviceInputForm">Continue</button>`,
  });
}

export function deviceConfirmPage(form: SafeHtml, client: ClientView, userCode: string): string {
  return page({
    title: 'Confirm the device',
    body: html`${appHeader(client)}
      <h1>Is this your device?</h1>
      <p>Check that your device shows this code:</p>
      <p class="code">${userCode}</p>
      ${form}
      <button type="submit" form="op.deviceConfirmForm">Yes, continue</button>
      <button type="submit" form="op.deviceConfirmForm" name="abort" value="yes" class="secondary">
        No, cancel
      </button>`,
  });
}

export function logoutPage(form: SafeHtml, host: string): string {
  return page({
    title: 'Sign out',
    body: html`<h1>Sign out of Heimdall?</h1>
      <p class="lead">You are signing out of ${host}.</p>
      ${form}
      <button type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>
      <button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  });
}

/** The second sign-in step: a code from the app, or a backup code. */
export function twoFactorPage(options: {
  action: string;
  csrf: string;
  locale: Locale;
  error?: string | undefined;
}): string {
  const m = messages(options.locale).twoFactor;
  const invalid = options.error
    ? html`aria-invalid="true" aria-describedby="form-error code-hint"`
    : html`aria-describedby="code-hint"`;
  return page({
    lang: options.locale,
    title: m.title,
    body: html`<h1>${m.title}</h1>
      <p class="lead">${m.lead}</p>
      ${errorBox(options.error)}
      <form method="post" action="${options.action}" novalidate>
        ${csrfField(options.csrf)}
        <label for="code">${m.code}</label>
        <p class="hint" id="code-hint">${m.hint}</p>
        <input
          id="code"
          name="code"
          type="text"
          autocapitalize="none"
          autocomplete="one-time-code"
          required
          autofocus
          maxlength="32"
          ${invalid}
        />
        <button type="submit">${m.submit}</button>
      </form>`,
  });
}
