import { mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect } from '@jest/globals';
import type { Browser, BrowserContext, Page, Response as PageResponse } from 'playwright-core';
import { de } from '../../core/i18n/de.js';
import { en, type Messages } from '../../core/i18n/en.js';
import { launchBrowser } from './browser.js';

/**
 * What the page suites share: a phone-sized tab per person that records what went wrong on its pages (console
 * errors, CSP violations included; our pages served without our CSP), and screenshots in both languages kept as
 * artifacts under test-artifacts/screenshots (git-ignored).
 */
export const SHOTS = path.resolve('test-artifacts', 'screenshots');
/** Pages are viewed (and photographed) at a phone's size: they must be usable on one. */
export const PHONE = { width: 390, height: 844 };

export type Lang = 'en' | 'de';
export const LANGUAGES: { lang: Lang; locale: string; m: Messages }[] = [
  { lang: 'en', locale: 'en-GB', m: en },
  { lang: 'de', locale: 'de-DE', m: de },
];

/** A browser tab of its own context (cookies, language), with what went wrong on its pages. */
export interface Tab {
  context: BrowserContext;
  page: Page;
  /** Console errors (CSP violations included) and uncaught page errors. */
  problems: string[];
  /** Our HTML pages (error pages included, redirects not) that came without our Content-Security-Policy. */
  noCsp: string[];
}

export async function openPageTab(
  browser: Browser,
  baseUrl: string,
  options: { locale: string; userAgent?: string; acceptDownloads?: boolean },
): Promise<Tab> {
  const context = await browser.newContext({
    locale: options.locale,
    viewport: PHONE,
    ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    ...(options.acceptDownloads ? { acceptDownloads: true } : {}),
  });
  const page = await context.newPage();
  const tab: Tab = { context, page, problems: [], noCsp: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') tab.problems.push(`${msg.text()} [${msg.location().url}]`);
  });
  page.on('pageerror', (err) => tab.problems.push(err.message));
  page.on('response', (res: PageResponse) => {
    if (
      res.request().resourceType() === 'document' &&
      res.url().startsWith(baseUrl) &&
      (res.status() < 300 || res.status() >= 400) &&
      !res.headers()['content-security-policy']?.includes("default-src 'none'")
    ) {
      tab.noCsp.push(res.url());
    }
  });
  return tab;
}

/**
 * No console errors and every page under our CSP. Chromium reports a page answered with an error status as a
 * failed resource: only the statuses the test expects are let through.
 */
export function expectClean(tab: Tab, expectedStatuses: number[] = []): void {
  const unexpected = tab.problems.filter((p) => {
    const status = /^Failed to load resource: the server responded with a status of (\d{3})/.exec(p)?.[1];
    return !(status && expectedStatuses.includes(Number(status)));
  });
  expect(unexpected).toEqual([]);
  expect(tab.noCsp).toEqual([]);
}

/** The page is in `lang` (<html lang>) and fits the phone's width; then a full-page screenshot of it. */
export async function snap(tab: Tab, name: string, lang: Lang): Promise<void> {
  await expect(tab.page.locator('html').getAttribute('lang')).resolves.toBe(lang);
  await expect(
    tab.page.evaluate<boolean>('document.documentElement.scrollWidth <= window.innerWidth'),
  ).resolves.toBe(true);
  mkdirSync(SHOTS, { recursive: true });
  await tab.page.screenshot({ path: path.join(SHOTS, `${name}.${lang}.png`), fullPage: true });
}

/** Waits for the page's one <h1> named `name`. */
export const heading = (page: Page, name: string) =>
  page.getByRole('heading', { level: 1, name, exact: true }).waitFor();

/** Clicks the submit button and answers the response to the form's POST. */
export async function submit(page: Page, button: string, pathEnd: string): Promise<PageResponse> {
  const [response] = await Promise.all([
    page.waitForResponse(
      (res) => res.request().method() === 'POST' && new URL(res.url()).pathname.endsWith(pathEnd),
    ),
    page.getByRole('button', { name: button, exact: true }).click(),
  ]);
  await page.waitForLoadState();
  return response;
}

/**
 * The relying party's redirect URI for a suite: a local server that answers 200 "done" and remembers the
 * callback URLs it was called with. Read `base` inside tests.
 */
export function useAppCallback(): { readonly base: string; readonly calls: string[] } {
  let server: Server | undefined;
  let base = '';
  const calls: string[] = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/callback')) calls.push(`${base}${req.url}`);
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('done');
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server!.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));
  return {
    get base() {
      return base;
    },
    calls,
  };
}

/** One Chromium for a suite; `openTab` gives each person a fresh context, all closed after each test. */
export function useTabs(baseUrl: () => string) {
  let browser: Browser | undefined;
  const open: BrowserContext[] = [];
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    async openTab(options: { locale: string; userAgent?: string; acceptDownloads?: boolean }): Promise<Tab> {
      const tab = await openPageTab(browser!, baseUrl(), options);
      open.push(tab.context);
      return tab;
    },
  };
}
