import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ADMIN_ASSETS_DIR, ADMIN_BUILD_TMP_DIR } from './adminjs-internals.js';
import { packageRoot } from '../core/shared/version.js';

/**
 * Builds the panel's browser files into dist/admin-assets: AdminJS's own bundles and ours (the React components
 * in admin/components/ and what they import). Run by `npm run build`, so the panel never bundles at start-up and
 * needs no network. Skipped when nothing it reads has changed since the last build.
 */
const root = packageRoot();
const inputs = [
  path.join(root, 'admin', 'components'),
  path.join(root, 'admin', 'static'),
  path.join(root, 'sdk', 'realtime'),
  path.join(root, 'proto'),
  path.join(root, 'package-lock.json'),
];

function fingerprint(): string {
  const hash = createHash('sha256');
  const walk = (file: string) => {
    if (!existsSync(file)) return;
    if (statSync(file).isDirectory()) {
      for (const entry of readdirSync(file).sort()) walk(path.join(file, entry));
    } else if (!file.endsWith('.test.ts')) {
      hash.update(file).update(readFileSync(file));
    }
  };
  inputs.forEach(walk);
  return hash.digest('hex');
}

const stamp = path.join(ADMIN_ASSETS_DIR, '.fingerprint');
const current = fingerprint();
if (existsSync(stamp) && readFileSync(stamp, 'utf8') === current) process.exit(0);

const relative = (dir: string) => path.relative(process.cwd(), dir);
// AdminJS reads these when its modules load: a minified production bundle, built now.
process.env.NODE_ENV = 'production';
process.env.ADMIN_JS_SKIP_BUNDLE = 'false';
const { bundle } = await import('@adminjs/bundler');
const { createComponentLoader } = await import('./component-loader.js');
await bundle({
  componentLoader: createComponentLoader().loader,
  destinationDir: relative(ADMIN_ASSETS_DIR),
  adminJsLocalDir: relative(ADMIN_BUILD_TMP_DIR),
  adminJsAssetsDir: relative(
    path.join(root, 'node_modules', 'adminjs', 'lib', 'frontend', 'assets', 'scripts'),
  ),
  designSystemDir: relative(path.join(root, 'node_modules', '@adminjs', 'design-system')),
});
// The panel's own static files (its icon) beside the bundles.
for (const file of readdirSync(path.join(root, 'admin', 'static'))) {
  copyFileSync(path.join(root, 'admin', 'static', file), path.join(ADMIN_ASSETS_DIR, file));
}
writeFileSync(stamp, current);
