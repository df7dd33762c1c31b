import { describe, expect, it } from '@jest/globals';
import { totpCode } from '../../core/two-factor/totp.js';
import { call } from '../support/fixtures.js';
import { capturingLogger, setupLinksIn } from '../support/log-capture.js';
import { createPasswordUser, forms, Person, useOidcPlatform } from '../support/oidc.js';

const STRONG = 'violet anchor drizzle mango 47';

/** The start page and the first run: a fresh database, the setup link in the log, the first administrator. */
describe('first run and start page', () => {
  const log = capturingLogger();
  const t = useOidcPlatform({}, ['api', 'admin', 'realtime'], { logger: log.logger });
  const path = (link: string) => new URL(link).pathname;
  /** The browser of the first administrator, signed in by the setup page. */
  let firstAdmin: Person | undefined;

  const openSetup = async (person: Person, link: string) => {
    const page = await person.request(`${t.url}${path(link)}`);
    expect(page.status).toBe(200);
    const form = forms(page.body, t.url).find((f) => f.action.endsWith(path(link)))!;
    expect(form).toBeDefined();
    return form;
  };
  const fill = (overrides: Record<string, string> = {}) => ({
    email: 'first-admin@example.test',
    username: 'first-admin',
    password: STRONG,
    confirm: STRONG,
    ...overrides,
  });

  it('explains the first run at / and prints a one-time setup link to the log', async () => {
    const links = setupLinksIn(log.records);
    expect(links).toHaveLength(1);
    expect(links[0]).toMatch(new RegExp(`^${t.url}/setup/[A-Za-z0-9_-]{43}$`));
    const warning = log.records.find((r) => r.setupUrl === links[0])!;
    expect(warning.msg).toContain('within 15 minutes');
    expect(warning.msg).toContain('npx heimdall create-admin --email you@example.com --username admin');

    const page = await new Person(t.url).request(`${t.url}/`);
    expect(page.status).toBe(200);
    expect(page.body).toContain('Welcome to Heimdall');
    expect(page.body).toContain('npx heimdall create-admin --email you@example.com --username admin');
    // Opening the page while the printed link is still valid prints no other.
    expect(setupLinksIn(log.records)).toHaveLength(1);

    const german = await new Person(t.url, { 'accept-language': 'de' }).request(`${t.url}/`);
    expect(german.body).toContain('Willkommen bei Heimdall');
    // Each language's page links the first-admin guide of its language, which the docs site serves.
    for (const body of [page.body, german.body]) {
      const guide = /href="(\/docs\/[^"]*first-admin[^"]*)"/.exec(body)?.[1];
      expect(guide).toBeDefined();
      expect((await new Person(t.url).request(`${t.url}${guide}`)).status).toBe(200);
    }
    expect(german.body).toContain('href="/docs/de/guide/first-admin.html"');

    const index = await call(t.url, 'GET', '/', { headers: { accept: 'application/json' } });
    expect(index.status).toBe(200);
    expect(index.body).toMatchObject({
      name: 'Heimdall',
      setup_required: true,
      endpoints: {
        health: '/health',
        openapi: '/v1/openapi.json',
        realtime: '/ws',
        openid_configuration: '/oidc/.well-known/openid-configuration',
        account: '/account',
      },
    });
  });

  it('refuses unknown links and keeps the link for a form to fix', async () => {
    const stranger = new Person(t.url);
    for (const bad of ['nope', 'A'.repeat(43), '%00', 'x'.repeat(200)]) {
      const res = await stranger.request(`${t.url}/setup/${bad}`);
      expect(res.status).toBe(410);
      expect(res.body).toContain('This setup link does not work');
    }
    const [link] = setupLinksIn(log.records);
    const person = new Person(t.url);
    const form = await openSetup(person, link!);

    const forged = await person.request(form.action, { form: { ...form.fields, ...fill(), csrf: 'forged' } });
    expect(forged.status).toBe(403);
    const weak = await person.request(form.action, {
      form: { ...form.fields, ...fill({ password: 'password1234', confirm: 'password1234' }) },
    });
    expect(weak.status).toBe(422);
    expect(weak.body).toContain('This password is too easy to guess.');
    expect(weak.body).toContain('value="first-admin@example.test"');
    const differ = await person.request(form.action, {
      form: { ...form.fields, ...fill({ confirm: `${STRONG}!` }) },
    });
    expect(differ.status).toBe(422);
    expect(differ.body).toContain('The two passwords differ.');
    const badName = await person.request(form.action, {
      form: { ...form.fields, ...fill({ username: 'no spaces!' }) },
    });
    expect(badName.status).toBe(422);
    // None of these spent the link, nor made anyone.
    expect((await person.request(`${t.url}${path(link!)}`)).status).toBe(200);
    expect(await t.db('UserRole').where({ role_id: 'role_super_admin' })).toEqual([]);
  });

  it('creates the first super admin once, signs them in and leads to TOTP setup', async () => {
    const [link] = setupLinksIn(log.records);
    const person = new Person(t.url);
    firstAdmin = person;
    const form = await openSetup(person, link!);
    const done = await person.request(form.action, { form: { ...form.fields, ...fill() } });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/account/security');
    const security = await person.request(`${t.url}/account/security`);
    expect(security.status).toBe(200);
    expect(security.body).toContain('Set up two-factor authentication');

    const setupForm = forms(security.body, t.url).find((f) => f.action.endsWith('/account/security/setup'))!;
    const setup = await person.request(setupForm.action, { form: setupForm.fields });
    const secret = /<code>([A-Z2-7]{32})<\/code>/.exec(setup.body)?.[1];
    expect(secret).toBeDefined();
    const enable = forms(setup.body, t.url).find((f) => f.action.endsWith('/account/security/enable'))!;
    const codes = await person.request(enable.action, {
      form: { ...enable.fields, code: totpCode(secret!) },
    });
    expect(codes.body.match(/<li><code>[a-z2-9]{5}-[a-z2-9]{5}<\/code><\/li>/g)).toHaveLength(10);

    const user = await t.db('User').where({ username: 'first-admin' }).first();
    expect(await t.db('UserRole').where({ user_id: user.id }).pluck('role_id')).toEqual(['role_super_admin']);
    expect((await t.db('UserTwoFactor').where({ user_id: user.id }).first())?.enabled_at).toBeTruthy();
    await t.platform.services.audit.flush();
    const events = await t.db('AuditEvent').where({ user_id: user.id }).orderBy('created_at');
    const created = events.find((e) => e.event_type === 'user_created');
    expect(created).toMatchObject({ source_service: 'id', ip_address: '127.0.0.1' });
    expect(created.metadata).toMatchObject({ via: 'setup' });
    expect(events.map((e) => e.event_type)).toEqual(expect.arrayContaining(['role_assigned', 'login']));

    // The second use of the link is refused, and so is any other once an administrator exists.
    const again = await new Person(t.url).request(`${t.url}${path(link!)}`);
    expect(again.status).toBe(409);
    expect(again.body).toContain('Setup is complete');
    // Even from the browser that holds the form's CSRF cookie.
    const replay = await person.request(form.action, {
      form: { ...form.fields, ...fill({ username: 'second-admin', email: 'second@example.test' }) },
    });
    expect(replay.status).toBe(409);
    expect(await t.db('User').where({ username: 'second-admin' })).toEqual([]);
  });

  it('never writes a setup token to the log but in the line that announces it', async () => {
    const [link] = setupLinksIn(log.records);
    const token = path(link!).split('/').pop()!;
    const mentioning = log.records.filter((r) => JSON.stringify(r).includes(token));
    expect(mentioning).toHaveLength(1);
    expect(mentioning[0]!.setupUrl).toBe(link);
    expect(log.records.some((r) => JSON.stringify(r).includes('/setup/[redacted]'))).toBe(true);
  });

  it('then shows where to go, and the health of the instance to administrators only', async () => {
    const anonymous = await new Person(t.url).request(`${t.url}/`);
    expect(anonymous.status).toBe(200);
    for (const href of ['/account/login', '/admin', '/docs/', '/docs/api', '/api/graphql', '/policies']) {
      expect(anonymous.body).toContain(`href="${href}"`);
    }
    expect(anonymous.body).not.toContain('Health of this instance');
    expect(anonymous.body).not.toContain('create-admin');
    const index = await call(t.url, 'GET', '/', { headers: { accept: 'application/json' } });
    expect(index.body.setup_required).toBe(false);

    const member = await createPasswordUser(t.db);
    const signedIn = async (user: { email: string; password: string }) => {
      const person = new Person(t.url);
      const login = await person.request(`${t.url}/account/login`);
      const f = forms(login.body, t.url).find((x) => x.action.endsWith('/account/login'))!;
      await person.request(f.action, { form: { ...f.fields, email: user.email, password: user.password } });
      return person.request(`${t.url}/`);
    };
    const asMember = await signedIn(member);
    expect(asMember.body).toContain(`Signed in as ${member.username}.`);
    expect(asMember.body).toContain('href="/account"');
    expect(asMember.body).not.toContain('Health of this instance');

    // The first administrator, whose session passed two-step verification when it was turned on.
    const asAdmin = await firstAdmin!.request(`${t.url}/`);
    expect(asAdmin.body).toContain('Health of this instance');
    expect(asAdmin.body).toMatch(/data-check="Database"[\s\S]*?OK/);
    expect(asAdmin.body).toContain('Served by this node: 0 open connections.');
  });
});

describe('first run without Heimdall ID', () => {
  const log = capturingLogger();
  const t = useOidcPlatform({ HEIMDALL__OIDC__ENABLED: 'false' }, ['api'], { logger: log.logger });

  it('names the command only: the browser way needs the account pages', async () => {
    expect(setupLinksIn(log.records)).toEqual([]);
    expect(log.records.some((r) => String(r.msg).includes('npx heimdall create-admin'))).toBe(true);
    const page = await new Person(t.url).request(`${t.url}/`);
    expect(page.body).toContain('npx heimdall create-admin');
    expect(page.body).not.toContain('setup link');
    expect((await new Person(t.url).request(`${t.url}/setup/${'A'.repeat(43)}`)).status).toBe(404);
    // The policy pages every page's footer links are there all the same.
    expect((await new Person(t.url).request(`${t.url}/policies/privacy`)).status).toBe(200);
    expect((await new Person(t.url).request(`${t.url}/.well-known/security.txt`)).status).toBe(200);
  });
});
