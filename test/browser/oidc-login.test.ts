import { afterAll, beforeAll, beforeEach, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWithBrowser, launchBrowser } from '../support/browser.js';
import { useAppCallback } from '../support/browser-pages.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';

/**
 * Heimdall ID's sign-in and consent pages in Chromium: a third-party app sends a person to the
 * authorization endpoint, they sign in and allow access, and the app receives a code it redeems with
 * openid-client. The pages run under a strict Content-Security-Policy (one hashed inline style, nothing else):
 * Chromium reports any violation as a console error, so every test ends with no console errors.
 */
describeWithBrowser('Heimdall ID sign-in and consent (Chromium)', () => {
  const t = useOidcPlatform();
  const APP_NAME = 'Bifrost Photo Print';

  /** The relying party's redirect URI: answers 200 "done" and remembers what it was called with. */
  const appCallback = useAppCallback();
  const callbacks = appCallback.calls;

  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await browser?.close();
  });

  // Each test is a new person: a fresh browser context (no cookies, no session).
  beforeEach(async () => {
    await context?.close();
    context = await browser.newContext();
    page = await context.newPage();
    problems = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
  });

  /** The id of the focused element (a string expression: tsconfig has no DOM types). */
  const focusedId = () => page.evaluate<string>('document.activeElement ? document.activeElement.id : ""');

  async function thirdPartyApp(): Promise<TestClient> {
    return createOAuthClient(t.db, { name: APP_NAME, redirectUri: `${appCallback.base}/callback` });
  }

  const authorize = (c: TestClient) => authorizationRequest(t.url, c, { scope: 'openid profile email' });

  it('walks sign-in → consent → redirect, and the app redeems the code for the user', async () => {
    const user = await createPasswordUser(t.db);
    const app = await thirdPartyApp();
    const a = await authorize(app);

    const login = await page.goto(a.url);
    expect(login?.status()).toBe(200);
    expect(login?.url()).toContain('/oidc/interaction/');
    const csp = login?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'/);

    await expect(page.title()).resolves.toBe('Sign in · Heimdall ID');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible()).resolves.toBe(true);
    await expect(page.getByText(`to continue to ${APP_NAME}`).isVisible()).resolves.toBe(true);
    const email = page.getByLabel('Email');
    const password = page.getByLabel('Password');
    await expect(email.getAttribute('type')).resolves.toBe('email');
    await expect(email.getAttribute('autocomplete')).resolves.toBe('username');
    await expect(password.getAttribute('type')).resolves.toBe('password');
    await expect(password.getAttribute('autocomplete')).resolves.toBe('current-password');
    // The email field has focus on arrival; no error is shown yet.
    await expect(focusedId()).resolves.toBe('email');
    await expect(page.getByRole('alert').count()).resolves.toBe(0);
    // The hashed inline style applied (a CSP-blocked style would leave the button unstyled).
    const button = page.getByRole('button', { name: 'Sign in' });
    await expect(
      page.evaluate<string>(
        'getComputedStyle(document.querySelector("button[type=submit]")).backgroundColor',
      ),
    ).resolves.toBe('rgb(52, 81, 178)');

    await email.fill(user.email);
    await password.fill(user.password);
    await button.click();

    // Consent: the app by name, each requested permission in words, Allow and Deny.
    await page.getByRole('heading', { level: 1, name: `Allow ${APP_NAME}?` }).waitFor();
    await expect(page.title()).resolves.toBe('Allow access · Heimdall ID');
    await expect(page.getByText(`Signed in as ${user.username}.`).isVisible()).resolves.toBe(true);
    const permissions = await page.locator('main').getByRole('listitem').allInnerTexts();
    expect(permissions.map((p) => p.trim()).sort()).toEqual(
      [
        'Know who you are on Heimdall',
        'See your email address',
        'See your username, display name, picture and language',
      ].sort(),
    );
    await expect(page.getByRole('button', { name: 'Deny' }).isVisible()).resolves.toBe(true);

    await Promise.all([
      page.waitForURL((url) => url.toString().startsWith(`${appCallback.base}/callback`)),
      page.getByRole('button', { name: 'Allow' }).click(),
    ]);
    await expect(page.locator('body').innerText()).resolves.toBe('done');

    expect(callbacks).toHaveLength(1);
    const callback = new URL(callbacks[0]!);
    expect(callback.searchParams.get('code')).toBeTruthy();
    expect(callback.searchParams.get('state')).toBe(a.state);
    expect(callback.searchParams.get('iss')).toBe(`${t.url}/oidc`);
    const tokens = await client.authorizationCodeGrant(a.config, callback, {
      pkceCodeVerifier: a.verifier,
      expectedState: a.state,
    });
    expect(tokens.claims()!.sub).toBe(user.id);

    const consent = await t.db('OAuthConsent').where({ user_id: user.id, client_id: app.id }).first();
    expect([...consent.scopes].sort()).toEqual(['email', 'openid', 'profile']);
    expect(problems).toEqual([]);
  }, 60_000);

  it('a wrong password says so on the page, keeps the email and wires the alert to the field', async () => {
    const user = await createPasswordUser(t.db);
    const app = await thirdPartyApp();
    const a = await authorize(app);
    callbacks.length = 0;

    await page.goto(a.url);
    await page.getByLabel('Email').fill(user.email);
    await page.getByLabel('Password').fill('not the password');
    const [response] = await Promise.all([
      page.waitForResponse((res) => res.request().method() === 'POST' && res.url().endsWith('/login')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    expect(response.status()).toBe(401);
    const alert = page.getByRole('alert');
    await alert.waitFor();
    await expect(alert.innerText()).resolves.toBe('The email address or password is incorrect.');
    await expect(page.getByRole('heading', { level: 1, name: 'Sign in' }).isVisible()).resolves.toBe(true);
    const email = page.getByLabel('Email');
    await expect(email.inputValue()).resolves.toBe(user.email);
    await expect(page.getByLabel('Password').inputValue()).resolves.toBe('');
    // Both fields are marked invalid and described by the alert (screen readers read the error with them);
    // the email is kept, so the cursor waits in the password field.
    const describedBy = await email.getAttribute('aria-describedby');
    expect(describedBy).toBeTruthy();
    await expect(page.locator(`#${describedBy}`).getAttribute('role')).resolves.toBe('alert');
    await expect(page.getByLabel('Password').getAttribute('aria-invalid')).resolves.toBe('true');
    await expect(focusedId()).resolves.toBe('password');

    // The right password on the same page still gets through (a fresh CSRF token came with the page).
    await page.getByLabel('Password').fill(user.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: `Allow ${APP_NAME}?` }).waitFor();
    expect(callbacks).toEqual([]);

    // A 401 answer is reported by Chromium as a failed resource; nothing else may be.
    expect(problems.filter((p) => !/status of 401/.test(p))).toEqual([]);
  }, 60_000);
});
