import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { printRealtimeBench, type RealtimeBenchResult } from './realtime-report.js';
import { fdLimitOf, stopChild } from './processes.js';
import { sleep, spawnChild, type Settings, type SystemResult } from './realtime-measure.js';
import { benchFloor, benchHeimdall, benchSocketIo, PAYLOAD_BYTES } from './realtime-systems.js';

export type { StepResult, SystemResult } from './realtime-measure.js';
export type { RealtimeBenchResult };

const envNumber = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;

/**
 * Realtime fan-out: `connections` WebSocket clients subscribed to one channel, one publisher, for
 * Heimdall (`heimdall start --roles realtime`, Redis broker) and for Socket.IO 4 + @socket.io/redis-adapter, in
 * the same run and the same way:
 * - each server runs alone in a child process (its RSS before and after the idle connections gives the cost of
 *   one), the clients in another (bench/realtime-clients.ts: raw `ws` for both, counting cheaply), the publisher
 *   in this one, publishing into Redis as the platform does (Heimdall: the realtime broker's publish, which also
 *   stores history; Socket.IO: @socket.io/redis-emitter);
 * - open-loop steps at a fixed publication rate, rising ×1.5 until a step is not sustained (a publication not
 *   delivered to every client, a backlog still draining 1 s after the step, a connection lost); deliveries/s =
 *   deliveries ÷ (first publish → last delivery); latency publish → deliver on every `sampleEvery`-th client.
 * The children's fd limits are raised (ulimit -n up to 65536, within the hard limit) before node starts.
 *
 * Env: BENCH_RT_CONNECTIONS (10000), BENCH_RT_STEP_SECONDS (5, or BENCH_DURATION when shorter), BENCH_RT_START_RATE (20,000
 * deliveries/s worth), BENCH_RT_MAX_STEPS (14), BENCH_RT_REFERENCE_RATE (300,000 deliveries/s worth), BENCH_RT_SAMPLE
 * (50), BENCH_RT_SYSTEMS (heimdall,socketio,floor), BENCH_RT_DATABASE_URL (PostgreSQL server where a throwaway
 * database is created; HEIMDALL__DATABASE__URL or postgres://postgres@127.0.0.1:5432/postgres otherwise),
 * HEIMDALL__REDIS__URL (redis://127.0.0.1:6379), BENCH_RT_PROFILE (a directory: the servers run with --cpu-prof).
 */
export async function runRealtimeBench(): Promise<RealtimeBenchResult> {
  const connections = envNumber('BENCH_RT_CONNECTIONS', 10_000);
  const settings: Settings = {
    connections,
    stepSeconds: envNumber('BENCH_RT_STEP_SECONDS', Math.min(5, envNumber('BENCH_DURATION', 5))),
    startRate: envNumber('BENCH_RT_START_RATE', 20_000 / connections),
    maxSteps: envNumber('BENCH_RT_MAX_STEPS', 14),
    referenceRate: envNumber('BENCH_RT_REFERENCE_RATE', 300_000 / connections),
    sampleEvery: envNumber('BENCH_RT_SAMPLE', 50),
  };
  const systems = (process.env.BENCH_RT_SYSTEMS ?? 'heimdall,socketio,floor').split(',');
  const redisUrl = process.env.HEIMDALL__REDIS__URL ?? 'redis://127.0.0.1:6379';
  const redis = new Redis(redisUrl);
  const load0 = os.loadavg()[0]!;
  const probe = spawnChild(['-e', 'setTimeout(() => {}, 1000)'], process.env);
  await sleep(200);
  const fdLimit = fdLimitOf(probe.pid!);
  await stopChild(probe);
  if (Number(fdLimit.split('/')[0]) < connections + 256)
    console.error(
      `[realtime] the fd limit (${fdLimit}) is too low for ${connections} connections: raise ulimit -Hn`,
    );
  const [low, high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/);
  if (Number(high) - Number(low) < connections)
    console.error(
      `[realtime] the ephemeral port range (${low}–${high}) is smaller than ${connections} connections`,
    );
  const results: SystemResult[] = [];
  try {
    if (systems.includes('heimdall')) results.push(await benchHeimdall(settings, redisUrl, redis));
    if (systems.includes('socketio')) results.push(await benchSocketIo(settings, redisUrl, redis));
    if (systems.includes('floor')) results.push(await benchFloor(settings, redisUrl, redis));
  } finally {
    redis.disconnect();
  }
  return {
    connections,
    payloadBytes: PAYLOAD_BYTES,
    referenceRate: settings.referenceRate,
    loadAverage: [load0, os.loadavg()[0]!],
    cores: os.cpus().length,
    fdLimit,
    systems: results,
  };
}

export { printRealtimeBench } from './realtime-report.js';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  printRealtimeBench(await runRealtimeBench());
}
