import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Redis } from 'ioredis';

/**
 * Child processes of the benchmarks and what /proc says about them (Linux): spawning with a raised fd limit,
 * RSS, CPU time, fd limit, and stopping.
 */
/** node with the fd limit raised first: bash's ulimit, since node cannot set its own. */
export function spawnNode(
  args: string[],
  env: NodeJS.ProcessEnv,
  fdLimit: number,
  profileDir?: string,
): ChildProcess {
  const script = `h=$(ulimit -Hn); if [ "$h" = unlimited ] || [ "$h" -gt ${fdLimit} ]; then h=${fdLimit}; fi; ulimit -n "$h" && exec "$0" "$@"`;
  const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  return spawn('bash', ['-c', script, process.execPath, ...nodeArgs, ...args], {
    env,
    // The servers' logs go to stderr with the progress lines; stdout carries the results only.
    stdio: ['ignore', 2, 2, 'ipc'],
    serialization: 'advanced',
  });
}

export function fdLimitOf(pid: number): string {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  return line?.split(/\s+/).slice(3, 5).join('/') ?? '?';
}

export function rssMb(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : NaN;
}

/** utime + stime of a process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export async function redisCpuSeconds(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = /used_cpu_user:([\d.]+)/.exec(info);
  const sys = /used_cpu_sys:([\d.]+)/.exec(info);
  return Number(user?.[1] ?? 0) + Number(sys?.[1] ?? 0);
}

export function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited(child);
  clearTimeout(timer);
}
