import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

/**
 * Argon2id at OWASP's recommended minimum (19 MiB, 2 iterations, 1 lane), PHC strings
 * (`$argon2id$v=19$m=19456,t=2,p=1$…`). Hashes carry their own parameters: changing these later keeps old hashes
 * valid, and `needsRehash` tells the sign-in to upgrade them.
 *
 * Hashing runs in a small pool of worker threads with @node-rs/argon2's synchronous Argon2id, at the lowest CPU
 * priority there is, so that on a small machine every other request is served first and sign-ins take what CPU
 * is left: each thread lowers its nice value to 19 and then, on Linux, moves itself to SCHED_IDLE through
 * util-linux's `chrt` (Node has no call for it; `chrt` ships with every Debian-based image, and without it the
 * thread stays at nice 19). Nice 19 alone still lets a hashing thread keep its core for a time slice after the
 * event loop, PostgreSQL or a client wakes up, and the scheduler does not count that core as free for them; a
 * SCHED_IDLE thread gives way at once (docs/performance.md has the lag figures). Not libuv's shared thread pool
 * (where the `argon2` package hashes): it cannot be re-prioritised, and fs, DNS and RS256 signing wait there too.
 */
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
const CURRENT = `$argon2id$v=19$m=${PARAMS.memoryCost},t=${PARAMS.timeCost},p=${PARAMS.parallelism}$`;
/** Linux nice value of the hashing threads: the lowest priority. */
const WORKER_NICE = 19;
/** A thread idle this long ends (a new one starts in ~20 ms): an idle process keeps no hashing threads. */
const IDLE_MS = 30_000;
/** Hashing threads: one per core (more would only queue in the kernel), at most 8. */
export const PASSWORD_THREADS = Math.min(8, availableParallelism());

/** True unless the hash is Argon2id (v1.3) with today's parameters. */
export const needsRehash = (hash: string): boolean => !hash.startsWith(CURRENT);

export const hashPassword = (password: string): Promise<string> =>
  pool().run({ op: 'hash', password }) as Promise<string>;

/** False for a wrong password and for anything that is not a valid Argon2 hash. */
export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return (await pool().run({ op: 'verify', hash, password })) === true;
  } catch {
    return false;
  }
}

/** A random password for bootstrap accounts: 24 URL-safe characters (144 bits). */
export const generatePassword = (): string => randomBytes(18).toString('base64url');

type Job = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };

// Plain JavaScript evaluated in the worker (a file of its own would not exist under ts-jest, which runs the .ts
// sources). `setPriority(0, …)` sets the calling thread's nice value on Linux; elsewhere it may fail: no matter.
// `chrt --idle -p 0 <tid>` moves only this thread (its id from /proc/thread-self) to SCHED_IDLE, which any user
// may do; the worker reports what it got ({ scheduled }) and hashes meanwhile.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { Algorithm, hashSync, verifySync } = require(workerData.argon2);
try { require('node:os').setPriority(0, workerData.nice); } catch {}
try {
  const tid = require('node:fs').readlinkSync('/proc/thread-self').split('/').pop();
  if (!/^[0-9]+$/.test(tid)) throw new Error('no thread id');
  require('node:child_process').execFile('chrt', ['--idle', '-p', '0', tid], { timeout: 5000 }, (err) =>
    parentPort.postMessage({ scheduled: err ? 'nice' : 'idle' }));
} catch {
  parentPort.postMessage({ scheduled: 'nice' });
}
const options = { ...workerData.params, algorithm: Algorithm.Argon2id };
parentPort.on('message', (job) => {
  try {
    const result = job.op === 'verify' ? verifySync(job.hash, job.password) : hashSync(job.password, options);
    parentPort.postMessage({ result });
  } catch (err) {
    parentPort.postMessage({ error: String(err && err.message || err) });
  }
});
`;

interface Slot {
  worker: Worker;
  settle?: { resolve(value: unknown): void; reject(err: Error): void };
  idle?: NodeJS.Timeout;
}

function createPool(size: number) {
  const workerData = {
    argon2: createRequire(import.meta.url).resolve('@node-rs/argon2'),
    nice: WORKER_NICE,
    params: PARAMS,
  };
  const slots: (Slot | undefined)[] = Array.from({ length: size }, () => undefined);
  const queue: { job: Job; resolve(value: unknown): void; reject(err: Error): void }[] = [];

  const start = (index: number): Slot => {
    // env: the default, spelled out (the thread looks `chrt` up on this PATH; under jest, the test's own env).
    const slot: Slot = { worker: new Worker(WORKER_SOURCE, { eval: true, workerData, env: process.env }) };
    slot.worker.unref(); // an idle pool never keeps the process alive; a busy one does (see `next`)
    slot.worker.on('message', (msg: { result?: unknown; error?: string; scheduled?: Scheduling }) => {
      if (msg.scheduled) {
        scheduling = msg.scheduled;
        return;
      }
      const settle = slot.settle;
      slot.settle = undefined;
      slot.worker.unref();
      if (msg.error === undefined) settle?.resolve(msg.result);
      else settle?.reject(new Error(msg.error));
      next(index);
      if (!slot.settle) {
        // Out of the pool first, so that no job can reach a thread on its way out.
        slot.idle = setTimeout(() => {
          if (slots[index] === slot) slots[index] = undefined;
          void slot.worker.terminate();
        }, IDLE_MS).unref();
      }
    });
    // A dead worker fails its job and is replaced at the next one.
    const fail = (err: Error) => {
      if (slots[index] !== slot) return;
      slots[index] = undefined;
      clearTimeout(slot.idle);
      slot.settle?.reject(err);
      next(index);
    };
    slot.worker.on('error', fail);
    slot.worker.on('exit', (code) => fail(new Error(`password hashing thread exited (${code})`)));
    return slot;
  };

  const next = (index: number) => {
    const item = queue.shift();
    if (!item) return;
    const slot = (slots[index] ??= start(index));
    clearTimeout(slot.idle);
    slot.settle = item;
    slot.worker.ref();
    slot.worker.postMessage(item.job);
  };

  return {
    run(job: Job): Promise<unknown> {
      return new Promise((resolve, reject) => {
        queue.push({ job, resolve, reject });
        const idle = slots.findIndex((s) => !s?.settle);
        if (idle >= 0) next(idle);
      });
    },
  };
}

type Scheduling = 'idle' | 'nice';
let scheduling: Scheduling | undefined;
/**
 * How the latest hashing thread is scheduled: 'idle' (SCHED_IDLE), 'nice' (nice 19 only: no `chrt`, or not
 * Linux), undefined before the first thread has said.
 */
export const passwordThreadScheduling = (): Scheduling | undefined => scheduling;

let shared: ReturnType<typeof createPool> | undefined;
const pool = () => (shared ??= createPool(PASSWORD_THREADS));
