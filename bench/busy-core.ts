import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { setPriority } from 'node:os';
import { promisify } from 'node:util';

/**
 * A reference load for the sign-in benchmark (bench/oidc-logins.ts): one core kept busy by another process at
 * the lowest CPU priority there is, as the password-hashing threads run (core/auth/passwords.ts), doing no
 * Heimdall work at all. GET /health's lag during it is what any background CPU work costs this machine's other
 * requests, whatever the server does: on a 2-vCPU VM a busy core changes how every wake-up is served.
 */
export interface BusyCore {
  /** 'idle': SCHED_IDLE through util-linux's `chrt`; 'nice': nice 19 only (no `chrt`, or not Linux). */
  scheduling: 'idle' | 'nice';
  stop(): Promise<void>;
}

const run = promisify(execFile);

// Spins until stopped, and stops by itself once its parent (whose pid it is given: the parent may be gone before
// the child has started) is no longer its parent. It cannot run timers while it spins, so it looks every 1e7 turns.
const LOOP = `const parent = Number(process.argv[1]); for (let i = 0; ; i += 1) if (i % 1e7 === 0 && process.ppid !== parent) process.exit(0);`;

export async function startBusyCore(): Promise<BusyCore> {
  const child = spawn(process.execPath, ['-e', LOOP, String(process.pid)], { stdio: 'ignore' });
  await once(child, 'spawn');
  const pid = child.pid!;
  try {
    setPriority(pid, 19); // the fallback where `chrt` is missing; raising one's own child's nice value is allowed
  } catch {
    // not Linux or macOS: the loop then runs at the default priority, and the row's label still says nice 19
  }
  const scheduling = await run('chrt', ['--idle', '-p', '0', String(pid)], { timeout: 5000 }).then(
    () => 'idle' as const,
    () => 'nice' as const,
  );
  return {
    scheduling,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    },
  };
}
