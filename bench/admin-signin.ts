import { totpCode } from '../core/two-factor/totp.js';
import type { PanelAdmin } from './admin-data.js';

/**
 * Signing in to the admin panel over plain HTTP, as a browser would but without one: the panel's start route,
 * Heimdall ID's password and code pages, and the page Heimdall ID answers with (`response_mode=form_post`: a form
 * a browser submits by script, posted here by hand to /admin/login). What is left is a cookie jar holding the
 * panel session (`backend.session-token`) and its CSRF token (`XSRF-TOKEN`).
 */
export const PANEL_SESSION_COOKIE = 'backend.session-token';
export const PANEL_CSRF_COOKIE = 'XSRF-TOKEN';

interface Form {
  action: string;
  fields: Record<string, string>;
}

const decode = (text: string) =>
  text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The forms of a server-rendered page, with the values their inputs carry. */
function formsOf(page: string, base: string): Form[] {
  return [...page.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/g)].map(([, attributes, inner]) => {
    const fields: Record<string, string> = {};
    for (const [, input] of inner!.matchAll(/<input\b([^>]*)>/g)) {
      const name = /\bname="([^"]*)"/.exec(input!)?.[1];
      if (name) fields[decode(name)] = decode(/\bvalue="([^"]*)"/.exec(input!)?.[1] ?? '');
    }
    const action = decode(/\baction="([^"]*)"/.exec(attributes!)?.[1] ?? '');
    return { action: new URL(action, base).toString(), fields };
  });
}

/** A cookie jar and the requests of one person (cookie paths are not told apart: the names do not clash). */
export class PanelAgent {
  private readonly jar = new Map<string, string>();
  constructor(readonly baseUrl: string) {}

  cookie(name: string): string | undefined {
    return this.jar.get(name);
  }

  /** The Cookie header a browser would send (to /admin). */
  cookieHeader(): string {
    return [...this.jar].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(url: string, form?: Record<string, string>) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: {
        cookie: this.cookieHeader(),
        ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';', 1)[0]!;
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || /expires=Thu, 01 Jan 1970/i.test(line)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
    return { url, status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  /** A request, then its redirects, to the first answer that is not one. */
  async follow(url: string, form?: Record<string, string>) {
    let reply = await this.request(url, form);
    for (let hops = 0; reply.location && hops < 20; hops += 1) {
      reply = await this.request(new URL(reply.location, reply.url).toString());
    }
    return reply;
  }
}

/** The person's next code from their app (one step past any used before: each is accepted once). */
function codeFor(secret: string, used: { step: number }): string {
  used.step = Math.max(Math.floor(Date.now() / 30_000), used.step + 1);
  return totpCode(secret, { epoch: used.step * 30 });
}

/** From /admin/login/start to a signed-in panel session; throws with the page it got stuck on. */
export async function signInToPanel(baseUrl: string, admin: PanelAdmin): Promise<PanelAgent> {
  const agent = new PanelAgent(baseUrl);
  const used = { step: 0 };
  const panelLogin = `${baseUrl}/admin/login`;
  let page = await agent.follow(`${baseUrl}/admin/login/start`);
  for (let step = 0; step < 6; step += 1) {
    const forms = formsOf(page.body, page.url);
    const answer = forms.find((f) => f.action === panelLogin && 'state' in f.fields);
    if (answer) {
      // Heimdall ID's answer, which a browser posts by script: the panel redeems the code and signs in.
      await agent.follow(answer.action, answer.fields);
      if (!agent.cookie(PANEL_SESSION_COOKIE) || !agent.cookie(PANEL_CSRF_COOKIE))
        throw new Error('The panel did not start a session after Heimdall ID answered.');
      return agent;
    }
    const password = forms.find((f) => 'email' in f.fields && 'password' in f.fields);
    const code = forms.find((f) => 'code' in f.fields);
    const consent = forms.find((f) => f.action.endsWith('/confirm'));
    if (password) {
      page = await agent.follow(password.action, {
        ...password.fields,
        email: admin.email,
        password: admin.password,
      });
    } else if (code) {
      page = await agent.follow(code.action, { ...code.fields, code: codeFor(admin.totp, used) });
    } else if (consent) {
      page = await agent.follow(consent.action, consent.fields);
    } else break;
  }
  throw new Error(
    `Signing in to the panel stopped at ${page.url} (${page.status}): ${page.body.slice(0, 300)}`,
  );
}
