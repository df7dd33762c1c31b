import { execFile } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Knex } from 'knex';
import { createPasswordLogin } from '../core/auth/password-login.js';
import { hashPassword, PASSWORD_THREADS, passwordThreadScheduling } from '../core/auth/passwords.js';
import { hashSecret, randomSecret } from '../core/auth/secret-token.js';
import { createUserQueries } from '../core/users/queries.js';
import { drive, summarize, type DriverJob, type LatencySummary, type SigninResult } from './oidc-driver.js';
import { addSamples, combine, cpuNow, since, type CpuSample } from './cpu-budget.js';
import { startBusyCore, type BusyCore } from './busy-core.js';
import { watchGc, type GcPauses } from './gc-pauses.js';
import { measureHandoff, type HandoffCost } from './handoff.js';
import {
  GOAL_SIGNINS_PER_SEC,
  LOOP_RESOLUTION_MS,
  median,
  PROBE_INTERVAL_MS,
  ROUNDS,
  roundSeconds,
} from './oidc-settings.js';

// The password sign-in half of the Heimdall ID benchmark (bench/oidc.ts): idle, the in-process check and sign-ins
// over HTTP take turns while a child process probes GET /health.
const run = promisify(execFile);
const DRIVER = fileURLToPath(new URL('./oidc-driver.js', import.meta.url));
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const PASSWORD = 'correct horse battery staple';

interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

/** One phase of the sign-in benchmark: medians over its rounds. */
export interface LoadPhase {
  name: string;
  /** Sign-ins started at this rate (open loop); undefined: as many as `concurrency` loops manage. */
  perSecond: number | undefined;
  /** A load without sign-ins, shown for comparison (no goal). */
  reference: boolean;
  loginsPerSec: number | undefined;
  latency: Percentiles | undefined;
  failures: Record<string, number>;
  health: Percentiles;
  loopDelayP99Ms: number;
  /** The server process's GC pauses (medians of the rounds'). */
  gc: GcPauses;
  /** GET /health p99 under this load ÷ idle p99 (median of the rounds' ratios); undefined for idle itself. */
  lagRatio: number | undefined;
  /**
   * CPU per sign-in, ms, over all rounds, less what the same time idle used (the probe, and the server answering
   * it); undefined for idle, or where /proc is not there to read.
   */
  cpuPerSignIn: CpuSample | undefined;
}

export interface LoginBenchResult {
  argon2: string;
  handoff: HandoffCost;
  hashing: string;
  concurrency: number;
  phases: LoadPhase[];
}

/** A phase's CPU over its rounds, less idle's over as many rounds of the same length, per completed sign-in. */
function perSignIn(rounds: Sample[], idle: CpuSample | undefined): CpuSample | undefined {
  const used = addSamples(rounds.map((r) => r.cpu));
  const completed = rounds.reduce((n, r) => n + (r.result?.completed ?? 0), 0);
  if (!used || !idle || completed === 0) return undefined;
  return combine(used, idle, (u, i) => Math.round((Math.max(0, u - i) / completed) * 100) / 100);
}

export async function benchUser(db: Knex, name: string): Promise<{ id: string; username: string }> {
  const username = `bench-${name}-${randomSecret('', 6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const queries = createUserQueries(db);
  const id = await queries.insertUser({ username });
  await queries.insertUserRole(id, 'role_user');
  return { id, username };
}

async function driver<T>(job: DriverJob): Promise<T> {
  const { stdout } = await run(process.execPath, [DRIVER, JSON.stringify(job)], {
    maxBuffer: 16 * 1024 * 1024,
  });
  return JSON.parse(stdout) as T;
}

interface LoadResult {
  completed: number;
  loginsPerSec: number;
  latency: LatencySummary;
  failures: Record<string, number>;
}

interface Sample {
  result: LoadResult | undefined;
  health: LatencySummary;
  loopDelayP99Ms: number;
  gc: GcPauses;
  cpu: CpuSample | undefined;
}

/** One phase of the sign-in benchmark; `around` runs for each of its rounds, before the probe starts. */
interface Load {
  name: string;
  perSecond?: number;
  reference?: boolean;
  load: () => Promise<LoadResult | undefined>;
  around?: () => Promise<BusyCore>;
}

const nothing = async () => undefined;

/** Runs `load` while the probe times GET /health and this process samples its own event-loop delay. */
async function underLoad(
  healthUrl: string,
  durationSec: number,
  load: () => Promise<LoadResult | undefined>,
): Promise<Sample> {
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const gc = watchGc();
  const cpu = cpuNow();
  const [health, result] = await Promise.all([
    driver<LatencySummary>({ mode: 'probe', url: healthUrl, durationSec, intervalMs: PROBE_INTERVAL_MS }),
    load(),
  ]);
  loop.disable();
  const cpuUsed = since(cpu);
  return {
    result,
    health,
    loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
    gc: await gc(),
    cpu: cpuUsed,
  };
}

/** The sign-in check for `durationSec`, each call as one of the users: flat out or at `perSecond` (see `drive`). */
async function checkLoad(
  db: Knex,
  users: { email: string; password: string }[],
  options: { concurrency: number; durationSec: number; perSecond?: number },
) {
  const passwords = createPasswordLogin(db);
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const seconds = await drive(options, async (slot) => {
    const user = users[slot % users.length]!;
    const started = performance.now();
    const result = await passwords.check(user.email, user.password);
    if (result.ok) latencies.push(performance.now() - started);
    else failures[result.reason] = (failures[result.reason] ?? 0) + 1;
  });
  return {
    completed: latencies.length,
    loginsPerSec: Math.round(latencies.length / seconds),
    latency: summarize(latencies),
    failures,
  };
}

export async function loginBench(
  db: Knex,
  baseUrl: string,
  options: { concurrency: number; durationSec: number },
): Promise<LoginBenchResult> {
  const { concurrency, durationSec } = options;
  const clientSecret = randomSecret('hcs_');
  const clientId = randomSecret('hc_bench_', 12);
  await db('OAuthClient').insert({
    client_id: clientId,
    client_secret: hashSecret(clientSecret),
    name: 'Bench sign-in',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    scopes: ['openid'],
    token_endpoint_auth_method: 'client_secret_basic',
    // No consent page: the sign-in ends with the code.
    is_first_party: true,
  });
  const passwordHash = await hashPassword(PASSWORD);
  const queries = createUserQueries(db);
  const users: { email: string; password: string }[] = [];
  for (let i = 0; i < concurrency; i += 1) {
    const { id: userId, username } = await benchUser(db, 'login');
    const email = `${username}@bench.example`;
    const accountId = await queries.insertEmailAccount({
      user_id: userId,
      email,
      username,
      password_hash: passwordHash,
      email_verified_at: new Date(),
    });
    await queries.setPrimaryAccount(userId, accountId);
    users.push({ email, password: PASSWORD });
  }

  const signinJob = (
    flow: 'oidc' | 'account',
    seconds: number,
    people: number,
    perSecond?: number,
  ): DriverJob => ({
    mode: 'signin',
    flow,
    baseUrl,
    clientId,
    redirectUri: REDIRECT_URI,
    users,
    concurrency: people,
    durationSec: seconds,
    ...(perSecond ? { perSecond } : {}),
  });
  const signins = async (flow: 'oidc' | 'account', seconds: number, people: number, perSecond?: number) => {
    const r = await driver<SigninResult>(signinJob(flow, seconds, people, perSecond));
    return {
      completed: r.completed,
      loginsPerSec: Math.round(r.completed / r.seconds),
      latency: r.latency,
      failures: r.failures,
    };
  };
  // Before the server has any load to do: what a hand-off to another process costs this machine.
  const handoff = await measureHandoff();
  // Warm-up, and proof that the whole path works before anything is measured.
  for (const flow of ['oidc', 'account'] as const) {
    const warm = await signins(flow, 2, 2);
    if (warm.latency.count === 0)
      throw new Error(`no ${flow} sign-in completed during the warm-up: ${JSON.stringify(warm.failures)}`);
  }
  await checkLoad(db, users, { concurrency, durationSec: 1 });

  // Idle, the busy-core reference, the check and full sign-ins take turns (see `grants`); each phase's figures are
  // medians of its rounds, and the lag ratio compares each round with the same round's idle period.
  const healthUrl = `${baseUrl}/health`;
  const roundSec = roundSeconds(durationSec);
  const goal = GOAL_SIGNINS_PER_SEC;
  const probeBusy = await startBusyCore();
  await probeBusy.stop();
  const busyScheduling = probeBusy.scheduling === 'idle' ? 'SCHED_IDLE' : 'nice 19';
  const loads: Load[] = [
    { name: 'idle', load: nothing },
    {
      name: `a busy loop in another process at ${busyScheduling}, no Heimdall work (what one busy core costs this machine)`,
      reference: true,
      load: nothing,
      around: startBusyCore,
    },
    {
      name: '`createPasswordLogin().check` (in process), flat out',
      load: () => checkLoad(db, users, { concurrency, durationSec: roundSec }),
    },
    {
      name: `\`createPasswordLogin().check\` (in process), ${goal}/s`,
      perSecond: goal,
      load: () => checkLoad(db, users, { concurrency, durationSec: roundSec, perSecond: goal }),
    },
    {
      name: 'password sign-in over HTTP (account area: page + form)',
      load: () => signins('account', roundSec, concurrency),
    },
    {
      name: `password sign-in over HTTP (account area: page + form), ${goal}/s`,
      perSecond: goal,
      load: () => signins('account', roundSec, concurrency, goal),
    },
    {
      name: 'OpenID sign-in over HTTP (4 requests), flat out',
      load: () => signins('oidc', roundSec, concurrency),
    },
    {
      name: `OpenID sign-in over HTTP (4 requests), ${goal}/s`,
      perSecond: goal,
      load: () => signins('oidc', roundSec, concurrency, goal),
    },
  ];
  const rounds: Sample[][] = loads.map(() => []);
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const [j, { load, around }] of loads.entries()) {
      const busy = await around?.();
      try {
        rounds[j]!.push(await underLoad(healthUrl, roundSec, load));
      } finally {
        await busy?.stop();
      }
    }
  }
  const idle = rounds[0]!;
  const idleCpu = addSamples(idle.map((r) => r.cpu));
  const pick = (rs: Sample[], f: (s: Sample, round: number) => number) =>
    Math.round(median(rs.map(f)) * 100) / 100;
  const phases: LoadPhase[] = loads.map(({ name, perSecond, reference }, j) => {
    const rs = rounds[j]!;
    const loaded = rs.every((r) => r.result);
    const failures: Record<string, number> = {};
    for (const r of rs)
      for (const [reason, n] of Object.entries(r.result?.failures ?? {}))
        failures[reason] = (failures[reason] ?? 0) + n;
    return {
      name,
      perSecond,
      reference: reference ?? false,
      loginsPerSec: loaded ? pick(rs, (r) => r.result!.loginsPerSec) : undefined,
      latency: loaded
        ? { p50Ms: pick(rs, (r) => r.result!.latency.p50Ms), p99Ms: pick(rs, (r) => r.result!.latency.p99Ms) }
        : undefined,
      failures,
      health: { p50Ms: pick(rs, (r) => r.health.p50Ms), p99Ms: pick(rs, (r) => r.health.p99Ms) },
      loopDelayP99Ms: pick(rs, (r) => r.loopDelayP99Ms),
      gc: {
        msPerSec: pick(rs, (r) => r.gc.msPerSec),
        longestMs: pick(rs, (r) => r.gc.longestMs),
        scavengesPerSec: pick(rs, (r) => r.gc.scavengesPerSec),
      },
      lagRatio: j === 0 ? undefined : pick(rs, (r, i) => r.health.p99Ms / idle[i]!.health.p99Ms),
      cpuPerSignIn: j === 0 ? undefined : perSignIn(rs, idleCpu),
    };
  });
  const params = /\$argon2id\$v=\d+\$(m=\d+,t=\d+,p=\d+)\$/.exec(passwordHash)?.[1] ?? passwordHash;
  return {
    argon2: params,
    handoff,
    hashing: `${PASSWORD_THREADS} worker threads at ${passwordThreadScheduling() === 'idle' ? 'SCHED_IDLE' : 'nice 19'} (core/auth/passwords.ts)`,
    concurrency,
    phases,
  };
}
