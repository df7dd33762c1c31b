import { expect, it } from '@jest/globals';
import { frontTexts } from '../../account/front/texts.js';
import { totpCode } from '../../core/two-factor/totp.js';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, submit, useTabs } from '../support/browser-pages.js';
import { capturingLogger, setupLinksIn } from '../support/log-capture.js';
import { useOidcPlatform } from '../support/oidc.js';

const STRONG = 'violet anchor drizzle mango 47';

/**
 * A fresh Heimdall in Chromium: the start page explains the first run, the setup link from the log creates the
 * first super admin once and leads to TOTP setup, and then the start page shows where to go and, to that
 * administrator, the instance's health. English and German, on a phone.
 */
describeWithBrowser('first run in Chromium', () => {
  const log = capturingLogger();
  const t = useOidcPlatform({}, ['api', 'admin', 'realtime'], { logger: log.logger });
  const { openTab } = useTabs(() => t.url);
  const link = () => setupLinksIn(log.records)[0]!;

  it('shows the first-run instructions and the setup form in both languages', async () => {
    for (const { lang, locale } of LANGUAGES) {
      const f = frontTexts(lang);
      const tab = await openTab({ locale });
      await tab.page.goto(`${t.url}/`);
      await heading(tab.page, f.firstRun.title);
      await expect(tab.page.locator('#create-admin').innerText()).resolves.toBe(
        'npx heimdall create-admin --email you@example.com --username admin',
      );
      await snap(tab, 'first-run', lang);
      await tab.page.goto(link());
      await heading(tab.page, f.setup.title);
      await snap(tab, 'setup', lang);
      expectClean(tab);
    }
  });

  it('creates the first administrator, then TOTP; the link is refused afterwards', async () => {
    const { m } = LANGUAGES[0]!;
    const f = frontTexts('en');
    const tab = await openTab({ locale: 'en-GB' });
    const { page } = tab;
    await page.goto(link());
    await page.getByLabel(m.common.email, { exact: true }).fill('root@example.test');
    await page.getByLabel(m.common.username, { exact: true }).fill('root');
    await page.getByLabel(m.common.password, { exact: true }).fill('password1234');
    await page.getByLabel(m.register.confirmPassword, { exact: true }).fill('password1234');
    const weak = await submit(page, f.setup.submit, new URL(link()).pathname);
    expect(weak.status()).toBe(422);
    await expect(page.locator('#password-error').innerText()).resolves.toBe(m.errors.passwordWeak);
    await snap(tab, 'setup-weak-password', 'en');

    await page.getByLabel(m.common.password, { exact: true }).fill(STRONG);
    await page.getByLabel(m.register.confirmPassword, { exact: true }).fill(STRONG);
    await submit(page, f.setup.submit, new URL(link()).pathname);
    await page.waitForURL(`${t.url}/account/security`);
    await submit(page, m.twoFactor.start, '/account/security/setup');
    await heading(page, m.twoFactor.start);
    const key = (await page.locator('code').first().innerText()).trim();
    await page.getByLabel(m.twoFactor.code, { exact: true }).fill(totpCode(key));
    await submit(page, m.twoFactor.confirm, '/account/security/enable');
    await heading(page, m.twoFactor.backupTitle);
    await snap(tab, 'setup-two-factor', 'en');

    // Back at the start: the places to go, and the health this administrator may see.
    await page.goto(`${t.url}/`);
    await heading(page, 'Heimdall');
    await expect(page.getByText(f.signedInAs('root')).isVisible()).resolves.toBe(true);
    await expect(page.getByRole('heading', { name: f.health.heading }).isVisible()).resolves.toBe(true);
    await expect(page.locator('[data-check]').count()).resolves.toBe(4);
    await snap(tab, 'start-admin', 'en');
    expectClean(tab, [422]);

    const again = await openTab({ locale: 'en-GB' });
    const refused = await again.page.goto(link());
    expect(refused?.status()).toBe(409);
    await heading(again.page, f.setup.completeTitle);
    expectClean(again, [409]);
  });

  it('shows the start page with its links to everyone, in both languages', async () => {
    for (const { lang, locale } of LANGUAGES) {
      const f = frontTexts(lang);
      const tab = await openTab({ locale });
      await tab.page.goto(`${t.url}/`);
      await heading(tab.page, 'Heimdall');
      for (const name of [f.links.signIn, f.links.admin, f.links.docs, f.links.api]) {
        await expect(tab.page.getByRole('link', { name }).isVisible()).resolves.toBe(true);
      }
      await expect(tab.page.getByRole('heading', { name: f.health.heading }).count()).resolves.toBe(0);
      await snap(tab, 'start', lang);
      await tab.page.getByRole('link', { name: f.links.signIn }).click();
      await tab.page.waitForURL(`${t.url}/account/login`);
      expectClean(tab);
    }
  });
});
