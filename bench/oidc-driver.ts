import { createHash, randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';

/**
 * Load generator for the sign-in benchmark (bench/oidc.ts), run as a process of its own so that it does not share
 * the server's event loop (it still shares the machine's cores). The job comes as JSON in argv[2]; the result
 * goes to stdout as JSON.
 * - `probe`: GET /health one at a time every `intervalMs` (paced, so the probe itself is no load) → latency.
 * - `signin`: `concurrency` people sign in over and over through the real pages, each time with a fresh cookie
 *   jar. `flow: 'oidc'`: authorization request → login page (CSRF token) → password form → back to the provider
 *   → code at the client's redirect URI; a sign-in counts once the code arrives. `flow: 'account'`: the account
 *   area's sign-in page → password form; it counts once the session cookie arrives. With `perSecond`, sign-ins
 *   start at that steady rate instead (open loop: a slow server does not slow the arrivals), at most
 *   `concurrency` at once.
 */
export type DriverJob =
  | { mode: 'probe'; url: string; durationSec: number; intervalMs: number }
  | {
      mode: 'signin';
      flow: 'oidc' | 'account';
      baseUrl: string;
      clientId: string;
      redirectUri: string;
      users: { email: string; password: string }[];
      concurrency: number;
      durationSec: number;
      perSecond?: number;
    };

export interface LatencySummary {
  count: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface SigninResult {
  completed: number;
  seconds: number;
  latency: LatencySummary;
  failures: Record<string, number>;
}

export function summarize(samplesMs: number[]): LatencySummary {
  const sorted = Float64Array.from(samplesMs).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))] ?? 0;
  const round = (v: number) => Math.round(v * 100) / 100;
  return {
    count: sorted.length,
    p50Ms: round(at(0.5)),
    p99Ms: round(at(0.99)),
    maxMs: round(sorted[sorted.length - 1] ?? 0),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs `task` until `durationSec` is over: `concurrency` loops back to back or, with `perSecond`, one start every
 * 1/perSecond s (skipped while `concurrency` are still running: the rate was not kept, and the count shows it).
 * Returns the seconds to divide completions by: the time taken, or (paced) the window the starts fell in.
 */
export async function drive(
  options: { concurrency: number; durationSec: number; perSecond?: number | undefined },
  task: (slot: number) => Promise<void>,
): Promise<number> {
  const t0 = performance.now();
  const deadline = t0 + options.durationSec * 1000;
  if (!options.perSecond) {
    await Promise.all(
      Array.from({ length: options.concurrency }, async (_, slot) => {
        while (performance.now() < deadline) await task(slot);
      }),
    );
    return (performance.now() - t0) / 1000;
  }
  const interval = 1000 / options.perSecond;
  const running = new Set<Promise<void>>();
  for (let i = 0, next = t0; next < deadline; i += 1, next = t0 + i * interval) {
    await sleep(next - performance.now());
    if (running.size >= options.concurrency) continue;
    const run: Promise<void> = task(i % options.concurrency).finally(() => running.delete(run));
    running.add(run);
  }
  await Promise.all(running);
  // The arrival window: with every start kept, completions ÷ this is the rate asked for.
  return options.durationSec;
}

async function probe(job: Extract<DriverJob, { mode: 'probe' }>): Promise<LatencySummary> {
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      request(job.url, { agent }, (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${res.statusCode}`)),
        );
      })
        .on('error', reject)
        .end();
    });
  await once(); // opens the connection
  const samples: number[] = [];
  const deadline = performance.now() + job.durationSec * 1000;
  while (performance.now() < deadline) {
    samples.push(await once());
    await sleep(job.intervalMs);
  }
  agent.destroy();
  return summarize(samples);
}

interface Reply {
  status: number;
  location: string | undefined;
  cookies: string[];
  body: string;
}

/** node:http rather than fetch: on 2 cores the load generator's own CPU comes out of the server's share. */
function send(agent: Agent, url: URL, cookie: string, form?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = cookie ? { cookie } : {};
    if (form !== undefined) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      headers['content-length'] = String(Buffer.byteLength(form));
    }
    const req = request(url, { agent, method: form === undefined ? 'GET' : 'POST', headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          location: res.headers.location,
          cookies: res.headers['set-cookie'] ?? [],
          body: Buffer.concat(chunks).toString(),
        }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(form);
  });
}

async function signIn(
  job: Extract<DriverJob, { mode: 'signin' }>,
  agent: Agent,
  user: { email: string; password: string },
): Promise<void> {
  const jar = new Map<string, string>();
  const go = async (url: string, form?: Record<string, string>) => {
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const body = form ? new URLSearchParams(form).toString() : undefined;
    const res = await send(agent, new URL(url, job.baseUrl), cookie, body);
    for (const line of res.cookies) {
      const semi = line.indexOf(';');
      const pair = semi < 0 ? line : line.slice(0, semi);
      const eq = pair.indexOf('=');
      jar.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    return res;
  };
  const fail = (stage: string, status: number) => {
    throw Object.assign(new Error(stage), { reason: `${stage} → ${status}` });
  };
  const csrfOf = (body: string) => /name="csrf" value="([^"]+)"/.exec(body)?.[1];

  if (job.flow === 'account') {
    const page = await go('/account/login');
    const token = csrfOf(page.body);
    if (page.status !== 200 || !token) fail('account sign-in page', page.status);
    const login = await go('/account/login', { csrf: token!, email: user.email, password: user.password });
    if (login.status !== 303 || !jar.has('id.session-token')) fail('account password form', login.status);
    return;
  }

  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URLSearchParams({
    client_id: job.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: job.redirectUri,
    state: randomBytes(8).toString('base64url'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  });
  const start = await go(`/oidc/auth?${authorize}`);
  if (!start.location?.includes('/interaction/')) fail('authorization request', start.status);
  const page = await go(start.location!);
  const csrf = csrfOf(page.body);
  if (page.status !== 200 || !csrf) fail('login page', page.status);
  const login = await go(`${new URL(start.location!, job.baseUrl).pathname}/login`, {
    csrf: csrf!,
    email: user.email,
    password: user.password,
  });
  if (!login.location) fail('password form', login.status);
  const resume = await go(login.location!);
  if (!resume.location?.startsWith(`${job.redirectUri}?code=`)) fail('resume', resume.status);
}

async function signins(job: Extract<DriverJob, { mode: 'signin' }>): Promise<SigninResult> {
  const agent = new Agent({ keepAlive: true });
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const seconds = await drive(job, async (slot) => {
    const started = performance.now();
    try {
      await signIn(job, agent, job.users[slot % job.users.length]!);
      latencies.push(performance.now() - started);
    } catch (err) {
      const reason = (err as { reason?: string }).reason ?? String(err);
      failures[reason] = (failures[reason] ?? 0) + 1;
    }
  });
  agent.destroy();
  return { completed: latencies.length, seconds, latency: summarize(latencies), failures };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const job = JSON.parse(process.argv[2]!) as DriverJob;
  const result = job.mode === 'probe' ? await probe(job) : await signins(job);
  process.stdout.write(JSON.stringify(result));
}
