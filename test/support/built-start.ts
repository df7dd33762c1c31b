import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { freePort } from './ports.js';
import { waitUntil } from './wait.js';

/** The built `heimdall start` in a process of its own, as an operator runs it (NODE_ENV=production). */
export interface BuiltStart {
  port: number;
  /** What it wrote to stdout so far. */
  stdout(): string;
  /** What it wrote to stderr so far. */
  stderr(): string;
  /** Its exit code, once it exits. */
  exited: Promise<number | null>;
  /** Resolves once the log says it listens. */
  listening(): Promise<void>;
  /** Sends it a signal (SIGINT: Ctrl-C). */
  kill(signal: NodeJS.Signals): void;
  /** Removes its data_dir. */
  cleanUp(): void;
}

export async function startBuilt(databaseUrl: string, env: Record<string, string> = {}): Promise<BuiltStart> {
  const port = await freePort();
  const dataDir = path.resolve('.heimdall', `built-start-${port}`);
  const child = spawn(process.execPath, [path.resolve('dist/server/cli/main.js'), 'start'], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      HEIMDALL__DATABASE__URL: databaseUrl,
      HEIMDALL__SERVER__PORT: String(port),
      HEIMDALL__SERVER__HOST: '127.0.0.1',
      HEIMDALL__LOG__LEVEL: 'info',
      HEIMDALL__DATA_DIR: dataDir,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    port,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    listening: () =>
      waitUntil(() => stdout.includes('Heimdall is listening'), 'the listening line', 30_000, 100),
    kill: (signal) => void child.kill(signal),
    cleanUp: () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
