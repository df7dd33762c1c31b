import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { brokenLinks, type SiteLinkOptions } from '../support/site-links.js';

/** What Heimdall serves itself next to the documentation site, which the site may link to. */
const SERVER_ROUTES: SiteLinkOptions['serverRoutes'] = [
  '/',
  '/docs/api',
  '/docs/api/',
  '/v1/openapi.json',
  '/api/graphql',
  '/health',
  '/ready',
  '/metrics',
  /^\/account(\/[a-z0-9/-]*)?$/,
  /^\/policies\/[a-z-]+$/,
  /^\/admin(\/.*)?$/,
  /^\/oidc(\/.*)?$/,
];

const SITE = path.resolve('dist', 'docs-site');

describe('the documentation site (npm run build)', () => {
  it('was built, in English and German', () => {
    expect(existsSync(path.join(SITE, 'index.html'))).toBe(true);
    expect(existsSync(path.join(SITE, 'de', 'index.html'))).toBe(true);
    expect(existsSync(path.join(SITE, 'guide', 'quick-start.html'))).toBe(true);
    expect(existsSync(path.join(SITE, 'de', 'guide', 'quick-start.html'))).toBe(true);
  });

  it('has no broken link: every page, asset and #fragment it points at exists', () => {
    expect(brokenLinks({ dir: SITE, base: '/docs/', serverRoutes: SERVER_ROUTES })).toEqual([]);
  });
});

describe('the link checker', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'heimdall-site-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const page = (name: string, body: string) => {
    mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    writeFileSync(path.join(dir, name), `<!doctype html><html><body>${body}</body></html>`);
  };

  it('accepts files, fragments, server routes and other hosts, and names each broken link', () => {
    page('index.html', '<h2 id="start">Start</h2><a href="/docs/guide/a.html#setup">a</a>');
    page(
      'guide/a.html',
      [
        '<h2 id="setup">Setup</h2>',
        '<link rel="stylesheet" href="/docs/assets/style.css">',
        '<a href="../index.html#start">home</a> <a href="#setup">here</a> <a href="/docs/">root</a>',
        '<a href="/docs/api/" target="_self">API</a> <a href="/account/security">account</a>',
        '<a href="https://example.com/nowhere">elsewhere</a> <a href="mailto:x@example.com">mail</a>',
        '<a href="b.html">missing page</a> <a href="../index.html#nope">missing anchor</a>',
        '<img src="/docs/logo.svg"> <a href="/nowhere">unknown route</a> <a href="/docs/../secret">up</a>',
      ].join('\n'),
    );
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'assets', 'style.css'), '');

    expect(brokenLinks({ dir, base: '/docs/', serverRoutes: SERVER_ROUTES })).toEqual([
      'guide/a.html → b.html: no such file in the build',
      'guide/a.html → ../index.html#nope: no element #nope',
      'guide/a.html → /docs/logo.svg: no such file in the build',
      'guide/a.html → /nowhere: neither in the site nor a server route',
      'guide/a.html → /docs/../secret: neither in the site nor a server route',
    ]);
  });
});
