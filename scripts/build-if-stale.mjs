// `npm start`'s build step: runs the build only when something that feeds it changed since the last build that
// succeeded. Plain JavaScript without dependencies because it runs before anything is compiled.
//
// The inputs are every file of the repository (path, size, mtime) but what git ignores (the build's outputs and
// local state), plus the installed packages (npm rewrites node_modules/.package-lock.json on every install), the
// build command, the `build` script's text and the Node version. Their hash goes into a stamp in dist/ after a
// successful build; a build that fails or is interrupted leaves no stamp, so the next start builds again. A
// checkout, a deleted dist/ or a changed build script all rebuild.
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

/** Never inputs, anywhere in the tree, whatever .gitignore says. */
const SKIPPED_NAMES = new Set(['node_modules', '.git']);

/**
 * What git ignores is not an input: the build's outputs (dist/, generated clients, the generated docs page) and
 * local state (.heimdall/, config/local.toml, logs) are all listed in .gitignore, which stays the one list of them.
 * Understood: comments, `dir/` (a folder), a leading or inner `/` (anchored at the root), `*` within a name.
 */
export function ignoredBy(gitignore) {
  const rules = gitignore
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#') && !line.startsWith('!'))
    .map((line) => {
      const pattern = line.replace(/\/+$/, '');
      const anchored = pattern.includes('/');
      const body = pattern
        .replace(/^\//, '')
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('[^/]*');
      return { anchored, test: new RegExp(`^${body}$`) };
    });
  return (relative, name) =>
    rules.some((rule) => (rule.anchored ? rule.test.test(relative) : rule.test.test(name)));
}

function readIgnored(root) {
  try {
    return ignoredBy(readFileSync(path.join(root, '.gitignore'), 'utf8'));
  } catch {
    return () => false;
  }
}

/** Walks the tree in a fixed order, feeding each file's path, size and mtime (a link's target) to the hash. */
function walk(root, relative, hash, ignored) {
  const entries = readdirSync(path.join(root, relative), { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (SKIPPED_NAMES.has(entry.name) || ignored(child, entry.name)) continue;
    const full = path.join(root, child);
    if (entry.isDirectory()) walk(root, child, hash, ignored);
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
  walk(root, '', hash, readIgnored(root));
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
