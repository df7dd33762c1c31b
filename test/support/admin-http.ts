/* eslint-disable @typescript-eslint/no-explicit-any -- panel answers are checked as plain JSON */
import { nextCode, type PanelPerson } from './admin.js';
import { forms, Person, type Form } from './oidc.js';

/** The cookies the panel reads: its own session, the CSRF double-submit cookie, and Heimdall ID's session. */
export const PANEL_COOKIE = 'backend.session-token';
export const XSRF_COOKIE = 'XSRF-TOKEN';
const ID_COOKIE = 'id.session-token';
const PANEL_COOKIES = [PANEL_COOKIE, XSRF_COOKIE, ID_COOKIE];

export interface PanelAnswer {
  status: number;
  location: string | null;
  contentType: string;
  text: string;
  /** The body parsed as JSON, when it is JSON. */
  json: any;
  /** The response's `Set-Cookie` lines, attributes and all. */
  setCookies: string[];
}

/** One `Set-Cookie` line taken apart: name, value and attributes (lower-cased names). */
export function parseSetCookie(line: string): {
  name: string;
  value: string;
  attributes: Map<string, string>;
} {
  const [pair, ...rest] = line.split(';');
  const eq = pair!.indexOf('=');
  const attributes = new Map<string, string>();
  for (const part of rest) {
    const at = part.indexOf('=');
    const key = (at < 0 ? part : part.slice(0, at)).trim().toLowerCase();
    attributes.set(key, at < 0 ? '' : part.slice(at + 1).trim());
  }
  return { name: pair!.slice(0, eq).trim(), value: pair!.slice(eq + 1).trim(), attributes };
}

/**
 * A person using the admin panel by plain HTTP: Person's cookie jar and sign-in forms for Heimdall ID, plus the
 * panel's side of the flow (the `form_post` page posted to /admin/login by hand, as its script would) and the
 * panel's JSON API with the `X-XSRF-TOKEN` header AdminJS's client sends. Person itself is unchanged.
 */
export class PanelAgent extends Person {
  private readonly extraHeaders: Record<string, string>;
  /** The server's public URL, when it is not where the agent connects (a proxy's address in front of it). */
  readonly publicUrl: string;

  /**
   * `options.publicUrl`: pages and redirects name this origin (an https proxy in front of the platform); the
   * agent sends those requests to `baseUrl` instead, with `options.headers` (X-Forwarded-Proto, …) as a proxy
   * would add them.
   */
  constructor(
    baseUrl: string,
    private readonly options: { publicUrl?: string; headers?: Record<string, string> } = {},
  ) {
    super(baseUrl, options.headers);
    this.extraHeaders = options.headers ?? {};
    this.publicUrl = options.publicUrl ?? baseUrl;
  }

  /**
   * Another panel session on the same Heimdall session: a second agent holding only this one's Heimdall ID
   * cookie, as another browser profile would after copying it (sign it in with `signInToPanel()`, no password).
   */
  sharingHeimdallSession(): PanelAgent {
    const other = new PanelAgent(this.baseUrl, this.options);
    const token = this.cookie(ID_COOKIE);
    if (token) other.setCookie(ID_COOKIE, token);
    return other;
  }

  /** Where a URL of the public origin is really sent. */
  private viaProxy(url: string): string {
    return url.startsWith(this.publicUrl) ? this.baseUrl + url.slice(this.publicUrl.length) : url;
  }

  override async request(url: string, init: { method?: string; form?: Record<string, string> } = {}) {
    return super.request(this.viaProxy(url), init);
  }

  /** The CSRF token the page's scripts read from their cookie. */
  get csrfToken(): string | undefined {
    return this.cookie(XSRF_COOKIE);
  }

  /**
   * A request to the panel (no redirects followed), with the panel's cookies. `csrf`: the header to send
   * (`true`: the token from the cookie, as AdminJS does; a string: that token; absent/false: none).
   */
  async send(
    method: string,
    path: string,
    init: {
      json?: unknown;
      form?: Record<string, string>;
      csrf?: boolean | string;
      headers?: Record<string, string>;
    } = {},
  ): Promise<PanelAnswer> {
    const url = this.viaProxy(path.startsWith('http') ? path : `${this.baseUrl}${path}`);
    const headers: Record<string, string> = {
      ...this.extraHeaders,
      cookie: PANEL_COOKIES.filter((n) => this.cookie(n) !== undefined)
        .map((n) => `${n}=${this.cookie(n)}`)
        .join('; '),
      ...init.headers,
    };
    const csrf = init.csrf === true ? this.csrfToken : init.csrf || undefined;
    if (csrf !== undefined) headers['x-xsrf-token'] = csrf;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    const setCookies = res.headers.getSetCookie();
    for (const line of setCookies) {
      const { name, value } = parseSetCookie(line);
      this.setCookie(name, value);
    }
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let json: any;
    if (contentType.includes('json') && text) json = JSON.parse(text);
    return { status: res.status, location: res.headers.get('location'), contentType, text, json, setCookies };
  }

  /** GET /admin/login/start and on to Heimdall ID's sign-in page. */
  async startPanelSignIn() {
    return this.follow(`${this.baseUrl}/admin/login/start`, 'never');
  }

  /**
   * Through Heimdall ID's pages until Heimdall ID answers the panel with its auto-submitting `form_post` page:
   * the password page and the code page (when the person has 2FA), or neither when this agent's Heimdall session
   * is resumed. Answers that page's form (code and state), not yet posted, and the last page seen.
   */
  async heimdallIdSignIn(person?: Pick<PanelPerson, 'email' | 'password' | 'totp'>): Promise<{
    form: Form | undefined;
    last: Awaited<ReturnType<Person['follow']>>;
  }> {
    let step = await this.startPanelSignIn();
    for (let i = 0; i < 3; i++) {
      const pageForms = forms(step.body, this.baseUrl);
      const answer = pageForms.find((f) => f.action === `${this.publicUrl}/admin/login`);
      if (answer) return { form: answer, last: step };
      const login = pageForms.find((f) => /\/oidc\/interaction\/[\w-]+\/login$/.test(f.action));
      const code = pageForms.find((f) => /\/oidc\/interaction\/[\w-]+\/2fa$/.test(f.action));
      if (login && person) {
        step = await this.follow(login.action, 'never', {
          form: { ...login.fields, email: person.email, password: person.password },
        });
      } else if (code && person?.totp) {
        step = await this.follow(code.action, 'never', {
          form: { ...code.fields, code: await nextCode(person.totp) },
        });
      } else break;
    }
    return { form: undefined, last: step };
  }

  /** Posts Heimdall ID's answer to /admin/login as the `form_post` page's script would. */
  async postAnswer(form: Form): Promise<PanelAnswer> {
    return this.send('POST', '/admin/login', { form: form.fields });
  }

  /**
   * The whole sign-in; answers the panel's answer to the posted form (302 to /admin on success), after which
   * one page load has given the page its CSRF cookie.
   */
  async signInToPanel(person?: Pick<PanelPerson, 'email' | 'password' | 'totp'>): Promise<PanelAnswer> {
    const { form, last } = await this.heimdallIdSignIn(person);
    if (!form)
      throw new Error(`Heimdall ID did not answer the panel (last page ${last.url}, ${last.status}).`);
    const answer = await this.postAnswer(form);
    if (answer.status === 302) await this.send('GET', '/admin');
    return answer;
  }

  /** An AdminJS API call (`/admin/api/…`) with the CSRF header, as the panel's own scripts make it. */
  api(method: 'GET' | 'POST', path: string, json?: unknown): Promise<PanelAnswer> {
    return this.send(method, `/admin/api${path}`, { csrf: true, ...(json === undefined ? {} : { json }) });
  }
}
