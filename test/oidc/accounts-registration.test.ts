import { describe, expect, it } from '@jest/globals';
import { de } from '../../core/i18n/de.js';
import { en } from '../../core/i18n/en.js';
import { createOAuthClient, createPasswordUser, forms } from '../support/oidc.js';
import { useSmtpSink } from '../support/smtp.js';
import { MIN_PASSWORD, STRONG, Visitor, text, useAccountsPlatform } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** Accounts through real email, set up in accounts.ts: registration and email verification. */
describe('Heimdall ID accounts: registration and email verification', () => {
  const { t, newPerson, register, signInOnce, signInToApp, auditEvents, expectNoNewMail } =
    useAccountsPlatform(sink);

  it('register → verification email (text + HTML, English) → unverified sign-in refused → verify once → sign in through an app', async () => {
    const who = newPerson();
    const visitor = new Visitor(t.url);
    const page = await visitor.request('/account/register');
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain(text(en.register.title));
    expect(page.body).toContain('href="/policies/terms"');

    const registered = await register(visitor, who);
    expect(registered.status).toBe(200);
    expect(registered.body).toContain(text(en.register.checkEmailTitle));
    expect(registered.body).toContain(text(en.register.checkEmail(who.email)));

    const mail = await sink.waitFor({ to: who.email, subject: en.email.verifySubject }, 5000);
    expect(mail.parsed.from?.text).toContain('Heimdall');
    expect(mail.text).toContain(en.email.greeting(who.username));
    expect(mail.text).toContain(en.email.verifyBody);
    expect(mail.text).toContain(en.email.verifyExpiry(24));
    const link = sink.linkIn(mail, '/account/verify');
    expect(link.startsWith(`${t.url}/account/verify?token=hv_`)).toBe(true);
    expect(mail.html).toBeDefined();
    expect(mail.html).toContain('lang="en"');
    expect(mail.html).toContain(text(en.email.verifyButton));
    expect(mail.html).toContain(`href="${text(link)}"`);

    const user = await t.db('User').where({ username: who.username }).first();
    expect(user).toMatchObject({ preferred_locale: 'en' });
    expect(await t.db('UserRole').where({ user_id: user.id }).pluck('role_id')).toEqual(['role_user']);
    const account = await t.db('PlatformAccount').where({ user_id: user.id, platform_id: 'email' }).first();
    expect(account).toMatchObject({ email: who.email, email_verified_at: null });
    expect(account.password_hash).toMatch(/^\$argon2id\$/);

    // Before the address is confirmed, an app's sign-in is refused with a clear message and a resend link.
    const app = await createOAuthClient(t.db, { firstParty: true });
    const early = await signInOnce(app, { email: who.email, password: STRONG });
    expect(early.status).toBe(403);
    expect(early.redirectedTo).toBeUndefined();
    expect(early.body).toContain(text(en.login.unverified));
    expect(early.body).toContain(`/account/verify/resend?email=${encodeURIComponent(who.email)}`);

    // The link from the email confirms the address, once.
    const confirmed = await new Visitor(t.url).request(link);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain(text(en.verify.doneTitle));
    expect(confirmed.body).toContain(text(en.verify.done));
    const again = await new Visitor(t.url).request(link);
    expect(again.status).toBe(410);
    expect(again.body).toContain(text(en.errors.linkInvalid));
    expect(again.body).toContain('href="/account/verify/resend"');
    const verified = await t.db('PlatformAccount').where({ id: account.id }).first();
    expect(verified.email_verified_at).toBeInstanceOf(Date);

    // Now the app signs the person in (code flow with PKCE; first-party, so no consent page).
    const { claims, info } = await signInToApp(app, { email: who.email, password: STRONG });
    expect(claims.sub).toBe(user.id);
    expect(info).toMatchObject({
      sub: user.id,
      preferred_username: who.username,
      email: who.email,
      email_verified: true,
    });

    const created = await auditEvents(user.id, 'user_created');
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ actor_id: user.id, source_service: 'id', ip_address: '127.0.0.1' });
    expect(created[0].metadata).toMatchObject({ via: 'registration', terms_accepted: true });
    expect(await auditEvents(user.id, 'login')).toHaveLength(1);
  });

  it('speaks German to a German browser, and keeps writing German to that person afterwards', async () => {
    const who = newPerson();
    const visitor = new Visitor(t.url, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    const page = await visitor.request('/account/register');
    expect(page.body).toContain('<html lang="de">');
    expect(page.body).toContain(text(de.register.title));

    const registered = await register(visitor, who);
    expect(registered.status).toBe(200);
    expect(registered.body).toContain(text(de.register.checkEmailTitle));
    expect(registered.body).toContain(text(de.register.checkEmail(who.email)));

    const mail = await sink.waitFor({ to: who.email, subject: de.email.verifySubject }, 5000);
    expect(mail.text).toContain(de.email.greeting(who.username));
    expect(mail.text).toContain(de.email.verifyBody);
    expect(mail.html).toContain('lang="de"');
    expect(mail.html).toContain(text(de.email.verifyButton));
    const confirmed = await visitor.request(sink.linkIn(mail, '/account/verify'));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toContain(text(de.verify.doneTitle));

    const user = await t.db('User').where({ username: who.username }).first();
    expect(user.preferred_locale).toBe('de');
    // Asked from an English browser: the page is English, the email follows the person's own language.
    const before = sink.messages.length;
    const forgot = await new Visitor(t.url).submit('/account/forgot', { email: who.email });
    expect(forgot.status).toBe(200);
    expect(forgot.body).toContain(text(en.forgot.sent));
    const reset = await sink.waitFor({ to: who.email, subject: de.email.resetSubject }, 5000, {
      after: before,
    });
    expect(reset.text).toContain(de.email.resetBody);
    expect(reset.text).toContain(de.email.resetExpiry(60));
  });

  it('refuses invalid registrations with the reason next to the field, creating nothing and sending nothing', async () => {
    const existing = await createPasswordUser(t.db);
    const before = sink.messages.length;
    const cases: {
      name: string;
      options: Parameters<typeof register>[2];
      who?: { username: string; email: string };
      field: string;
      message: string;
    }[] = [
      {
        name: 'weak',
        options: { password: 'password1234' },
        field: 'password',
        message: en.errors.passwordWeak,
      },
      {
        name: 'short',
        options: { password: 'Xq7#pLz' },
        field: 'password',
        message: en.errors.passwordShort(MIN_PASSWORD),
      },
      {
        name: 'mismatch',
        options: { confirm: `${STRONG}!` },
        field: 'password',
        message: en.errors.passwordMismatch,
      },
      { name: 'no terms', options: { terms: false }, field: 'terms', message: en.errors.termsRequired },
      {
        name: 'taken username',
        options: {},
        who: { username: existing.username, email: `${newPerson().username}@example.test` },
        field: 'username',
        message: en.errors.usernameTaken,
      },
      {
        name: 'bad username',
        options: {},
        who: { username: '-x', email: `${newPerson().username}@example.test` },
        field: 'username',
        message: en.errors.usernameInvalid,
      },
      {
        name: 'bad email',
        options: {},
        who: { username: newPerson().username, email: 'not-an-address' },
        field: 'email',
        message: en.errors.emailInvalid,
      },
    ];
    const tried: string[] = [];
    for (const c of cases) {
      const who = c.who ?? newPerson();
      tried.push(who.username);
      const res = await register(new Visitor(t.url), who, c.options);
      expect([c.name, res.status]).toEqual([c.name, 422]);
      expect(res.body).toContain(`<p class="field-error" id="${c.field}-error">${text(c.message)}</p>`);
      expect(res.body).toMatch(new RegExp(`id="${c.field}"[^>]*aria-invalid="true"`));
      // What was typed comes back, except the passwords.
      expect(res.body).toContain(`value="${text(who.email)}"`);
      expect(res.body).not.toContain(text(c.options?.password ?? STRONG));
    }

    // A forged or missing CSRF token: 403, nothing done.
    const forged = newPerson();
    tried.push(forged.username);
    const visitor = new Visitor(t.url);
    const noToken = await register(visitor, forged, { fill: { csrf: 'forged' } });
    expect(noToken.status).toBe(403);
    expect(noToken.body).toContain(text(en.errors.csrf));
    // A real token, but from another visitor's page (another CSRF cookie).
    const page = await new Visitor(t.url).request('/account/register');
    const foreign = forms(page.body, t.url)[0]!.fields.csrf!;
    const crossSite = await register(visitor, forged, { fill: { csrf: foreign } });
    expect(crossSite.status).toBe(403);

    const attempted = tried.filter((u) => u !== existing.username);
    expect(await t.db('User').whereIn('username', attempted).count('* as n')).toEqual([{ n: 0 }]);
    expect(await t.db('User').where({ username: existing.username }).count('* as n')).toEqual([{ n: 1 }]);
    await expectNoNewMail(before);
  });

  it('does not tell whether an address has an account: register, resend and forgot answer alike', async () => {
    const existing = await createPasswordUser(t.db);
    const before = sink.messages.length;
    const mask = (body: string, email: string) => body.replaceAll(text(email), 'EMAIL');

    // Registering a taken address looks exactly like registering a new one…
    const fresh = newPerson();
    const newcomer = await register(new Visitor(t.url), fresh);
    const squatter = newPerson();
    const taken = await register(new Visitor(t.url), { username: squatter.username, email: existing.email });
    expect(taken.status).toBe(newcomer.status);
    expect(mask(taken.body, existing.email)).toBe(mask(newcomer.body, fresh.email));
    // …but only the new address gets an email; the owner of the taken one is not bothered, and no account is made.
    await sink.waitFor({ to: fresh.email, subject: en.email.verifySubject }, 5000, { after: before });
    await expectNoNewMail(before + 1);
    expect(await t.db('User').where({ username: squatter.username }).first()).toBeUndefined();

    // Forgotten password: same page for a known and an unknown address; only the known one gets a link.
    const unknown = `${newPerson().username}@example.test`;
    const visitor = new Visitor(t.url);
    const known = await visitor.submit('/account/forgot', { email: existing.email });
    const nobody = await visitor.submit('/account/forgot', { email: unknown });
    expect(known.status).toBe(200);
    expect(nobody.status).toBe(200);
    expect(mask(nobody.body, unknown)).toBe(mask(known.body, existing.email));
    expect(known.body).toContain(text(en.forgot.sent));
    const reset = await sink.waitFor({ to: existing.email, subject: en.email.resetSubject }, 5000, {
      after: before + 1,
    });
    expect(sink.linkIn(reset, '/account/reset')).toContain('token=hr_');
    await expectNoNewMail(before + 2);
    expect(sink.to(unknown)).toEqual([]);

    // Resending a confirmation link: same page for a verified, an unknown and an unverified address.
    const resent: { status: number; body: string }[] = [];
    for (const email of [existing.email, unknown, fresh.email]) {
      const res = await visitor.submit('/account/verify/resend', { email });
      resent.push({ status: res.status, body: mask(res.body, email) });
    }
    expect(resent[0]!.status).toBe(200);
    expect(resent[1]).toEqual(resent[0]);
    expect(resent[2]).toEqual(resent[0]);
    expect(resent[0]!.body).toContain(text(en.verify.resent));
    // Only the unverified account is sent a new link.
    await sink.waitFor({ to: fresh.email, subject: en.email.verifySubject }, 5000, { after: before + 2 });
    await expectNoNewMail(before + 3);
  });
});
