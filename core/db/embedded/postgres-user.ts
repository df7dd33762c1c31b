import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * PostgreSQL refuses to run as root. When Heimdall runs as root, the embedded server runs as the `postgres`
 * user (created if missing), which must be able to reach both the binaries and the data directory.
 */
export interface PostgresUser {
  uid: number;
  gid: number;
  groups: number[];
}

function lookup(): PostgresUser | undefined {
  try {
    const id = (flag: string) => execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim();
    return { uid: Number(id('-u')), gid: Number(id('-g')), groups: id('-G').split(/\s+/).map(Number) };
  } catch {
    return undefined;
  }
}

/** The user the server must run as: undefined when we are not root (it runs as us). */
export function serverUser(): PostgresUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookup();
  if (existing) return existing;
  execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], { stdio: 'ignore' });
  const created = lookup();
  if (!created)
    throw new Error(
      'Embedded PostgreSQL needs a "postgres" user when run as root, and it could not be created.',
    );
  return created;
}

/** Whether `user` may traverse every existing folder above `target` (root's home, for one, is usually 0700). */
export function canReach(target: string, user: PostgresUser): boolean {
  for (let current = path.dirname(target); ; current = path.dirname(current)) {
    if (existsSync(current)) {
      const st = statSync(current);
      const bits = st.uid === user.uid ? 0o100 : user.groups.includes(st.gid) ? 0o010 : 0o001;
      if ((st.mode & bits) === 0) return false;
    }
    if (current === path.dirname(current)) return true;
  }
}
