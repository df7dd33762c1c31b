#!/usr/bin/env node
import { runCli } from './run.js';

/** The `heimdall` executable. */
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exit(code);
