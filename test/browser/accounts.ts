import { expect } from '@jest/globals';
import type { Page } from 'playwright-core';
import type { Messages } from '../../core/i18n/en.js';
import { heading, submit, useAppCallback, useTabs, type Lang, type Tab } from '../support/browser-pages.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';
import { uniqueName } from '../support/services.js';
import type { SmtpSink } from '../support/smtp.js';

/**
 * What the browser tests of the account pages share (accounts-*.test.ts): the account pages in
 * Chromium, in English and in German (the browser's language, sent as Accept-Language). Every page must load
 * without a console error (Chromium reports CSP violations there) and with our CSP header; every page must fit a
 * phone's width, and is photographed to test-artifacts/screenshots/<page>.<lang>.png (kept as test artifacts, not
 * committed).
 * tsconfig has no DOM types: page.evaluate takes string expressions.
 */
export const STRONG = 'violet anchor drizzle mango 47';
export const STRONGER = 'quartz lantern hedgehog tundra 83';
export const MAX_FAILURES = 3;
export const LOCKOUT_SECONDS = 300;
export const APP_NAME = 'Bifrost Photo Print';
export const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) HeimdallTestPhone/1.0';

/** The built-in policy pages (account/policies/content/) have their own titles. */
export const POLICY_TITLES: Record<Lang, { terms: string; privacy: string }> = {
  en: { terms: 'Terms of use', privacy: 'Privacy policy' },
  de: { terms: 'Nutzungsbedingungen', privacy: 'Datenschutzerklärung' },
};

/** A platform sending email to `sink`, an app's callback, browser tabs, and the steps a person takes. */
export function useAccountPages(sink: SmtpSink) {
  const t = useOidcPlatform({
    HEIMDALL__EMAIL__SMTP_URL: sink.url,
    HEIMDALL__AUTH__SIGN_IN__MAX_FAILURES_PER_ACCOUNT: String(MAX_FAILURES),
    // Every test signs in from 127.0.0.1: the per-IP lock must not interfere; no slowing before the lock.
    HEIMDALL__AUTH__SIGN_IN__MAX_FAILURES_PER_IP: '1000',
    HEIMDALL__AUTH__SIGN_IN__DELAY_AFTER: '100',
    HEIMDALL__AUTH__SIGN_IN__LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
  });

  /** The relying party's redirect URI: answers 200 "done". */
  const appCallback = useAppCallback();
  const tabs = useTabs(() => t.url);

  /** A new person's browser: a fresh context (no cookies) whose language is `locale`. */
  async function openTab(locale: string, userAgent?: string): Promise<Tab> {
    return tabs.openTab({ locale, ...(userAgent ? { userAgent } : {}) });
  }

  const newPerson = () => {
    const username = uniqueName('web').replaceAll('_', '-').slice(0, 30);
    return { username, email: `${username}@example.test` };
  };

  /**
   * A person with a confirmed address whose account is in `lang`. (A user created outside registration gets the
   * column default preferred_locale 'en', which the account area puts before the browser's language.)
   */
  async function personSpeaking(lang: Lang) {
    const user = await createPasswordUser(t.db);
    await t.db('User').where({ id: user.id }).update({ preferred_locale: lang });
    return user;
  }

  const thirdPartyApp = (): Promise<TestClient> =>
    createOAuthClient(t.db, { name: APP_NAME, redirectUri: `${appCallback.base}/callback` });

  const authorize = (c: TestClient) => authorizationRequest(t.url, c, { scope: 'openid profile email' });

  /** Allows the app on the consent page; the browser lands on the app's callback; the app redeems the code. */
  async function allowAndRedeem(tab: Tab, m: Messages, a: Awaited<ReturnType<typeof authorize>>) {
    const { page } = tab;
    await heading(page, m.consent.heading(APP_NAME));
    await Promise.all([
      page.waitForURL((url) => url.toString().startsWith(`${appCallback.base}/callback`)),
      page.getByRole('button', { name: m.consent.allow, exact: true }).click(),
    ]);
    return client.authorizationCodeGrant(a.config, new URL(page.url()), {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
  }

  /** Fills the OpenID sign-in page (or the account area's) and sends it. */
  async function fillSignIn(page: Page, m: Messages, email: string, password: string, pathEnd: string) {
    await page.getByLabel(m.common.email, { exact: true }).fill(email);
    await page.getByLabel(m.common.password, { exact: true }).fill(password);
    return submit(page, m.login.submit, pathEnd);
  }

  /**
   * Signs in to the account area: /account sends to its sign-in page, which sends back to /account. `onSignInPage`
   * runs on the sign-in page before it is filled.
   */
  async function signInToAccount(
    tab: Tab,
    m: Messages,
    user: { email: string; password: string },
    onSignInPage?: () => Promise<void>,
  ) {
    const { page } = tab;
    await page.goto(`${t.url}/account`);
    expect(page.url()).toBe(`${t.url}/account/login?return_to=%2Faccount`);
    await heading(page, m.area.signIn);
    await onSignInPage?.();
    const [res] = await Promise.all([
      fillSignIn(page, m, user.email, user.password, '/account/login'),
      page.waitForURL(`${t.url}/account`),
    ]);
    expect(res.status()).toBe(303);
    await heading(page, m.area.title);
  }

  const sessionToken = async (tab: Tab) =>
    (await tab.context.cookies(t.url)).find((c) => c.name === 'id.session-token')?.value;

  return {
    t,
    openTab,
    newPerson,
    personSpeaking,
    thirdPartyApp,
    authorize,
    allowAndRedeem,
    fillSignIn,
    signInToAccount,
    sessionToken,
  };
}
