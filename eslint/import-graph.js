import fs from 'node:fs';
import path from 'node:path';

/**
 * The repository's own import graph, read from disk once per ESLint process: every relative `import`/`export …
 * from`/`import()` of a TypeScript source, type-only ones included. import-x/no-cycle skips type-only imports,
 * but a type-only edge still ties two modules together (neither can move or be understood without the other),
 * so cycles are computed here over all edges.
 */
const SKIP = new Set(['node_modules', 'dist', 'coverage', 'generated', '.git', '.heimdall']);
const SPECIFIER =
  /(?:^|[\n;])\s*(?:import|export)\s[^'";]*?\bfrom\s*['"](\.{1,2}\/[^'"]+)['"]|\bimport\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sourcesUnder(dir, out) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) sourcesUnder(full, out);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(full);
  }
  return out;
}

/** NodeNext resolution of a relative specifier as the sources write it (`./x.js` is `./x.ts`). */
export function resolveRelative(fromFile, specifier) {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), `${base}.ts`, path.join(base, 'index.ts')]) {
    if (fs.existsSync(candidate) && fs.statSync(candidate).isFile()) return candidate;
  }
  return null;
}

/** Strongly connected components with more than one member (Tarjan), as member → component id. */
function cyclicComponents(graph) {
  let counter = 0;
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const component = new Map();
  const visit = (v) => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v), low.get(w)));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) !== index.get(v)) return;
    const members = [];
    let w;
    do {
      w = stack.pop();
      onStack.delete(w);
      members.push(w);
    } while (w !== v);
    if (members.length > 1) for (const m of members) component.set(m, v);
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return component;
}

/**
 * The module a file belongs to for module-level cycles: each folder directly under core/ is one module (core/auth,
 * core/users, …), as the layering treats them; null elsewhere.
 */
export function coreModuleOf(root, file) {
  const parts = path.relative(root, file).split(path.sep);
  return parts[0] === 'core' && parts.length > 2 ? `core/${parts[1]}` : null;
}

const graphs = new Map();

export function importGraph(root) {
  let cached = graphs.get(root);
  if (cached) return cached;
  const files = new Map();
  const modules = new Map();
  for (const file of sourcesUnder(root, [])) {
    // Tests may reach across modules for fixtures; only the shipped sources must be acyclic.
    if (file.endsWith('.test.ts')) continue;
    const targets = new Set();
    const text = fs.readFileSync(file, 'utf8');
    for (const match of text.matchAll(SPECIFIER)) {
      const target = resolveRelative(file, match[1] ?? match[2]);
      if (target) targets.add(target);
    }
    files.set(file, targets);
    const from = coreModuleOf(root, file);
    if (!from) continue;
    if (!modules.has(from)) modules.set(from, new Set());
    for (const target of targets) {
      const to = coreModuleOf(root, target);
      if (to && to !== from) modules.get(from).add(to);
    }
  }
  cached = { fileCycle: cyclicComponents(files), moduleCycle: cyclicComponents(modules) };
  graphs.set(root, cached);
  return cached;
}
