import net from 'node:net';
import { describe } from '@jest/globals';

/**
 * Redis-backed tests run whenever a Redis is reachable. Under CI=true a missing Redis is a failure,
 * never a skip (DEVELOPERS.md).
 */
export const TEST_REDIS_URL = process.env.HEIMDALL_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

function reachable(url: string, timeoutMs = 10_000): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect({ host: hostname, port: Number(port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export const redisAvailable: boolean = await reachable(TEST_REDIS_URL);

if (!redisAvailable && process.env.CI === 'true') {
  throw new Error(
    `CI=true but Redis is not reachable at ${TEST_REDIS_URL}: Redis-backed tests must not be skipped in CI.`,
  );
}

/** `describe` when Redis is reachable, `describe.skip` otherwise (outside CI only; see above). */
export const describeWithRedis = redisAvailable ? describe : describe.skip;

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}
