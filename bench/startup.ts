import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openDatabaseServer, type DatabaseServer } from './admin-data.js';
import { benchConfig } from './config.js';
import { freePort } from './fixtures.js';
import { median } from './oidc-settings.js';

/**
 * How long a second `npm start` takes when nothing changed, against starting the built CLI directly. Each start is
 * a child process in the repository, on a fresh database of its own (migrations and seeds run in both) and a free
 * loopback port, with the same Node (node_modules/.bin first on PATH, as npm puts it for `npm start`), no Redis,
 * and logs at `info`; the figure is from spawning to the first 200 from `/ready`. Runs alternate which of the two
 * goes first, so that whatever else the machine does falls on both alike; the first pair is a warm-up. Before
 * measuring, `scripts/build-if-stale.mjs` runs once, so that `npm start` finds its stamp. Goal: `npm start` ≤ 1.5 ×
 * the direct start (medians). The check alone, and through `npm run build:if-stale`, is timed too: the fixed cost
 * `npm start` adds, which the starts' own spread on a busy machine can hide.
 */
export interface StartupBenchOptions {
  /** Measured starts of each kind. */
  runs: number;
}

export interface StartupBenchResult {
  runs: number;
  directMs: number[];
  npmStartMs: number[];
  /** The stale check alone, when nothing changed (median of `runs`). */
  checkMs: number;
  /** `npm run build:if-stale` when nothing changed: npm, its shell and the check, what `npm start` adds. */
  npmCheckMs: number;
  /** Whether the preparing check had to build (the tree had changed since the last stamp). */
  built: boolean;
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CHECK = path.join(ROOT, 'scripts/build-if-stale.mjs');

export function startupBenchOptions(): StartupBenchOptions {
  return { runs: Number(process.env.BENCH_STARTUP_RUNS ?? 7) };
}

type Kind = 'direct' | 'npm start';

/** The environment with node_modules/.bin first on PATH, as npm runs a script: `node` is the same for all. */
function withLocalBin(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PATH: `${path.join(ROOT, 'node_modules/.bin')}${path.delimiter}${process.env.PATH ?? ''}`,
  };
}

function environment(databaseUrl: string, port: number, dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...withLocalBin(),
    HEIMDALL__DATABASE__URL: databaseUrl,
    HEIMDALL__SERVER__HOST: '127.0.0.1',
    HEIMDALL__SERVER__PORT: String(port),
    HEIMDALL__LOG__LEVEL: 'info',
    HEIMDALL__DATA_DIR: dataDir,
  };
  for (const name of ['HEIMDALL__REDIS__URL', 'HEIMDALL__AUDIT__DATABASE__URL', 'HEIMDALL__LOG__FORMAT'])
    delete env[name];
  return env;
}

function spawnStart(kind: Kind, env: NodeJS.ProcessEnv): ChildProcess {
  const [command, args] =
    kind === 'direct' ? ['node', ['dist/server/cli/main.js', 'start']] : ['npm', ['start']];
  // A process group of its own: `npm start` runs the server two shells down, and all of it must stop.
  return spawn(command, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
}

async function waitForReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the start exited with ${child.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const group = -child.pid!;
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  process.kill(group, 'SIGTERM');
  const deadline = Date.now() + 20_000;
  while (alive()) {
    if (Date.now() > deadline) process.kill(group, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** One start on a fresh database: milliseconds from spawning to `/ready` answering 200. */
async function timeStart(kind: Kind, server: DatabaseServer, run: string): Promise<number> {
  const database = `${server.base}_startup_${run}`;
  const dataDir = path.join(ROOT, '.heimdall', `bench-startup-${run}`);
  await server.drop(database);
  await server.create(database);
  const port = await freePort();
  let output = '';
  const started = performance.now();
  const child = spawnStart(kind, environment(server.url(database), port, dataDir));
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  try {
    await waitForReady(`http://127.0.0.1:${port}/ready`, child, () => output);
    return performance.now() - started;
  } finally {
    await stopGroup(child);
    await server.drop(database);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function check(viaNpm = false): { ms: number; built: boolean } {
  const started = performance.now();
  const [command, args] = viaNpm ? ['npm', ['run', 'build:if-stale']] : ['node', [CHECK]];
  // A build's output goes to stderr with the progress lines: stdout carries the results only.
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: withLocalBin(),
    encoding: 'utf8',
    stdio: ['ignore', 2, 'pipe'],
  });
  if (result.status !== 0) throw new Error(`build-if-stale failed (${result.status}):\n${result.stderr}`);
  return { ms: performance.now() - started, built: !result.stderr.includes('skipping') };
}

export async function runStartupBench(options: StartupBenchOptions): Promise<StartupBenchResult> {
  const { built } = check();
  const checks = Array.from({ length: options.runs }, () => check());
  const npmChecks = Array.from({ length: options.runs }, () => check(true));
  if ([...checks, ...npmChecks].some((c) => c.built))
    throw new Error('the tree changed while the bench ran: build-if-stale built');
  const server = await openDatabaseServer(benchConfig());
  const result: StartupBenchResult = {
    runs: options.runs,
    directMs: [],
    npmStartMs: [],
    checkMs: median(checks.map((c) => c.ms)),
    npmCheckMs: median(npmChecks.map((c) => c.ms)),
    built,
  };
  try {
    for (let i = -1; i < options.runs; i += 1) {
      const order: Kind[] = i % 2 === 0 ? ['direct', 'npm start'] : ['npm start', 'direct'];
      for (const kind of order) {
        const ms = await timeStart(kind, server, `${process.pid}_${i + 1}_${kind === 'direct' ? 'd' : 'n'}`);
        console.error(`startup: ${kind} ${i < 0 ? '(warm-up) ' : ''}${Math.round(ms)} ms`);
        if (i < 0) continue;
        (kind === 'direct' ? result.directMs : result.npmStartMs).push(ms);
      }
    }
  } finally {
    await server.close();
  }
  return result;
}

export function printStartupBench(result: StartupBenchResult): void {
  const direct = median(result.directMs);
  const npmStart = median(result.npmStartMs);
  const ms = (values: number[]) => values.map((v) => Math.round(v)).join(', ');
  console.log(`\nA second \`npm start\` (nothing changed) against the built CLI, ${result.runs} starts each`);
  console.log('| start | median ms | runs ms |');
  console.log('|---|---:|---|');
  console.log(
    `| node dist/server/cli/main.js start (floor) | ${Math.round(direct)} | ${ms(result.directMs)} |`,
  );
  console.log(`| npm start | ${Math.round(npmStart)} | ${ms(result.npmStartMs)} |`);
  console.log(`| npm start ÷ floor (goal ≤ 1.5) | ${(npmStart / direct).toFixed(2)} | |`);
  console.log(`| scripts/build-if-stale.mjs alone, nothing changed | ${Math.round(result.checkMs)} | |`);
  console.log(`| npm run build:if-stale (npm's own start-up too) | ${Math.round(result.npmCheckMs)} | |`);
  if (result.built) console.log('(the tree had changed since the last build: the bench built it first)');
}

// `node dist/bench/startup.js` runs this part alone (`npm run bench` runs it with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printStartupBench(await runStartupBench(startupBenchOptions()));
}
