import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * A link checker for a built static site, offline: every same-origin `href` and `src` of every page must name
 * a file of the build (and, with a `#fragment`, an element of that page with that id) or one of the server's
 * own routes. Links to other hosts are not followed.
 */
export interface SiteLinkOptions {
  /** The folder the site was built into. */
  dir: string;
  /** The URL path the site is served under, with both slashes: `/docs/`. */
  base: string;
  /** Paths the server answers itself, outside the build: exact strings, or patterns. */
  serverRoutes: readonly (string | RegExp)[];
}

const ATTRIBUTE = /\s(?:href|src)=(?:"([^"]*)"|'([^']*)')/g;
const OTHER_SCHEME = /^(?:[a-z][a-z0-9+.-]*:|\/\/)/i;

const decodeEntities = (value: string) =>
  value
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');

function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.html'))
    .sort();
}

/** The links of one page, as written (entities decoded). */
export function pageLinks(html: string): string[] {
  return [...html.matchAll(ATTRIBUTE)].map((m) => decodeEntities(m[1] ?? m[2] ?? ''));
}

/** Every broken link of the site, as `page → link: why`; empty when all resolve. */
export function brokenLinks(options: SiteLinkOptions): string[] {
  const origin = 'http://site.invalid';
  const ids = new Map<string, Set<string>>();
  const idsOf = (file: string) => {
    let found = ids.get(file);
    if (!found) {
      const html = readFileSync(file, 'utf8');
      found = new Set([...html.matchAll(/\sid=(?:"([^"]*)"|'([^']*)')/g)].map((m) => m[1] ?? m[2] ?? ''));
      ids.set(file, found);
    }
    return found;
  };
  const isServerRoute = (pathname: string) =>
    options.serverRoutes.some((route) =>
      typeof route === 'string' ? route === pathname : route.test(pathname),
    );

  const problems: string[] = [];
  for (const page of htmlFiles(options.dir)) {
    const pageFile = path.join(options.dir, page);
    const pageUrl = new URL(options.base + page.split(path.sep).join('/'), origin);
    for (const link of pageLinks(readFileSync(pageFile, 'utf8'))) {
      if (link === '' || (OTHER_SCHEME.test(link) && !link.startsWith(origin))) continue;
      const url = new URL(link, pageUrl);
      const why = problem(url);
      if (why) problems.push(`${page} → ${link}: ${why}`);
    }
  }
  return problems;

  function problem(url: URL): string | undefined {
    const pathname = decodeURIComponent(url.pathname);
    if (!pathname.startsWith(options.base)) {
      return isServerRoute(pathname) ? undefined : 'neither in the site nor a server route';
    }
    if (isServerRoute(pathname)) return undefined;
    let file = path.join(options.dir, pathname.slice(options.base.length));
    if (pathname.endsWith('/')) file = path.join(file, 'index.html');
    if (!path.resolve(file).startsWith(path.resolve(options.dir))) return 'outside the site';
    if (!existsSync(file) || !statSync(file).isFile()) return 'no such file in the build';
    const fragment = decodeURIComponent(url.hash.slice(1));
    if (fragment && file.endsWith('.html') && !idsOf(file).has(fragment)) return `no element #${fragment}`;
    return undefined;
  }
}
