import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { BUILT_IN, FRAME } from '../../account/policies/content/index.js';
import { POLICY_LINK_LABELS } from '../../oidc/views/policy-footer.js';
import { POLICY_PAGES } from '../../schemas/policies.js';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, useTabs, type Lang } from '../support/browser-pages.js';
import { useOidcPlatform } from '../support/oidc.js';

/** The operator's terms, in both languages, replace the built-in page. */
const OPERATOR_TERMS: Record<Lang, string> = {
  en: 'Terms of Example Corp',
  de: 'Bedingungen der Example Corp',
};
const dir = mkdtempSync(path.join(tmpdir(), 'heimdall-policies-'));
writeFileSync(
  path.join(dir, 'terms.md'),
  `# ${OPERATOR_TERMS.en}\n\n1. Be kind.\n2. <b>No</b> raw HTML.\n\n| Rule | Since |\n|:--|--:|\n| kindness | 2026 |\n`,
);
writeFileSync(path.join(dir, 'terms.de.md'), `# ${OPERATOR_TERMS.de}\n\nSeien Sie freundlich.\n`);

const titleOf = (page: (typeof POLICY_PAGES)[number], lang: Lang) =>
  page === 'terms' ? OPERATOR_TERMS[lang] : BUILT_IN[page][lang].title;

/**
 * The policy pages in Chromium on a phone, in English and German (the browser's language): each renders without
 * a console error under the pages' CSP, the operator's markdown takes the place of a built-in page, and every
 * sign-in page links the policies at its foot. Screenshots: test-artifacts/screenshots/policy-<page>.<lang>.png.
 */
describeWithBrowser('policy pages in Chromium, English and German', () => {
  const t = useOidcPlatform({ HEIMDALL__POLICIES__DIR: dir });
  const tabs = useTabs(() => t.url);

  describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
    const other: Lang = lang === 'en' ? 'de' : 'en';

    it('shows every policy, and each one in the other language', async () => {
      const tab = await tabs.openTab({ locale });
      const { page } = tab;
      for (const name of POLICY_PAGES) {
        const res = await page.goto(`${t.url}/policies/${name}`);
        expect(res?.status()).toBe(200);
        await heading(page, titleOf(name, lang));
        await expect(page.title()).resolves.toBe(`${titleOf(name, lang)} · Heimdall ID`);
        await snap(tab, `policy-${name}`, lang);

        await Promise.all([
          page.waitForURL(`${t.url}/policies/${name}?lang=${other}`),
          page.getByRole('link', { name: FRAME[lang].otherLanguage, exact: true }).click(),
        ]);
        await heading(page, titleOf(name, other));
        await expect(page.locator('html').getAttribute('lang')).resolves.toBe(other);
      }
      expectClean(tab);
    });

    it("renders the operator's markdown as markdown, never as HTML", async () => {
      const tab = await tabs.openTab({ locale });
      const { page } = tab;
      await page.goto(`${t.url}/policies/terms?lang=en`);
      await heading(page, OPERATOR_TERMS.en);
      await expect(page.locator('article ol li').count()).resolves.toBe(2);
      await expect(page.locator('article b').count()).resolves.toBe(0);
      await expect(page.getByText('<b>No</b> raw HTML.').isVisible()).resolves.toBe(true);
      await expect(page.locator('article td').last().innerText()).resolves.toBe('2026');
      await snap(tab, 'policy-operator-terms', 'en');
      expectClean(tab);
    });

    it('lists the policies at /policies', async () => {
      const tab = await tabs.openTab({ locale });
      const { page } = tab;
      await page.goto(`${t.url}/policies`);
      await heading(page, FRAME[lang].index);
      for (const name of POLICY_PAGES)
        await expect(
          page.locator('main').getByRole('link', { name: BUILT_IN[name][lang].title }).count(),
        ).resolves.toBe(1);
      await snap(tab, 'policies', lang);
      expectClean(tab);
    });

    it('links every policy from the foot of the sign-in and registration pages', async () => {
      const tab = await tabs.openTab({ locale });
      const { page } = tab;
      const labels = POLICY_LINK_LABELS[lang];
      for (const [pathname, title] of [
        ['/account/login', m.area.signIn],
        ['/account/register', m.register.title],
      ] as const) {
        await page.goto(`${t.url}${pathname}`);
        await heading(page, title);
        const footer = page.getByRole('navigation', { name: labels.label });
        for (const name of POLICY_PAGES) {
          const link = footer.getByRole('link', { name: labels[name], exact: true });
          await expect(link.getAttribute('href')).resolves.toBe(`/policies/${name}?lang=${lang}`);
        }
      }
      await snap(tab, 'register-footer', lang);
      await Promise.all([
        page.waitForURL(`${t.url}/policies/privacy?lang=${lang}`),
        page
          .getByRole('navigation', { name: labels.label })
          .getByRole('link', { name: labels.privacy, exact: true })
          .click(),
      ]);
      await heading(page, BUILT_IN.privacy[lang].title);
      expectClean(tab);
    });
  });
});
