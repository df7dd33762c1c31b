import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';
import { randomSecret } from '../core/auth/secret-token.js';
import { freePort } from './fixtures.js';
import { median, ROUNDS, roundSeconds } from './oidc-settings.js';

// The client_credentials half of the Heimdall ID benchmark (bench/oidc.ts): Heimdall and bare oidc-provider
// servers take turns under the same load from autocannon in a child process.
const run = promisify(execFile);
const AUTOCANNON = createRequire(import.meta.url).resolve('autocannon/autocannon.js');
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

export const basic = (id: string, secret: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

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
export async function grants(
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
export async function startBareProvider(
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
