import { describe, expect, it } from '@jest/globals';
import { createOAuthClient, createPasswordUser, forms, Person, useOidcPlatform } from '../support/oidc.js';
import { client, relyingParty } from '../support/oidc.js';

/** Sign-in brute-force protection: progressive lock per account and per IP, told plainly, audited. */
describe('Heimdall ID: brute-force protection', () => {
  const t = useOidcPlatform({
    HEIMDALL__AUTH__SIGN_IN__MAX_FAILURES_PER_ACCOUNT: '3',
    HEIMDALL__AUTH__SIGN_IN__MAX_FAILURES_PER_IP: '8',
    HEIMDALL__AUTH__SIGN_IN__DELAY_AFTER: '2',
    HEIMDALL__AUTH__SIGN_IN__LOCKOUT_SECONDS: '120',
  });

  async function attempt(email: string, password: string) {
    const c = await createOAuthClient(t.db, { firstParty: true });
    const config = await relyingParty(t.url, c);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: c.redirectUri,
      scope: 'openid',
      code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
      code_challenge_method: 'S256',
    });
    const person = new Person(t.url);
    const page = await person.follow(url.toString(), c.redirectUri);
    const [login] = forms(page.body, t.url);
    const started = Date.now();
    const res = await person.request(login!.action, { form: { ...login!.fields, email, password } });
    return { ...res, ms: Date.now() - started, retryAfter: res.status === 429 };
  }

  it('slows, then locks an account; the right password does not get through until the lock ends', async () => {
    const user = await createPasswordUser(t.db);
    expect((await attempt(user.email, 'wrong 1')).status).toBe(401);
    expect((await attempt(user.email, 'wrong 2')).status).toBe(401);
    // The third failure is slowed (two failures before it) and reaches the maximum: locked.
    const third = await attempt(user.email, 'wrong 3');
    expect(third.ms).toBeGreaterThanOrEqual(450);
    expect(third.status).toBe(429);
    expect(third.body).toContain('Too many failed sign-in attempts for this account.');
    const right = await attempt(user.email, user.password);
    expect(right.status).toBe(429);

    await t.platform.services.audit.flush();
    const events = await t.platform.databases
      .audit('AuditEvent')
      .where({ event_type: 'login_failed' })
      .whereRaw(`metadata->>'reason' = 'locked_out'`);
    expect(events.length).toBeGreaterThanOrEqual(2);
    expect(events.some((e: { user_id: string | null }) => e.user_id === user.id)).toBe(true);
  });

  it('locks an unknown email exactly like a real one (the lock tells nothing)', async () => {
    const unknown = 'never-registered@example.test';
    for (let i = 0; i < 2; i++) expect((await attempt(unknown, 'x')).status).toBe(401);
    const locked = await attempt(unknown, 'x');
    expect(locked.status).toBe(429);
    expect(locked.body).toContain('Too many failed sign-in attempts for this account.');
  });

  it('locks an IP address that fails across many accounts', async () => {
    // 5 failures so far from 127.0.0.1 in this suite; 3 more reach the per-IP maximum of 8.
    for (let i = 0; i < 3; i++) await attempt(`spray-${i}@example.test`, 'x');
    const user = await createPasswordUser(t.db);
    const res = await attempt(user.email, user.password);
    expect(res.status).toBe(429);
    expect(res.body).toContain('Too many failed sign-in attempts from your network.');
  });
});
