import { describe, expect, it } from '@jest/globals';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, submit } from '../support/browser-pages.js';
import { client } from '../support/oidc.js';
import { call } from '../support/fixtures.js';
import { useSmtpSink } from '../support/smtp.js';
import { APP_NAME, PHONE_UA, STRONGER, useAccountPages } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** The account area in Chromium (set up in accounts.ts): ending another session, disconnecting an app. */
describeWithBrowser('Heimdall ID account pages in Chromium, English and German: the account area', () => {
  const {
    t,
    openTab,
    personSpeaking,
    thirdPartyApp,
    authorize,
    allowAndRedeem,
    signInToAccount,
    sessionToken,
  } = useAccountPages(sink);

  describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
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
  });
});
