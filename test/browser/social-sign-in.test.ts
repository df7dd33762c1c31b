import { expect, it, describe } from '@jest/globals';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, useAppCallback, useTabs } from '../support/browser-pages.js';
import { authorizationRequest, client, createOAuthClient, createPasswordUser } from '../support/oidc.js';
import { uniqueName } from '../support/services.js';
import { useSocialPlatform } from '../support/social.js';

/**
 * Social sign-in in Chromium: a third-party app sends a person to Heimdall ID, who signs up with Discord (the local
 * fake, which approves at once as a real Discord does for someone already signed in there), allows the app, and
 * lands back at the app, which redeems the code with openid-client. Then the person's sign-in methods in the account
 * area. Phone-sized, in English and German, no console errors, photographed.
 */
describeWithBrowser('social sign-in in Chromium', () => {
  const t = useSocialPlatform(['api'], ['discord']);
  const appCallback = useAppCallback();
  const { openTab } = useTabs(() => t.url);
  const APP_NAME = 'Bifrost Stream Overlay';

  describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
    it('signs up with Discord from an app’s sign-in page and lands back at the app', async () => {
      const name = uniqueName('raven').replaceAll('_', '').slice(0, 16);
      const discordId = `9${Date.now()}`.slice(0, 18);
      t.fake('discord').signInAs({
        id: discordId,
        username: name,
        displayName: `Raven ${lang}`,
        email: `${name}@example.com`,
        emailVerified: true,
      });
      const app = await createOAuthClient(t.db, {
        name: APP_NAME,
        redirectUri: `${appCallback.base}/callback`,
      });
      const a = await authorizationRequest(t.url, app, { scope: 'openid profile email' });
      const tab = await openTab({ locale });
      const { page } = tab;

      await page.goto(a.url);
      await heading(page, m.login.title);
      const button = page.getByRole('button', { name: m.social.continueWith('Discord'), exact: true });
      await expect(button.isVisible()).resolves.toBe(true);
      await snap(tab, 'social-sign-in', lang);

      // Off to Discord and back: a new account, then the app asks for consent.
      await button.click();
      await heading(page, m.consent.heading(APP_NAME));
      await snap(tab, 'social-consent', lang);
      await Promise.all([
        page.waitForURL(`${appCallback.base}/callback?**`),
        page.getByRole('button', { name: m.consent.allow, exact: true }).click(),
      ]);
      const tokens = await client.authorizationCodeGrant(a.config, new URL(page.url()), {
        pkceCodeVerifier: a.verifier,
        expectedState: a.state,
      });
      const sub = tokens.claims()!.sub;
      const account = await t
        .db('PlatformAccount')
        .where({ platform_id: 'discord', platform_user_id: discordId })
        .first();
      expect(account).toMatchObject({ user_id: sub, display_name: `Raven ${lang}` });
      const profile = await client.fetchUserInfo(a.config, tokens.access_token, sub);
      expect(profile).toMatchObject({
        name: `Raven ${lang}`,
        email: `${name}@example.com`,
        email_verified: true,
      });

      // The same browser is signed in to Heimdall ID: its sign-in methods show Discord as the primary one.
      await page.goto(`${t.url}/account/accounts`);
      await heading(page, m.area.nav.accounts);
      const card = page.locator('li.card[data-platform="discord"]');
      await expect(card.getByText(m.area.accounts.primary, { exact: true }).isVisible()).resolves.toBe(true);
      await expect(card.getByText(`Raven ${lang} (${name})`).isVisible()).resolves.toBe(true);
      await snap(tab, 'account-sign-in-methods', lang);
      expectClean(tab);
    });

    it('refuses a Discord account whose address someone has, and says how to link it instead', async () => {
      const owner = await createPasswordUser(t.db);
      t.fake('discord').signInAs({
        id: `8${Date.now()}`.slice(0, 18),
        username: uniqueName('taker').replaceAll('_', '').slice(0, 16),
        email: owner.email,
        emailVerified: true,
      });
      const tab = await openTab({ locale });
      const { page } = tab;
      await page.goto(`${t.url}/account/login`);
      await heading(page, m.area.signIn);
      await page.getByRole('button', { name: m.social.continueWith('Discord'), exact: true }).click();
      await heading(page, m.social.failedTitle);
      await expect(page.getByRole('alert').innerText()).resolves.toBe(m.social.emailInUse('Discord'));
      await snap(tab, 'social-email-in-use', lang);
      await page.getByRole('link', { name: m.social.back, exact: true }).click();
      await heading(page, m.area.signIn);
      expect(await t.db('PlatformAccount').where({ user_id: owner.id })).toHaveLength(1);
      expectClean(tab, [409]);
    });
  });
});
