import { mkdtempSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { escapeHtml } from '../../core/shared/html.js';
import { BUILT_IN } from '../../account/policies/content/index.js';
import { POLICY_LINK_LABELS } from '../../oidc/views/policy-footer.js';
import { POLICY_PAGES } from '../../schemas/policies.js';
import { useOidcPlatform } from '../support/oidc.js';

const get = (base: string, pathname: string, headers: Record<string, string> = {}) =>
  fetch(new URL(pathname, base), { redirect: 'manual', headers });

const h1Of = (body: string) => /<h1>(.*?)<\/h1>/s.exec(body)?.[1];

/** The policy pages over HTTP: the built-in ones, an operator's files and URLs, and security.txt. */
describe('policy pages, built in', () => {
  const t = useOidcPlatform();

  it.each(POLICY_PAGES)('/policies/%s answers in English and in German', async (name) => {
    for (const [lang, acceptLanguage] of [
      ['en', 'en-GB,en;q=0.9'],
      ['de', 'de-DE,de;q=0.9,en;q=0.5'],
    ] as const) {
      const res = await get(t.url, `/policies/${name}`, { 'accept-language': acceptLanguage });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
      expect(res.headers.get('content-language')).toBe(lang);
      expect(res.headers.get('vary')).toContain('Accept-Language');
      const body = await res.text();
      expect(body).toContain(`<html lang="${lang}">`);
      expect(h1Of(body)).toBe(escapeHtml(BUILT_IN[name][lang].title));
      // The other language is one link away.
      const other = lang === 'en' ? 'de' : 'en';
      expect(body).toContain(
        `<a href="/policies/${name}?lang=${other}" hreflang="${other}" lang="${other}">`,
      );
    }
  });

  it('lets ?lang= win over Accept-Language, and ignores a language it does not have', async () => {
    const de = await get(t.url, '/policies/privacy?lang=de', { 'accept-language': 'en' });
    expect(de.headers.get('content-language')).toBe('de');
    expect(de.headers.get('vary') ?? '').not.toContain('Accept-Language');
    expect(h1Of(await de.text())).toBe('Datenschutzerklärung');
    const en = await get(t.url, '/policies/privacy?lang=en', { 'accept-language': 'de' });
    expect(h1Of(await en.text())).toBe('Privacy policy');
    const fr = await get(t.url, '/policies/privacy?lang=fr', { 'accept-language': 'de' });
    expect(fr.headers.get('content-language')).toBe('de');
  });

  it('states the configured facts: cookie names, session length, grace period, contact', async () => {
    const cookies = await (await get(t.url, '/policies/cookies?lang=en')).text();
    expect(cookies).toContain('<code>id.session-token</code>');
    expect(cookies).toContain('up to 14 days');
    const faq = await (await get(t.url, '/policies/faq?lang=de')).text();
    expect(faq).toContain('Karenzzeit (30 Tage)');
    const security = await (await get(t.url, '/policies/security?lang=en')).text();
    expect(security).toContain('<a href="mailto:security@127.0.0.1">security@127.0.0.1</a>');
  });

  it('lists every page at /policies, in the chosen language', async () => {
    const res = await get(t.url, '/policies?lang=de');
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(h1Of(body)).toBe('Richtlinien und Hilfe');
    for (const name of POLICY_PAGES)
      expect(body).toContain(
        `<a href="/policies/${name}?lang=de">${escapeHtml(BUILT_IN[name].de.title)}</a>`,
      );
  });

  it('answers an unknown policy with the usual 404', async () => {
    const res = await get(t.url, '/policies/imprint');
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: 'route.not_found' } });
  });

  it('links every policy from the foot of the sign-in and registration pages, in their language', async () => {
    for (const pathname of ['/account/login', '/account/register']) {
      const body = await (await get(t.url, pathname, { 'accept-language': 'de' })).text();
      for (const name of POLICY_PAGES)
        expect(body).toContain(
          `<a href="/policies/${name}?lang=de">${escapeHtml(POLICY_LINK_LABELS.de[name])}</a>`,
        );
    }
  });

  it('serves security.txt as RFC 9116 asks', async () => {
    const res = await get(t.url, '/.well-known/security.txt');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    const fields = Object.fromEntries(lines.map((line) => line.split(/: (.*)/s).slice(0, 2)));
    expect(fields).toEqual({
      Contact: 'mailto:security@127.0.0.1',
      Expires: expect.stringMatching(/^\d{4}-\d\d-\d\dT00:00:00Z$/),
      'Preferred-Languages': 'en, de',
      Policy: `${t.url}/policies/security`,
      Canonical: `${t.url}/.well-known/security.txt`,
    });
    const expires = Date.parse(fields.Expires!);
    expect(expires).toBeGreaterThan(Date.now());
    expect(expires).toBeLessThan(Date.now() + 366 * 86_400_000);
  });
});

describe('policy pages, replaced by the operator', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'heimdall-policies-'));
  const privacyFile = path.join(dir, 'privacy.md');
  writeFileSync(
    privacyFile,
    '# Privacy at Example Corp\n\nWe are Example Corp. <script>alert(1)</script> [evil](javascript:alert(1))\n',
  );
  writeFileSync(path.join(dir, 'cookies.de.md'), 'Nur ein Cookie: `id.session-token`.\n');
  const t = useOidcPlatform({
    HEIMDALL__POLICIES__DIR: dir,
    HEIMDALL__POLICIES__SECURITY_CONTACT: 'https://example.org/report',
    HEIMDALL__POLICIES__URLS__FAQ: '/help/faq',
    // The older setting still moves the terms.
    HEIMDALL__ACCOUNTS__TERMS_URL: 'https://legal.example.org/terms',
  });

  it("serves the operator's markdown, without its raw HTML or script links", async () => {
    const body = await (await get(t.url, '/policies/privacy?lang=en')).text();
    expect(h1Of(body)).toBe('Privacy at Example Corp');
    expect(body).toContain('<title>Privacy at Example Corp · Heimdall ID</title>');
    expect(body).toContain('We are Example Corp. &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).not.toContain('<script');
    expect(body).toContain('[evil](javascript:alert(1))</p>');
    expect(body).not.toContain('Argon2id');
  });

  it("shows the operator's file in its own language when the other is missing", async () => {
    const asked = await get(t.url, '/policies/privacy?lang=de');
    expect(asked.headers.get('content-language')).toBe('en');
    const de = await asked.text();
    expect(de).toContain('<html lang="en">');
    expect(h1Of(de)).toBe('Privacy at Example Corp');
    const en = await (await get(t.url, '/policies/cookies?lang=en')).text();
    expect(en).toContain('<html lang="de">');
    // A file without a heading gets the page's title.
    expect(h1Of(en)).toBe('Cookies');
    expect(en).toContain('<p>Nur ein Cookie: <code>id.session-token</code>.</p>');
    // Pages the operator left alone stay built in, with what the operator configured.
    const security = await (await get(t.url, '/policies/security', { 'accept-language': 'de' })).text();
    expect(h1Of(security)).toBe('Sicherheit');
    expect(security).toContain('<a href="https://example.org/report">https://example.org/report</a>');
  });

  it('serves an edited file without a restart', async () => {
    writeFileSync(privacyFile, '# Privacy, second edition\n');
    const later = new Date(Date.now() + 5000);
    utimesSync(privacyFile, later, later);
    expect(h1Of(await (await get(t.url, '/policies/privacy')).text())).toBe('Privacy, second edition');
  });

  it('redirects pages kept elsewhere, and links straight to them', async () => {
    for (const [name, target] of [
      ['faq', '/help/faq'],
      ['terms', 'https://legal.example.org/terms'],
    ] as const) {
      const res = await get(t.url, `/policies/${name}?lang=de`);
      expect(res.status).toBe(302);
      expect(res.headers.get('location')).toBe(target);
    }
    const index = await (await get(t.url, '/policies?lang=en')).text();
    expect(index).toContain('<a href="/help/faq">Frequently asked questions</a>');
    expect(index).toContain('<a href="https://legal.example.org/terms">Terms of use</a>');
    expect(index).toContain('<a href="/policies/privacy?lang=en">');
    const register = await (await get(t.url, '/account/register')).text();
    expect(register).toContain('href="https://legal.example.org/terms"');
    expect(register).toContain('href="/policies/privacy"');
  });

  it('names the configured contact in security.txt', async () => {
    const text = await (await get(t.url, '/.well-known/security.txt')).text();
    expect(text).toContain('Contact: https://example.org/report\n');
    expect(text).toContain(`Policy: ${t.url}/policies/security\n`);
  });
});
