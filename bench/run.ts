import { createLogger } from '../core/logger/logger.js';
import { startPlatform } from '../server/start.js';
import { benchConfig } from './config.js';
import { benchApiKey } from './fixtures.js';
import { adminBenchOptions, printAdminBench, runAdminBench } from './admin.js';
import { runAuditBench, type AuditBenchResult } from './audit.js';
import { botsBenchConfig, botsBenchOptions, printBotsBench, runBotsBench } from './bots.js';
import { exportBenchOptions, printExportBench, runExportBench } from './export.js';
import { printGraphqlBench, runGraphqlBench, type GraphqlBenchResult } from './graphql.js';
import { measure, startHelloWorld, type BenchResult } from './http.js';
import { printOidcBench, runOidcBench } from './oidc.js';
import { printRealtimeBench, runRealtimeBench } from './realtime.js';
import { printStartupBench, runStartupBench, startupBenchOptions } from './startup.js';

/**
 * `npm run bench`: HTTP throughput and latency of Heimdall endpoints side by side with a plain Express
 * hello-world in the same process run, so the ratio is comparable across machines. Uses HEIMDALL__DATABASE__URL
 * when set, an embedded PostgreSQL under .heimdall/bench otherwise. BENCH_DURATION (s) and BENCH_CONNECTIONS tune it.
 * GraphQL's nested reads against REST's list of users (bench/graphql.ts, alone: `node dist/bench/graphql.js`) follow.
 * Heimdall ID's grants and sign-ins (bench/oidc.ts, also runnable alone as `node dist/bench/oidc.js`) come next, then
 * how the admin panel's cost grows with the data (bench/admin.ts, alone: `node dist/bench/admin.js`; BENCH_ADMIN_*
 * tune it), the realtime fan-out against Socket.IO (bench/realtime.ts, alone: `node dist/bench/realtime.js`), and a
 * bot command's round trip against a bare GET /v1/me (bench/bots.ts, alone: `node dist/bench/bots.js`), and a data
 * export with 100,000 audit events against one with 1,000 (bench/export.ts, alone: `node dist/bench/export.js`), and
 * a second `npm start` against the built CLI's start (bench/startup.ts, alone: `node dist/bench/startup.js`) last.
 */
const durationSec = Number(process.env.BENCH_DURATION ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 64);

const config = benchConfig();

const hello = await startHelloWorld();
const platform = await startPlatform({ config, logger: createLogger('silent'), roles: ['api'] });
const results: BenchResult[] = [];
let audit: AuditBenchResult | undefined;
let graphql: GraphqlBenchResult | undefined;
// Latency of one request at a time, nearly: GraphQL's nested reads against REST's flat list, same data.
const graphqlConnections = Number(process.env.BENCH_GRAPHQL_CONNECTIONS ?? 4);
const auditEvents = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000);
try {
  const opts = { connections, durationSec };
  // A user-owned key capped by its owner: the full resolution path (key roles, owner roles, 2FA state).
  const { key } = await benchApiKey(platform.databases.primary);
  const auth = { ...opts, headers: { authorization: `Bearer ${key}` } };
  // Warm up both servers (JIT, connection pools, auth cache) before measuring.
  await measure('warm-up', hello.url, { connections, durationSec: 2 });
  await measure('warm-up', `${platform.url}/v1/me`, { ...auth, durationSec: 2 });
  results.push(await measure('express hello-world (baseline)', hello.url, opts));
  results.push(await measure('GET /health', `${platform.url}/health`, opts));
  results.push(await measure('GET /v1/me (API key)', `${platform.url}/v1/me`, auth));
  // Latency without queueing: at 64 connections on 2 cores, p99 is mostly time spent waiting in line.
  const light = { connections: 4, durationSec };
  results.push(await measure('express hello-world, 4 connections', hello.url, light));
  results.push(await measure('GET /v1/me, 4 connections', `${platform.url}/v1/me`, { ...auth, ...light }));
  graphql = await runGraphqlBench(platform, { connections: graphqlConnections, durationSec });
  audit = await runAuditBench(platform.databases.audit, auditEvents);
} finally {
  await platform.stop();
  await hello.close();
}
// Heimdall ID starts a platform of its own: its issuer must name the port before the server listens.
const oidc = await runOidcBench(config, {
  durationSec,
  connections: Number(process.env.BENCH_OIDC_CONNECTIONS ?? 32),
  loginConcurrency: Number(process.env.BENCH_LOGIN_CONCURRENCY ?? 8),
});

const baseline = results[0]!.requestsPerSec;
console.log(`\n${connections} connections unless noted, ${durationSec}s each, node ${process.version}\n`);
console.log('| scenario | req/s | × baseline | p50 ms | p99 ms | errors | non-2xx |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  if (r.errors > 0 || r.non2xx > 0) process.exitCode = 1;
  console.log(
    `| ${r.name} | ${r.requestsPerSec} | ${(r.requestsPerSec / baseline).toFixed(2)} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.non2xx} |`,
  );
}

if (audit) {
  console.log(`\nAudit ingest, ${audit.events} events`);
  console.log('| measure | value |');
  console.log('|---|---:|');
  console.log(`| writer (record → batched COPY) | ${audit.writerPerSec} events/s |`);
  console.log(
    `| writer with GeoIP enrichment (all addresses distinct) | ${audit.writerGeoPerSec} events/s |`,
  );
  console.log(`| raw COPY of the same rows | ${audit.copyPerSec} events/s |`);
  console.log(`| writer ÷ COPY | ${(audit.writerPerSec / audit.copyPerSec).toFixed(2)} |`);
  console.log(`| record() caller cost p50 / p99 | ${audit.recordP50Us} / ${audit.recordP99Us} µs |`);
}

if (graphql) printGraphqlBench(graphql, graphqlConnections, durationSec);

printOidcBench(oidc);

// Two platforms of its own, on databases it makes for the run (small and large data).
printAdminBench(await runAdminBench(adminBenchOptions()));

// Servers and clients in child processes of their own (fd limits raised there); BENCH_RT_* tune it.
printRealtimeBench(await runRealtimeBench());

// Heimdall with realtime (the bot host connects to /ws), the Discord bot and a fake Discord; BENCH_BOTS_* tune it.
printBotsBench(await runBotsBench(botsBenchConfig(), botsBenchOptions()));

// Each export in a child process of its own (--expose-gc, a GC before the job); BENCH_EXPORT_* tune it.
printExportBench(await runExportBench(exportBenchOptions()), exportBenchOptions());

// Heimdall started as child processes in the repository, on databases it makes for each start; BENCH_STARTUP_RUNS.
printStartupBench(await runStartupBench(startupBenchOptions()));
