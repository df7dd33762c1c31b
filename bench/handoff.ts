import { fork } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { median } from './oidc-settings.js';

/**
 * What one hand-off to another process costs this machine's event loop. Every query to PostgreSQL and every
 * response to a client is a socket write that wakes a process asleep on the other end. Where the scheduler runs
 * that process on another core, the write takes a few µs; where it runs it on the writer's own core (Linux often
 * does for socket wake-ups: on the 2-core VMs measured, 67–88 % of them, with or without a cache shared by the
 * cores), the woken process pre-empts the event loop, and the write takes as long as that process works.
 * Measured with a peer that works 100 µs per message (about what PostgreSQL spends on a prepared lookup), while
 * this process keeps its core busy as an event loop with other requests would. Printed with the sign-in figures.
 */
export interface HandoffCost {
  /** Median µs of a write that wakes the peer. */
  wakeUs: number;
  /** Median µs of a write nobody waits for (the reader has stopped reading). */
  quietUs: number;
  /** Share of wake-ups after which the peer ran on the writer's core; undefined off Linux. */
  sameCore: number | undefined;
}

const SAMPLES = 300;
const PEER_WORK_US = 100;
const micros = () => Number(process.hrtime.bigint()) / 1e3;
const spin = (us: number) => {
  for (const end = micros() + us; micros() < end;);
};
/** The core this thread last ran on (field 39 of /proc/thread-self/stat), or -1 where there is no such file. */
function core(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[36]);
  } catch {
    return -1;
  }
}

async function wakeUps(socket: Socket): Promise<{ wakeUs: number; sameCore: number | undefined }> {
  const writes: number[] = [];
  let same = 0;
  let known = 0;
  for (let i = 0; i < SAMPLES; i += 1) {
    const reply = once(socket, 'data');
    const t0 = micros();
    socket.write('x');
    writes.push(micros() - t0);
    const mine = core();
    spin(3 * PEER_WORK_US);
    const theirs = Number(String((await reply)[0]));
    if (mine >= 0 && theirs >= 0) {
      known += 1;
      if (mine === theirs) same += 1;
    }
    await new Promise((r) => setTimeout(r, 2)); // the peer sleeps again before the next one
  }
  return { wakeUs: Math.round(median(writes)), sameCore: known > 0 ? same / known : undefined };
}

async function quietWrites(): Promise<number> {
  // A reader in this process that has stopped reading: its socket is not polled, so no write wakes anyone.
  const quiet = createServer((s) => s.pause());
  await new Promise<void>((r) => quiet.listen(0, '127.0.0.1', r));
  const writer = connect((quiet.address() as AddressInfo).port, '127.0.0.1').setNoDelay(true);
  await once(writer, 'connect');
  const writes: number[] = [];
  for (let i = 0; i < SAMPLES; i += 1) {
    const t0 = micros();
    writer.write('x');
    writes.push(micros() - t0);
    await new Promise((r) => setImmediate(r));
  }
  writer.destroy();
  quiet.close();
  return Math.round(median(writes));
}

export async function measureHandoff(): Promise<HandoffCost> {
  const peer = fork(fileURLToPath(import.meta.url), ['peer'], {
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  try {
    const [port] = (await once(peer, 'message')) as [number];
    const socket = connect(port, '127.0.0.1').setNoDelay(true);
    await once(socket, 'connect');
    const woken = await wakeUps(socket);
    socket.destroy();
    return { ...woken, quietUs: await quietWrites() };
  } finally {
    peer.kill();
  }
}

// The peer: answers each message with the core it woke on, after working PEER_WORK_US.
if (process.argv[2] === 'peer' && process.send) {
  const server = createServer((s) =>
    s.setNoDelay(true).on('data', () => {
      const woke = core();
      spin(PEER_WORK_US);
      s.write(String(woke));
    }),
  );
  server.listen(0, '127.0.0.1', () => process.send!((server.address() as AddressInfo).port));
  process.on('disconnect', () => process.exit(0));
}
