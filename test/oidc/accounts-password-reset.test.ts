import { describe, expect, it } from '@jest/globals';
import { hashSecret } from '../../core/auth/secret-token.js';
import { en } from '../../core/i18n/en.js';
import { call } from '../support/fixtures.js';
import { client, createOAuthClient, createPasswordUser, forms, Person } from '../support/oidc.js';
import { useSmtpSink } from '../support/smtp.js';
import { STRONG, STRONGER, Visitor, text, useAccountsPlatform } from './accounts.js';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** Accounts through real email, set up in accounts.ts: password reset, and links that expired. */
describe('Heimdall ID accounts: password reset, and links that expired', () => {
  const { t, newPerson, register, authorize, signInOnce, signInToApp, auditEvents, tokenOf } =
    useAccountsPlatform(sink);

  it('password reset by emailed link: weak password refused, sessions ended, old password dead, link single-use', async () => {
    const user = await createPasswordUser(t.db);
    const app = await createOAuthClient(t.db, { firstParty: true });
    // A session from before the reset (someone else could be holding it).
    const holder = new Person(t.url);
    const before = await authorize(app);
    const signedIn = await holder.signIn(before.url, app.redirectUri, user);
    expect(signedIn.callback).toContain('code=');
    // …and an app holding tokens (first-party clients get a refresh token without prompt=consent).
    const appTokens = await client.authorizationCodeGrant(before.config, new URL(signedIn.callback!), {
      pkceCodeVerifier: before.verifier,
      expectedState: before.state,
    });
    expect(appTokens.refresh_token).toBeDefined();
    const oldSession = holder.cookie('id.session-token')!;
    expect(oldSession).toMatch(/^hs_/);
    expect(
      (await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: oldSession } })).status,
    ).toBe(200);

    const visitor = new Visitor(t.url);
    const forgot = await visitor.submit('/account/forgot', { email: user.email });
    expect(forgot.status).toBe(200);
    expect(forgot.body).toContain(text(en.forgot.sent));
    const mail = await sink.waitFor({ to: user.email, subject: en.email.resetSubject }, 5000);
    expect(mail.text).toContain(en.email.resetBody);
    expect(mail.text).toContain(en.email.resetExpiry(60));
    expect(mail.html).toContain(text(en.email.resetButton));
    const link = sink.linkIn(mail, '/account/reset');
    expect(mail.html).toContain(`href="${text(link)}"`);

    // The link opens the form (the token rides along hidden); a weak password is refused, the link stays good.
    const formPage = await visitor.request(link);
    expect(formPage.status).toBe(200);
    expect(formPage.body).toContain(text(en.reset.title));
    const [form] = forms(formPage.body, t.url);
    expect(form!.fields.token).toBe(tokenOf(link));
    const weak = await visitor.request(form!.action, {
      ...form!.fields,
      password: 'password1234',
      confirm: 'password1234',
    });
    expect(weak.status).toBe(422);
    expect(weak.body).toContain(text(en.errors.passwordWeak));
    const [retry] = forms(weak.body, t.url);
    expect(retry!.fields.token).toBe(tokenOf(link));
    const done = await visitor.request(retry!.action, {
      ...retry!.fields,
      password: STRONGER,
      confirm: STRONGER,
    });
    expect(done.status).toBe(200);
    expect(done.body).toContain(text(en.reset.doneTitle));
    expect(done.body).toContain(text(en.reset.done));

    expect(await auditEvents(user.id, 'password_reset_requested')).toHaveLength(1);
    const changed = await auditEvents(user.id, 'password_changed');
    expect(changed).toHaveLength(1);
    expect(changed[0].metadata).toMatchObject({ via: 'reset', sessions_ended: 1 });

    // Apps lose their grants: the refresh token from before the reset is refused.
    await expect(client.refreshTokenGrant(before.config, appTokens.refresh_token!)).rejects.toMatchObject({
      error: 'invalid_grant',
    });

    // The session from before is dead everywhere.
    const dead = await call(t.url, 'POST', '/v1/auth/session', { body: { session_token: oldSession } });
    expect([dead.status, dead.body.error.code]).toEqual([401, 'auth.invalid_session']);
    const back = await holder.follow((await authorize(app)).url, app.redirectUri);
    expect(back.redirectedTo).toBeUndefined();
    expect(forms(back.body, t.url).some((f) => f.action.endsWith('/login'))).toBe(true);

    // The old password no longer signs in; the new one does.
    const old = await signInOnce(app, { email: user.email, password: user.password });
    expect(old.status).toBe(401);
    expect(old.body).toContain(text(en.login.invalid));
    const { claims } = await signInToApp(app, { email: user.email, password: STRONGER });
    expect(claims.sub).toBe(user.id);

    // The link is spent: neither the page nor the form takes it again.
    const reopened = await new Visitor(t.url).request(link);
    expect(reopened.status).toBe(410);
    expect(reopened.body).toContain(text(en.errors.linkInvalid));
    const replay = await visitor.request(retry!.action, {
      ...retry!.fields,
      password: STRONG,
      confirm: STRONG,
    });
    expect(replay.status).toBe(410);
    expect(replay.body).toContain(text(en.errors.linkInvalid));

    // And the person is told.
    const notice = await sink.waitFor({ to: user.email, subject: en.email.changedSubject }, 5000);
    expect(notice.text).toContain(en.email.changedBody);
    expect(notice.text).toContain(en.email.changedWarning);
    expect(notice.html).toContain(text(en.email.changedWarning));
  });

  it('an expired link is refused (410) for both verification and reset, and changes nothing', async () => {
    const expire = async (link: string) => {
      const updated = await t
        .db('AccountToken')
        .where({ token_hash: hashSecret(tokenOf(link)) })
        .update({ expires_at: t.db.raw(`now() - interval '1 minute'`) });
      expect(updated).toBe(1);
    };

    const who = newPerson();
    expect((await register(new Visitor(t.url), who)).status).toBe(200);
    const verification = await sink.waitFor({ to: who.email, subject: en.email.verifySubject }, 5000);
    const verifyLink = sink.linkIn(verification, '/account/verify');
    await expire(verifyLink);
    const late = await new Visitor(t.url).request(verifyLink);
    expect(late.status).toBe(410);
    expect(late.body).toContain(text(en.errors.linkInvalid));
    const account = await t.db('PlatformAccount').where({ platform_id: 'email', email: who.email }).first();
    expect(account.email_verified_at).toBeNull();

    const user = await createPasswordUser(t.db);
    const visitor = new Visitor(t.url);
    expect((await visitor.submit('/account/forgot', { email: user.email })).status).toBe(200);
    const reset = await sink.waitFor({ to: user.email, subject: en.email.resetSubject }, 5000);
    const resetLink = sink.linkIn(reset, '/account/reset');
    const page = await visitor.request(resetLink);
    expect(page.status).toBe(200);
    const [form] = forms(page.body, t.url);
    const hashBefore = (await t.db('PlatformAccount').where({ email: user.email }).first()).password_hash;
    await expire(resetLink);
    expect((await new Visitor(t.url).request(resetLink)).status).toBe(410);
    const submitted = await visitor.request(form!.action, {
      ...form!.fields,
      password: STRONGER,
      confirm: STRONGER,
    });
    expect(submitted.status).toBe(410);
    expect(submitted.body).toContain(text(en.errors.linkInvalid));
    const hashAfter = (await t.db('PlatformAccount').where({ email: user.email }).first()).password_hash;
    expect(hashAfter).toBe(hashBefore);
  });
});
