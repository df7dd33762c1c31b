import { describe, expect, it } from '@jest/globals';
import { describeWithBrowser } from '../support/browser.js';
import { expectClean, heading, LANGUAGES, snap, submit } from '../support/browser-pages.js';
import { client } from '../support/oidc.js';
import { useSmtpSink } from '../support/smtp.js';
import {
  APP_NAME,
  LOCKOUT_SECONDS,
  MAX_FAILURES,
  POLICY_TITLES,
  STRONG,
  STRONGER,
  useAccountPages,
} from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/**
 * The account pages in Chromium (set up in accounts.ts): registration with the link from a real email, sign-in
 * failures and the lockout on the OpenID sign-in page, a forgotten password.
 */
describeWithBrowser(
  'Heimdall ID account pages in Chromium, English and German: registering and signing in',
  () => {
    const {
      t,
      openTab,
      newPerson,
      personSpeaking,
      thirdPartyApp,
      authorize,
      allowAndRedeem,
      fillSignIn,
      sessionToken,
    } = useAccountPages(sink);

    describe.each(LANGUAGES)('in $lang', ({ lang, locale, m }) => {
      it('registers, confirms the address with the link from the email, then signs in through an app', async () => {
        const tab = await openTab(locale);
        const { page } = tab;
        const who = newPerson();

        const res = await page.goto(`${t.url}/account/register`);
        expect(res?.status()).toBe(200);
        await expect(page.title()).resolves.toBe(`${m.register.title} · Heimdall ID`);
        await heading(page, m.register.title);
        await expect(page.getByText(m.register.usernameRules).isVisible()).resolves.toBe(true);
        await snap(tab, 'register', lang);

        // The terms and the privacy policy open real pages, in the same language.
        for (const kind of ['terms', 'privacy'] as const) {
          // The form's own link: the policy links at the foot of the page may bear the same name.
          const link = page.locator('main').getByRole('link', {
            name: kind === 'terms' ? m.register.termsLink : m.register.privacyLink,
            exact: true,
          });
          await expect(link.getAttribute('href')).resolves.toBe(`/policies/${kind}`);
          await Promise.all([page.waitForURL(`${t.url}/policies/${kind}`), link.click()]);
          await heading(page, POLICY_TITLES[lang][kind]);
          await expect(page.locator('p').count()).resolves.toBeGreaterThanOrEqual(3);
          await snap(tab, kind, lang);
          await page.goBack();
          await heading(page, m.register.title);
        }

        const username = page.getByLabel(m.common.username, { exact: true });
        const email = page.getByLabel(m.common.email, { exact: true });
        const password = page.getByLabel(m.common.password, { exact: true });
        const confirm = page.getByLabel(m.register.confirmPassword, { exact: true });
        await username.fill(who.username);
        await email.fill(who.email);
        await password.fill(STRONG);
        await confirm.fill(STRONG);

        // Without the terms ticked: refused, the reason under the checkbox; what was typed stays (not the passwords).
        const refused = await submit(page, m.register.submit, '/account/register');
        expect(refused.status()).toBe(422);
        await expect(page.locator('#terms-error').innerText()).resolves.toBe(m.errors.termsRequired);
        const terms = page.getByRole('checkbox', { name: m.register.terms });
        await expect(terms.getAttribute('aria-invalid')).resolves.toBe('true');
        await expect(username.inputValue()).resolves.toBe(who.username);
        await expect(email.inputValue()).resolves.toBe(who.email);
        await expect(password.inputValue()).resolves.toBe('');
        await snap(tab, 'register-error', lang);

        await password.fill(STRONG);
        await confirm.fill(STRONG);
        await terms.check();
        const registered = await submit(page, m.register.submit, '/account/register');
        expect(registered.status()).toBe(200);
        await heading(page, m.register.checkEmailTitle);
        await expect(page.getByRole('status').innerText()).resolves.toBe(m.register.checkEmail(who.email));
        await snap(tab, 'check-email', lang);

        // The email is in the person's language; its link confirms the address in the browser.
        const mail = await sink.waitFor({ to: who.email, subject: m.email.verifySubject }, 5000);
        const link = sink.linkIn(mail, '/account/verify');
        const verified = await page.goto(link);
        expect(verified?.status()).toBe(200);
        await heading(page, m.verify.doneTitle);
        await expect(page.getByRole('status').innerText()).resolves.toBe(m.verify.done);
        await snap(tab, 'verified', lang);

        const user = await t.db('User').where({ username: who.username }).first();
        expect(user.preferred_locale).toBe(lang);
        const account = await t
          .db('PlatformAccount')
          .where({ user_id: user.id, platform_id: 'email' })
          .first();
        expect(account.email_verified_at).toBeInstanceOf(Date);

        // The new account signs in to a third-party app: sign-in page → consent → the app's callback.
        const app = await thirdPartyApp();
        const a = await authorize(app);
        await page.goto(a.url);
        await heading(page, m.login.title);
        await expect(page.getByText(m.login.lead(APP_NAME)).isVisible()).resolves.toBe(true);
        await snap(tab, 'signin', lang);
        await fillSignIn(page, m, who.email, STRONG, '/login');
        await heading(page, m.consent.heading(APP_NAME));
        await expect(page.getByText(m.consent.lead(who.username, APP_NAME)).isVisible()).resolves.toBe(true);
        await snap(tab, 'consent', lang);
        const tokens = await allowAndRedeem(tab, m, a);
        expect(tokens.claims()!.sub).toBe(user.id);
        const info = await client.fetchUserInfo(a.config, tokens.access_token, user.id);
        expect(info).toMatchObject({
          preferred_username: who.username,
          email: who.email,
          email_verified: true,
        });

        expectClean(tab, [422]);
      });

      it('says why a sign-in failed: wrong password, or an address not confirmed yet (with a link to resend)', async () => {
        const tab = await openTab(locale);
        const { page } = tab;
        const user = await personSpeaking(lang);
        const unconfirmed = await personSpeaking(lang);
        await t.db('PlatformAccount').where({ user_id: unconfirmed.id }).update({ email_verified_at: null });
        const a = await authorize(await thirdPartyApp());

        await page.goto(a.url);
        await heading(page, m.login.title);
        const wrong = await fillSignIn(page, m, user.email, 'not the password', '/login');
        expect(wrong.status()).toBe(401);
        await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.invalid);
        await expect(page.getByLabel(m.common.email, { exact: true }).inputValue()).resolves.toBe(user.email);
        await expect(page.getByRole('link', { name: m.login.resend }).count()).resolves.toBe(0);
        await snap(tab, 'signin-error', lang);

        const early = await fillSignIn(page, m, unconfirmed.email, unconfirmed.password, '/login');
        expect(early.status()).toBe(403);
        await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.unverified);
        const resend = page.getByRole('link', { name: m.login.resend, exact: true });
        await expect(resend.getAttribute('href')).resolves.toBe(
          `/account/verify/resend?email=${encodeURIComponent(unconfirmed.email)}`,
        );
        await snap(tab, 'signin-unverified', lang);

        // The link leads to the resend form with the address filled in.
        await Promise.all([page.waitForURL(/\/account\/verify\/resend\?email=/), resend.click()]);
        await heading(page, m.verify.resendTitle);
        await expect(page.getByLabel(m.common.email, { exact: true }).inputValue()).resolves.toBe(
          unconfirmed.email,
        );
        await snap(tab, 'resend', lang);

        expectClean(tab, [401, 403]);
      });

      it(`locks the account after ${MAX_FAILURES} wrong passwords; then even the right one is refused`, async () => {
        const tab = await openTab(locale);
        const { page } = tab;
        const user = await personSpeaking(lang);
        const a = await authorize(await thirdPartyApp());
        await page.goto(a.url);

        for (let i = 1; i < MAX_FAILURES; i++) {
          const res = await fillSignIn(page, m, user.email, `wrong ${i}`, '/login');
          expect(res.status()).toBe(401);
          await expect(page.getByRole('alert').innerText()).resolves.toBe(m.login.invalid);
        }
        const locked = await fillSignIn(page, m, user.email, `wrong ${MAX_FAILURES}`, '/login');
        expect(locked.status()).toBe(429);
        expect(Number(locked.headers()['retry-after'])).toBeGreaterThan(0);
        const alert = page.getByRole('alert');
        const message = await alert.innerText();
        expect(message).toBe(m.lockout.account(LOCKOUT_SECONDS / 60));
        await heading(page, m.login.title);
        await snap(tab, 'lockout', lang);

        const right = await fillSignIn(page, m, user.email, user.password, '/login');
        expect(right.status()).toBe(429);
        await expect(page.getByRole('alert').innerText()).resolves.toBe(message);
        await heading(page, m.login.title);
        expect(page.url()).toContain('/oidc/interaction/');
        expect(await sessionToken(tab)).toBeUndefined();

        expectClean(tab, [401, 429]);
      });

      it('resets a forgotten password with the emailed link', async () => {
        const tab = await openTab(locale);
        const { page } = tab;
        const user = await personSpeaking(lang);

        await page.goto(`${t.url}/account/forgot`);
        await heading(page, m.forgot.title);
        await snap(tab, 'forgot', lang);
        await page.getByLabel(m.common.email, { exact: true }).fill(user.email);
        const sent = await submit(page, m.forgot.submit, '/account/forgot');
        expect(sent.status()).toBe(200);
        await expect(page.getByRole('status').innerText()).resolves.toBe(m.forgot.sent);
        await snap(tab, 'forgot-sent', lang);

        const mail = await sink.waitFor({ to: user.email, subject: m.email.resetSubject }, 5000);
        await page.goto(sink.linkIn(mail, '/account/reset'));
        await heading(page, m.reset.title);
        await snap(tab, 'reset', lang);
        await page.getByLabel(m.common.password, { exact: true }).fill(STRONGER);
        await page.getByLabel(m.register.confirmPassword, { exact: true }).fill(STRONGER);
        const done = await submit(page, m.reset.submit, '/account/reset');
        expect(done.status()).toBe(200);
        await heading(page, m.reset.doneTitle);
        await expect(page.getByRole('status').innerText()).resolves.toBe(m.reset.done);
        await snap(tab, 'reset-done', lang);

        expectClean(tab);
      });
    });
  },
);
