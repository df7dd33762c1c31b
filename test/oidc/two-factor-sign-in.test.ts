import { describe, expect, it } from '@jest/globals';
import { decodeJwt } from 'jose';
import { totpCode } from '../../core/two-factor/totp.js';
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

/** The second sign-in step through an OpenID client and the account area. */
describe('signing in with two-factor authentication', () => {
  const t = useOidcPlatform();
  const now = () => Math.floor(Date.now() / 1000);
  const resource = () => `${t.url}/v1`;

  /** Enrols a user over REST with a session of their own; answers the secret and backup codes. */
  async function enrol(userId: string) {
    const { token } = await t.platform.services.sessions.create({ userId, provider: 'email' });
    const setup = await call(t.url, 'POST', '/v1/2fa/setup', { key: token });
    const enabled = await call(t.url, 'POST', '/v1/2fa/enable', {
      key: token,
      body: { code: totpCode(setup.body.secret) },
    });
    expect(enabled.status).toBe(200);
    return { secret: setup.body.secret as string, backupCodes: enabled.body.backup_codes as string[] };
  }

  async function passwordStep(person: Person, c: TestClient, user: { email: string; password: string }) {
    const a = await authorizationRequest(t.url, c, { scope: 'openid api', resource: resource() });
    const page = await person.follow(a.url, c.redirectUri);
    const [login] = forms(page.body, t.url);
    const next = await person.follow(login!.action, c.redirectUri, {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    return { a, next };
  }

  async function redeem(a: Awaited<ReturnType<typeof authorizationRequest>>, callback: string) {
    return client.authorizationCodeGrant(
      a.config,
      new URL(callback),
      { pkceCodeVerifier: a.verifier, expectedState: a.state },
      { resource: resource() },
    );
  }

  it('asks for the code after the password; a wrong code is refused, the right one signs in with amr otp', async () => {
    const user = await createPasswordUser(t.db);
    const { secret } = await enrol(user.id);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url);
    const { a, next } = await passwordStep(person, c, user);
    expect(next.url).toMatch(/\/oidc\/interaction\/[\w-]+\/2fa$/);
    expect(next.body).toContain('Enter the 6-digit code from your authenticator app.');
    expect(person.cookie('id.session-token')).toBeUndefined(); // nobody is signed in yet

    const [codeForm] = forms(next.body, t.url);
    const wrong = await person.request(codeForm!.action, { form: { ...codeForm!.fields, code: '000000' } });
    expect(wrong.status).toBe(422);
    const [retry] = forms(wrong.body, t.url);
    const done = await person.follow(retry!.action, c.redirectUri, {
      form: { ...retry!.fields, code: totpCode(secret, { epoch: now() + 30 }) },
    });
    expect(done.redirectedTo).toContain('code=');
    const tokens = await redeem(a, done.redirectedTo!);
    expect(decodeJwt(tokens.access_token).amr).toEqual(['pwd', 'otp']);
    const me = await call(t.url, 'GET', '/v1/me', { key: tokens.access_token });
    expect(me.body.two_factor_verified).toBe(true);
    const session = await call(t.url, 'POST', '/v1/auth/session', {
      body: { session_token: person.cookie('id.session-token') },
    });
    expect(session.body.two_factor_verified).toBe(true);
  });

  it('takes a backup code instead, once', async () => {
    const user = await createPasswordUser(t.db);
    const { backupCodes } = await enrol(user.id);
    const c = await createOAuthClient(t.db, { firstParty: true });
    const first = new Person(t.url);
    const step = await passwordStep(first, c, user);
    const [codeForm] = forms(step.next.body, t.url);
    const done = await first.follow(codeForm!.action, c.redirectUri, {
      form: { ...codeForm!.fields, code: backupCodes[0]! },
    });
    expect(done.redirectedTo).toContain('code=');

    const second = new Person(t.url);
    const again = await passwordStep(second, c, user);
    const [form2] = forms(again.next.body, t.url);
    const reused = await second.request(form2!.action, { form: { ...form2!.fields, code: backupCodes[0]! } });
    expect(reused.status).toBe(422);
  });

  it('a role that requires 2FA sends the person to set it up, then the sign-in continues', async () => {
    const moderator = await createPasswordUser(t.db, { roleIds: ['role_moderator'] });
    const c = await createOAuthClient(t.db, { firstParty: true });
    const person = new Person(t.url);
    const { a, next } = await passwordStep(person, c, moderator);
    expect(next.url).toMatch(/\/account\/security\?continue=/);
    expect(next.body).toContain('One of your roles requires two-factor authentication.');
    // Until then the session may not use the API.
    const token = person.cookie('id.session-token')!;
    expect((await call(t.url, 'GET', '/v1/users', { key: token })).body.error.code).toBe(
      'auth.two_factor_required',
    );

    const setupForm = forms(next.body, t.url).find((f) => f.action.endsWith('/account/security/setup'))!;
    const setup = await person.request(setupForm.action, { form: setupForm.fields });
    const secret = /<code>([A-Z2-7]{32})<\/code>/.exec(setup.body)?.[1];
    expect(secret).toBeDefined();
    expect(setup.body).toContain('src="data:image/png;base64,');
    const enableForm = forms(setup.body, t.url).find((f) => f.action.endsWith('/account/security/enable'))!;
    const codes = await person.request(enableForm.action, {
      form: { ...enableForm.fields, code: totpCode(secret!) },
    });
    expect(codes.body.match(/<li><code>[a-z2-9]{5}-[a-z2-9]{5}<\/code><\/li>/g)).toHaveLength(10);
    expect(codes.body).toContain('download="heimdall-backup-codes.txt"');

    const continueTo = /<a href="(\/oidc\/interaction\/[\w-]+)">/.exec(codes.body)?.[1];
    expect(continueTo).toBeDefined();
    const resumed = await person.follow(`${t.url}${continueTo}`, c.redirectUri);
    expect(resumed.redirectedTo).toContain('code=');
    const tokens = await redeem(a, resumed.redirectedTo!);
    expect((await call(t.url, 'GET', '/v1/users', { key: tokens.access_token })).status).toBe(200);
    expect((await call(t.url, 'GET', '/v1/users', { key: token })).status).toBe(200);
  });

  it('the account area asks for the code too', async () => {
    const user = await createPasswordUser(t.db);
    const { secret } = await enrol(user.id);
    const person = new Person(t.url);
    const page = await person.follow(`${t.url}/account/security`, 'never');
    const [login] = forms(page.body, t.url);
    const code = await person.follow(login!.action, 'never', {
      form: { ...login!.fields, email: user.email, password: user.password },
    });
    expect(code.url).toBe(`${t.url}/account/login/2fa`);
    const [codeForm] = forms(code.body, t.url);
    const inside = await person.follow(codeForm!.action, 'never', {
      form: { ...codeForm!.fields, code: totpCode(secret, { epoch: now() + 30 }) },
    });
    expect(inside.url).toBe(`${t.url}/account/security`);
    expect(inside.body).toContain('10 backup codes left.');
  });
});
