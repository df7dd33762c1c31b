import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { openDatabases, prepareDatabases } from '../core/db/databases.js';
import { createLogger } from '../core/logger/logger.js';
import type { Config } from '../schemas/config.js';
import { startPlatform, type RunningPlatform } from '../server/start.js';
import {
  analyze,
  createPanelAdmin,
  openDatabaseServer,
  SEARCH_MATCHES,
  SEARCH_TERM,
  seedAuditEvents,
  seedUsers,
  type DatabaseServer,
} from './admin-data.js';
import { PANEL_CSRF_COOKIE, signInToPanel, type PanelAgent } from './admin-signin.js';
import { benchConfig } from './config.js';
import { benchReadOnlyKey, freePort } from './fixtures.js';
import { SAMPLE_HEADER, watchServerTime, type ServerTimer } from './server-timing.js';

/**
 * How the admin panel's cost grows with the data. Three platforms run side by side in this process, each on
 * databases of its own made for the run:
 * - small: 1,000 users, 10,000 audit events;
 * - large: 100,000 users, 1,000,000 audit events;
 * - "large users": a copy of large's primary database (the same 100,000 users) with 10,000 audit events, so that
 *   the dashboard's growth with the audit log is measured apart from its growth with the users.
 * A super admin signs in to each panel over HTTP through Heimdall ID (password and code), then every case is asked
 * in turn, one request at a time, the cases of all platforms shuffled into each round so that whatever else the
 * machine does falls on all of them alike:
 * - the panel's users list: a search (`filters.q` matching a few users) and page 50 (perPage 25, the panel's
 *   default order, by username);
 * - REST's `GET /v1/users` for the same page (same order, and its own default order for reference), with a
 *   system key holding API Read Only;
 * - the panel's dashboard (`GET /admin/api/dashboard`), when this build has a dashboard handler.
 * The figure is server time (bench/server-timing.ts): p99 of `samples` requests per case, unless a case spends
 * its time budget first. Goals: large ≤ 1.5 × small for the panel's list, panel ≤ 3 × REST for the same page,
 * and the dashboard with 1,000,000 events ≤ 1.5 × with 10,000 (same users).
 */
export type Size = 'small' | 'large' | 'large-users';

export interface AdminBenchOptions {
  users: { small: number; large: number };
  events: { small: number; large: number };
  /** Requests measured per case (the p99 of fewer than 200 is not much of a p99). */
  samples: number;
  /** Requests per case before measuring (JIT, caches, query plans). */
  warmup: number;
  /** Server time a case may take in all; a slow case stops early and says how many it got. */
  caseSeconds: number;
  /** Keep the databases afterwards (to EXPLAIN the queries), instead of dropping them. */
  keep: boolean;
}

export type CaseKind = 'panel-search' | 'panel-page' | 'rest-page' | 'rest-page-default' | 'dashboard';

export interface CaseResult {
  size: Size;
  kind: CaseKind;
  name: string;
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** p99 of the same requests timed at the client (round trip in this process), for comparison. */
  clientP99Ms: number;
  /** What the answer held (records, total), as read from the first one. */
  answer: string;
}

export interface SideInfo {
  size: Size;
  users: number;
  events: number;
  /** The page asked for: 50, or the last full page when there are not 50 pages. */
  page: number;
  /** Seconds to seed the users (undefined: copied from large's database) and the audit events. */
  seedUsersSec: number | undefined;
  seedEventsSec: number;
}

export interface AdminBenchResult {
  sides: SideInfo[];
  cases: CaseResult[];
  /** False when /admin/api/dashboard answers AdminJS's placeholder (no dashboard handler in this build). */
  dashboard: boolean;
  loadAverage: [number, number];
  seconds: number;
  /** Samples asked for per case (BENCH_ADMIN_SAMPLES). */
  samplesWanted: number;
}

interface Side extends SideInfo {
  platform: RunningPlatform;
  agent: PanelAgent;
  restKey: string;
}

interface Case {
  size: Size;
  kind: CaseKind;
  name: string;
  url: string;
  headers: Record<string, string>;
  describe(body: unknown): string;
  samples: number[];
  client: number[];
  spentMs: number;
  answer: string;
}

const PER_PAGE = 25;
const WANTED_PAGE = 50;
const SIZES: readonly Size[] = ['small', 'large', 'large-users'];

const databaseNames = (server: DatabaseServer, size: Size) => {
  const primary = `${server.base}_admin_${size.replace('-', '_')}`;
  return [primary, `${primary}_audit`] as const;
};

const panelHeaders = (agent: PanelAgent) => ({
  cookie: agent.cookieHeader(),
  // AdminJS's own client sends it on every request; reads do not need it.
  'x-xsrf-token': agent.cookie(PANEL_CSRF_COOKIE) ?? '',
});

/** Whether the panel answers its dashboard with figures rather than AdminJS's "no handler" placeholder. */
async function hasDashboard(side: Side): Promise<boolean> {
  const res = await fetch(`${side.platform.url}/admin/api/dashboard`, { headers: panelHeaders(side.agent) });
  if (res.status !== 200) throw new Error(`GET /admin/api/dashboard answered ${res.status}`);
  const body = (await res.json()) as { message?: unknown };
  return !(typeof body.message === 'string' && body.message.includes('dashboard.handler'));
}

interface Prepared {
  size: Size;
  config: Config;
  users: number;
  events: number;
  seedUsersSec: number | undefined;
  seedEventsSec: number;
}

/**
 * A side's databases, made, migrated and filled before its platform starts (so that it starts on the data, as a
 * server restarted on a grown database would). "large-users" copies large's primary database.
 */
async function prepare(
  server: DatabaseServer,
  size: Size,
  options: AdminBenchOptions,
  base: Config,
): Promise<Prepared> {
  const [primary, audit] = databaseNames(server, size);
  const copied = size === 'large-users';
  for (const name of [primary, audit]) await server.drop(name);
  await server.create(primary, copied ? databaseNames(server, 'large')[0] : undefined);
  await server.create(audit);
  // The issuer (and the panel's redirect URI) name the port, so it is chosen before the server starts.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = benchConfig({
    HEIMDALL__DATABASE__URL: server.url(primary),
    HEIMDALL__AUDIT__DATABASE__URL: server.url(audit),
    HEIMDALL__DATA_DIR: path.join(base.data_dir, `admin-${size}`),
    HEIMDALL__SERVER__PORT: String(port),
    HEIMDALL__SERVER__PUBLIC_URL: url,
    HEIMDALL__OIDC__ENABLED: 'true',
    HEIMDALL__ADMIN__ENABLED: 'true',
    // Not what is measured, and its cost limit counts relationship sizes in the background every minute.
    HEIMDALL__GRAPHQL__ENABLED: 'false',
    HEIMDALL__REDIS__KEY_PREFIX: `${base.redis.key_prefix}admin-bench-${size}:`,
  });
  const users = size === 'small' ? options.users.small : options.users.large;
  const events = size === 'large' ? options.events.large : options.events.small;
  const databases = await openDatabases(config);
  try {
    await prepareDatabases(databases, config);
    let t0 = performance.now();
    if (!copied) {
      await seedUsers(databases.primary, users);
      await analyze(databases.primary);
    }
    const seedUsersSec = copied ? undefined : (performance.now() - t0) / 1000;
    t0 = performance.now();
    await seedAuditEvents(databases.audit, events, users);
    await analyze(databases.audit);
    return { size, config, users, events, seedUsersSec, seedEventsSec: (performance.now() - t0) / 1000 };
  } finally {
    await databases.close();
  }
}

async function start(prepared: Prepared): Promise<Side> {
  const { config } = prepared;
  const platform = await startPlatform({ config, logger: createLogger('silent'), roles: ['api', 'admin'] });
  try {
    const db = platform.databases.primary;
    const agent = await signInToPanel(platform.url, await createPanelAdmin(db, platform.services.box));
    const restKey = await benchReadOnlyKey(db, 'bench-admin');
    // Deleted users are not listed: the last full page of those that are.
    const listed = await db('User').whereNull('deleted_at').count<{ n: number }[]>({ n: '*' });
    const lastFullPage = Math.max(1, Math.floor(Number(listed[0]!.n) / PER_PAGE));
    return {
      size: prepared.size,
      users: prepared.users,
      events: prepared.events,
      page: Math.min(WANTED_PAGE, lastFullPage),
      seedUsersSec: prepared.seedUsersSec,
      seedEventsSec: prepared.seedEventsSec,
      platform,
      agent,
      restKey,
    };
  } catch (err) {
    await platform.stop();
    throw err;
  }
}

type Listed = { records?: unknown[]; meta?: { total?: number } };
type Paged = { data?: unknown[]; pagination?: { total?: number } };
type Dashboard = { stats?: { users?: { total?: number }; sign_ins?: { total?: number } } | null };

const panelAnswer = (body: unknown) => {
  const b = body as Listed;
  return `${b.records?.length ?? '?'} records of ${b.meta?.total ?? '?'}`;
};
const restAnswer = (body: unknown) => {
  const b = body as Paged;
  return `${b.data?.length ?? '?'} users of ${b.pagination?.total ?? '?'}`;
};
const dashboardAnswer = (body: unknown) => {
  const stats = (body as Dashboard).stats;
  return stats
    ? `users.total ${stats.users?.total ?? '?'}, sign_ins.total ${stats.sign_ins?.total ?? '?'}`
    : JSON.stringify(body).slice(0, 60);
};

function casesOf(side: Side, dashboard: boolean): Case[] {
  const base = side.platform.url;
  const panel = panelHeaders(side.agent);
  const rest = { authorization: `Bearer ${side.restKey}` };
  const list = `${base}/admin/api/resources/Users/actions/list`;
  const page = side.page;
  const make = (
    kind: CaseKind,
    name: string,
    url: string,
    headers: Record<string, string>,
    describe: (body: unknown) => string,
  ): Case => ({
    size: side.size,
    kind,
    name,
    url,
    headers,
    describe,
    samples: [],
    client: [],
    spentMs: 0,
    answer: '',
  });
  const cases: Case[] = [];
  // The copy of large's users is there for the dashboard alone: its lists are large's.
  if (side.size !== 'large-users') {
    cases.push(
      make(
        'panel-search',
        `panel: users, filters.q=${SEARCH_TERM}`,
        `${list}?filters.q=${SEARCH_TERM}&page=1&perPage=${PER_PAGE}`,
        panel,
        panelAnswer,
      ),
      make(
        'panel-page',
        `panel: users, page ${page}`,
        `${list}?page=${page}&perPage=${PER_PAGE}`,
        panel,
        panelAnswer,
      ),
      make(
        'rest-page',
        `REST: /v1/users page ${page}, sort=username (the panel's order)`,
        `${base}/v1/users?page=${page}&per_page=${PER_PAGE}&sort=username`,
        rest,
        restAnswer,
      ),
      make(
        'rest-page-default',
        `REST: /v1/users page ${page} (its default order, -created_at)`,
        `${base}/v1/users?page=${page}&per_page=${PER_PAGE}`,
        rest,
        restAnswer,
      ),
    );
  }
  if (dashboard) {
    cases.push(make('dashboard', 'panel: dashboard', `${base}/admin/api/dashboard`, panel, dashboardAnswer));
  }
  return cases;
}

let sequence = 0;

/** One request of a case: its server time and round trip in ms. */
async function ask(timer: ServerTimer, c: Case): Promise<{ server: number; client: number; body: unknown }> {
  const id = `${process.pid}-${(sequence += 1)}`;
  const t0 = performance.now();
  const res = await fetch(c.url, { headers: { ...c.headers, [SAMPLE_HEADER]: id } });
  const text = await res.text();
  const client = performance.now() - t0;
  if (res.status !== 200)
    throw new Error(`${c.name} (${c.size}) answered ${res.status}: ${text.slice(0, 300)}`);
  let server = timer.take(id);
  if (server === undefined) {
    await new Promise((resolve) => setImmediate(resolve));
    server = timer.take(id);
  }
  if (server === undefined) throw new Error(`no server time for ${c.name} (${c.size})`);
  return { server, client, body: JSON.parse(text) as unknown };
}

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

const percentile = (sorted: Float64Array, q: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(sorted.length * q) - 1))] ?? 0;
const round = (ms: number) => Math.round(ms * 100) / 100;

/** Every case once per round, in a new order each round, until each has its samples or has spent its budget. */
async function measure(cases: Case[], options: AdminBenchOptions): Promise<CaseResult[]> {
  const timer = watchServerTime();
  try {
    for (const c of cases) {
      for (let i = 0; i < options.warmup; i += 1) {
        const { body } = await ask(timer, c);
        if (i === 0) c.answer = c.describe(body);
      }
    }
    const budgetMs = options.caseSeconds * 1000;
    const open = (c: Case) => c.samples.length < options.samples && c.spentMs < budgetMs;
    for (let round = shuffle(cases.filter(open)); round.length > 0; round = shuffle(cases.filter(open))) {
      for (const c of round) {
        const { server, client } = await ask(timer, c);
        c.samples.push(server);
        c.client.push(client);
        c.spentMs += server;
      }
    }
  } finally {
    timer.close();
  }
  return cases.map((c) => {
    const server = Float64Array.from(c.samples).sort();
    const client = Float64Array.from(c.client).sort();
    return {
      size: c.size,
      kind: c.kind,
      name: c.name,
      samples: server.length,
      p50Ms: round(percentile(server, 0.5)),
      p99Ms: round(percentile(server, 0.99)),
      maxMs: round(server[server.length - 1] ?? 0),
      clientP99Ms: round(percentile(client, 0.99)),
      answer: c.answer,
    };
  });
}

export async function runAdminBench(options: AdminBenchOptions): Promise<AdminBenchResult> {
  const started = performance.now();
  const loadBefore = os.loadavg()[0]!;
  const base = benchConfig();
  const server = await openDatabaseServer(base);
  const sides: Side[] = [];
  try {
    // In this order: "large-users" copies large's primary database, which nothing may be connected to then.
    const prepared: Prepared[] = [];
    for (const size of SIZES) prepared.push(await prepare(server, size, options, base));
    for (const p of prepared) sides.push(await start(p));
    const dashboard = await hasDashboard(sides[0]!);
    const results = await measure(
      sides.flatMap((s) => casesOf(s, dashboard)),
      options,
    );
    return {
      sides: sides.map(({ size, users, events, page, seedUsersSec, seedEventsSec }) => ({
        size,
        users,
        events,
        page,
        seedUsersSec,
        seedEventsSec,
      })),
      cases: results,
      dashboard,
      loadAverage: [loadBefore, os.loadavg()[0]!],
      seconds: (performance.now() - started) / 1000,
      samplesWanted: options.samples,
    };
  } finally {
    for (const side of sides) await side.platform.stop();
    if (!options.keep) {
      for (const size of SIZES) {
        for (const name of databaseNames(server, size)) await server.drop(name).catch(() => undefined);
      }
    }
    await server.close();
  }
}

export function adminBenchOptions(env: NodeJS.ProcessEnv = process.env): AdminBenchOptions {
  const number = (name: string, fallback: number) => Number(env[name] ?? fallback);
  return {
    users: {
      small: number('BENCH_ADMIN_USERS_SMALL', 1_000),
      large: number('BENCH_ADMIN_USERS_LARGE', 100_000),
    },
    events: {
      small: number('BENCH_ADMIN_EVENTS_SMALL', 10_000),
      large: number('BENCH_ADMIN_EVENTS_LARGE', 1_000_000),
    },
    samples: number('BENCH_ADMIN_SAMPLES', 250),
    warmup: number('BENCH_ADMIN_WARMUP', 20),
    caseSeconds: number('BENCH_ADMIN_CASE_SECONDS', 60),
    keep: env.BENCH_ADMIN_KEEP === '1',
  };
}

const ratio = (a: CaseResult | undefined, b: CaseResult | undefined, key: 'p50Ms' | 'p99Ms') =>
  a && b ? a[key] / Math.max(b[key], 0.01) : undefined;

export function printAdminBench(result: AdminBenchResult): void {
  const find = (size: Size, kind: CaseKind) => result.cases.find((c) => c.size === size && c.kind === kind);
  const side = (size: Size) => result.sides.find((s) => s.size === size)!;
  const [loadBefore, loadAfter] = result.loadAverage;
  const n = (v: number) => v.toLocaleString('en');
  const seconds = (s: number | undefined) => (s === undefined ? 'copied' : `${s.toFixed(1)} s`);
  console.log(
    `\nAdmin panel: server time, one request at a time (load average ${loadBefore.toFixed(1)} → ` +
      `${loadAfter.toFixed(1)}, ${Math.round(result.seconds)} s in all)`,
  );
  console.log('| data | users | audit events | seeding users | seeding events |');
  console.log('|---|---:|---:|---:|---:|');
  for (const s of result.sides) {
    console.log(
      `| ${s.size} | ${n(s.users)} | ${n(s.events)} | ${seconds(s.seedUsersSec)} | ${seconds(s.seedEventsSec)} |`,
    );
  }
  console.log('\n| case | data | samples | p50 ms | p99 ms | max ms | client p99 ms | answer |');
  console.log('|---|---|---:|---:|---:|---:|---:|---|');
  for (const c of result.cases) {
    const few = c.samples < result.samplesWanted ? ' (time budget spent)' : '';
    console.log(
      `| ${c.name} | ${c.size} | ${c.samples}${few} | ${c.p50Ms} | ${c.p99Ms} | ${c.maxMs} | ${c.clientP99Ms} | ${c.answer} |`,
    );
  }
  console.log('\n| ratio (server time) | p99 | p50 | goal (p99) |');
  console.log('|---|---:|---:|---:|');
  const row = (name: string, a: CaseResult | undefined, b: CaseResult | undefined, goal?: number) => {
    const p99 = ratio(a, b, 'p99Ms');
    const p50 = ratio(a, b, 'p50Ms');
    const missed = goal !== undefined && p99 !== undefined && p99 > goal ? ' (missed)' : '';
    const shown = p99 === undefined ? '—' : `${p99.toFixed(2)}${missed}`;
    console.log(
      `| ${name} | ${shown} | ${p50?.toFixed(2) ?? '—'} | ${goal === undefined ? '' : `≤ ${goal}`} |`,
    );
  };
  const grown = (kind: CaseKind) => [find('large', kind), find('small', kind)] as const;
  const { page: largePage } = side('large');
  const { page: smallPage } = side('small');
  row(
    `panel search (q=${SEARCH_TERM}, ${SEARCH_MATCHES} users match), large ÷ small`,
    ...grown('panel-search'),
    1.5,
  );
  row(`panel page ${largePage} ÷ page ${smallPage}, large ÷ small`, ...grown('panel-page'), 1.5);
  row('panel page ÷ REST same page, large', find('large', 'panel-page'), find('large', 'rest-page'), 3);
  row('panel page ÷ REST same page, small', find('small', 'panel-page'), find('small', 'rest-page'), 3);
  if (result.dashboard) {
    const events = (size: Size) => n(side(size).events);
    row(
      `dashboard, ${events('large')} ÷ ${events('large-users')} audit events (same ${n(side('large').users)} users)`,
      find('large', 'dashboard'),
      find('large-users', 'dashboard'),
      1.5,
    );
    row('dashboard, large ÷ small (users and events both grown)', ...grown('dashboard'));
  } else {
    console.log('| dashboard | not measured: no dashboard handler in this build | | |');
  }
}

// `node dist/bench/admin.js` runs this part alone (`npm run bench` runs it with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printAdminBench(await runAdminBench(adminBenchOptions()));
}
