import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { useTestPlatform } from '../support/platform.js';

const inlineScripts = (html: string) =>
  [...html.matchAll(/<script(?![^>]*\ssrc=)[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1] ?? '');
const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

describe('the documentation site at /docs', () => {
  const t = useTestPlatform();

  it('sends /docs to /docs/, keeping the query', async () => {
    const res = await fetch(`${t.url}/docs?q=1`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/docs/?q=1');
  });

  it('serves its pages under a policy that allows exactly their inline scripts, revalidated on each visit', async () => {
    for (const page of ['/docs/', '/docs/guide/quick-start.html', '/docs/de/', '/docs/api.html']) {
      const res = await fetch(`${t.url}${page}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const csp = res.headers.get('content-security-policy') ?? '';
      const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1] ?? '';
      expect(scriptSrc).not.toContain('unsafe-inline');
      expect(csp).toContain("frame-ancestors 'none'");
      const html = await res.text();
      const scripts = inlineScripts(html);
      expect(scripts.length).toBeGreaterThan(0);
      for (const script of scripts) expect(scriptSrc).toContain(sha256(script));
    }
  });

  it('lets browsers keep the hashed bundles for a year', async () => {
    const html = await (await fetch(`${t.url}/docs/`)).text();
    const bundle = /src="(\/docs\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(bundle).toBeDefined();
    const res = await fetch(`${t.url}${bundle}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/javascript/);
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it("answers an unknown page with the site's own not-found page and a 404", async () => {
    const res = await fetch(`${t.url}/docs/no-such-page.html`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await res.text()).toContain('<div id="app">');
    expect((await fetch(`${t.url}/docs/%2e%2e/package.json`)).status).toBe(404);
  });

  it('leaves /docs/api to Swagger UI', async () => {
    for (const path of ['/docs/api', '/docs/api/']) {
      const res = await fetch(`${t.url}${path}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      expect(html).toContain('<div id="swagger-ui"></div>');
      expect(html).toContain('/docs/api/assets/swagger-ui-bundle.js');
    }
    expect((await fetch(`${t.url}/docs/api/assets/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${t.url}/docs/api/init.js`)).status).toBe(200);
  });
});
