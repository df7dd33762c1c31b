import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from '@jest/globals';

const SCRIPT = path.resolve('scripts/build-if-stale.mjs');

/**
 * `npm start`'s build step on a small tree of its own, with a fake build that counts its runs in dist/ and exits
 * with FAKE_BUILD_EXIT: the real build would take 20 s a case.
 */
describe('scripts/build-if-stale.mjs', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'heimdall-build-if-stale-'));
  const fakeBuild = path.join(base, 'fake-build.cjs');
  writeFileSync(
    fakeBuild,
    `const fs = require('node:fs');
fs.mkdirSync('dist', { recursive: true });
fs.appendFileSync('dist/builds', 'x');
process.exit(Number(process.env.FAKE_BUILD_EXIT ?? 0));
`,
  );
  const command = `"${process.execPath}" "${fakeBuild}"`;
  let root: string;

  function write(file: string, text: string): void {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }

  /** Moves a file's mtime, as an edit or a checkout does, without changing its size. */
  function touch(file: string, seconds: number): void {
    const when = new Date(Date.now() + seconds * 1000);
    utimesSync(path.join(root, file), when, when);
  }

  function run(options: { command?: string; exit?: number } = {}) {
    const result = spawnSync(
      process.execPath,
      [SCRIPT, '--root', root, '--command', options.command ?? command],
      { env: { ...process.env, FAKE_BUILD_EXIT: String(options.exit ?? 0) }, encoding: 'utf8' },
    );
    return { code: result.status, stderr: result.stderr };
  }

  const builds = () =>
    existsSync(path.join(root, 'dist/builds'))
      ? readFileSync(path.join(root, 'dist/builds'), 'utf8').length
      : 0;
  const stamped = () => existsSync(path.join(root, 'dist/.build-stamp'));

  beforeEach(() => {
    root = mkdtempSync(path.join(base, 'tree-'));
    write('package.json', JSON.stringify({ scripts: { build: 'tsc' } }));
    // The repository's own list of what is not an input.
    write('.gitignore', readFileSync('.gitignore', 'utf8'));
    write('core/a.ts', 'export const a = 1;\n');
    write('docs/guide.md', '# Guide\n');
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  it('builds a fresh tree, then skips while nothing changed', () => {
    expect(run().code).toBe(0);
    expect(builds()).toBe(1);
    expect(stamped()).toBe(true);
    const again = run();
    expect(again.code).toBe(0);
    expect(again.stderr).toContain('skipping');
    expect(run().code).toBe(0);
    expect(builds()).toBe(1);
  });

  it('builds again when a source is touched, added, removed or resized', () => {
    run();
    touch('core/a.ts', 5);
    run();
    expect(builds()).toBe(2);
    write('core/b.ts', 'export const b = 2;\n');
    run();
    expect(builds()).toBe(3);
    rmSync(path.join(root, 'core/b.ts'));
    run();
    expect(builds()).toBe(4);
    run();
    expect(builds()).toBe(4);
  });

  it('ignores the build outputs and local state', () => {
    run();
    write('dist/server/main.js', 'changed');
    write('keystone/generated/prisma/client.ts', 'generated');
    write('proto/generated/realtime.ts', 'generated');
    write('.heimdall/postgres/PG_VERSION', '18');
    write('config/local.toml', '[log]\nformat = "json"\n');
    write('npm-debug.log', 'noise');
    write('coverage/lcov.info', 'noise');
    write('docs/.temp/app.js', 'vitepress at work');
    write('docs/reference/graphql-schema.md', '# generated');
    write('core/node_modules/x/index.js', 'noise');
    run();
    expect(builds()).toBe(1);
  });

  it('a failed build leaves no stamp, so the next start builds again', () => {
    const failed = run({ exit: 3 });
    expect(failed.code).toBe(3);
    expect(builds()).toBe(1);
    expect(stamped()).toBe(false);
    expect(run().code).toBe(0);
    expect(builds()).toBe(2);
    expect(stamped()).toBe(true);

    // A stamp from an earlier success does not survive a failure on changed sources either.
    touch('core/a.ts', 5);
    expect(run({ exit: 2 }).code).toBe(2);
    expect(stamped()).toBe(false);
    run();
    expect(builds()).toBe(4);
  });

  it('builds again when the build command or the build script changes, or dist/ is gone', () => {
    run();
    run({ command: `${command} --other` });
    expect(builds()).toBe(2);
    write('package.json', JSON.stringify({ scripts: { build: 'tsc && vitepress' } }));
    run({ command: `${command} --other` });
    expect(builds()).toBe(3);
    rmSync(path.join(root, 'dist'), { recursive: true });
    run({ command: `${command} --other` });
    expect(builds()).toBe(1);
    expect(stamped()).toBe(true);
  });
});
