import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import type { Page } from 'playwright-core';
import { en, type Messages } from '../../core/i18n/en.js';
import { totpCode } from '../../core/two-factor/totp.js';
import { describeWithBrowser } from '../support/browser.js';
import {
  expectClean,
  heading,
  LANGUAGES,
  snap as snapPage,
  submit,
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

/**
 * Signing in with two-factor authentication in Chromium, through a third-party app (so consent shows):
 * password → code page → consent → the app's callback, with a code from the authenticator app and with a backup
 * code; and a person whose role requires 2FA setting it up on /account/security in the middle of the sign-in (QR
 * code, key, backup codes with their download) before the sign-in continues. The app redeems the code with
 * openid-client for an access token to the Heimdall API (`resource` = /v1, so a JWT) and `GET /v1/me` shows the
 * second factor. Pages are photographed to test-artifacts/screenshots/2fa-<page>.<lang>.png (not committed); every
 * page must come with our CSP and leave no console error. tsconfig has no DOM types: page.evaluate takes strings.
 */
const APP_NAME = 'Bifrost Photo Print';

describeWithBrowser('Signing in with two-factor authentication in Chromium', () => {
  const t = useOidcPlatform();
  const now = () => Math.floor(Date.now() / 1000);
  const resource = () => `${t.url}/v1`;

  /** The relying party's redirect URI: answers 200 "done". */
  const appCallback = useAppCallback();
  const tabs = useTabs(() => t.url);

  /** A new person's browser: a fresh context (no cookies) whose language is `locale`. */
  async function openTab(locale: string): Promise<Tab> {
    return tabs.openTab({ locale, acceptDownloads: true });
  }

  const snap = (tab: Tab, name: string, lang: Lang) => snapPage(tab, `2fa-${name}`, lang);

  /** The id of the focused element. */
  const focusedId = (page: Page) =>
    page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');

  /** A person with a password whose account (and so the account area) is in `lang`. */
  async function person(lang: Lang, roleIds?: string[]) {
    const user = await createPasswordUser(t.db, roleIds ? { roleIds } : {});
    await t.db('User').where({ id: user.id }).update({ preferred_locale: lang });
    return user;
  }

  /** Enrols a user over REST with a session of their own; answers the secret, backup codes and that session. */
  async function enrol(userId: string) {
    const { token } = await t.platform.services.sessions.create({ userId, provider: 'email' });
    const setup = await call(t.url, 'POST', '/v1/2fa/setup', { key: token });
    expect(setup.status).toBe(200);
    const enabled = await call(t.url, 'POST', '/v1/2fa/enable', {
      key: token,
      body: { code: totpCode(setup.body.secret) },
    });
    expect(enabled.status).toBe(200);
    return {
      secret: setup.body.secret as string,
      backupCodes: enabled.body.backup_codes as string[],
      token,
    };
  }

  const thirdPartyApp = (): Promise<TestClient> =>
    createOAuthClient(t.db, { name: APP_NAME, redirectUri: `${appCallback.base}/callback` });

  /** An app's authorization request for its own use of the Heimdall API (PKCE, state, resource = /v1). */
  const authorize = (c: TestClient) =>
    authorizationRequest(t.url, c, { scope: 'openid profile api', resource: resource() });
  type Authorization = Awaited<ReturnType<typeof authorize>>;

  /** The OpenID sign-in page: email and password, sent. */
  async function passwordStep(
    tab: Tab,
    m: Messages,
    a: Authorization,
    user: { email: string; password: string },
  ) {
    const { page } = tab;
    const res = await page.goto(a.url);
    expect(res?.status()).toBe(200);
    await heading(page, m.login.title);
    await page.getByLabel(m.common.email, { exact: true }).fill(user.email);
    await page.getByLabel(m.common.password, { exact: true }).fill(user.password);
    return submit(page, m.login.submit, '/login');
  }

  /** The code page: its field is labelled, made for one-time codes, focused, and described by the hint. */
  async function expectCodePage(tab: Tab, m: Messages) {
    const { page } = tab;
    await heading(page, m.twoFactor.title);
    expect(page.url()).toMatch(/\/oidc\/interaction\/[\w-]+\/2fa$/);
    await expect(page.title()).resolves.toBe(`${m.twoFactor.title} · Heimdall ID`);
    await expect(page.getByText(m.twoFactor.lead, { exact: true }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(m.twoFactor.hint, { exact: true }).isVisible()).resolves.toBe(true);
    const code = page.getByLabel(m.twoFactor.code, { exact: true });
    await expect(code.getAttribute('autocomplete')).resolves.toBe('one-time-code');
    await expect(code.getAttribute('aria-describedby')).resolves.toContain('code-hint');
    await expect(focusedId(page)).resolves.toBe('code');
    // Nobody is signed in before the second factor: no Heimdall session cookie yet.
    expect((await tab.context.cookies(t.url)).some((c) => c.name === 'id.session-token')).toBe(false);
    return code;
  }

  /** Allows the app; the browser lands on its callback; the app redeems the code for tokens to the API. */
  async function allowAndRedeem(tab: Tab, m: Messages, a: Authorization) {
    const { page } = tab;
    await heading(page, m.consent.heading(APP_NAME));
    await Promise.all([
      page.waitForURL((url) => url.toString().startsWith(`${appCallback.base}/callback`)),
      page.getByRole('button', { name: m.consent.allow, exact: true }).click(),
    ]);
    await expect(page.locator('body').innerText()).resolves.toBe('done');
    const callback = new URL(page.url());
    expect(callback.searchParams.get('iss')).toBe(`${t.url}/oidc`);
    return client.authorizationCodeGrant(
      a.config,
      callback,
      { pkceCodeVerifier: a.verifier, expectedState: a.state },
      { resource: resource() },
    );
  }

  /** The access token is a JWT for the API, from a sign-in with the second factor, and /v1/me says so. */
  async function expectVerified(tokens: Awaited<ReturnType<typeof allowAndRedeem>>, userId: string) {
    expect(tokens.claims()!.sub).toBe(userId);
    const claims = decodeJwt(tokens.access_token);
    expect(claims.sub).toBe(userId);
    expect(claims.aud).toBe(resource());
    expect(claims.amr).toEqual(['pwd', 'otp']);
    const me = await call(t.url, 'GET', '/v1/me', { key: tokens.access_token });
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(userId);
    expect(me.body.two_factor_verified).toBe(true);
    return me.body;
  }

  /** A 6-digit code the authenticator does not show now (nor one step either side). */
  function wrongCode(secret: string): string {
    const valid = [-30, 0, 30, 60].map((d) => totpCode(secret, { epoch: now() + d }));
    return ['000000', '111111', '222222', '333333', '444444'].find((c) => !valid.includes(c))!;
  }

  describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
    it('password → code page → a wrong code is refused → the right one → consent → the app', async () => {
      const user = await person(lang);
      const { secret } = await enrol(user.id);
      const app = await thirdPartyApp();
      const a = await authorize(app);
      const tab = await openTab(locale);
      const { page } = tab;

      const afterPassword = await passwordStep(tab, m, a, user);
      expect(afterPassword.status()).toBe(303);
      const code = await expectCodePage(tab, m);
      await expect(page.getByRole('alert').count()).resolves.toBe(0);
      await snap(tab, 'code', lang);

      // A wrong code: the page again with the alert, the field marked invalid and described by it, focused.
      await code.fill(wrongCode(secret));
      const refused = await submit(page, m.twoFactor.submit, '/2fa');
      expect(refused.status()).toBe(422);
      const alert = page.getByRole('alert');
      await alert.waitFor();
      await expect(alert.innerText()).resolves.toBe(m.twoFactor.invalid);
      await heading(page, m.twoFactor.title);
      const again = page.getByLabel(m.twoFactor.code, { exact: true });
      await expect(again.inputValue()).resolves.toBe('');
      await expect(again.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(again.getAttribute('aria-describedby')).resolves.toContain('form-error');
      await expect(page.locator('#form-error').getAttribute('role')).resolves.toBe('alert');
      await expect(focusedId(page)).resolves.toBe('code');
      await snap(tab, 'code-error', lang);

      // The right code (the next step's: it cannot be the one used at enrolment) → consent → the app.
      await again.fill(totpCode(secret, { epoch: now() + 30 }));
      const accepted = await submit(page, m.twoFactor.submit, '/2fa');
      expect(accepted.status()).toBe(303);
      const tokens = await allowAndRedeem(tab, m, a);
      const me = await expectVerified(tokens, user.id);
      expect(me.two_factor_required).toBe(false);

      // The browser's Heimdall session knows its second factor was checked too.
      const session = (await tab.context.cookies(t.url)).find((c) => c.name === 'id.session-token')!;
      expect(session).toBeDefined();
      const described = await call(t.url, 'POST', '/v1/auth/session', {
        body: { session_token: session.value },
      });
      expect(described.body.two_factor_verified).toBe(true);
      expectClean(tab, [422]);
    });

    it('a role that requires 2FA: set up on /account/security (QR, key, backup codes), then the sign-in continues', async () => {
      const moderator = await person(lang, ['role_moderator']);
      const app = await thirdPartyApp();
      const a = await authorize(app);
      const tab = await openTab(locale);
      const { page } = tab;

      await passwordStep(tab, m, a, moderator);
      // Sent to set it up, with the reason; the sign-in is remembered in ?continue=.
      await heading(page, m.twoFactor.security);
      const here = new URL(page.url());
      expect(here.pathname).toBe('/account/security');
      expect(here.searchParams.get('continue')).toMatch(/^\/oidc\/interaction\/[\w-]+$/);
      await expect(page.getByRole('alert').innerText()).resolves.toBe(m.twoFactor.required);
      await expect(page.getByText(m.twoFactor.off, { exact: true }).isVisible()).resolves.toBe(true);
      await snap(tab, 'required', lang);

      // Setup: the QR code (a PNG data URL the browser decoded) and the key to type in instead.
      await submit(page, m.twoFactor.start, '/account/security/setup');
      await heading(page, m.twoFactor.start);
      await expect(page.getByText(m.twoFactor.scan, { exact: true }).isVisible()).resolves.toBe(true);
      const qr = page.locator('img').first();
      await expect(qr.isVisible()).resolves.toBe(true);
      await expect(qr.getAttribute('src')).resolves.toMatch(/^data:image\/png;base64,/);
      await page.waitForFunction('document.querySelector("img").complete');
      await expect(
        page.evaluate<number>('document.querySelector("img").naturalWidth'),
      ).resolves.toBeGreaterThan(0);
      await expect(page.getByText(`${m.twoFactor.key}:`).isVisible()).resolves.toBe(true);
      const key = (await page.locator('code').first().innerText()).trim();
      expect(key).toMatch(/^[A-Z2-7]{32}$/);
      const code = page.getByLabel(m.twoFactor.code, { exact: true });
      await expect(code.getAttribute('autocomplete')).resolves.toBe('one-time-code');
      await expect(focusedId(page)).resolves.toBe('code');
      await snap(tab, 'setup', lang);

      // The code the authenticator app shows for that key turns it on: the backup codes, shown once.
      await code.fill(totpCode(key));
      const enabled = await submit(page, m.twoFactor.confirm, '/account/security/enable');
      expect(enabled.status()).toBe(200);
      await heading(page, m.twoFactor.backupTitle);
      await expect(page.getByText(m.twoFactor.backupLead, { exact: true }).isVisible()).resolves.toBe(true);
      const codes = (await page.locator('ul.codes li').allInnerTexts()).map((c) => c.trim());
      expect(codes).toHaveLength(10);
      expect(new Set(codes).size).toBe(10);
      for (const c of codes) expect(c).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}$/);

      // …and as a text file to download.
      const download = page.getByRole('link', { name: m.twoFactor.download, exact: true });
      await expect(download.getAttribute('download')).resolves.toBe('heimdall-backup-codes.txt');
      const href = (await download.getAttribute('href'))!;
      expect(href).toMatch(/^data:text\/plain[;,]/);
      const fileText = decodeURIComponent(href.slice(href.indexOf(',') + 1));
      for (const c of codes) expect(fileText).toContain(c);
      const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
      expect(file.suggestedFilename()).toBe('heimdall-backup-codes.txt');
      const saved = readFileSync((await file.path())!, 'utf8');
      expect(saved.split('\n').filter((l) => /^[a-z2-9]{5}-[a-z2-9]{5}$/.test(l))).toEqual(codes);
      await snap(tab, 'backup-codes', lang);

      // Continue: the sign-in goes on where it was, to consent and the app.
      await Promise.all([
        page.waitForURL((url) => url.pathname.startsWith('/oidc/interaction/')),
        page.getByRole('link', { name: m.twoFactor.continue, exact: true }).click(),
      ]);
      const tokens = await allowAndRedeem(tab, m, a);
      const me = await expectVerified(tokens, moderator.id);
      expect(me.two_factor_required).toBe(true);
      // The API no longer refuses this person with auth.two_factor_required.
      const users = await call(t.url, 'GET', '/v1/users', { key: tokens.access_token });
      expect(users.status).toBe(200);
      expectClean(tab);
    });
  });

  it('takes a backup code instead of the app’s code (typed as a person might: capitals, no dash), once', async () => {
    const user = await person('en');
    const { backupCodes, token } = await enrol(user.id);
    const app = await thirdPartyApp();
    const a = await authorize(app);
    const tab = await openTab('en-GB');
    const { page } = tab;

    await passwordStep(tab, en, a, user);
    const code = await expectCodePage(tab, en);
    await code.fill(backupCodes[0]!.replace('-', '').toUpperCase());
    const accepted = await submit(page, en.twoFactor.submit, '/2fa');
    expect(accepted.status()).toBe(303);
    const tokens = await allowAndRedeem(tab, en, a);
    await expectVerified(tokens, user.id);
    const left = await call(t.url, 'GET', '/v1/2fa/backup-codes', { key: token });
    expect(left.body).toEqual({ remaining: 9, total: 10 });
    expectClean(tab);

    // The same backup code a second time, in another browser: refused.
    const second = await openTab('en-GB');
    await passwordStep(second, en, await authorize(app), user);
    const codeAgain = await expectCodePage(second, en);
    await codeAgain.fill(backupCodes[0]!);
    const reused = await submit(second.page, en.twoFactor.submit, '/2fa');
    expect(reused.status()).toBe(422);
    await expect(second.page.getByRole('alert').innerText()).resolves.toBe(en.twoFactor.invalid);
    expectClean(second, [422]);
  });
});
