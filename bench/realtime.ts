import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { generateApiKey } from '../core/auth/api-key-token.js';
import { createRedisBroker } from '../core/realtime/redis-broker.js';
import { wire } from '../proto/index.js';
import type { ClientCommand, ClientReply } from './realtime-clients.js';
import { freePort } from './fixtures.js';
import { printRealtimeBench } from './realtime-report.js';
import { cpuSeconds, exited, fdLimitOf, redisCpuSeconds, rssMb, spawnNode, stopChild } from './processes.js';

/**
 * Realtime fan-out (issue 9): `connections` WebSocket clients subscribed to one channel, one publisher, for
 * Heimdall (`heimdall start --roles realtime`, Redis broker) and for Socket.IO 4 + @socket.io/redis-adapter, in
 * the same run and the same way:
 * - each server runs alone in a child process (its RSS before and after the idle connections gives the cost of
 *   one), the clients in another (bench/realtime-clients.ts: raw `ws` for both, counting cheaply), the publisher
 *   in this one, publishing into Redis as the platform does (Heimdall: core/realtime's broker.publish, which also
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
export interface StepResult {
  rate: number;
  seconds: number;
  published: number;
  publishErrors: number;
  expected: number;
  received: number;
  deliveriesPerSec: number;
  p50Ms: number;
  p99Ms: number;
  /** Last delivery after the last publish. */
  drainMs: number;
  closed: number;
  sustained: boolean;
  /** CPU use during the step, % of one core. */
  cpu: { server: number; clients: number; redis: number };
}

export interface SystemResult {
  name: string;
  connections: number;
  failed: number;
  firstError?: string;
  connectSeconds: number;
  rssBaseMb: number;
  rssIdleMb: number;
  bytesPerConnection: number;
  reference: StepResult | undefined;
  steps: StepResult[];
  best: StepResult | undefined;
}

export interface RealtimeBenchResult {
  connections: number;
  payloadBytes: number;
  referenceRate: number;
  loadAverage: [number, number];
  cores: number;
  fdLimit: string;
  systems: SystemResult[];
}

const CHANNEL = 'app:bench';
const ROOM = 'bench';
const PAYLOAD_BYTES = 100;
const CLIENTS = fileURLToPath(new URL('./realtime-clients.js', import.meta.url));
const SIO_SERVER = fileURLToPath(new URL('./realtime-socketio-server.js', import.meta.url));
const FLOOR_SERVER = fileURLToPath(new URL('./realtime-ws-floor-server.js', import.meta.url));
const CLI = fileURLToPath(new URL('../api/cli/index.js', import.meta.url));
const FD_LIMIT = 65536;

const now = () => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const envNumber = (name: string, fallback: number) =>
  process.env[name] ? Number(process.env[name]) : fallback;
const spawnChild = (args: string[], env: NodeJS.ProcessEnv, profileDir?: string): ChildProcess =>
  spawnNode(args, env, FD_LIMIT, profileDir);

/** The subscriber process: replies come back in the order of the commands. */
class Clients {
  readonly child: ChildProcess;
  private waiting: ((reply: ClientReply) => void)[] = [];

  constructor() {
    this.child = spawnChild([CLIENTS], process.env);
    this.child.on('message', (reply: ClientReply) => this.waiting.shift()?.(reply));
  }

  request<T extends ClientReply['type']>(
    command: ClientCommand,
    expect: T,
  ): Promise<Extract<ClientReply, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = () => reject(new Error('the client process exited'));
      this.child.once('exit', onExit);
      this.waiting.push((reply) => {
        this.child.off('exit', onExit);
        if (reply.type !== expect) reject(new Error(`expected ${expect}, got ${reply.type}`));
        else resolve(reply as Extract<ClientReply, { type: T }>);
      });
      this.child.send(command);
    });
  }

  async close(): Promise<void> {
    if (this.child.connected) this.child.send({ type: 'close' } satisfies ClientCommand);
    await Promise.race([exited(this.child), sleep(5000)]);
    await stopChild(this.child);
  }
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Target {
  name: string;
  server: ChildProcess;
  clientsCommand: Extract<ClientCommand, { type: 'open' }>;
  publish(step: number): Promise<unknown> | void;
}

/** One open-loop step: `rate` publications/s for `seconds`, then wait until every delivery arrived or stalled. */
async function runStep(
  target: Target,
  clients: Clients,
  redis: Redis,
  step: number,
  rate: number,
  seconds: number,
  open: number,
): Promise<StepResult> {
  await clients.request({ type: 'step', step }, 'stepped');
  const total = Math.max(1, Math.round(rate * seconds));
  const cpu0 = {
    server: cpuSeconds(target.server.pid!),
    clients: cpuSeconds(clients.child.pid!),
    redis: await redisCpuSeconds(redis),
  };
  let published = 0;
  let publishErrors = 0;
  const t0 = now();
  await new Promise<void>((resolve) => {
    const tick = () => {
      const due = Math.min(total, Math.floor(((now() - t0) / 1000) * rate) + 1);
      while (published < due) {
        published++;
        const sent = target.publish(step);
        if (sent) sent.then(undefined, () => publishErrors++);
      }
      if (published >= total) resolve();
      else setTimeout(tick, 1);
    };
    tick();
  });
  const tEnd = now();
  const expected = total * open;
  let report = await clients.request({ type: 'report' }, 'report');
  let lastProgress = now();
  let lastReceived = report.received;
  while (report.received < expected && now() - lastProgress < 2000 && now() - tEnd < 60_000) {
    await sleep(100);
    report = await clients.request({ type: 'report' }, 'report');
    if (report.received > lastReceived) {
      lastReceived = report.received;
      lastProgress = now();
    }
  }
  const elapsed = (now() - t0) / 1000;
  const cpu = {
    server: ((cpuSeconds(target.server.pid!) - cpu0.server) / elapsed) * 100,
    clients: ((cpuSeconds(clients.child.pid!) - cpu0.clients) / elapsed) * 100,
    redis: (((await redisCpuSeconds(redis)) - cpu0.redis) / elapsed) * 100,
  };
  const latencies = report.latencies.sort();
  const drainMs = report.lastAt - tEnd;
  const window = (report.lastAt - t0) / 1000;
  return {
    rate,
    seconds,
    published,
    publishErrors,
    expected,
    received: report.received,
    deliveriesPerSec: window > 0 ? Math.round(report.received / window) : 0,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    drainMs,
    closed: report.closed,
    sustained: report.received === expected && publishErrors === 0 && report.closed === 0 && drainMs < 1000,
    cpu,
  };
}

interface Settings {
  connections: number;
  stepSeconds: number;
  startRate: number;
  maxSteps: number;
  referenceRate: number;
  sampleEvery: number;
}

async function measureSystem(
  target: Target,
  baseRss: number,
  redis: Redis,
  settings: Settings,
): Promise<SystemResult> {
  const clients = new Clients();
  try {
    const t0 = now();
    const opened = await clients.request(target.clientsCommand, 'opened');
    const connectSeconds = (now() - t0) / 1000;
    await sleep(3000);
    const idleRss = rssMb(target.server.pid!);
    const result: SystemResult = {
      name: target.name,
      connections: opened.open,
      failed: opened.failed,
      firstError: opened.firstError,
      connectSeconds,
      rssBaseMb: baseRss,
      rssIdleMb: idleRss,
      bytesPerConnection: opened.open > 0 ? ((idleRss - baseRss) * 1024 * 1024) / opened.open : NaN,
      reference: undefined,
      steps: [],
      best: undefined,
    };
    console.error(
      `[realtime] ${target.name}: ${opened.open} connected (${opened.failed} failed${opened.firstError ? `: ${opened.firstError}` : ''}) in ${connectSeconds.toFixed(1)}s, RSS ${baseRss.toFixed(0)} → ${idleRss.toFixed(0)} MB`,
    );
    if (opened.open === 0) return result;
    let step = 0;
    const run = async (rate: number, seconds: number) => {
      const r = await runStep(target, clients, redis, step++, rate, seconds, opened.open);
      console.error(
        `[realtime] ${target.name} ${rate.toFixed(1)}/s: ${r.deliveriesPerSec} deliveries/s, p50 ${r.p50Ms.toFixed(1)} p99 ${r.p99Ms.toFixed(1)} ms, ${r.received}/${r.expected}, drain ${r.drainMs.toFixed(0)} ms, closed ${r.closed}, cpu server ${r.cpu.server.toFixed(0)}% clients ${r.cpu.clients.toFixed(0)}% redis ${r.cpu.redis.toFixed(0)}%${r.sustained ? '' : ' (not sustained)'}`,
      );
      return r;
    };
    // Warm-up (JIT, buffers), not reported.
    await run(settings.startRate, 2);
    result.reference = await run(settings.referenceRate, settings.stepSeconds);
    let rate = settings.startRate;
    for (let i = 0; i < settings.maxSteps; i++) {
      const r = await run(rate, settings.stepSeconds);
      result.steps.push(r);
      if (!r.sustained) break;
      if (!result.best || r.deliveriesPerSec > result.best.deliveriesPerSec) result.best = r;
      rate *= 1.5;
    }
    if (
      result.reference.sustained &&
      (!result.best || result.reference.deliveriesPerSec > result.best.deliveriesPerSec)
    )
      result.best = result.reference;
    return result;
  } finally {
    await clients.close();
  }
}

async function waitFor(check: () => Promise<boolean>, child: ChildProcess, what: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${what} exited with ${child.exitCode}`);
    if (await check()) return;
    await sleep(250);
  }
  throw new Error(`${what} did not start`);
}

const wsOpens = (url: string) =>
  new Promise<boolean>((resolve) => {
    const ws = new WebSocket(url);
    ws.on('open', () => {
      ws.terminate();
      resolve(true);
    });
    ws.on('error', () => resolve(false));
  });

function heimdallPayload(step: number): Uint8Array {
  const data = Buffer.alloc(PAYLOAD_BYTES, 0x61);
  data[PAYLOAD_BYTES - 9] = step;
  data.writeDoubleLE(now(), PAYLOAD_BYTES - 8);
  return wire.Payload.encode({ data }).finish();
}

function socketIoPayload(step: number): string {
  const head = `${String.fromCharCode(65 + step)}|${now().toFixed(3)}|`;
  return head.padEnd(PAYLOAD_BYTES, 'a');
}

async function benchHeimdall(settings: Settings, redisUrl: string, redis: Redis): Promise<SystemResult> {
  const adminUrl =
    process.env.BENCH_RT_DATABASE_URL ??
    process.env.HEIMDALL__DATABASE__URL ??
    'postgres://postgres@127.0.0.1:5432/postgres';
  const dbName = `heimdall_bench_rt_${process.pid}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  const dbUrl = new URL(adminUrl);
  dbUrl.pathname = `/${dbName}`;
  const keyPrefix = `heimdall-bench-${process.pid}-${Date.now().toString(36)}:`;
  const port = await freePort();
  const profileDir = process.env.BENCH_RT_PROFILE;
  const server = spawnChild(
    [CLI, 'start', '--roles', 'realtime'],
    {
      ...process.env,
      HEIMDALL__DATABASE__URL: dbUrl.toString(),
      HEIMDALL__REDIS__URL: redisUrl,
      HEIMDALL__REDIS__KEY_PREFIX: keyPrefix,
      HEIMDALL__SERVER__HOST: '127.0.0.1',
      HEIMDALL__SERVER__PORT: String(port),
      HEIMDALL__LOG__LEVEL: 'warn',
      HEIMDALL__REALTIME__MAX_CONNECTIONS_PER_USER: String(settings.connections * 2),
      HEIMDALL__DATA_DIR: `.heimdall/bench-realtime`,
    },
    profileDir,
  );
  const broker = createRedisBroker({
    url: redisUrl,
    keyPrefix,
    onError: () => undefined,
    size: 1000,
    ttlMs: 3_600_000,
    metaTtlMs: 600_000,
  });
  try {
    const url = `ws://127.0.0.1:${port}/ws`;
    await waitFor(() => wsOpens(url), server, 'heimdall start --roles realtime');
    const db = new pg.Client({ connectionString: dbUrl.toString() });
    await db.connect();
    const secret = generateApiKey();
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO "ApiKey" (key_hash, key_prefix, name, scopes) VALUES ($1, $2, 'realtime bench', $3) RETURNING id`,
      [secret.hash, secret.prefix, ['*']],
    );
    await db.query(`INSERT INTO "ApiKeyRole" (api_key_id, role_id) VALUES ($1, 'role_api_full_access')`, [
      rows[0]!.id,
    ]);
    await db.end();
    await sleep(2000);
    const baseRss = rssMb(server.pid!);
    console.error(`[realtime] heimdall server fd limit ${fdLimitOf(server.pid!)}`);
    return await measureSystem(
      {
        name: 'Heimdall (ws + protobuf, Redis broker)',
        server,
        clientsCommand: {
          type: 'open',
          system: 'heimdall',
          url,
          token: secret.key,
          channel: CHANNEL,
          connections: settings.connections,
          sampleEvery: settings.sampleEvery,
          concurrency: 100,
        },
        publish: (step) => broker.publish(CHANNEL, heimdallPayload(step)),
      },
      baseRss,
      redis,
      settings,
    );
  } finally {
    await stopChild(server);
    await broker.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/** A server script of bench/ that says { type: 'listening' } over IPC once it serves. */
async function benchScriptServer(
  settings: Settings,
  redis: Redis,
  script: string,
  env: Record<string, string>,
  target: (port: number) => Omit<Target, 'server'>,
): Promise<SystemResult> {
  const port = await freePort();
  const server = spawnChild(
    [script],
    { ...process.env, ...env, PORT: String(port) },
    process.env.BENCH_RT_PROFILE,
  );
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('message', () => resolve());
      server.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
    });
    await sleep(2000);
    return await measureSystem({ ...target(port), server }, rssMb(server.pid!), redis, settings);
  } finally {
    await stopChild(server);
  }
}

async function benchSocketIo(settings: Settings, redisUrl: string, redis: Redis): Promise<SystemResult> {
  const key = `socket.io-bench-${process.pid}-${Date.now().toString(36)}`;
  const emitterRedis = new Redis(redisUrl);
  const emitter = new Emitter(emitterRedis, { key });
  try {
    return await benchScriptServer(
      settings,
      redis,
      SIO_SERVER,
      { BENCH_SIO_REDIS_URL: redisUrl, BENCH_SIO_KEY: key, BENCH_SIO_ROOM: ROOM },
      (port) => ({
        name: 'Socket.IO 4 + redis-adapter',
        clientsCommand: {
          type: 'open',
          system: 'socketio',
          url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket`,
          connections: settings.connections,
          sampleEvery: settings.sampleEvery,
          concurrency: 100,
        },
        publish: (step) => {
          emitter.to(ROOM).emit('m', socketIoPayload(step));
        },
      }),
    );
  } finally {
    emitterRedis.disconnect();
  }
}

/** Bare ws broadcast of Redis pub/sub messages (bench/realtime-ws-floor-server.ts): what any Node server pays. */
async function benchFloor(settings: Settings, redisUrl: string, redis: Redis): Promise<SystemResult> {
  const channel = `bench-floor-${process.pid}-${Date.now().toString(36)}`;
  const publisher = new Redis(redisUrl);
  let offset = 0;
  try {
    return await benchScriptServer(
      settings,
      redis,
      FLOOR_SERVER,
      { BENCH_FLOOR_REDIS_URL: redisUrl, BENCH_FLOOR_CHANNEL: channel },
      (port) => ({
        name: 'floor: bare ws broadcast',
        clientsCommand: {
          type: 'open',
          system: 'heimdall',
          url: `ws://127.0.0.1:${port}/`,
          token: 'none',
          channel: CHANNEL,
          connections: settings.connections,
          sampleEvery: settings.sampleEvery,
          concurrency: 100,
        },
        publish: (step) => {
          const data = heimdallPayload(step);
          const frame = wire.ServerMessage.encodeDelimited({
            publication: {
              channel: CHANNEL,
              offset: ++offset,
              timeMs: Date.now(),
              payload: wire.Payload.decode(data),
            },
          }).finish();
          return publisher.publish(channel, Buffer.from(frame));
        },
      }),
    );
  } finally {
    publisher.disconnect();
  }
}

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
