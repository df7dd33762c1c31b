import { afterAll, beforeAll, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { RunningPlatform } from '../../server/start.js';
import { describeWithBrowser, launchBrowser } from '../support/browser.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createKey } from '../support/fixtures.js';
import { startTestPlatform } from '../support/platform.js';

describeWithBrowser('Swagger UI at /docs/api (Chromium)', () => {
  let database: TestDatabase;
  let platform: RunningPlatform;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    platform = await startTestPlatform({ HEIMDALL__DATABASE__URL: database.url });
    browser = await launchBrowser();
    page = await browser.newPage();
    // CSP violations and script errors show up here; the page must load with neither.
    page.on('console', (msg) => {
      if (msg.type() === 'error') problems.push(msg.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('requestfailed', (req) => problems.push(`${req.url()} ${req.failure()?.errorText}`));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await platform?.stop();
    await database?.drop();
  });

  it('renders every operation from the local document, with no CDN and no errors', async () => {
    const external: string[] = [];
    page.on('request', (req) => {
      if (!req.url().startsWith(platform.url)) external.push(req.url());
    });
    const res = await page.goto(`${platform.url}/docs/api/`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toContain("script-src 'self'");

    await page.locator('.opblock').first().waitFor({ timeout: 20_000 });
    await expect(page.locator('.info .title').innerText()).resolves.toContain('Heimdall API');
    const paths = await page.locator('.opblock-summary-path').allInnerTexts();
    const shown = new Set(paths.map((p) => p.replace(/\u200b/g, '').trim()));
    for (const route of platform.routes) {
      expect(shown).toContain(route.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    }
    expect(external).toEqual([]);
    expect(problems).toEqual([]);
  }, 60_000);

  it('calls the API with a Bearer key entered in Authorize', async () => {
    const key = await createKey(platform.databases.primary, {
      roleIds: ['role_api_full_access'],
      isSystem: true,
    });
    await page
      .getByRole('button', { name: /authorize/i })
      .first()
      .click();
    await page
      .locator('.modal-ux input[type="text"], .modal-ux input[type="password"]')
      .first()
      .fill(key.key);
    await page.locator('.modal-ux button.modal-btn.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const me = page.locator('#operations-auth-getMe');
    await me.locator('.opblock-summary').click();
    await me.getByRole('button', { name: 'Try it out' }).click();
    await me.getByRole('button', { name: 'Execute' }).click();
    const status = me.locator('.live-responses-table .response .response-col_status').first();
    await expect(status.innerText()).resolves.toContain('200');
    const body = await me.locator('.live-responses-table .microlight').first().innerText();
    expect(JSON.parse(body)).toMatchObject({ api_key: { id: key.id }, is_super_admin: true });
    expect(problems).toEqual([]);
  }, 60_000);
});
