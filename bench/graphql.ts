import { pathToFileURL } from 'node:url';
import type { Knex } from 'knex';
import { startPlatform, type RunningPlatform } from '../server/start.js';
import { createLogger } from '../core/logger/logger.js';
import { benchConfig } from './config.js';
import { benchReadOnlyKey } from './fixtures.js';
import { measure, type BenchResult } from './http.js';

/**
 * GraphQL's nested reads against REST's flat list, same process run, same data: the 100 newest users with
 * their roles and each role's permissions through /api/graphql, and `GET /v1/users?per_page=100`. Reported:
 * both latencies, their ratio (goal: GraphQL p50 ≤ 4 × REST p50) and the SQL statements of one GraphQL query.
 */
export const USERS_WITH_PERMISSIONS = `{
  users(take: 100, orderBy: { createdAt: desc }) {
    id username
    roles { role { id name permissions { permission { id resource action } } } }
  }
}`;

export interface GraphqlBenchResult {
  rest: BenchResult;
  graphql: BenchResult;
  statements: number;
  fields: number;
}

const USERS = 100;

/** 100 users (User, or User and Moderator) and a system key that may read users, roles and permissions. */
async function seed(db: Knex): Promise<string> {
  const run = Date.now().toString(36);
  const users = await db('User')
    .insert(Array.from({ length: USERS }, (_, i) => ({ username: `bench-gql-${run}-${i}` })))
    .returning<{ id: string }[]>('id');
  await db('UserRole').insert(
    users.flatMap(({ id }, i) =>
      (i % 2 ? ['role_user', 'role_moderator'] : ['role_user']).map((role_id) => ({ user_id: id, role_id })),
    ),
  );
  return benchReadOnlyKey(db, 'bench-graphql');
}

/** Leaves in a GraphQL answer (the fields it returned), to show what one answer weighs. */
const leaves = (value: unknown): number =>
  value !== null && typeof value === 'object'
    ? Object.values(value).reduce<number>((n, v) => n + leaves(v), 0)
    : 1;

export async function runGraphqlBench(
  platform: RunningPlatform,
  options: { connections: number; durationSec: number },
): Promise<GraphqlBenchResult> {
  const key = await seed(platform.databases.primary);
  const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
  const body = JSON.stringify({ query: USERS_WITH_PERMISSIONS });
  const ask = () =>
    fetch(`${platform.url}/api/graphql`, { method: 'POST', headers, body }).then(
      (res) => res.json() as Promise<{ data?: unknown; errors?: unknown[] }>,
    );
  const first = await ask();
  if (first.errors?.length) throw new Error(`The GraphQL query failed: ${JSON.stringify(first.errors)}`);
  const before = platform.services.keystone.sql.statements;
  const answer = await ask();
  const statements = platform.services.keystone.sql.statements - before;
  const restUrl = `${platform.url}/v1/users?per_page=${USERS}`;
  await measure('warm-up', restUrl, { connections: options.connections, durationSec: 2, headers });
  await measure('warm-up', `${platform.url}/api/graphql`, { ...options, durationSec: 2, headers, body });
  return {
    rest: await measure(`GET /v1/users?per_page=${USERS}`, restUrl, { ...options, headers }),
    graphql: await measure('GraphQL: 100 users, roles, permissions', `${platform.url}/api/graphql`, {
      ...options,
      headers,
      body,
    }),
    statements,
    fields: leaves(answer.data),
  };
}

export function printGraphqlBench(
  result: GraphqlBenchResult,
  connections: number,
  durationSec: number,
): void {
  const ratio = result.graphql.p50Ms / Math.max(result.rest.p50Ms, 1);
  console.log(`\nGraphQL nested reads against REST, ${connections} connections, ${durationSec}s each`);
  console.log('| scenario | req/s | p50 ms | p99 ms | errors | non-2xx |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of [result.rest, result.graphql]) {
    if (r.errors > 0 || r.non2xx > 0) process.exitCode = 1;
    console.log(`| ${r.name} | ${r.requestsPerSec} | ${r.p50Ms} | ${r.p99Ms} | ${r.errors} | ${r.non2xx} |`);
  }
  console.log(`| GraphQL p50 ÷ REST p50 (goal ≤ 4) | ${ratio.toFixed(1)} | | | | |`);
  console.log(
    `| SQL statements of one GraphQL query | ${result.statements} (${result.fields} fields) | | | | |`,
  );
}

// `node dist/bench/graphql.js` runs this part alone (`npm run bench` runs it with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const connections = Number(process.env.BENCH_GRAPHQL_CONNECTIONS ?? 4);
  const durationSec = Number(process.env.BENCH_DURATION ?? 10);
  const platform = await startPlatform({
    config: benchConfig(),
    logger: createLogger('silent'),
    roles: ['api'],
  });
  try {
    printGraphqlBench(
      await runGraphqlBench(platform, { connections, durationSec }),
      connections,
      durationSec,
    );
  } finally {
    await platform.stop();
  }
}
