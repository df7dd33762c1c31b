import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';

/**
 * The suite runs on the runtime Heimdall ships on: the `node` devDependency, which npm puts first on PATH for
 * `npm test` and `npm start` whatever the machine's own Node is.
 */
describe('runtime', () => {
  it('is a Node LTS release, 22 or newer', () => {
    const major = Number(process.versions.node.split('.')[0]);
    expect(major).toBeGreaterThanOrEqual(22);
    // Node names its long-term-support releases (e.g. 'Krypton'); current and odd releases have no name.
    expect(process.release.lts).toEqual(expect.any(String));
  });

  it('is the pinned runtime', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
      devDependencies: Record<string, string>;
    };
    expect(process.versions.node).toBe(pkg.devDependencies['node']);
  });
});
