// `npm start`'s build step: runs the build only when something that feeds it changed since the last build that
// succeeded. Plain JavaScript without dependencies because it runs before anything is compiled.
//
// The inputs are every file of the repository (path, size, mtime) but the build's outputs and local state, plus
// the installed packages (npm rewrites node_modules/.package-lock.json on every install), the build command, the
// `build` script's text and the Node version. Their hash goes into a stamp in dist/ after a successful build; a
// build that fails or is interrupted leaves no stamp, so the next start builds again. A checkout, a deleted
// dist/ or a changed build script all rebuild.
//
//   node scripts/build-if-stale.mjs [--root DIR] [--command "npm run build"]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const STAMP = 'dist/.build-stamp';

/** Not inputs, anywhere in the tree. */
const SKIPPED_NAMES = new Set(['node_modules', '.git']);

/** Not inputs: what the build writes, and local state (relative to the root, `/`-separated). */
const SKIPPED_PATHS = new Set([
  'dist',
  '.heimdall',
  'test-artifacts',
  'coverage',
  'test-results.json',
  'keystone/generated',
  'proto/generated',
  'docs/.vitepress/cache',
  'docs/.vitepress/dist',
  'docs/reference/graphql-schema.md',
  'config/local.toml',
  'config/bot.toml',
]);

function skipped(relative, name) {
  return SKIPPED_NAMES.has(name) || SKIPPED_PATHS.has(relative) || name.endsWith('.log');
}

/** Walks the tree in a fixed order, feeding each file's path, size and mtime (a link's target) to the hash. */
function walk(root, relative, hash) {
  const entries = readdirSync(path.join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (skipped(child, entry.name)) continue;
    const full = path.join(root, child);
    if (entry.isDirectory()) walk(root, child, hash);
    else if (entry.isSymbolicLink()) hash.update(`${child}\0->${readlinkSync(full)}\n`);
    else {
      const stat = lstatSync(full);
      hash.update(`${child}\0${stat.size}\0${stat.mtimeMs}\n`);
    }
  }
}

function installedPackages(root) {
  try {
    const stat = statSync(path.join(root, 'node_modules/.package-lock.json'));
    return `${stat.size}\0${stat.mtimeMs}`;
  } catch {
    return 'none';
  }
}

function buildScript(root) {
  try {
    return JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts?.build ?? '';
  } catch {
    return '';
  }
}

export function fingerprint(root, command) {
  const hash = createHash('sha256');
  hash.update(`node\0${process.version}\0${process.platform}\0${process.arch}\n`);
  hash.update(`command\0${command}\nbuild script\0${buildScript(root)}\n`);
  hash.update(`packages\0${installedPackages(root)}\n`);
  walk(root, '', hash);
  return hash.digest('hex');
}

function readStamp(file) {
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Builds when the inputs differ from the stamp's; returns the exit code (the build's when it ran). */
export function buildIfStale({ root, command }) {
  const stampFile = path.join(root, STAMP);
  // Taken before building: a file changed while the build runs makes the next start build again.
  const current = fingerprint(root, command);
  if (readStamp(stampFile) === current) {
    console.error('build-if-stale: nothing changed since the last build, skipping it');
    return 0;
  }
  rmSync(stampFile, { force: true });
  const result = spawnSync(command, { cwd: root, shell: true, stdio: 'inherit' });
  const code = result.status ?? 1;
  if (code !== 0) return code;
  mkdirSync(path.dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, `${current}\n`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      root: { type: 'string', default: path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..') },
      command: { type: 'string', default: 'npm run build' },
    },
  });
  process.exitCode = buildIfStale({ root: path.resolve(values.root), command: values.command });
}
