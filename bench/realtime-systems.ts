import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Emitter } from '@socket.io/redis-emitter';
import { Redis } from 'ioredis';
import pg from 'pg';
import WebSocket from 'ws';
import { generateApiKey } from '../core/auth/api-key-token.js';
import { createRedisBroker } from '../realtime/broker/redis-broker.js';
import { wire } from '../proto/index.js';
import { freePort } from './fixtures.js';
import { fdLimitOf, rssMb, stopChild } from './processes.js';
import {
  measureSystem,
  now,
  sleep,
  spawnChild,
  type Settings,
  type SystemResult,
  type Target,
} from './realtime-measure.js';

// The systems the realtime benchmark (bench/realtime.ts) compares, each a server in a child process of its own:
// Heimdall's realtime role, Socket.IO with its Redis adapter, and a bare ws broadcast as the floor.

const CHANNEL = 'app:bench';
const ROOM = 'bench';
export const PAYLOAD_BYTES = 100;
const SIO_SERVER = fileURLToPath(new URL('./realtime-socketio-server.js', import.meta.url));
const FLOOR_SERVER = fileURLToPath(new URL('./realtime-ws-floor-server.js', import.meta.url));
const CLI = fileURLToPath(new URL('../server/cli/main.js', import.meta.url));

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

export async function benchHeimdall(
  settings: Settings,
  redisUrl: string,
  redis: Redis,
): Promise<SystemResult> {
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

export async function benchSocketIo(
  settings: Settings,
  redisUrl: string,
  redis: Redis,
): Promise<SystemResult> {
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
export async function benchFloor(settings: Settings, redisUrl: string, redis: Redis): Promise<SystemResult> {
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
