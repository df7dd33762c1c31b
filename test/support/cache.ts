import net from 'node:net';
import type { Redis } from 'ioredis';
import { waitUntil } from './wait.js';

/** What the cache tests share (core/cache/*.test.ts). */

/** Polls `check` as the cache tests do: every 5 ms, for 2 s at most. */
export const eventually = (check: () => boolean | Promise<boolean>, what: string) =>
  waitUntil(check, what, 2000, 5);

/** Deletes every key under `prefix` (what a test namespace left behind). */
export async function deleteKeys(raw: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
    if (keys.length > 0) await raw.del(...keys);
    cursor = next;
  } while (cursor !== '0');
}

/** A TCP server in front of Redis whose connections the test can cut, to simulate a network interruption. */
export async function startProxy(target: string, listenPort = 0) {
  const { hostname, port } = new URL(target);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((inbound) => {
    const outbound = net.connect(Number(port || 6379), hostname);
    for (const s of [inbound, outbound]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
  });
  await new Promise<void>((resolve) => server.listen(listenPort, '127.0.0.1', resolve));
  const { port: listening } = server.address() as net.AddressInfo;
  return {
    url: `redis://127.0.0.1:${listening}`,
    cut: () => sockets.forEach((s) => s.destroy()),
    close: async () => {
      sockets.forEach((s) => s.destroy());
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
