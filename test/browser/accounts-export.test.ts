import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from '@jest/globals';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, submit } from '../support/browser-pages.js';
import { useSmtpSink } from '../support/smtp.js';
import { fileSize } from '../../account/views/area-pages.js';
import { useAccountPages } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** The account area in Chromium (set up in accounts.ts): asking for a copy of one's data and downloading it. */
describeWithBrowser('Heimdall ID account pages in Chromium, English and German: exporting your data', () => {
  const { t, openTab, personSpeaking, signInToAccount } = useAccountPages(sink);

  it.each(LANGUAGES)(
    'in $lang: an export is requested, built, downloaded as a zip and listed in the history',
    async ({ lang, locale, m }) => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);
      await signInToAccount(tab, m, user);
      const e = m.area.export;

      // From the profile page, next to deleting the account.
      await page.getByRole('link', { name: m.area.nav.profile, exact: true }).click();
      await heading(page, m.area.nav.profile);
      await page.getByRole('link', { name: e.link, exact: true }).click();
      await heading(page, e.title);
      await expect(page.getByText(e.noHistory, { exact: true }).isVisible()).resolves.toBe(true);
      await snap(tab, 'account-export', lang);

      const asked = await submit(page, e.request, '/account/export');
      expect(asked.status()).toBe(303);
      await heading(page, e.title);
      await expect(page.locator('#latest-export').isVisible()).resolves.toBe(true);
      await snap(tab, 'account-export-requested', lang);

      // The job runs in the server's process; while it does, the page reloads itself (meta refresh).
      const [row] = await t.db('DataExport').where({ user_id: user.id });
      const download = page.getByRole('link', { name: /\.zip|ZIP|zip/ });
      await download.waitFor({ timeout: 60_000 });
      const done = await t.db('DataExport').where({ id: row.id }).first();
      expect(done.status).toBe('done');
      const size = Number(done.size_bytes);
      await expect(download.innerText()).resolves.toBe(e.download(fileSize(lang, size)));
      await expect(download.getAttribute('href')).resolves.toBe(`/account/export/${row.id}/download`);
      await expect(page.getByText(e.status.done, { exact: true }).isVisible()).resolves.toBe(true);
      // The history lists the export with its size and when the file goes.
      await expect(page.locator('table.history tbody tr').count()).resolves.toBe(1);
      await expect(page.locator('table.history').innerText()).resolves.toContain(e.availableUntil('').trim());
      await snap(tab, 'account-export-done', lang);

      // The download: the area checks the export is this person's, then the storage driver sends the zip.
      const dir = mkdtempSync(path.join(tmpdir(), 'heimdall-export-'));
      try {
        const [file] = await Promise.all([page.waitForEvent('download'), download.click()]);
        expect(file.suggestedFilename()).toMatch(/^heimdall-export-\d{4}-\d{2}-\d{2}\.zip$/);
        const saved = path.join(dir, 'export.zip');
        await file.saveAs(saved);
        const bytes = readFileSync(saved);
        expect(bytes.length).toBe(size);
        expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
        const listing = execFileSync('unzip', ['-l', saved], { encoding: 'utf8' });
        expect(listing).toContain('profile.json');
        expect(listing).toContain('README.md');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }

      expectClean(tab);
    },
  );
});
