import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { startPlatform } from '../server/start.js';
import { hashSecret, randomSecret } from '../core/auth/secret-token.js';
import { loadConfig } from '../core/config/index.js';
import { createLogger } from '../core/logger/logger.js';
import type { Config } from '../schemas/config.js';
import { freePort } from './fixtures.js';
import { basic, grants, startBareProvider, type GrantRun } from './oidc-grants.js';
import { benchUser, loginBench } from './oidc-logins.js';
import { printOidcBench, type OidcBenchResult } from './oidc-report.js';
import { median } from './oidc-settings.js';

export { printOidcBench };
export type { OidcBenchResult };
export type { GrantRun } from './oidc-grants.js';
export type { LoadPhase } from './oidc-logins.js';

/**
 * Heimdall ID:
 * - client_credentials grants/s against Heimdall (PostgreSQL storage, RFC 9068 JWTs for the API) and against a
 *   bare oidc-provider with its memory adapter, in the same run with the same load generator (autocannon in a
 *   child process, as bench/http.ts does), taking turns. Goals: ≥ 1,500/s and ≥ 0.8 × bare.
 * - password sign-ins/s with Argon2id at OWASP's minimum, both as `createPasswordLogin().check` (what the login
 *   page calls: account lookup + verification) and as full sign-ins through the pages over HTTP, while a probe
 *   times GET /health against an idle baseline. Goals: ≥ 60/s on 2 cores, other requests' lag < 2 × idle. Each
 *   kind runs flat out (how many the server manages) and at the goal's 60/s (the lag while it is met).
 * Heimdall runs its own platform here: the issuer names the port, so it must be known before the server starts.
 */
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
