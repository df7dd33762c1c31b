import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { packageRoot } from '../../../core/shared/version.js';
import { buildSdkTypes, SDK_TYPES_FILE } from './sdk-types.js';

// Part of `npm run build`, right after tsc, with tsc's exit status as `--tsc-status=N`: keeps
// sdk/rest/generated/openapi.ts in step with the routes. When the file changes, tsc runs again, so code using a
// route that went away or changed shape fails the same build. It runs even when tsc failed (tsc still emits):
// types generated for routes that are gone again would otherwise break tsc before they could be regenerated.
// Under CI the file is left as committed: test/sdk/rest-types.test.ts then says whether the commit forgot it.
const tscStatus = Number(/^--tsc-status=(\d+)$/.exec(process.argv[2] ?? '')?.[1] ?? 0);
const file = path.relative(packageRoot(), SDK_TYPES_FILE);
const types = await buildSdkTypes();
const current = await readFile(SDK_TYPES_FILE, 'utf8').catch(() => undefined);
if (current === types || process.env.CI === 'true') {
  if (current !== types)
    console.error(`${file} is not what the routes describe: run npm run build and commit it.`);
  process.exitCode = tscStatus;
} else {
  await mkdir(path.dirname(SDK_TYPES_FILE), { recursive: true });
  await writeFile(SDK_TYPES_FILE, types);
  const again = tscStatus === 0 ? '' : ' (the errors above, if any, were against the types it replaced)';
  console.log(`wrote ${file}; type-checking again against it${again}`);
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: packageRoot(),
    stdio: 'inherit',
  });
  process.exitCode = result.status ?? 1;
}
