import { readdirSync, readFileSync } from 'node:fs';

/**
 * Where a benchmark's CPU time goes on this machine (Linux /proc; elsewhere every figure is undefined): this
 * process's event-loop thread and its other threads (hashing workers, libuv, GC), PostgreSQL's processes, and
 * the child processes this one has waited for (load generators). On a machine the load generator and the
 * database share with the server, the sum per operation says how many cores a rate needs.
 */
export interface CpuSample {
  eventLoopMs: number;
  otherThreadsMs: number;
  postgresMs: number;
  childrenMs: number;
}

/** Kernel clock ticks per second (USER_HZ), 100 on every mainstream Linux. */
const TICK_MS = 10;

const readStat = (path: string): string[] | undefined => {
  try {
    const stat = readFileSync(path, 'utf8');
    return [
      stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')),
      ...stat.slice(stat.lastIndexOf(')') + 2).split(' '),
    ];
  } catch {
    return undefined; // gone meanwhile, or not Linux
  }
};

/** Cumulative figures now; `since` turns two of them into a sample. */
export function cpuNow(): CpuSample | undefined {
  const self = readStat('/proc/self/stat');
  if (!self) return undefined;
  let schedstat: string;
  try {
    schedstat = readFileSync(`/proc/self/task/${process.pid}/schedstat`, 'utf8');
  } catch {
    return undefined;
  }
  const eventLoopMs = Number(schedstat.split(' ')[0]) / 1e6;
  const { user, system } = process.cpuUsage();
  let postgresTicks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    const stat = readStat(`/proc/${pid}/stat`);
    // [comm, state, ppid, …]: field n of the file (man 5 proc) is at n - 2 here; utime 14, stime 15.
    if (stat?.[0]?.startsWith('postgres')) postgresTicks += Number(stat[12]) + Number(stat[13]);
  }
  return {
    eventLoopMs,
    otherThreadsMs: (user + system) / 1000 - eventLoopMs,
    postgresMs: postgresTicks * TICK_MS,
    // cutime and cstime (fields 16 and 17): children this process has waited for.
    childrenMs: (Number(self[14]) + Number(self[15])) * TICK_MS,
  };
}

export function since(start: CpuSample | undefined, end = cpuNow()): CpuSample | undefined {
  if (!start || !end) return undefined;
  return combine(end, start, (e, s) => e - s);
}

export function addSamples(samples: (CpuSample | undefined)[]): CpuSample | undefined {
  if (samples.some((s) => !s)) return undefined;
  return (samples as CpuSample[]).reduce((a, b) => combine(a, b, (x, y) => x + y));
}

/** Two samples, figure by figure. */
export function combine(a: CpuSample, b: CpuSample, f: (a: number, b: number) => number): CpuSample {
  return {
    eventLoopMs: f(a.eventLoopMs, b.eventLoopMs),
    otherThreadsMs: f(a.otherThreadsMs, b.otherThreadsMs),
    postgresMs: f(a.postgresMs, b.postgresMs),
    childrenMs: f(a.childrenMs, b.childrenMs),
  };
}
