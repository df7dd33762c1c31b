/* eslint-disable @typescript-eslint/no-explicit-any -- panel answers and rows are checked as plain JSON */
import { beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { decodeJwt } from 'jose';
import { PANEL_SCOPES } from '../../admin/panel.js';
import { totpCode } from '../../core/two-factor/totp.js';
import type { RunningPlatform } from '../../server/start.js';
import { ROLE_IDS } from '../../schemas/roles.js';
import { createPanelPerson, type PanelPerson } from '../support/admin.js';
import {
  PanelAgent,
  PANEL_COOKIE,
  parseSetCookie,
  XSRF_COOKIE,
  type PanelAnswer,
} from '../support/admin-http.js';
import { call, createUser } from '../support/fixtures.js';
import { forms, useOidcPlatform } from '../support/oidc.js';
import { startTestPlatform } from '../support/platform.js';
import { waitUntil } from '../support/wait.js';

/**
 * The admin panel's access rules over HTTP, as a browser meets them: sign-in through Heimdall ID (the
 * `form_post` answer posted to /admin/login by the agent), the panel session and its cookie, the guard that
 * checks the Heimdall session on every request, CSRF, forged actions, sign-out, and the panel's OAuth client.
 * Effects are read where they land: cookies, status codes, the database and the audit database.
 */
const SESSION_TTL = 3600;

/** The panel cookie a response sets, taken apart (fails when there is none). */
function panelCookie(answer: PanelAnswer, name = PANEL_COOKIE) {
  const line = answer.setCookies.find((l) => l.startsWith(`${name}=`));
  expect(line).toBeDefined();
  return parseSetCookie(line!);
}

/** Where the panel's session store keeps the session a cookie names (`s:<id>.<signature>`, URL-encoded). */
function storeKey(cookieValue: string): string {
  const signed = decodeURIComponent(cookieValue);
  return `admin-session:${signed.slice(2, signed.lastIndexOf('.'))}`;
}

/** The key of the message the panel's sign-in page shows (AdminJS puts it into the page's state). */
const signInError = (answer: PanelAnswer) => /"errorMessage":"(\w+)"/.exec(answer.text)?.[1] ?? null;

/** A body that gives away the server's inner workings. */
const LEAKS = /\n\s+at \S|node_modules|\.ts:\d+|Error: /;

describe('admin panel access over HTTP', () => {
  const t = useOidcPlatform({ HEIMDALL__ADMIN__SESSION_TTL: String(SESSION_TTL) }, ['api', 'admin']);
  let admin: PanelPerson;
  let adminAgent: PanelAgent;

  const auditDb = () => t.platform.databases.audit;
  /** Stored audit events (the writer flushed first), oldest first. */
  const events = async (where: Record<string, unknown>) => {
    await t.platform.services.audit.flush();
    return auditDb()('AuditEvent').where(where).orderBy('created_at');
  };

  beforeAll(async () => {
    admin = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
    adminAgent = new PanelAgent(t.url);
    expect((await adminAgent.signInToPanel(admin)).status).toBe(302);
  });

  describe('signing in', () => {
    it('a super admin with 2FA gets an HttpOnly, Lax, /admin-only cookie for admin.session_ttl; audited as admin', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const agent = new PanelAgent(t.url);
      const before = Date.now();
      const { form } = await agent.heimdallIdSignIn(person);
      const planted = agent.cookie(PANEL_COOKIE)!; // the session that holds the started sign-in
      const answer = await agent.postAnswer(form!);
      expect(answer.status).toBe(302);
      expect(answer.location).toBe('/admin');

      const cookie = panelCookie(answer);
      // A new session id once signed in: an id known before sign-in opens nothing.
      expect(cookie.value).not.toBe(planted);
      const fixed = new PanelAgent(t.url);
      fixed.setCookie(PANEL_COOKIE, planted);
      expect((await fixed.send('GET', '/admin')).location).toBe('/admin/login');
      expect(cookie.attributes.has('httponly')).toBe(true);
      expect(cookie.attributes.get('samesite')).toBe('Lax');
      expect(cookie.attributes.get('path')).toBe('/admin');
      expect(cookie.attributes.has('secure')).toBe(false); // http://: a Secure cookie would never come back
      const expires = Date.parse(cookie.attributes.get('expires')!);
      expect(expires).toBeGreaterThan(before + (SESSION_TTL - 60) * 1000);
      expect(expires).toBeLessThanOrEqual(Date.now() + SESSION_TTL * 1000 + 1000);
      if (cookie.attributes.has('max-age')) {
        expect(Number(cookie.attributes.get('max-age'))).toBeLessThanOrEqual(SESSION_TTL);
      }

      // The page's scripts read the CSRF cookie (not HttpOnly); no other site is ever sent it.
      const page = await agent.send('GET', '/admin');
      expect(page.status).toBe(200);
      const xsrf = panelCookie(page, XSRF_COOKIE);
      expect(xsrf.attributes.has('httponly')).toBe(false);
      expect(xsrf.attributes.get('samesite')).toBe('Strict');
      expect(xsrf.attributes.get('path')).toBe('/admin');
      expect(page.text).not.toContain('fonts.googleapis.com');
      expect(page.text).toContain('<script nonce=');

      const list = await agent.api('GET', '/resources/Users/actions/list?perPage=100');
      expect(list.status).toBe(200);
      expect(list.json.records.map((r: any) => r.id)).toContain(person.id);

      // The store keeps the session as long as the cookie, and never the Heimdall session token itself.
      const key = storeKey(cookie.value);
      const ttl = await t.platform.cache.ttl(key);
      expect(ttl).toBeGreaterThan((SESSION_TTL - 60) * 1000);
      expect(ttl).toBeLessThanOrEqual(SESSION_TTL * 1000);
      const stored = JSON.stringify(await t.platform.cache.get(key));
      expect(stored).toContain(person.id);
      expect(stored).not.toContain(agent.cookie('id.session-token')!);

      const logins = await events({ event_type: 'login', user_id: person.id, source_service: 'admin' });
      expect(logins).toHaveLength(1);
      expect(logins[0]).toMatchObject({
        actor_id: person.id,
        status: 'success',
        metadata: expect.objectContaining({ client_id: 'heimdall-admin', method: 'heimdall_id' }),
      });
    });

    it('a super admin without 2FA (as create-admin leaves them) is sent to set it up first, then gets in', async () => {
      const fresh = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin], twoFactor: false });
      const agent = new PanelAgent(t.url);
      const { form, last } = await agent.heimdallIdSignIn(fresh);
      expect(form).toBeUndefined(); // Heimdall ID does not answer the panel yet
      expect(last.url).toMatch(/\/account\/security\?continue=/);

      const setupForm = forms(last.body, t.url).find((f) => f.action.endsWith('/account/security/setup'))!;
      const setup = await agent.request(setupForm.action, { form: setupForm.fields });
      const secret = /<code>([A-Z2-7]{32})<\/code>/.exec(setup.body)![1]!;
      const enableForm = forms(setup.body, t.url).find((f) => f.action.endsWith('/account/security/enable'))!;
      const codes = await agent.request(enableForm.action, {
        form: { ...enableForm.fields, code: totpCode(secret) },
      });
      const continueTo = /<a href="(\/oidc\/interaction\/[\w-]+)">/.exec(codes.body)![1]!;
      const resumed = await agent.follow(`${t.url}${continueTo}`, 'never');
      const answerForm = forms(resumed.body, t.url).find((f) => f.action === `${t.url}/admin/login`);
      expect(answerForm).toBeDefined();
      const answer = await agent.postAnswer(answerForm!);
      expect(answer.status).toBe(302);
      expect((await agent.api('GET', '/resources/Users/actions/list')).status).toBe(200);
    });

    it('a person without backend:access is refused: noBackendAccess, no panel session, login_failed audited', async () => {
      const user = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.user], twoFactor: false });
      const agent = new PanelAgent(t.url);
      const { form } = await agent.heimdallIdSignIn(user);
      expect(form).toBeDefined();
      const answer = await agent.postAnswer(form!);
      expect(answer.status).toBe(400);
      expect(signInError(answer)).toBe('noBackendAccess');

      const page = await agent.send('GET', '/admin');
      expect(page.status).toBe(302);
      expect(page.location).toBe('/admin/login');
      const api = await agent.api('GET', '/resources/Users/actions/list');
      expect(api.status).not.toBe(200);
      expect(api.json?.records).toBeUndefined();

      const failed = await events({ event_type: 'login_failed', user_id: user.id, source_service: 'admin' });
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({
        status: 'failure',
        error_message: 'noBackendAccess',
        metadata: expect.objectContaining({ client_id: 'heimdall-admin' }),
      });
      expect(await events({ event_type: 'login', user_id: user.id, source_service: 'admin' })).toHaveLength(
        0,
      );
    });

    it('a changed state, or an answer posted again, lands on the sign-in page with signInExpired', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const agent = new PanelAgent(t.url);
      const { form } = await agent.heimdallIdSignIn(person);
      const tampered = await agent.postAnswer({
        ...form!,
        fields: { ...form!.fields, state: 'x'.repeat(43) },
      });
      expect(tampered.status).toBe(400);
      expect(signInError(tampered)).toBe('signInExpired');
      expect((await agent.send('GET', '/admin')).location).toBe('/admin/login');

      // The real answer after the tampered one: the started sign-in was used up by the failed attempt.
      const late = await agent.postAnswer(form!);
      expect(signInError(late)).toBe('signInExpired');
      expect((await agent.send('GET', '/admin')).location).toBe('/admin/login');

      // A captured answer replayed elsewhere, or again after it was used.
      const good = new PanelAgent(t.url);
      const fresh = await good.heimdallIdSignIn(person);
      expect((await good.postAnswer(fresh.form!)).status).toBe(302);
      const thief = new PanelAgent(t.url);
      const stolen = await thief.postAnswer(fresh.form!);
      expect(stolen.status).toBe(400);
      expect(signInError(stolen)).toBe('signInExpired');
      expect((await thief.send('GET', '/admin')).location).toBe('/admin/login');
      const replay = await good.postAnswer(fresh.form!);
      expect(signInError(replay)).toBe('signInExpired');
    });
  });

  describe('what a signed-in person may do', () => {
    let moderator: PanelPerson;
    let modAgent: PanelAgent;

    beforeAll(async () => {
      moderator = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.moderator] });
      modAgent = new PanelAgent(t.url);
      expect((await modAgent.signInToPanel(moderator)).status).toBe(302);
    });

    it('a moderator lists users, but a forged assignRole answers 403 JSON and changes nothing', async () => {
      const target = await createUser(t.db, { roleIds: [ROLE_IDS.user] });
      const list = await modAgent.api('GET', '/resources/Users/actions/list?perPage=100');
      expect(list.status).toBe(200);
      expect(list.json.records.length).toBeGreaterThan(0);
      // The action is not offered to them in the first place.
      const offered = list.json.records.flatMap((r: any) => r.recordActions.map((a: any) => a.name));
      expect(offered).not.toContain('assignRole');

      const path = `/resources/Users/records/${target}/assignRole`;
      const forged = await modAgent.api('POST', path, { role_id: ROLE_IDS.superAdmin });
      expect(forged.status).toBe(403);
      expect(forged.contentType).toContain('application/json');
      expect(forged.json.error).toMatchObject({ code: 'auth.forbidden', message: expect.any(String) });
      const opened = await modAgent.api('GET', path);
      expect(opened.status).toBe(403);
      expect(opened.json.error.code).toBe('auth.forbidden');

      const roles = await t.db('UserRole').where({ user_id: target }).pluck('role_id');
      expect(roles).toEqual([ROLE_IDS.user]);
      // Their panel sign-in is all the panel recorded of them.
      const acted = await events({ actor_id: moderator.id, source_service: 'admin' });
      expect(acted.map((e: any) => e.event_type)).toEqual(['login']);
      expect(await events({ user_id: target })).toEqual([]);
    });

    it('a forged action answers 403 whatever the shape of its URL, and changes nothing', async () => {
      // A developer holds backend:access but no users:* permission.
      const developer = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.developer] });
      const devAgent = new PanelAgent(t.url);
      expect((await devAgent.signInToPanel(developer)).status).toBe(302);
      const target = await createUser(t.db, { roleIds: [ROLE_IDS.user] });
      const attempts: [PanelAgent, 'GET' | 'POST', string, unknown?][] = [
        [devAgent, 'GET', '/resources/Users/actions/list'],
        [devAgent, 'GET', '/resources/Users/search/a'],
        [devAgent, 'POST', '/resources/Users/actions/new', { username: 'forged' }],
        [devAgent, 'GET', `/resources/Users/records/${target}/show`],
        [devAgent, 'POST', `/resources/Users/records/${target}/ban`, { reason: 'forged' }],
        [
          modAgent,
          'POST',
          `/resources/Users/records/${target}/assignRole/`,
          { role_id: ROLE_IDS.superAdmin },
        ],
        [modAgent, 'POST', `/resources/Users/bulk/bulkDelete?recordIds=${target}`, {}],
      ];
      const answers: Record<string, unknown> = {};
      for (const [agent, method, path, body] of attempts) {
        const answer = await agent.api(method, path, body);
        answers[`${method} ${path}`] = [
          answer.status,
          answer.json?.error?.code ?? answer.json?.notice?.message,
        ];
      }
      expect(await t.db('UserRole').where({ user_id: target }).pluck('role_id')).toEqual([ROLE_IDS.user]);
      expect(await t.db('UserBan').where({ user_id: target })).toEqual([]);
      expect(await events({ user_id: target })).toEqual([]);
      // AdminJS itself refuses these too (a notice in a 200 answer); the panel promises a 403 for every one.
      expect(answers).toEqual(
        Object.fromEntries(
          attempts.map(([, method, path]) => [`${method} ${path}`, [403, 'auth.forbidden']]),
        ),
      );
    });

    it('a change without the CSRF header, or with a wrong token, is refused before anything happens', async () => {
      const target = await createUser(t.db, { roleIds: [ROLE_IDS.user] });
      const path = `/admin/api/resources/Users/records/${target}/ban`;

      const without = await adminAgent.send('POST', path, { json: { reason: 'no header' } });
      expect(without.status).toBe(403);
      expect(without.json.error).toEqual({
        code: 'admin.csrf',
        message: expect.stringMatching(/expired.*Reload the page/),
      });
      const wrong = await adminAgent.send('POST', path, { json: { reason: 'wrong' }, csrf: 'A'.repeat(43) });
      expect(wrong.status).toBe(403);
      expect(wrong.json.error.code).toBe('admin.csrf');
      // Another panel session's token is no better.
      const others = await adminAgent.send('POST', path, {
        json: { reason: 'other' },
        csrf: modAgent.csrfToken!,
      });
      expect(others.status).toBe(403);
      expect(others.json.error.code).toBe('admin.csrf');

      expect(await t.db('UserBan').where({ user_id: target })).toEqual([]);
      expect(await events({ user_id: target })).toEqual([]);

      const banned = await adminAgent.send('POST', path, { json: { reason: 'spam' }, csrf: true });
      expect(banned.status).toBe(200);
      expect(banned.json.notice).toMatchObject({ type: 'success', message: 'userBanned' });
      const bans = await t.db('UserBan').where({ user_id: target });
      expect(bans).toHaveLength(1);
      expect(bans[0]).toMatchObject({ reason: 'spam', banned_by: admin.id, lifted_at: null });
      const recorded = await events({ event_type: 'user_banned', user_id: target });
      expect(recorded).toHaveLength(1);
      expect(recorded[0]).toMatchObject({ actor_id: admin.id, source_service: 'admin' });
    });
  });

  describe('the panel lives as long as the Heimdall session', () => {
    /** A person signed in twice, two panel sessions on one Heimdall session: one to ask the API, one for pages. */
    async function signedInTwice(person: PanelPerson) {
      const api = new PanelAgent(t.url);
      expect((await api.signInToPanel(person)).status).toBe(302);
      const pages = api.sharingHeimdallSession();
      expect((await pages.signInToPanel()).status).toBe(302);
      expect((await api.api('GET', '/resources/Users/actions/list')).status).toBe(200);
      expect((await pages.send('GET', '/admin')).status).toBe(200);
      return { api, pages, token: api.cookie('id.session-token')! };
    }

    /** The API answers 401 JSON with one of `reasons` (within seconds); answers the reason. */
    async function apiRefuses(agent: PanelAgent, reasons: string[]): Promise<string> {
      let answer: PanelAnswer | undefined;
      await waitUntil(
        async () => (answer = await agent.api('GET', '/resources/Users/actions/list')).status !== 200,
        'the panel API to refuse',
        5000,
        100,
      );
      expect(answer!.status).toBe(401);
      const reason = String(answer!.json.error.code).replace(/^admin\./, '');
      expect(reasons).toContain(reason);
      expect(answer!.json.error.message).toEqual(expect.any(String));
      return reason;
    }

    /** A page request goes to the sign-in page with the reason. */
    async function pageRedirects(agent: PanelAgent, reasons: string[]) {
      const page = await agent.send('GET', '/admin/resources/Users');
      expect(page.status).toBe(303);
      const url = new URL(page.location!, t.url);
      expect(url.pathname).toBe('/admin/login');
      expect(reasons).toContain(url.searchParams.get('reason'));
      // The sign-in page names the reason too, and the panel session is gone.
      const login = await agent.send('GET', `${url.pathname}${url.search}`);
      expect(login.status).toBe(200);
      expect(signInError(login)).toBe(url.searchParams.get('reason'));
      expect((await agent.send('GET', '/admin')).location).toBe('/admin/login');
    }

    it('a panel session ends admin.session_ttl after sign-in, however active', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const { api, pages } = await signedInTwice(person);
      // Both signed in SESSION_TTL seconds ago (moved back in the store rather than waiting an hour).
      for (const agent of [api, pages]) {
        const key = storeKey(agent.cookie(PANEL_COOKIE)!);
        const data: any = await t.platform.cache.get(key);
        data.signIn.signedInAt -= SESSION_TTL * 1000 + 1000;
        await t.platform.cache.set(key, data, 60_000);
      }
      await apiRefuses(api, ['sessionEnded']);
      await pageRedirects(pages, ['sessionEnded']);
      // The Heimdall session itself lives on: signing in again needs no password.
      const again = api.sharingHeimdallSession();
      expect((await again.signInToPanel()).status).toBe(302);
    });

    it('ending the Heimdall session (REST, as the admin) ends panel access', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const { api, pages, token } = await signedInTwice(person);
      const sessions = await call(t.url, 'GET', '/v1/user/sessions', { key: token });
      const current = sessions.body.data.find((s: any) => s.current);
      expect(current).toBeDefined();
      const revoked = await call(t.url, 'DELETE', `/v1/user/sessions/${current.id}`, { key: token });
      expect(revoked.status).toBe(204);

      await apiRefuses(api, ['sessionEnded']);
      await pageRedirects(pages, ['sessionEnded']);
    });

    it('banning the admin (another super admin, over REST) ends their panel access', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const { api, pages } = await signedInTwice(person);
      const banned = await call(t.url, 'POST', `/v1/users/${person.id}/ban`, {
        key: adminAgent.cookie('id.session-token')!,
        body: { reason: 'compromised account' },
      });
      expect(banned.status).toBe(200);

      const reason = await apiRefuses(api, ['accountBanned', 'sessionEnded']);
      await pageRedirects(pages, [reason]);
    });

    it('a Heimdall session that no longer counts as 2FA-verified is refused with twoFactorRequired', async () => {
      const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
      const { api, pages } = await signedInTwice(person);
      const [session] = await t
        .db('Session')
        .where({ user_id: person.id })
        .update({ two_factor_verified_at: null }, ['id']);
      // The row changed behind the services' back: drop the cached credential as a change through them would.
      await t.platform.services.authCache.invalidate({ type: 'session', sessionId: session.id });

      await apiRefuses(api, ['twoFactorRequired']);
      await pageRedirects(pages, ['twoFactorRequired']);
    });
  });

  it('signing out ends the panel session and hands over to Heimdall ID’s end_session with the ID token', async () => {
    const person = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
    const agent = new PanelAgent(t.url);
    await agent.signInToPanel(person);
    const panelSession = agent.cookie(PANEL_COOKIE)!;

    const out = await agent.send('GET', '/admin/logout');
    expect(out.status).toBe(303);
    const discovery: any = await (await fetch(`${t.url}/oidc/.well-known/openid-configuration`)).json();
    const to = new URL(out.location!);
    expect(`${to.origin}${to.pathname}`).toBe(discovery.end_session_endpoint);
    expect(to.searchParams.get('post_logout_redirect_uri')).toBe(`${t.url}/admin/login`);
    const hint = decodeJwt(to.searchParams.get('id_token_hint')!);
    expect(hint).toMatchObject({ sub: person.id, aud: 'heimdall-admin', iss: `${t.url}/oidc` });

    // The old cookie opens nothing any more.
    const again = new PanelAgent(t.url);
    again.setCookie(PANEL_COOKIE, panelSession);
    expect((await again.send('GET', '/admin')).location).toBe('/admin/login');
    expect((await agent.api('GET', '/resources/Users/actions/list')).location).toBe('/admin/login');

    // Heimdall ID accepts the hand-over: after confirming, it sends the browser back to the panel's sign-in page.
    const endPage = await agent.follow(out.location!, `${t.url}/admin/login`);
    const confirm = forms(endPage.body, t.url)[0];
    expect(confirm).toBeDefined();
    const back = await agent.follow(confirm!.action, `${t.url}/admin/login`, {
      form: { ...confirm!.fields, logout: 'yes' },
    });
    expect(back.redirectedTo).toBe(`${t.url}/admin/login`);
  });

  describe('the panel’s OAuth client', () => {
    const row = () => t.db('OAuthClient').where({ client_id: 'heimdall-admin' }).first();
    const clientEvents = async (type: string) => {
      const client = await row();
      return events({ event_type: type, resource_id: client.id });
    };
    /** Another process on the same database and public URL starting (and stopping): the admin role provisions. */
    async function restart(): Promise<void> {
      let other: RunningPlatform | undefined;
      try {
        other = await startTestPlatform(
          { HEIMDALL__DATABASE__URL: t.platform.databases.primaryUrl, HEIMDALL__SERVER__PUBLIC_URL: t.url },
          ['admin'],
        );
      } finally {
        await other?.stop();
      }
    }

    it('is provisioned public, first-party, with the panel’s redirect URI', async () => {
      expect(await row()).toMatchObject({
        token_endpoint_auth_method: 'none',
        client_secret: null,
        is_first_party: true,
        is_active: true,
        redirect_uris: [`${t.url}/admin/login`],
        post_logout_redirect_uris: [`${t.url}/admin/login`],
        grant_types: ['authorization_code', 'refresh_token'],
        scopes: PANEL_SCOPES,
      });
      expect(await clientEvents('client_created')).toHaveLength(1);
    });

    it('provisioning again changes nothing; a client changed in the database is brought back', async () => {
      const before = await row();
      await restart();
      expect(await row()).toEqual(before);
      expect(await clientEvents('client_created')).toHaveLength(1);
      expect(await clientEvents('client_updated')).toHaveLength(0);

      await t
        .db('OAuthClient')
        .where({ id: before.id })
        .update({
          redirect_uris: ['https://attacker.example/cb'],
          is_first_party: false,
          token_endpoint_auth_method: 'client_secret_basic',
          client_secret: 'not-a-hash',
        });
      await restart();
      expect(await row()).toMatchObject({
        redirect_uris: [`${t.url}/admin/login`],
        is_first_party: true,
        token_endpoint_auth_method: 'none',
        client_secret: null,
      });
      const updated = await clientEvents('client_updated');
      expect(updated).toHaveLength(1);
      expect(updated[0]).toMatchObject({ source_service: 'admin', actor_id: null });
      expect(updated[0].metadata).toMatchObject({ client_id: 'heimdall-admin', built_in: true });
      expect([...updated[0].metadata.changed].sort()).toEqual(
        ['client_secret', 'is_first_party', 'redirect_uris', 'token_endpoint_auth_method'].sort(),
      );
      expect(await clientEvents('client_created')).toHaveLength(1);
    });
  });

  it('the user list’s offered filters (status, role, 2FA, created) answer records, and show 2FA', async () => {
    const enrolled = await createUser(t.db, { roleIds: [ROLE_IDS.user], twoFactor: true });
    const plain = await createUser(t.db, { roleIds: [ROLE_IDS.user] });
    const list = (qs: string) => adminAgent.api('GET', `/resources/Users/actions/list?perPage=100&${qs}`);
    const filters = [
      'filters.status=active',
      `filters.role_ids=${ROLE_IDS.user}`,
      'filters.two_factor=true',
      'filters.two_factor=false',
      `filters.created_at~~from=${encodeURIComponent(new Date(Date.now() - 3_600_000).toISOString())}`,
    ];
    const refused: Record<string, string | null> = {};
    for (const qs of filters) refused[qs] = (await list(qs)).json.notice?.message ?? null;
    expect(refused).toEqual(Object.fromEntries(filters.map((qs) => [qs, null])));

    const ids = async (qs: string) => (await list(qs)).json.records.map((r: any) => r.id);
    expect(await ids('filters.two_factor=true')).toContain(enrolled);
    expect(await ids('filters.two_factor=true')).not.toContain(plain);
    const shown = Object.fromEntries(
      (await list(`filters.role_ids=${ROLE_IDS.user}`)).json.records.map((r: any) => [
        r.id,
        r.params.two_factor,
      ]),
    );
    expect([shown[enrolled], shown[plain]]).toEqual([true, false]);
  });

  it('the user list takes any filter, page and sort input without a 5xx or a stack trace (property-based)', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.string({ unit: 'grapheme', maxLength: 50 }),
      fc.constantFrom(
        '',
        ' ',
        '%',
        '_',
        '\\',
        '\'; drop table "User"; --',
        '\u0000',
        '\u202e',
        'ß'.repeat(101),
      ),
      fc.nat({ max: 6000 }).map((n) => 'x'.repeat(n)),
    );
    const number = fc.oneof(
      fc.integer({ min: -1000, max: 1000 }).map(String),
      fc.constantFrom(
        '0',
        '-0',
        '1e308',
        '1e18',
        '9007199254740993',
        'NaN',
        'Infinity',
        '-Infinity',
        '0x10',
        '1.5',
        '',
      ),
      fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
      text,
    );
    /** Raw query-string bytes: percent escapes that are not UTF-8, repeated keys. */
    const raw = fc.constantFrom('', '%FF', '%E0%80', '%', '%%', '%00');
    const query = fc.record(
      {
        q: text,
        perPage: number,
        page: number,
        sortBy: fc.oneof(
          text,
          fc.constantFrom('username', 'created_at', 'last_login_at', 'email', '__proto__'),
        ),
        direction: fc.oneof(text, fc.constantFrom('asc', 'desc')),
        status: fc.oneof(text, fc.constantFrom('active', 'banned', 'deleted')),
        rawTail: raw,
      },
      { requiredKeys: ['q'] },
    );

    await fc.assert(
      fc.asyncProperty(query, async (input) => {
        const params: string[] = [];
        const add = (key: string, value: string | undefined) => {
          if (value !== undefined) params.push(`${key}=${encodeURIComponent(value)}`);
        };
        add('filters.q', input.q);
        add('perPage', input.perPage);
        add('page', input.page);
        add('sortBy', input.sortBy);
        add('direction', input.direction);
        add('filters.status', input.status);
        const qs = params.join('&') + (input.rawTail ? `&filters.q=${input.rawTail}` : '');
        const answer = await adminAgent.api('GET', `/resources/Users/actions/list?${qs}`);
        expect(answer.status).toBeLessThan(500);
        expect(answer.contentType).toContain('application/json');
        expect(answer.text).not.toMatch(LEAKS);
        if (answer.status === 200) {
          expect(Array.isArray(answer.json.records)).toBe(true);
          if (answer.json.notice) expect(answer.json.notice.type).toBe('error');
        } else {
          expect(answer.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
        }
      }),
      {
        numRuns: Number(process.env.HEIMDALL_FUZZ_ADMIN_RUNS ?? 300),
        seed: Number(process.env.HEIMDALL_FUZZ_SEED ?? 20261204),
      },
    );
  });
});

describe('admin panel behind an https proxy', () => {
  const PUBLIC = 'https://admin.heimdall.test';
  const proxied = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'admin.heimdall.test' };
  const t = useOidcPlatform({ HEIMDALL__SERVER__PUBLIC_URL: PUBLIC, HEIMDALL__SERVER__TRUST_PROXY: 'true' }, [
    'api',
    'admin',
  ]);
  let admin: PanelPerson;
  beforeAll(async () => {
    admin = await createPanelPerson(t.db, { roleIds: [ROLE_IDS.superAdmin] });
  });

  it('marks the panel’s cookies Secure', async () => {
    const agent = new PanelAgent(t.url, { publicUrl: PUBLIC, headers: proxied });
    const login = await agent.send('GET', '/admin/login');
    expect(login.status).toBe(200);
    const cookie = panelCookie(login);
    expect(cookie.attributes.has('secure')).toBe(true);
    expect(cookie.attributes.has('httponly')).toBe(true);
    expect(cookie.attributes.get('samesite')).toBe('Lax');
    expect(cookie.attributes.get('path')).toBe('/admin');
    expect(panelCookie(login, XSRF_COOKIE).attributes.has('secure')).toBe(true);
  });

  it('signs in through Heimdall ID at the public https URL', async () => {
    const agent = new PanelAgent(t.url, { publicUrl: PUBLIC, headers: proxied });
    const start = await agent.send('GET', '/admin/login/start');
    expect(start.status).toBe(303);
    expect(start.location).toMatch(new RegExp(`^${PUBLIC}/oidc/auth\\?`));
    const answer = await agent.signInToPanel(admin);
    expect(answer.status).toBe(302);
    const cookie = panelCookie(answer);
    expect(cookie.attributes.has('secure')).toBe(true);
    expect((await agent.api('GET', '/resources/Users/actions/list')).status).toBe(200);
  });
});
