import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import type { Knex } from 'knex';
import Provider, { type Configuration } from 'oidc-provider';
import { startPlatform } from '../api/server/start.js';
import { createPasswordLogin } from '../core/auth/password-login.js';
import { hashPassword, PASSWORD_THREADS, passwordThreadScheduling } from '../core/auth/passwords.js';
import { hashSecret, randomSecret } from '../core/auth/secret-token.js';
import { loadConfig } from '../core/config/index.js';
import { createLogger } from '../core/logger/index.js';
import type { Config } from '../schemas/config.js';
import { drive, summarize, type DriverJob, type LatencySummary, type SigninResult } from './oidc-driver.js';
import { freePort } from './fixtures.js';
import { addSamples, combine, cpuNow, since, type CpuSample } from './cpu-budget.js';
import { watchGc, type GcPauses } from './gc-pauses.js';
import { printOidcBench } from './oidc-report.js';
import {
  GOAL_SIGNINS_PER_SEC,
  LOOP_RESOLUTION_MS,
  median,
  PROBE_INTERVAL_MS,
  ROUNDS,
  roundSeconds,
} from './oidc-settings.js';

export { printOidcBench };

/**
 * Heimdall ID (issue 6):
 * - client_credentials grants/s against Heimdall (PostgreSQL storage, RFC 9068 JWTs for the API) and against a
 *   bare oidc-provider with its memory adapter, in the same run with the same load generator (autocannon in a
 *   child process, as bench/http.ts does), taking turns. Goals: ≥ 1,500/s and ≥ 0.8 × bare.
 * - password sign-ins/s with Argon2id at OWASP's minimum, both as `createPasswordLogin().check` (what the login
 *   page calls: account lookup + verification) and as full sign-ins through the pages over HTTP, while a probe
 *   times GET /health against an idle baseline. Goals: ≥ 60/s on 2 cores, other requests' lag < 2 × idle. Each
 *   kind runs flat out (how many the server manages) and at the goal's 60/s (the lag while it is met).
 * Heimdall runs its own platform here: the issuer names the port, so it must be known before the server starts.
 */
const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
const DRIVER = fileURLToPath(new URL('./oidc-driver.js', import.meta.url));
const REDIRECT_URI = 'http://127.0.0.1:9/callback';
const PASSWORD = 'correct horse battery staple';
const GRANT_BODY = 'grant_type=client_credentials&scope=api';

interface GrantRound {
  grantsPerSec: number;
  /** CPU time of this process (where every server runs; the load comes from a child) per grant, µs. */
  cpuUsPerGrant: number;
  p50Ms: number;
  p99Ms: number;
  non200: number;
  errors: number;
}

export interface GrantRun extends GrantRound {
  name: string;
  token: string;
  /** grants/s of each round (`grantsPerSec` is their median). */
  rounds: number[];
}

interface Percentiles {
  p50Ms: number;
  p99Ms: number;
}

/** One phase of the sign-in benchmark: medians over its rounds. */
export interface LoadPhase {
  name: string;
  /** Sign-ins started at this rate (open loop); undefined: as many as `concurrency` loops manage. */
  perSecond: number | undefined;
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

export interface OidcBenchResult {
  /** 1-minute load average before and after: other work on the machine skews every figure here. */
  loadAverage: [number, number];
  durationSec: number;
  connections: number;
  grants: {
    heimdall: GrantRun;
    bare: GrantRun;
    bareJwt: GrantRun;
    /** Medians of the round-by-round ratios Heimdall ÷ bare. */
    ratioToBare: number;
    ratioToBareJwt: number;
  };
  logins: { argon2: string; hashing: string; concurrency: number; phases: LoadPhase[] } | undefined;
}

/** A phase's CPU over its rounds, less idle's over as many rounds of the same length, per completed sign-in. */
function perSignIn(rounds: Sample[], idle: CpuSample | undefined): CpuSample | undefined {
  const used = addSamples(rounds.map((r) => r.cpu));
  const completed = rounds.reduce((n, r) => n + (r.result?.completed ?? 0), 0);
  if (!used || !idle || completed === 0) return undefined;
  return combine(used, idle, (u, i) => Math.round((Math.max(0, u - i) / completed) * 100) / 100);
}

const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

async function benchUser(db: Knex, name: string): Promise<{ id: string; username: string }> {
  const username = `bench-${name}-${randomSecret('', 6)
    .toLowerCase()
    .replace(/[^a-z0-9]/g, 'x')}`;
  const [user] = await db('User').insert({ username }).returning<{ id: string }[]>('id');
  await db('UserRole').insert({ user_id: user!.id, role_id: 'role_user' });
  return { id: user!.id, username };
}

/** One client_credentials request, to fail early and to see which token format the server issues. */
async function tokenFormat(tokenUrl: string, authorization: string): Promise<string> {
  const res = await fetch(tokenUrl, {
    method: 'POST',
    headers: { authorization, 'content-type': 'application/x-www-form-urlencoded' },
    body: GRANT_BODY,
  });
  const body = (await res.json()) as { access_token?: string; error_description?: string };
  if (res.status !== 200 || !body.access_token)
    throw new Error(`${tokenUrl}: ${res.status} ${body.error_description ?? JSON.stringify(body)}`);
  const parts = body.access_token.split('.');
  if (parts.length !== 3) return 'opaque';
  const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()) as { alg: string; typ?: string };
  return `${header.alg} JWT${header.typ === 'at+jwt' ? ' (RFC 9068)' : ''}`;
}

interface AutocannonJson {
  duration: number;
  latency: { p50: number; p99: number };
  errors: number;
  timeouts: number;
  statusCodeStats: Record<string, { count: number }>;
}

async function hammer(
  tokenUrl: string,
  authorization: string,
  connections: number,
  durationSec: number,
): Promise<GrantRound> {
  const cpu = process.cpuUsage();
  const { stdout } = await run(
    process.execPath,
    [
      AUTOCANNON,
      '--json',
      ...['-c', String(connections), '-d', String(durationSec), '-m', 'POST'],
      ...['-H', 'content-type=application/x-www-form-urlencoded', '-H', `authorization=${authorization}`],
      ...['-b', GRANT_BODY, tokenUrl],
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const used = process.cpuUsage(cpu);
  const r = JSON.parse(stdout) as AutocannonJson;
  const ok = r.statusCodeStats['200']?.count ?? 0;
  const all = Object.values(r.statusCodeStats).reduce((n, c) => n + c.count, 0);
  return {
    grantsPerSec: Math.round(ok / r.duration),
    cpuUsPerGrant: ok > 0 ? Math.round((used.user + used.system) / ok) : 0,
    p50Ms: r.latency.p50,
    p99Ms: r.latency.p99,
    non200: all - ok,
    errors: r.errors + r.timeouts,
  };
}

/**
 * The servers take turns, `ROUNDS` times, so that whatever else the machine does lands on all of them alike;
 * each figure is the median of its rounds, and the ratios are taken round by round.
 */
async function grants(
  targets: { name: string; tokenUrl: string }[],
  authorization: string,
  options: { connections: number; durationSec: number },
): Promise<GrantRun[]> {
  const roundSec = roundSeconds(options.durationSec);
  const tokens: string[] = [];
  for (const t of targets) {
    tokens.push(await tokenFormat(t.tokenUrl, authorization));
    await hammer(t.tokenUrl, authorization, options.connections, 2); // warm-up: JIT, pools, client cache
  }
  const rounds: GrantRound[][] = targets.map(() => []);
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const [j, t] of targets.entries())
      rounds[j]!.push(await hammer(t.tokenUrl, authorization, options.connections, roundSec));
  }
  return targets.map((t, j) => {
    const rs = rounds[j]!;
    return {
      name: t.name,
      token: tokens[j]!,
      grantsPerSec: median(rs.map((r) => r.grantsPerSec)),
      rounds: rs.map((r) => r.grantsPerSec),
      cpuUsPerGrant: median(rs.map((r) => r.cpuUsPerGrant)),
      p50Ms: median(rs.map((r) => r.p50Ms)),
      p99Ms: median(rs.map((r) => r.p99Ms)),
      non200: rs.reduce((n, r) => n + r.non200, 0),
      errors: rs.reduce((n, r) => n + r.errors, 0),
    };
  });
}

/** oidc-provider as it comes: memory adapter, one static client; `jwt` adds a resource server issuing JWTs. */
async function startBareProvider(
  client: { id: string; secret: string },
  tokens: 'default' | 'jwt',
): Promise<{ tokenUrl: string; close(): Promise<void> }> {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  // The same kinds of signing keys as Heimdall's (RSA 2048 for ID tokens, P-256 for API access tokens), and
  // cookie keys: no development-defaults warnings.
  const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048, extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench' };
  const ec = await generateKeyPair('ES256', { extractable: true });
  const ecJwk = { ...(await exportJWK(ec.privateKey)), alg: 'ES256', use: 'sig', kid: 'bench-ec' };
  const resource = `${issuer}/api`;
  const configuration: Configuration = {
    clients: [
      {
        client_id: client.id,
        client_secret: client.secret,
        grant_types: ['client_credentials'],
        redirect_uris: [],
        response_types: [],
        scope: 'api',
      },
    ],
    scopes: ['api'],
    jwks: { keys: [jwk as never, ecJwk as never] },
    cookies: { keys: [randomSecret('', 32)] },
    features: {
      clientCredentials: { enabled: true },
      ...(tokens === 'jwt'
        ? {
            resourceIndicators: {
              enabled: true,
              defaultResource: async () => resource,
              useGrantedResource: async () => false,
              getResourceServerInfo: async () => ({
                scope: 'api',
                audience: resource,
                accessTokenFormat: 'jwt',
                jwt: { sign: { alg: 'ES256' } },
              }),
            },
          }
        : {}),
    },
  };
  const provider = new Provider(issuer, configuration);
  const server: Server = createServer(provider.callback());
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    tokenUrl: `${issuer}/token`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
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

async function loginBench(
  db: Knex,
  baseUrl: string,
  options: { concurrency: number; durationSec: number },
): Promise<OidcBenchResult['logins']> {
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
  const users: { email: string; password: string }[] = [];
  for (let i = 0; i < concurrency; i += 1) {
    const { id: userId, username } = await benchUser(db, 'login');
    const email = `${username}@bench.example`;
    const [account] = await db('PlatformAccount')
      .insert({
        platform_id: 'email',
        platform_user_id: email,
        username,
        email,
        password_hash: passwordHash,
        email_verified_at: new Date(),
        user_id: userId,
      })
      .returning<{ id: string }[]>('id');
    await db('User').where({ id: userId }).update({ primary_platform_account_id: account!.id });
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
  // Warm-up, and proof that the whole path works before anything is measured.
  for (const flow of ['oidc', 'account'] as const) {
    const warm = await signins(flow, 2, 2);
    if (warm.latency.count === 0)
      throw new Error(`no ${flow} sign-in completed during the warm-up: ${JSON.stringify(warm.failures)}`);
  }
  await checkLoad(db, users, { concurrency, durationSec: 1 });

  // Idle, the check and full sign-ins take turns (see `grants`); each phase's figures are medians of its rounds,
  // and the lag ratio compares each round with the idle period just before it.
  const healthUrl = `${baseUrl}/health`;
  const roundSec = roundSeconds(durationSec);
  const goal = GOAL_SIGNINS_PER_SEC;
  const loads: [string, number | undefined, () => Promise<LoadResult | undefined>][] = [
    ['idle', undefined, async () => undefined],
    [
      '`createPasswordLogin().check` (in process), flat out',
      undefined,
      () => checkLoad(db, users, { concurrency, durationSec: roundSec }),
    ],
    [
      `\`createPasswordLogin().check\` (in process), ${goal}/s`,
      goal,
      () => checkLoad(db, users, { concurrency, durationSec: roundSec, perSecond: goal }),
    ],
    [
      'password sign-in over HTTP (account area: page + form)',
      undefined,
      () => signins('account', roundSec, concurrency),
    ],
    [
      `password sign-in over HTTP (account area: page + form), ${goal}/s`,
      goal,
      () => signins('account', roundSec, concurrency, goal),
    ],
    [
      'OpenID sign-in over HTTP (4 requests), flat out',
      undefined,
      () => signins('oidc', roundSec, concurrency),
    ],
    [
      `OpenID sign-in over HTTP (4 requests), ${goal}/s`,
      goal,
      () => signins('oidc', roundSec, concurrency, goal),
    ],
  ];
  const rounds: Sample[][] = loads.map(() => []);
  for (let i = 0; i < ROUNDS; i += 1) {
    for (const [j, [, , load]] of loads.entries())
      rounds[j]!.push(await underLoad(healthUrl, roundSec, load));
  }
  const idle = rounds[0]!;
  const idleCpu = addSamples(idle.map((r) => r.cpu));
  const pick = (rs: Sample[], f: (s: Sample, round: number) => number) =>
    Math.round(median(rs.map(f)) * 100) / 100;
  const phases: LoadPhase[] = loads.map(([name, perSecond], j) => {
    const rs = rounds[j]!;
    const loaded = rs.every((r) => r.result);
    const failures: Record<string, number> = {};
    for (const r of rs)
      for (const [reason, n] of Object.entries(r.result?.failures ?? {}))
        failures[reason] = (failures[reason] ?? 0) + n;
    return {
      name,
      perSecond,
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
    hashing: `${PASSWORD_THREADS} worker threads at ${passwordThreadScheduling() === 'idle' ? 'SCHED_IDLE' : 'nice 19'} (core/auth/passwords.ts)`,
    concurrency,
    phases,
  };
}

export async function runOidcBench(
  config: Config,
  /** `loginConcurrency` 0 measures the grants alone (BENCH_LOGIN_CONCURRENCY=0). */
  options: { durationSec: number; connections: number; loginConcurrency: number },
): Promise<OidcBenchResult> {
  const loadBefore = os.loadavg()[0]!;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const platform = await startPlatform({
    config: {
      ...config,
      server: { ...config.server, host: '127.0.0.1', port, public_url: url },
      oidc: { ...config.oidc, enabled: true },
    },
    logger: createLogger('silent'),
    roles: ['api'],
  });
  try {
    const db = platform.databases.primary;
    const client = { id: randomSecret('hc_bench_', 12), secret: randomSecret('hcs_') };
    await db('OAuthClient').insert({
      client_id: client.id,
      client_secret: hashSecret(client.secret),
      name: 'Bench machine client',
      redirect_uris: [],
      grant_types: ['client_credentials'],
      scopes: ['api'],
      token_endpoint_auth_method: 'client_secret_basic',
      user_id: (await benchUser(db, 'owner')).id,
    });
    const load = { connections: options.connections, durationSec: options.durationSec };
    const auth = basic(client.id, client.secret);
    const bareDefault = await startBareProvider(client, 'default');
    const bareWithJwt = await startBareProvider(client, 'jwt');
    const [heimdall, bare, bareJwt] = (await grants(
      [
        { name: 'Heimdall (PostgreSQL)', tokenUrl: `${platform.url}/oidc/token` },
        { name: 'bare oidc-provider, memory adapter (defaults)', tokenUrl: bareDefault.tokenUrl },
        { name: 'bare oidc-provider, memory adapter, JWT resource server', tokenUrl: bareWithJwt.tokenUrl },
      ],
      auth,
      load,
    ).finally(() => Promise.all([bareDefault.close(), bareWithJwt.close()]))) as [
      GrantRun,
      GrantRun,
      GrantRun,
    ];
    const ratioTo = (other: GrantRun) => median(heimdall.rounds.map((h, i) => h / other.rounds[i]!));
    const logins =
      options.loginConcurrency > 0
        ? await loginBench(db, platform.url, {
            concurrency: options.loginConcurrency,
            durationSec: options.durationSec,
          })
        : undefined;
    return {
      loadAverage: [loadBefore, os.loadavg()[0]!],
      durationSec: options.durationSec,
      connections: options.connections,
      grants: {
        heimdall,
        bare,
        bareJwt,
        ratioToBare: ratioTo(bare),
        ratioToBareJwt: ratioTo(bareJwt),
      },
      logins,
    };
  } finally {
    await platform.stop();
  }
}

// `node dist/bench/oidc.js` runs these scenarios alone (`npm run bench` runs them with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const config = loadConfig({
    vars: {
      HEIMDALL__DATA_DIR: path.resolve('.heimdall/bench'),
      HEIMDALL__LOG__LEVEL: 'silent',
      ...process.env,
    },
  });
  printOidcBench(
    await runOidcBench(config, {
      durationSec: Number(process.env.BENCH_DURATION ?? 10),
      connections: Number(process.env.BENCH_OIDC_CONNECTIONS ?? 32),
      loginConcurrency: Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 8),
    }),
  );
}
