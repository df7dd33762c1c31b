import type { Knex } from 'knex';
import * as client from 'openid-client';
import { hashPassword } from '../../core/auth/passwords.js';
import { hashSecret, randomSecret } from '../../core/auth/secret-token.js';
import { createUserQueries } from '../../core/users/queries.js';
import { createUser } from './fixtures.js';
import {
  useTestPlatform,
  type PlatformVars,
  type TestPlatform,
  type TestPlatformOptions,
} from './platform.js';
import type { ProcessRole } from '../../server/roles.js';
import { uniqueName } from './services.js';

/**
 * Heimdall ID test helpers: users with passwords, OAuth clients, openid-client configured as the relying
 * party, and `Person`: a cookie-keeping user agent that signs in through the real HTML forms (the browser test
 * does the same in Chromium).
 */
export const PASSWORD = 'correct horse battery staple';

/** A test platform whose public URL (and so the issuer) is the address it listens on. */
export function useOidcPlatform(
  vars: PlatformVars = {},
  roles?: ProcessRole[],
  options?: TestPlatformOptions,
): TestPlatform {
  const port = freePortSync();
  return useTestPlatform(
    () => ({
      HEIMDALL__SERVER__PORT: String(port),
      HEIMDALL__SERVER__PUBLIC_URL: `http://127.0.0.1:${port}`,
      ...(typeof vars === 'function' ? vars() : vars),
    }),
    roles,
    options,
  );
}

/** Ports for suites, handed out from a per-worker range (jest workers run in parallel). */
let nextPort =
  20_000 + (Number(process.env.JEST_WORKER_ID ?? 1) % 50) * 200 + Math.floor(Math.random() * 150);
function freePortSync(): number {
  nextPort += 1;
  return nextPort;
}

export async function createPasswordUser(
  db: Knex,
  options: { roleIds?: string[]; password?: string } = {},
): Promise<{ id: string; email: string; password: string; username: string }> {
  const username = uniqueName('person').replaceAll('_', '-').slice(0, 30);
  const id = await createUser(db, { username, roleIds: options.roleIds ?? ['role_user'] });
  const email = `${username}@example.test`;
  const password = options.password ?? PASSWORD;
  const queries = createUserQueries(db);
  const accountId = await queries.insertEmailAccount({
    user_id: id,
    email,
    username,
    password_hash: await hashPassword(password),
    email_verified_at: new Date(),
  });
  await queries.setPrimaryAccount(id, accountId);
  return { id, email, password, username };
}

export interface TestClient {
  id: string;
  clientId: string;
  clientSecret: string | undefined;
  redirectUri: string;
}

export async function createOAuthClient(
  db: Knex,
  options: {
    public?: boolean;
    grantTypes?: string[];
    scopes?: string[];
    firstParty?: boolean;
    ownerId?: string | null;
    redirectUri?: string;
    postLogoutRedirectUris?: string[];
    backchannelLogoutUri?: string;
    name?: string;
  } = {},
): Promise<TestClient> {
  const clientId = randomSecret('hc_', 12);
  const secret = options.public ? undefined : randomSecret('hcs_');
  const redirectUri = options.redirectUri ?? 'http://127.0.0.1:9/callback';
  const [row] = await db('OAuthClient')
    .insert({
      client_id: clientId,
      client_secret: secret ? hashSecret(secret) : null,
      name: options.name ?? 'Test App',
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: options.postLogoutRedirectUris ?? [],
      backchannel_logout_uri: options.backchannelLogoutUri ?? null,
      grant_types: options.grantTypes ?? ['authorization_code', 'refresh_token'],
      scopes: options.scopes ?? ['openid', 'profile', 'email', 'offline_access', 'roles', 'api'],
      token_endpoint_auth_method: options.public ? 'none' : 'client_secret_basic',
      is_first_party: options.firstParty ?? false,
      user_id: options.ownerId ?? null,
    })
    .returning<{ id: string }[]>('id');
  return { id: row!.id, clientId, clientSecret: secret, redirectUri };
}

/** openid-client's Configuration for a test client (plain http is allowed: the issuer is on 127.0.0.1). */
export async function relyingParty(baseUrl: string, c: TestClient): Promise<client.Configuration> {
  const config = await client.discovery(
    new URL(`${baseUrl}/oidc`),
    c.clientId,
    c.clientSecret ? { client_secret: c.clientSecret } : { token_endpoint_auth_method: 'none' },
    c.clientSecret ? client.ClientSecretBasic(c.clientSecret) : client.None(),
    { execute: [client.allowInsecureRequests] },
  );
  return config;
}

/** An authorization request as an app builds it: PKCE (S256) and state, scope `openid` unless overridden. */
export async function authorizationRequest(
  baseUrl: string,
  c: TestClient,
  params: Record<string, string> = {},
) {
  const config = await relyingParty(baseUrl, c);
  const verifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(config, {
    redirect_uri: c.redirectUri,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    ...params,
  });
  return { config, verifier, state, url: url.toString() };
}

/**
 * A person signs in to an app and the app redeems the code (PKCE, state and ID token checked): the whole
 * authorization code flow with `params` added to the request. With a `resource`, the token is for it.
 */
export async function signInToApp(
  baseUrl: string,
  c: TestClient,
  user: { email: string; password: string } | { platform: string },
  params: Record<string, string> = {},
  person = new Person(baseUrl),
) {
  const { config, verifier, state, url } = await authorizationRequest(baseUrl, c, params);
  const result = await person.signIn(url, c.redirectUri, user);
  const tokens = await client.authorizationCodeGrant(
    config,
    new URL(result.callback!),
    { pkceCodeVerifier: verifier, expectedState: state, idTokenExpected: true },
    params.resource ? { resource: params.resource } : undefined,
  );
  return { config, tokens, person, session: person.cookie('id.session-token')! };
}

/**
 * A person approving a device (RFC 8628) on another device: types the user code on the verification page,
 * confirms, signs in. Answers the confirmation page and the last page, for the caller to check.
 */
export async function approveDevice(
  baseUrl: string,
  device: { verification_uri: string; user_code: string },
  user: { email: string; password: string },
): Promise<{ confirm: string; done: string }> {
  const person = new Person(baseUrl);
  const input = await person.follow(device.verification_uri, 'never');
  const [codeForm] = forms(input.body, baseUrl);
  const confirm = await person.follow(codeForm!.action, 'never', {
    form: { ...codeForm!.fields, user_code: device.user_code },
  });
  const [confirmForm] = forms(confirm.body, baseUrl);
  const login = await person.follow(confirmForm!.action, 'never', { form: confirmForm!.fields });
  const [loginForm] = forms(login.body, baseUrl);
  const done = await person.follow(loginForm!.action, 'never', {
    form: { ...loginForm!.fields, email: user.email, password: user.password },
  });
  return { confirm: confirm.body, done: done.body };
}

export interface Form {
  action: string;
  fields: Record<string, string>;
}

/** The forms of a page with their hidden and prefilled fields (enough for our server-rendered pages). */
export function forms(html: string, base: string): Form[] {
  const out: Form[] = [];
  for (const match of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)) {
    const action = /action="([^"]*)"/.exec(match[1]!)?.[1] ?? '';
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input\b([^>]*)>/g)) {
      const name = /name="([^"]*)"/.exec(input[1]!)?.[1];
      const value = /value="([^"]*)"/.exec(input[1]!)?.[1] ?? '';
      if (name) fields[name] = value.replaceAll('&amp;', '&').replaceAll('&quot;', '"');
    }
    out.push({ action: new URL(action.replaceAll('&amp;', '&'), base).toString(), fields });
  }
  return out;
}

/** A person with a browser-like cookie jar, driving the sign-in pages by plain HTTP. */
export class Person {
  private cookies = new Map<string, string>();
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  /** A cookie the person's browser holds (e.g. the `id.session-token`). */
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }

  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/expires=Thu, 01 Jan 1970/i.test(line) || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    const res = await fetch(url, {
      method: init.method ?? (init.form ? 'POST' : 'GET'),
      redirect: 'manual',
      headers: {
        ...this.headers,
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(init.form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: init.form ? new URLSearchParams(init.form).toString() : undefined,
    });
    this.remember(res);
    return { status: res.status, location: res.headers.get('location'), body: await res.text(), url };
  }

  /** Follows redirects until a page is answered or `stopAt` (the RP's redirect URI) is reached. */
  async follow(url: string, stopAt: string, init: { form?: Record<string, string> } = {}) {
    let current = await this.request(url, init);
    for (let hops = 0; hops < 20 && current.location; hops++) {
      const next = new URL(current.location, current.url).toString();
      if (next.startsWith(stopAt)) return { ...current, redirectedTo: next };
      current = await this.request(next);
    }
    return { ...current, redirectedTo: undefined as string | undefined };
  }

  /**
   * Signs in on the login page at `page` (with a password, or "Continue with <platform>" through that platform's
   * fake) and approves consent if asked; answers the RP callback URL.
   */
  async signIn(
    authorizationUrl: string,
    stopAt: string,
    credentials: { email: string; password: string } | { platform: string },
    options: { consent?: 'approve' | 'deny' } = {},
  ): Promise<{ callback: string | undefined; sawConsent: boolean; last: { status: number; body: string } }> {
    let step = await this.follow(authorizationUrl, stopAt);
    let sawConsent = false;
    for (let i = 0; i < 4 && !step.redirectedTo; i++) {
      const pageForms = forms(step.body, this.baseUrl);
      const login =
        'platform' in credentials
          ? pageForms.find((f) => f.action.endsWith(`/social/${credentials.platform}`))
          : pageForms.find((f) => f.action.endsWith('/login'));
      if (login) {
        step = await this.follow(login.action, stopAt, {
          form: 'platform' in credentials ? login.fields : { ...login.fields, ...credentials },
        });
        continue;
      }
      const confirm = pageForms.find((f) => f.action.endsWith('/confirm'));
      const abort = pageForms.find((f) => f.action.endsWith('/abort'));
      if (confirm && abort) {
        sawConsent = true;
        const chosen = options.consent === 'deny' ? abort : confirm;
        step = await this.follow(chosen.action, stopAt, { form: chosen.fields });
        continue;
      }
      break;
    }
    return { callback: step.redirectedTo, sawConsent, last: step };
  }
}

export { client };
