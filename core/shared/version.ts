import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Heimdall's own folder and version, found by walking up from this file to its package.json, so both work
 * from the sources (tests) and from dist/ alike.
 */
let found: { root: string; version: string } | undefined;

function locate(): { root: string; version: string } {
  if (found) return found;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'heimdall' && pkg.version) return (found = { root: dir, version: pkg.version });
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (found = { root: process.cwd(), version: '0.0.0' });
    dir = parent;
  }
}

export const heimdallVersion = (): string => locate().version;

/** The folder holding Heimdall's package.json (the repository, or the installed package). */
export const packageRoot = (): string => locate().root;
