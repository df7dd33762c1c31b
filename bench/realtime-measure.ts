import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { ClientCommand, ClientReply } from './realtime-clients.js';
import { cpuSeconds, exited, redisCpuSeconds, rssMb, spawnNode, stopChild } from './processes.js';

// How the realtime benchmark (bench/realtime.ts) measures one system: its clients in a child process of their
// own, open-loop publication steps, and what each step delivered.

const CLIENTS = fileURLToPath(new URL('./realtime-clients.js', import.meta.url));
const FD_LIMIT = 65536;

export const now = () => Number(process.hrtime.bigint()) / 1e6;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A node child process with the fd limit raised for the benchmark's connections. */
export const spawnChild = (args: string[], env: NodeJS.ProcessEnv, profileDir?: string): ChildProcess =>
  spawnNode(args, env, FD_LIMIT, profileDir);

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

/** A server under test: how its clients connect, and how one publication reaches it. */
export interface Target {
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

export interface Settings {
  connections: number;
  stepSeconds: number;
  startRate: number;
  maxSteps: number;
  referenceRate: number;
  sampleEvery: number;
}

export async function measureSystem(
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
