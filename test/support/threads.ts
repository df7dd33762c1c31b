import { readdirSync, readFileSync } from 'node:fs';

export interface ThreadPriority {
  tid: number;
  nice: number;
  policy: number;
}

/** This process's threads (Linux: fields 19 and 41 of /proc/self/task/<tid>/stat). The event loop's tid is the pid. */
export function threadPriorities(): ThreadPriority[] {
  return readdirSync('/proc/self/task').map((tid) => {
    const fields = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { tid: Number(tid), nice: Number(fields[16]), policy: Number(fields[38]) };
  });
}

/** Linux's SCHED_IDLE policy number. */
export const SCHED_IDLE = 5;

/**
 * What `read` answers once it answers at all, waiting up to 15 s: a hashing thread asks for SCHED_IDLE as it
 * starts, while it already hashes, and says what it got a little later.
 */
export async function settled<T>(read: () => T | undefined): Promise<T | undefined> {
  for (let i = 0; i < 300 && read() === undefined; i += 1)
    await new Promise((resolve) => setTimeout(resolve, 50));
  return read();
}
