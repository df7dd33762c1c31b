// Generates the realtime wire types from proto/ with protobufjs-cli: part of `npm run build` (and so of
// `npm start` and `npm test`). Outputs proto/generated/realtime.{js,d.ts} (git-ignored) and copies the
// JavaScript under dist/, where the compiled code imports it. Plain JavaScript because it runs before tsc.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const source = path.resolve('proto/heimdall/realtime/v1/realtime.proto');
const outDir = path.resolve('proto/generated');
const js = path.join(outDir, 'realtime.js');
const dts = path.join(outDir, 'realtime.d.ts');
const distJs = path.resolve('dist/proto/generated/realtime.js');

const mtime = (file) => {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
};

const cli = (name, args) => {
  const result = spawnSync(
    process.execPath,
    [path.resolve(`node_modules/protobufjs-cli/bin/${name}`), ...args],
    {
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  if (result.status !== 0) process.exit(result.status ?? 1);
};

if (mtime(js) < mtime(source) || mtime(dts) < mtime(js) || mtime(js) < mtime(import.meta.filename)) {
  mkdirSync(outDir, { recursive: true });
  // uint64 offsets as plain numbers: a channel will not reach 2^53 publications.
  cli('pbjs', ['-t', 'static-module', '-w', 'esm', '--force-number', '-o', js, source]);
  cli('pbts', ['-o', dts, js]);
  // --force-number leaves no use of Long, and the "long" package is not installed.
  writeFileSync(dts, readFileSync(dts, 'utf8').replace(/^import Long = require\("long"\);\n/m, ''));
}
mkdirSync(path.dirname(distJs), { recursive: true });
copyFileSync(js, distJs);
