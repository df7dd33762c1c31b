import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_IDS } from '../../schemas/roles.js';
import { createPanelPerson, signInToPanel, type PanelPerson } from '../support/admin.js';
import { describeWithBrowser, launchBrowser } from '../support/browser.js';
import { openPageTab, SHOTS, type Tab } from '../support/browser-pages.js';
import { createKey } from '../support/fixtures.js';
import { createPasswordUser, useOidcPlatform } from '../support/oidc.js';
import { waitUntil } from '../support/wait.js';

/**
 * The admin panel as an admin meets it, in Debian's Chromium at a phone's size, in English and German: sign-in
 * through Heimdall ID with a second factor, the dashboard and its live feed, banning, API keys, the permission
 * matrix, the audit log; a moderator who may look but not change; a person who may not enter. Every page is
 * photographed, and no page logs an error or breaks its Content-Security-Policy.
 */
const until = (condition: () => Promise<boolean>, what: string) => waitUntil(condition, what, 15_000, 100);

async function shot(tab: Tab, name: string, lang: string) {
  mkdirSync(SHOTS, { recursive: true });
  await tab.page.screenshot({ path: path.join(SHOTS, `admin-${name}.${lang}.png`), fullPage: true });
}

/** The panel's pages carry its CSP, and nothing on them logged an error. */
function expectCleanPanel(tab: Tab, allowedStatuses: number[] = []) {
  const unexpected = tab.problems.filter((p) => {
    const status = /status of (\d{3})/.exec(p)?.[1];
    return !(status && allowedStatuses.includes(Number(status)));
  });
  expect(unexpected).toEqual([]);
}

async function openPanel(page: Page, url: string) {
  await page.goto(url);
  await page.waitForLoadState('networkidle');
}

describeWithBrowser('admin panel in the browser', () => {
  const t = useOidcPlatform({}, ['api', 'admin', 'realtime']);
  let browser: Browser;
  const contexts: BrowserContext[] = [];
  /** What a person's browser keeps after signing in (cookies), so that later tabs need no new code. */
  const signedIn = new Map<string, Awaited<ReturnType<BrowserContext['storageState']>>>();
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(contexts.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  const tabs = {
    async openTab(options: { locale: string }): Promise<Tab> {
      const tab = await openPageTab(browser, t.url, options);
      contexts.push(tab.context);
      return tab;
    },
  };
  /** A tab of `person`'s, in the panel: signed in through Heimdall ID the first time, with the same cookies after. */
  async function panelTab(person: PanelPerson, locale = 'en-GB'): Promise<Tab> {
    const state = signedIn.get(person.id);
    if (!state) {
      const tab = await tabs.openTab({ locale });
      await signInToPanel(tab.page, t.url, person);
      signedIn.set(person.id, await tab.context.storageState());
      return tab;
    }
    const context = await browser.newContext({
      locale,
      viewport: { width: 390, height: 844 },
      storageState: state,
    });
    contexts.push(context);
    const page = await context.newPage();
    const tab: Tab = { context, page, problems: [], noCsp: [] };
    page.on('console', (msg) => {
      if (msg.type() === 'error') tab.problems.push(`${msg.text()} [${msg.location().url}]`);
    });
    page.on('pageerror', (err) => tab.problems.push(err.message));
    return tab;
  }
  let admin: PanelPerson;
  let moderator: PanelPerson;
  let target: { id: string; email: string; username: string };

  beforeAll(async () => {
    admin = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
    moderator = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.moderator] });
    target = await createPasswordUser(t.db, { roleIds: [ROLE_IDS.user] });
  });

  for (const { lang, locale } of [
    { lang: 'en', locale: 'en-GB' },
    { lang: 'de', locale: 'de-DE' },
  ]) {
    describe(`in ${lang}`, () => {
      it('an admin signs in with a second factor and sees the dashboard with its figures and charts', async () => {
        const tab = await tabs.openTab({ locale });
        await openPanel(tab.page, `${t.url}/admin/login`);
        await tab.page.getByTestId('admin-login').waitFor();
        await shot(tab, 'sign-in', lang);
        await signInToPanel(tab.page, t.url, admin);
        if (!signedIn.has(admin.id)) signedIn.set(admin.id, await tab.context.storageState());
        await tab.page.getByTestId('dashboard').waitFor();
        await tab.page.getByTestId('figure-users').waitFor();
        await tab.page.getByTestId('chart-hourly').waitFor();
        await expect(tab.page.locator('html').getAttribute('lang')).resolves.toBe(lang);
        await until(
          async () => (await tab.page.getByTestId('live-feed').getAttribute('data-state')) === 'live',
          'the live feed to connect',
        );
        await shot(tab, 'dashboard', lang);
        expectCleanPanel(tab);
      });
    });
  }

  it('bans a user, whose API key is refused at once', async () => {
    const key = await createKey(t.db, { userId: target.id, roleIds: [ROLE_IDS.user] });
    expect((await fetch(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${key.key}` } })).status).toBe(
      200,
    );
    const tab = await panelTab(admin);
    await openPanel(tab.page, `${t.url}/admin/resources/Users/records/${target.id}/show`);
    await tab.page.getByTestId('user-show').waitFor();
    await tab.page.getByTestId('user-sessions').waitFor();
    // The sign-in methods come from the linked-accounts service, as GET /v1/users/{id}/accounts.
    await tab.page.getByTestId('user-methods').getByText(target.email).waitFor();
    await shot(tab, 'user', 'en');
    await openPanel(tab.page, `${t.url}/admin/resources/Users/records/${target.id}/ban`);
    await tab.page.getByTestId('field-reason').fill('Spam in the chat');
    await shot(tab, 'ban', 'en');
    await tab.page.getByTestId('action-submit').click();
    await tab.page.waitForURL(/\/show$/);
    await until(
      async () =>
        (await fetch(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${key.key}` } })).status === 403,
      'the banned user’s key to be refused',
    );
    expectCleanPanel(tab);
  });

  it('creates an API key, shows it once, and the key works', async () => {
    const tab = await panelTab(admin);
    await openPanel(tab.page, `${t.url}/admin/resources/ApiKeys/actions/createKey`);
    await tab.page.getByTestId('field-name').fill('Panel key');
    await tab.page.getByTestId('field-scopes').fill('users:read');
    await tab.page.getByTestId('action-submit').click();
    const secret = (await tab.page.getByTestId('action-secret').innerText()).trim();
    expect(secret).toMatch(/^hm_/);
    await shot(tab, 'api-key-created', 'en');
    const me = await fetch(`${t.url}/v1/me`, { headers: { authorization: `Bearer ${secret}` } });
    expect(me.status).toBe(200);
    // Shown once: the key's page has its prefix, never the key.
    const row = await t.db('ApiKey').where({ name: 'Panel key' }).first<{ id: string }>('id');
    await openPanel(tab.page, `${t.url}/admin/resources/ApiKeys/records/${row!.id}/show`);
    await expect(tab.page.content()).resolves.not.toContain(secret);
    expectCleanPanel(tab);
  });

  it('edits a role’s permissions in the matrix; a concurrent edit is refused', async () => {
    await t.db('Role').insert({ id: 'role_panel_test', name: 'Panel test', requires_two_factor: false });
    const first = await panelTab(admin);
    const second = await panelTab(admin);
    const matrixUrl = `${t.url}/admin/resources/Roles/records/role_panel_test/permissions`;
    await openPanel(first.page, matrixUrl);
    await openPanel(second.page, matrixUrl);
    await first.page.locator('label[for="perm-gps:read"]').click();
    await shot(first, 'role-matrix', 'en');
    await first.page.getByTestId('matrix-save').click();
    await until(
      async () =>
        (await t.db('RolePermission').where({ role_id: 'role_panel_test', permission_id: 'gps:read' }))
          .length === 1,
      'the permission to be saved',
    );
    await second.page.locator('label[for="perm-users:read"]').click();
    await second.page.getByTestId('matrix-save').click();
    await second.page.getByTestId('matrix-error').waitFor();
    const held = await t.db('RolePermission').where({ role_id: 'role_panel_test' }).pluck('permission_id');
    expect(held).toEqual(['gps:read']);
    expectCleanPanel(first);
    expectCleanPanel(second);
  });

  it('finds those changes in the audit log, and a failed sign-in appears live in the feed', async () => {
    const tab = await panelTab(admin);
    await openPanel(tab.page, `${t.url}/admin/resources/AuditLog/actions/list?filters.actor_id=${admin.id}`);
    // AdminJS shows an event type as words: user_banned as "User Banned".
    for (const type of ['user_banned', 'api_key_created', 'permission_changed']) {
      const words = type.replace(
        /(^|_)(\w)/g,
        (_m, sep: string, c: string) => `${sep ? ' ' : ''}${c.toUpperCase()}`,
      );
      await until(
        async () => (await tab.page.getByText(words, { exact: true }).count()) > 0,
        `${type} in the audit list`,
      );
    }
    await shot(tab, 'audit', 'en');

    await openPanel(tab.page, `${t.url}/admin`);
    await until(
      async () => (await tab.page.getByTestId('live-feed').getAttribute('data-state')) === 'live',
      'the feed',
    );
    const stranger = await tabs.openTab({ locale: 'en-GB' });
    await stranger.page.goto(`${t.url}/admin/login/start`);
    await stranger.page.getByLabel('Email').fill(target.email);
    await stranger.page.getByLabel('Password').fill('not the password');
    await stranger.page.getByRole('button', { name: 'Sign in' }).click();
    await tab.page
      .locator('[data-testid="live-event"][data-type="login_failed"]')
      .first()
      .waitFor({ timeout: 15_000 });
    await shot(tab, 'live-feed', 'en');
    expectCleanPanel(tab);
  });

  it('a moderator sees no write actions, and a forged one answers 403', async () => {
    const tab = await panelTab(moderator);
    await openPanel(tab.page, `${t.url}/admin/resources/Users/records/${target.id}/show`);
    await tab.page.getByTestId('user-show').waitFor();
    await expect(tab.page.getByRole('link', { name: 'Assign role' }).count()).resolves.toBe(0);
    await expect(tab.page.getByRole('button', { name: 'Assign role' }).count()).resolves.toBe(0);
    await shot(tab, 'moderator-user', 'en');
    const status = await tab.page.evaluate(async (id) => {
      const page = globalThis as unknown as { document: { cookie: string } };
      const token = /XSRF-TOKEN=([^;]+)/.exec(page.document.cookie)?.[1] ?? '';
      const response = await fetch(`/admin/api/resources/Users/records/${id}/assignRole`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-xsrf-token': decodeURIComponent(token) },
        body: JSON.stringify({ role_id: 'role_admin' }),
      });
      return response.status;
    }, target.id);
    expect(status).toBe(403);
    expect(await t.db('UserRole').where({ user_id: target.id, role_id: 'role_admin' })).toHaveLength(0);
    expectCleanPanel(tab, [403]);
  });

  it('a person without backend:access is refused at sign-in', async () => {
    const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.user], twoFactor: false });
    const tab = await tabs.openTab({ locale: 'en-GB' });
    await signInToPanel(tab.page, t.url, person);
    await tab.page.getByTestId('admin-login').waitFor();
    await expect(tab.page.getByText('lacks backend:access').count()).resolves.toBe(1);
    await shot(tab, 'refused', 'en');
    expectCleanPanel(tab, [400]);
  });

  it('bad input is explained and changes nothing: a setting, an oversized field, a missing CSRF token', async () => {
    const tab = await panelTab(admin);
    await openPanel(
      tab.page,
      `${t.url}/admin/resources/Settings/records/security.session_ttl_hours/editValue`,
    );
    await tab.page.getByTestId('field-value').fill('0');
    await tab.page.getByTestId('action-submit').click();
    await tab.page.getByTestId('action-error').waitFor();
    await shot(tab, 'setting-error', 'en');
    expect(await t.db('Setting').where({ key: 'security.session_ttl_hours' })).toHaveLength(0);

    await openPanel(tab.page, `${t.url}/admin/resources/Users/records/${moderator.id}/ban`);
    await tab.page
      .getByTestId('field-reason')
      .evaluate((el) =>
        (el as unknown as { removeAttribute(name: string): void }).removeAttribute('maxlength'),
      );
    await tab.page.getByTestId('field-reason').fill('x'.repeat(600));
    await tab.page.getByTestId('action-submit').click();
    await tab.page.getByTestId('action-error').waitFor();
    expect(await t.db('UserBan').where({ user_id: moderator.id })).toHaveLength(0);

    await tab.page.context().clearCookies({ name: 'XSRF-TOKEN' });
    await openPanel(tab.page, `${t.url}/admin/resources/Users/records/${moderator.id}/ban`);
    await tab.page.context().clearCookies({ name: 'XSRF-TOKEN' });
    await tab.page.getByTestId('field-reason').fill('Forged');
    await tab.page.getByTestId('action-submit').click();
    await tab.page.getByTestId('action-error').waitFor();
    await expect(tab.page.getByTestId('action-error').innerText()).resolves.toContain('expired');
    expect(await t.db('UserBan').where({ user_id: moderator.id })).toHaveLength(0);
    expectCleanPanel(tab, [403]);
  });

  it('every page of the panel opens without errors (photographed)', async () => {
    const tab = await panelTab(admin, 'de-DE');
    for (const [name, url] of [
      ['users', '/admin/resources/Users'],
      ['roles', '/admin/resources/Roles'],
      ['permissions', '/admin/resources/Permissions'],
      ['api-keys', '/admin/resources/ApiKeys'],
      ['oauth-clients', '/admin/resources/OAuthClients'],
      ['settings', '/admin/resources/Settings'],
      ['platforms', '/admin/resources/Platforms'],
      ['gps', '/admin/resources/Gps'],
      ['gps-map', '/admin/pages/gpsMap'],
      ['explain', '/admin/pages/explain'],
      ['audit-export', '/admin/resources/AuditLog/actions/export'],
    ] as const) {
      await openPanel(tab.page, `${t.url}${url}`);
      await shot(tab, name, 'de');
    }
    await openPanel(tab.page, `${t.url}/admin/pages/explain`);
    await tab.page.getByTestId('explain-subject').fill(moderator.email);
    await tab.page.getByTestId('explain-permission').fill('users:write');
    await tab.page.getByTestId('explain-submit').click();
    await tab.page.getByTestId('explain-denied').waitFor();
    await shot(tab, 'explain-answer', 'de');
    expectCleanPanel(tab);
  });
});
