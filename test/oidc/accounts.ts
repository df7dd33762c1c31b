import { expect } from '@jest/globals';
import {
  authorizationRequest,
  client,
  forms,
  Person,
  useOidcPlatform,
  type TestClient,
} from '../support/oidc.js';
import { escapeHtml } from '../../core/shared/html.js';
import { uniqueName } from '../support/services.js';
import type { useSmtpSink } from '../support/smtp.js';

/**
 * What the account tests share (accounts-*.test.ts). Accounts with email and password, end to end: the platform sends real email over SMTP to a sink;
 * the tests read the messages (text and HTML parts) and follow their links like a person would, then sign in
 * through an OpenID client (openid-client, code flow with PKCE).
 */
export const EMAILS_PER_HOUR = 3;
export const MIN_PASSWORD = 12;
export const STRONG = 'violet anchor drizzle mango 47';
export const STRONGER = 'quartz lantern hedgehog tundra 83';

/** A browser-like visitor of the account pages: keeps cookies, may send an Accept-Language. */
export class Visitor {
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

export const text = (s: string) => escapeHtml(s);

type SmtpSink = Awaited<ReturnType<typeof useSmtpSink>>;

/**
 * The platform with email sent to `sink` (which must listen before: its URL goes into the config), and the steps
 * the account tests take: a new person, registering, signing in through an OpenID client, the audit events of a
 * user, the token of an emailed link, and checking that no more email arrived.
 */
export function useAccountsPlatform(sink: SmtpSink) {
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

  return {
    t,
    newPerson,
    register,
    authorize,
    signInOnce,
    signInToApp,
    auditEvents,
    tokenOf,
    expectNoNewMail,
  };
}
