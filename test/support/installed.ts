import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(path.join(process.cwd(), 'package.json'));

/** The version of `pkg` as Node resolves it from the repository root (read from its package.json on disk). */
export function installedVersion(pkg: string): string {
  let dir = path.dirname(require.resolve(pkg));
  for (;;) {
    const file = path.join(dir, 'package.json');
    try {
      const manifest = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (manifest.name === pkg && manifest.version) return manifest.version;
    } catch {
      // no package.json at this level: keep walking up
    }
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json found for ${pkg}`);
    dir = parent;
  }
}

const parts = (version: string) => version.split('-')[0]!.split('.').map(Number) as [number, number, number];
const compare = (a: string, b: string) => {
  const [x, y] = [parts(a), parts(b)];
  for (let i = 0; i < 3; i += 1) if (x[i] !== y[i]) return x[i]! - y[i]!;
  return 0;
};

/**
 * True when `version` lies in `[from, below)`: the range an adapter module of a library's internals names as
 * checked. An upgrade outside it must be re-checked by hand, then the range (and the module's header) moved.
 */
export const withinRange = (version: string, from: string, below: string): boolean =>
  compare(version, from) >= 0 && compare(version, below) < 0;
