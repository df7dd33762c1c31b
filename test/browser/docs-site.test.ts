import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser } from 'playwright-core';
import type { RunningPlatform } from '../../server/start.js';
import { describeWithBrowser, launchBrowser } from '../support/browser.js';
import { openPageTab, snap, type Tab } from '../support/browser-pages.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestPlatform } from '../support/platform.js';

/**
 * The documentation site at /docs in Chromium at a phone's size: VitePress's client runs under the site's
 * Content-Security-Policy without a console error, its offline search finds pages in both languages, and the
 * navigation leaves the site for Swagger UI at /docs/api.
 */
describeWithBrowser('the documentation site at /docs (Chromium)', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let browser: Browser;
  const tabs: Tab[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url });
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await Promise.all(tabs.map((tab) => tab.context.close()));
    await browser?.close();
    await platform?.stop();
    await database?.drop();
  });

  const openTab = async (locale: string) => {
    const tab = await openPageTab(browser, platform.url, { locale });
    tab.page.on('requestfailed', (req) => tab.problems.push(`${req.url()} ${req.failure()?.errorText}`));
    tab.page.on('request', (req) => {
      if (!req.url().startsWith(platform.url)) tab.problems.push(`left the server: ${req.url()}`);
    });
    tabs.push(tab);
    return tab;
  };

  /** Opens the search, types `query`, and answers the results' links once one names `expected`. */
  async function search(tab: Tab, query: string, expected: RegExp) {
    const { page } = tab;
    await page.locator('#local-search button').click();
    const box = page.locator('.VPLocalSearchBox input');
    await box.waitFor();
    await box.fill(query);
    const result = page.locator('.VPLocalSearchBox a.result').filter({ hasText: expected }).first();
    await result.waitFor({ timeout: 10_000 });
    return result;
  }

  it('renders the English site, whose search finds a guide and opens it', async () => {
    const tab = await openTab('en-GB');
    const { page } = tab;
    const res = await page.goto(`${platform.url}/docs/`);
    expect(res?.status()).toBe(200);
    await page.getByRole('heading', { level: 1, name: 'Heimdall' }).waitFor();
    await expect(page.locator('.VPHero .text').innerText()).resolves.toContain(
      'Identity, access and realtime',
    );
    await snap(tab, 'docs-home', 'en');

    const result = await search(tab, 'trust_proxy', /Deploy on several nodes/);
    await snap(tab, 'docs-search', 'en');
    await Promise.all([page.waitForURL(/\/docs\/guide\/deploy-several-nodes\.html/), result.click()]);
    await page.getByRole('heading', { level: 1, name: 'Deploy on several nodes' }).waitFor();
    await snap(tab, 'docs-guide', 'en');
    expect(tab.problems).toEqual([]);
  }, 60_000);

  it('renders the German guides, with German navigation and search', async () => {
    const tab = await openTab('de-DE');
    const { page } = tab;
    await page.goto(`${platform.url}/docs/de/`);
    await page.getByRole('heading', { level: 1, name: 'Heimdall' }).waitFor();
    await expect(page.locator('.VPHero .text').innerText()).resolves.toContain(
      'Identität, Zugriff und Echtzeit',
    );
    await expect(page.locator('#local-search button').getAttribute('aria-label')).resolves.toBe('Suchen');
    await snap(tab, 'docs-home', 'de');

    const result = await search(tab, 'Geheimnisschlüssel', /Sichern und wiederherstellen/);
    await Promise.all([page.waitForURL(/\/docs\/de\/guide\/backup-restore\.html/), result.click()]);
    await page.getByRole('heading', { level: 1, name: 'Sichern und wiederherstellen' }).waitFor();
    await snap(tab, 'docs-guide', 'de');
    expect(tab.problems).toEqual([]);
  }, 60_000);

  it('leads from its navigation to Swagger UI at /docs/api', async () => {
    const tab = await openTab('en-GB');
    const { page } = tab;
    await page.goto(`${platform.url}/docs/guide/call-the-api.html`);
    await page.getByRole('heading', { level: 1, name: 'Call the API' }).waitFor();
    // On a phone the navigation sits behind the menu button.
    await page.locator('.VPNavBarHamburger').click();
    await Promise.all([
      page.waitForURL(`${platform.url}/docs/api/`),
      page.locator('.VPNavScreen').getByRole('link', { name: 'API explorer' }).click(),
    ]);
    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    await expect(page.locator('.info .title').innerText()).resolves.toContain('Heimdall API');
    await snap(tab, 'docs-api', 'en');
    expect(tab.problems).toEqual([]);
  }, 60_000);
});
