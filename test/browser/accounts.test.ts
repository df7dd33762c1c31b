import { describe, expect, it } from '@jest/globals';
import type { Page, Response as PageResponse } from 'playwright-core';
import type { Messages } from '../../core/i18n/en.js';
import { describeWithBrowser } from '../support/browser.js';
import {
  expectClean,
  LANGUAGES,
  snap,
  useAppCallback,
  useTabs,
  type Lang,
  type Tab,
} from '../support/browser-pages.js';
import { call } from '../support/fixtures.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';
import { uniqueName } from '../support/services.js';
import { useSmtpSink } from '../support/smtp.js';

/**
 * The account pages of issue 7 in Chromium, in English and in German (the browser's language, sent as
 * Accept-Language): registration with the link from a real email, sign-in failures and the lockout on the OpenID
 * sign-in page, ending a session and disconnecting an app in the account area, forgotten password. Every page
 * must load without a console error (Chromium reports CSP violations there) and with our CSP header; every page
 * must fit a phone's width, and is photographed to test-artifacts/screenshots/<page>.<lang>.png (kept as test
 * artifacts, not committed).
 * tsconfig has no DOM types: page.evaluate takes string expressions.
 */
const sink = await useSmtpSink();

const STRONG = 'violet anchor drizzle mango 47';
const STRONGER = 'quartz lantern hedgehog tundra 83';
const MAX_FAILURES = 3;
const LOCKOUT_SECONDS = 300;
const APP_NAME = 'Bifrost Photo Print';
const PHONE_UA = 'Mozilla/5.0 (Linux; Android 14; Pixel 8) HeimdallTestPhone/1.0';

/** The built-in policy pages (oidc/account/policies.ts) have their own texts. */
const POLICY_TITLES: Record<Lang, { terms: string; privacy: string }> = {
  en: { terms: 'Terms of use', privacy: 'Privacy policy' },
  de: { terms: 'Nutzungsbedingungen', privacy: 'Datenschutzerklärung' },
};

describeWithBrowser('Heimdall ID account pages in Chromium, English and German (issue 7)', () => {
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

  const heading = (page: Page, name: string) =>
    page.getByRole('heading', { level: 1, name, exact: true }).waitFor();

  /** Clicks the submit button and answers the response to the form's POST. */
  async function submit(page: Page, button: string, pathEnd: string): Promise<PageResponse> {
    const [response] = await Promise.all([
      page.waitForResponse(
        (res) => res.request().method() === 'POST' && new URL(res.url()).pathname.endsWith(pathEnd),
      ),
      page.getByRole('button', { name: button, exact: true }).click(),
    ]);
    await page.waitForLoadState();
    return response;
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

  describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
    it('registers, confirms the address with the link from the email, then signs in through an app', async () => {
      const tab = await openTab(locale);
      const { page } = tab;
      const who = newPerson();

      const res = await page.goto(`${t.url}/account/register`);
      expect(res?.status()).toBe(200);
      await expect(page.title()).resolves.toBe(`${m.register.title} · Heimdall ID`);
      await heading(page, m.register.title);
      await expect(page.getByText(m.register.usernameRules).isVisible()).resolves.toBe(true);
      await snap(tab, 'register', lang);

      // The terms and the privacy policy open real pages, in the same language.
      for (const kind of ['terms', 'privacy'] as const) {
        const link = page.getByRole('link', {
          name: kind === 'terms' ? m.register.termsLink : m.register.privacyLink,
          exact: true,
        });
        await expect(link.getAttribute('href')).resolves.toBe(`/policies/${kind}`);
        await Promise.all([page.waitForURL(`${t.url}/policies/${kind}`), link.click()]);
        await heading(page, POLICY_TITLES[lang][kind]);
        await expect(page.locator('p').count()).resolves.toBeGreaterThanOrEqual(3);
        await snap(tab, kind, lang);
        await page.goBack();
        await heading(page, m.register.title);
      }

      const username = page.getByLabel(m.common.username, { exact: true });
      const email = page.getByLabel(m.common.email, { exact: true });
      const password = page.getByLabel(m.common.password, { exact: true });
      const confirm = page.getByLabel(m.register.confirmPassword, { exact: true });
      await username.fill(who.username);
      await email.fill(who.email);
      await password.fill(STRONG);
      await confirm.fill(STRONG);

      // Without the terms ticked: refused, the reason under the checkbox; what was typed stays (not the passwords).
      const refused = await submit(page, m.register.submit, '/account/register');
      expect(refused.status()).toBe(422);
      await expect(page.locator('#terms-error').innerText()).resolves.toBe(m.errors.termsRequired);
      const terms = page.getByRole('checkbox', { name: m.register.terms });
      await expect(terms.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(username.inputValue()).resolves.toBe(who.username);
      await expect(email.inputValue()).resolves.toBe(who.email);
      await expect(password.inputValue()).resolves.toBe('');
      await snap(tab, 'register-error', lang);

      await password.fill(STRONG);
      await confirm.fill(STRONG);
      await terms.check();
      const registered = await submit(page, m.register.submit, '/account/register');
      expect(registered.status()).toBe(200);
      await heading(page, m.register.checkEmailTitle);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.register.checkEmail(who.email));
      await snap(tab, 'check-email', lang);

      // The email is in the person's language; its link confirms the address in the browser.
      const mail = await sink.waitFor({ to: who.email, subject: m.email.verifySubject }, 5000);
      const link = sink.linkIn(mail, '/account/verify');
      const verified = await page.goto(link);
      expect(verified?.status()).toBe(200);
      await heading(page, m.verify.doneTitle);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.verify.done);
      await snap(tab, 'verified', lang);

      const user = await t.db('User').where({ username: who.username }).first();
      expect(user.preferred_locale).toBe(lang);
      const account = await t.db('PlatformAccount').where({ user_id: user.id, platform_id: 'email' }).first();
      expect(account.email_verified_at).toBeInstanceOf(Date);

      // The new account signs in to a third-party app: sign-in page → consent → the app's callback.
      const app = await thirdPartyApp();
      const a = await authorize(app);
      await page.goto(a.url);
      await heading(page, m.login.title);
      await expect(page.getByText(m.login.lead(APP_NAME)).isVisible()).resolves.toBe(true);
      await snap(tab, 'signin', lang);
      await fillSignIn(page, m, who.email, STRONG, '/login');
      await heading(page, m.consent.heading(APP_NAME));
      await expect(page.getByText(m.consent.lead(who.username, APP_NAME)).isVisible()).resolves.toBe(true);
      await snap(tab, 'consent', lang);
      const tokens = await allowAndRedeem(tab, m, a);
      expect(tokens.claims()!.sub).toBe(user.id);
      const info = await client.fetchUserInfo(a.config, tokens.access_token, user.id);
      expect(info).toMatchObject({
        preferred_username: who.username,
        email: who.email,
        email_verified: true,
      });

      expectClean(tab, [422]);
    });

    it('says why a sign-in failed: wrong password, or an address not confirmed yet (with a link to resend)', async () => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);
      const unconfirmed = await personSpeaking(lang);
      await t.db('PlatformAccount').where({ user_id: unconfirmed.id }).update({ email_verified_at: null });
      const a = await authorize(await thirdPartyApp());

      await page.goto(a.url);
      await heading(page, m.login.title);
      const wrong = await fillSignIn(page, m, user.email, 'not the password', '/login');
      expect(wrong.status()).toBe(401);
      await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.invalid);
      await expect(page.getByLabel(m.common.email, { exact: true }).inputValue()).resolves.toBe(user.email);
      await expect(page.getByRole('link', { name: m.login.resend }).count()).resolves.toBe(0);
      await snap(tab, 'signin-error', lang);

      const early = await fillSignIn(page, m, unconfirmed.email, unconfirmed.password, '/login');
      expect(early.status()).toBe(403);
      await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.unverified);
      const resend = page.getByRole('link', { name: m.login.resend, exact: true });
      await expect(resend.getAttribute('href')).resolves.toBe(
        `/account/verify/resend?email=${encodeURIComponent(unconfirmed.email)}`,
      );
      await snap(tab, 'signin-unverified', lang);

      // The link leads to the resend form with the address filled in.
      await Promise.all([page.waitForURL(/\/account\/verify\/resend\?email=/), resend.click()]);
      await heading(page, m.verify.resendTitle);
      await expect(page.getByLabel(m.common.email, { exact: true }).inputValue()).resolves.toBe(
        unconfirmed.email,
      );
      await snap(tab, 'resend', lang);

      expectClean(tab, [401, 403]);
    });

    it(`locks the account after ${MAX_FAILURES} wrong passwords; then even the right one is refused`, async () => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);
      const a = await authorize(await thirdPartyApp());
      await page.goto(a.url);

      for (let i = 1; i < MAX_FAILURES; i++) {
        const res = await fillSignIn(page, m, user.email, `wrong ${i}`, '/login');
        expect(res.status()).toBe(401);
        await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.invalid);
      }
      const locked = await fillSignIn(page, m, user.email, `wrong ${MAX_FAILURES}`, '/login');
      expect(locked.status()).toBe(429);
      expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
      const alert = page.getByRole('alert');
      const message = await alert.innerText();
      expect(message).toBe(m.lockout.account(LOCKOUT_SECONDS / 60));
      await heading(page, m.login.title);
      await snap(tab, 'lockout', lang);

      const right = await fillSignIn(page, m, user.email, user.password, '/login');
      expect(right.status()).toBe(429);
      await expect(page.getByRole('alert').innerText()).resolves.toBe(message);
      await heading(page, m.login.title);
      expect(page.url()).toContain('/oidc/interaction/');
      expect(await sessionToken(tab)).toBeUndefined();

      expectClean(tab, [401, 429]);
    });

    it('ends another session from the sessions page; that browser is asked to sign in again', async () => {
      const user = await personSpeaking(lang);
      const phone = await openTab(locale, PHONE_UA);
      const laptop = await openTab(locale);
      await signInToAccount(phone, m, user);
      await signInToAccount(laptop, m, user, () => snap(laptop, 'account-login', lang));
      await expect(laptop.page.getByText(m.area.signedInAs(user.username)).isVisible()).resolves.toBe(true);
      await snap(laptop, 'account', lang);
      const phoneToken = await sessionToken(phone);
      expect(phoneToken).toBeTruthy();

      const { page } = laptop;
      await page.getByRole('link', { name: m.area.nav.sessions, exact: true }).click();
      await page.waitForURL(`${t.url}/account/sessions`);
      await heading(page, m.area.nav.sessions);
      const cards = page.locator('li.card');
      await expect(cards.count()).resolves.toBe(2);
      // "This browser" is the laptop's own session, which has no button to end it.
      const own = cards.filter({ hasText: m.area.sessions.current });
      await expect(own.count()).resolves.toBe(1);
      await expect(own.getByRole('button').count()).resolves.toBe(0);
      await snap(laptop, 'account-sessions', lang);

      const phoneCard = cards.filter({ hasText: PHONE_UA });
      await Promise.all([
        page.waitForURL(`${t.url}/account/sessions?notice=ended`),
        phoneCard.getByRole('button', { name: m.area.sessions.end, exact: true }).click(),
      ]);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.area.sessions.ended);
      await expect(cards.count()).resolves.toBe(1);
      await expect(page.getByText(PHONE_UA).count()).resolves.toBe(0);
      await snap(laptop, 'account-sessions-ended', lang);

      // The phone's next visit finds its session gone; its token no longer works anywhere.
      await phone.page.goto(`${t.url}/account`);
      expect(phone.page.url()).toBe(`${t.url}/account/login?return_to=%2Faccount`);
      await heading(phone.page, m.area.signIn);
      expect((await call(t.url, 'GET', '/v1/me', { key: phoneToken! })).status).toBe(401);
      // The laptop is still signed in.
      await page.goto(`${t.url}/account`);
      await heading(page, m.area.title);

      // The profile and password pages of the same area.
      await page.getByRole('link', { name: m.area.nav.profile, exact: true }).click();
      await heading(page, m.area.nav.profile);
      await expect(page.getByLabel(m.common.username, { exact: true }).inputValue()).resolves.toBe(
        user.username,
      );
      await snap(laptop, 'account-profile', lang);
      await page.getByRole('link', { name: m.area.nav.password, exact: true }).click();
      await heading(page, m.area.nav.password);
      await page.getByLabel(m.area.password.current, { exact: true }).fill('not the password');
      await page.getByLabel(m.area.password.new, { exact: true }).fill(STRONGER);
      await page.getByLabel(m.register.confirmPassword, { exact: true }).fill(STRONGER);
      const wrong = await submit(page, m.area.password.save, '/account/password');
      expect(wrong.status()).toBe(422);
      await expect(page.locator('#current-error').innerText()).resolves.toBe(m.area.password.wrong);
      await snap(laptop, 'account-password', lang);

      expectClean(laptop, [422]);
      expectClean(phone);
    });

    it('disconnects a connected app: it leaves the list, its consent and its tokens are gone', async () => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);
      const app = await thirdPartyApp();
      await signInToAccount(tab, m, user);
      await page.getByRole('link', { name: m.area.nav.apps, exact: true }).click();
      await heading(page, m.area.nav.apps);
      await expect(page.getByText(m.area.apps.none, { exact: true }).isVisible()).resolves.toBe(true);

      // Signed in to Heimdall already: the app goes straight to the consent page.
      const a = await authorize(app);
      await page.goto(a.url);
      const tokens = await allowAndRedeem(tab, m, a);
      await expect(client.fetchUserInfo(a.config, tokens.access_token, user.id)).resolves.toMatchObject({
        sub: user.id,
      });

      await page.goto(`${t.url}/account/apps`);
      const card = page.locator('li.card', { hasText: APP_NAME });
      await expect(card.count()).resolves.toBe(1);
      const allowed = await card.locator('ul.scopes li').allInnerTexts();
      expect(allowed.map((p) => p.trim()).sort()).toEqual(
        [m.scopes.openid, m.scopes.profile, m.scopes.email].sort(),
      );
      await snap(tab, 'account-apps', lang);

      await Promise.all([
        page.waitForURL(`${t.url}/account/apps?notice=disconnected`),
        page.getByRole('button', { name: `${m.area.apps.disconnect}: ${APP_NAME}`, exact: true }).click(),
      ]);
      await heading(page, m.area.nav.apps);
      await expect(page.getByText(APP_NAME).count()).resolves.toBe(0);
      await expect(page.getByText(m.area.apps.none, { exact: true }).isVisible()).resolves.toBe(true);
      await snap(tab, 'account-apps-disconnected', lang);

      expect(await t.db('OAuthConsent').where({ user_id: user.id, client_id: app.id })).toEqual([]);
      await expect(client.fetchUserInfo(a.config, tokens.access_token, user.id)).rejects.toThrow();

      expectClean(tab);
    });

    it('resets a forgotten password with the emailed link', async () => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);

      await page.goto(`${t.url}/account/forgot`);
      await heading(page, m.forgot.title);
      await snap(tab, 'forgot', lang);
      await page.getByLabel(m.common.email, { exact: true }).fill(user.email);
      const sent = await submit(page, m.forgot.submit, '/account/forgot');
      expect(sent.status()).toBe(200);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.forgot.sent);
      await snap(tab, 'forgot-sent', lang);

      const mail = await sink.waitFor({ to: user.email, subject: m.email.resetSubject }, 5000);
      await page.goto(sink.linkIn(mail, '/account/reset'));
      await heading(page, m.reset.title);
      await snap(tab, 'reset', lang);
      await page.getByLabel(m.common.password, { exact: true }).fill(STRONGER);
      await page.getByLabel(m.register.confirmPassword, { exact: true }).fill(STRONGER);
      const done = await submit(page, m.reset.submit, '/account/reset');
      expect(done.status()).toBe(200);
      await heading(page, m.reset.doneTitle);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.reset.done);
      await snap(tab, 'reset-done', lang);

      expectClean(tab);
    });
  });
});
