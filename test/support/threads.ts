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
