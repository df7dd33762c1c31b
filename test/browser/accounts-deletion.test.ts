import { expect, it } from '@jest/globals';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, submit } from '../support/browser-pages.js';
import { useSmtpSink } from '../support/smtp.js';
import { useAccountPages } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** The account area in Chromium (set up in accounts.ts): privacy mode, deleting the account and cancelling it. */
describeWithBrowser('Heimdall ID account pages in Chromium, English and German: deleting the account', () => {
  const { t, openTab, personSpeaking, fillSignIn, signInToAccount } = useAccountPages(sink);

  it.each(LANGUAGES)(
    'in $lang: privacy mode is saved; deletion is asked with the password, then cancelled',
    async ({ lang, locale, m }) => {
      const tab = await openTab(locale);
      const { page } = tab;
      const user = await personSpeaking(lang);
      await signInToAccount(tab, m, user);

      // Privacy mode, with the sentence that says what it hides.
      await page.getByRole('link', { name: m.area.nav.profile, exact: true }).click();
      await heading(page, m.area.nav.profile);
      await expect(page.locator('#privacy-hint').innerText()).resolves.toBe(m.area.profile.privacyHint);
      await page.getByLabel(m.area.profile.privacy, { exact: true }).check();
      await Promise.all([
        page.waitForURL(`${t.url}/account/profile?notice=saved`),
        page.getByRole('button', { name: m.area.profile.save, exact: true }).click(),
      ]);
      await expect(page.getByLabel(m.area.profile.privacy, { exact: true }).isChecked()).resolves.toBe(true);
      expect((await t.db('User').where({ id: user.id }).first()).privacy_mode).toBe(true);
      await snap(tab, 'account-profile-privacy', lang);

      // The deletion page, a wrong password, then the right one.
      await page.getByRole('link', { name: m.area.deletion.link, exact: true }).click();
      await heading(page, m.area.deletion.title);
      await expect(page.getByText(m.area.deletion.lead(30), { exact: true }).isVisible()).resolves.toBe(true);
      await snap(tab, 'account-delete', lang);
      const password = page.getByLabel(m.area.password.current, { exact: true });
      await password.fill('not the password');
      const wrong = await submit(page, m.area.deletion.submit, '/account/delete');
      expect(wrong.status()).toBe(422);
      await expect(page.locator('#password-error').innerText()).resolves.toBe(m.area.password.wrong);
      await expect(t.db('AccountDeletion').where({ user_id: user.id })).resolves.toEqual([]);
      await snap(tab, 'account-delete-wrong', lang);

      await password.fill(user.password);
      const asked = await submit(page, m.area.deletion.submit, '/account/delete');
      expect(asked.status()).toBe(200);
      const [row] = await t.db('AccountDeletion').where({ user_id: user.id });
      const day = (row.purge_after as Date).toLocaleDateString(locale, {
        dateStyle: 'long',
        timeZone: 'UTC',
      });
      await heading(page, m.area.deletion.doneTitle);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.area.deletion.scheduled(day));
      await snap(tab, 'account-delete-scheduled', lang);

      // Signed out everywhere: the link signs in again, and the area shows the notice with Cancel.
      await page.getByRole('link', { name: m.area.deletion.signInToCancel, exact: true }).click();
      await heading(page, m.area.signIn);
      await Promise.all([
        fillSignIn(page, m, user.email, user.password, '/account/login'),
        page.waitForURL(`${t.url}/account`),
      ]);
      const notice = page.locator('#deletion-scheduled');
      await expect(notice.locator('p').innerText()).resolves.toBe(m.area.deletion.scheduled(day));
      await snap(tab, 'account-deletion-notice', lang);
      await Promise.all([
        page.waitForURL(`${t.url}/account?notice=kept`),
        notice.getByRole('button', { name: m.area.deletion.cancel, exact: true }).click(),
      ]);
      await expect(page.getByRole('status').innerText()).resolves.toBe(m.area.deletion.cancelled);
      await expect(notice.count()).resolves.toBe(0);
      await expect(t.db('AccountDeletion').where({ user_id: user.id })).resolves.toEqual([]);
      await snap(tab, 'account-deletion-cancelled', lang);

      expectClean(tab, [422]);
    },
  );
});
