import { describe, expect, it } from '@jest/globals';
import { hashSecret } from '../../core/auth/secret-token.js';
import { de } from '../../core/i18n/de.js';
import { en } from '../../core/i18n/en.js';
import { escapeHtml } from '../../core/shared/html.js';
import { call } from '../support/fixtures.js';
import {
  authorizationRequest,
  client,
  createOAuthClient,
  createPasswordUser,
  forms,
  Person,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';
import { uniqueName } from '../support/services.js';
import { useSmtpSink, type ReceivedMail } from '../support/smtp.js';

/**
 * Accounts with email and password (issue 7), end to end: the platform sends real email over SMTP to a sink;
 * the tests read the messages (text and HTML parts) and follow their links like a person would, then sign in
 * through an OpenID client (openid-client, code flow with PKCE).
 */
const EMAILS_PER_HOUR = 3;
const MIN_PASSWORD = 12;
const STRONG = 'violet anchor drizzle mango 47';
const STRONGER = 'quartz lantern hedgehog tundra 83';

// The sink must listen before the platform is configured: its URL goes into the platform's config.
const sink = await useSmtpSink();

/** A browser-like visitor of the account pages: keeps cookies, may send an Accept-Language. */
class Visitor {
  private cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(pathOrUrl: string, form?: Record<string, string>) {
    const res = await fetch(new URL(pathOrUrl, this.baseUrl), {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      this.cookies.set(pair!.slice(0, eq).trim(), pair!.slice(eq + 1).trim());
    }
    return { status: res.status, body: await res.text() };
  }

  /** Opens the page, fills its (only) form over the prefilled and hidden fields, and submits it. */
  async submit(pagePath: string, fill: Record<string, string>, drop: string[] = []) {
    const page = await this.request(pagePath);
    expect(page.status).toBe(200);
    const [form] = forms(page.body, this.baseUrl);
    const fields = { ...form!.fields, ...fill };
    for (const name of drop) delete fields[name];
    return { ...(await this.request(form!.action, fields)), form: form! };
  }
}

const text = (s: string) => escapeHtml(s);

describe('Heimdall ID accounts: registration, email verification, password reset', () => {
  const t = useOidcPlatform({
    HEIMDALL__EMAIL__SMTP_URL: sink.url,
    HEIMDALL__ACCOUNTS__EMAILS_PER_HOUR: String(EMAILS_PER_HOUR),
    HEIMDALL__ACCOUNTS__MIN_PASSWORD_LENGTH: String(MIN_PASSWORD),
  });

  const newPerson = () => {
    const username = uniqueName('reg').replaceAll('_', '-').slice(0, 30);
    return { username, email: `${username}@example.test` };
  };

  function register(
    visitor: Visitor,
    who: { username: string; email: string },
    options: { password?: string; confirm?: string; terms?: boolean; fill?: Record<string, string> } = {},
  ) {
    const password = options.password ?? STRONG;
    return visitor.submit(
      '/account/register',
      { ...who, password, confirm: options.confirm ?? password, ...options.fill },
      // The page's checkbox carries value="yes": leaving it unticked means not sending it.
      options.terms === false ? ['terms'] : [],
    );
  }

  const authorize = (c: TestClient) => authorizationRequest(t.url, c, { scope: 'openid profile email' });

  /** One sign-in attempt through an OpenID client (exactly one password submission, no retries). */
  async function signInOnce(c: TestClient, credentials: { email: string; password: string }) {
    const a = await authorize(c);
    const person = new Person(t.url);
    const page = await person.follow(a.url, c.redirectUri);
    const login = forms(page.body, t.url).find((f) => f.action.endsWith('/login'));
    expect(login).toBeDefined();
    const result = await person.follow(login!.action, c.redirectUri, {
      form: { ...login!.fields, email: credentials.email, password: credentials.password },
    });
    return { ...result, a, person };
  }

  /** Signs in and redeems the code: the relying party's view of a successful sign-in. */
  async function signInToApp(c: TestClient, credentials: { email: string; password: string }) {
    const attempt = await signInOnce(c, credentials);
    expect(attempt.redirectedTo).toContain('code=');
    const tokens = await client.authorizationCodeGrant(attempt.a.config, new URL(attempt.redirectedTo!), {
      pkceCodeVerifier: attempt.a.verifier,
      expectedState: attempt.a.state,
    });
    const claims = tokens.claims()!;
    const info = await client.fetchUserInfo(attempt.a.config, tokens.access_token, claims.sub);
    return { claims, info };
  }

  async function auditEvents(userId: string, type: string) {
    await t.platform.services.audit.flush();
    return t.platform.databases.audit('AuditEvent').where({ user_id: userId, event_type: type });
  }

  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

  /** Nothing more arrives: emails are sent before the page answers, the grace period only guards against that changing. */
  async function expectNoNewMail(since: number) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(sink.messages.slice(since).map((m) => `${m.to.join(',')}: ${m.subject}`)).toEqual([]);
  }

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

  it(`sends at most ${EMAILS_PER_HOUR} emails per address per hour, refusing known and unknown addresses alike`, async () => {
    const known = await createPasswordUser(t.db);
    const unknown = `${newPerson().username}@example.test`;
    const visitor = new Visitor(t.url);
    const forgot = async (email: string) => {
      const res = await visitor.submit('/account/forgot', { email });
      return { status: res.status, body: res.body.replaceAll(text(email), 'EMAIL') };
    };

    for (let i = 1; i <= EMAILS_PER_HOUR; i++) {
      expect(await forgot(known.email)).toMatchObject({ status: 200 });
      expect(await forgot(unknown)).toMatchObject({ status: 200 });
      await sink.waitFor(() => sink.to(known.email).length >= i, 5000);
    }
    const before = sink.messages.length;
    const overKnown = await forgot(known.email);
    const overUnknown = await forgot(unknown);
    expect(overKnown.status).toBe(429);
    expect(overKnown.body).toContain(text(en.errors.tooManyEmails));
    expect(overUnknown).toEqual(overKnown);
    // The count is per address whatever its spelling.
    expect((await forgot(known.email.toUpperCase())).status).toBe(429);
    await expectNoNewMail(before);

    // Each new link voids the previous one.
    const links = sink.to(known.email).map((m: ReceivedMail) => sink.linkIn(m, '/account/reset'));
    expect(links).toHaveLength(EMAILS_PER_HOUR);
    expect((await new Visitor(t.url).request(links[0]!)).status).toBe(410);
    expect((await new Visitor(t.url).request(links.at(-1)!)).status).toBe(200);

    // Resending the confirmation link counts the registration's email too: after it, N-1 more.
    const who = newPerson();
    expect((await register(new Visitor(t.url), who)).status).toBe(200);
    const first = await sink.waitFor({ to: who.email, subject: en.email.verifySubject }, 5000);
    const resend = (email: string) =>
      visitor.submit(`/account/verify/resend?email=${encodeURIComponent(email)}`, {});
    for (let i = 2; i <= EMAILS_PER_HOUR; i++) {
      const res = await resend(who.email);
      expect(res.status).toBe(200);
      expect(res.form.fields.email).toBe(who.email); // prefilled from the sign-in page's link
    }
    await sink.waitFor(() => sink.to(who.email).length === EMAILS_PER_HOUR, 5000);
    const refused = await resend(who.email);
    expect(refused.status).toBe(429);
    expect(refused.body).toContain(text(en.errors.tooManyEmails));
    // The first link was voided by the later ones; the newest one works.
    expect((await new Visitor(t.url).request(sink.linkIn(first, '/account/verify'))).status).toBe(410);
    const newest = sink.to(who.email).at(-1)!;
    expect((await new Visitor(t.url).request(sink.linkIn(newest, '/account/verify'))).status).toBe(200);

    const stranger = `${newPerson().username}@example.test`;
    for (let i = 1; i <= EMAILS_PER_HOUR; i++) expect((await resend(stranger)).status).toBe(200);
    const strangerRefused = await resend(stranger);
    expect(strangerRefused.status).toBe(429);
    expect(strangerRefused.body.replaceAll(text(stranger), 'EMAIL')).toBe(
      refused.body.replaceAll(text(who.email), 'EMAIL'),
    );
    expect(sink.to(stranger)).toEqual([]);
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
