import { AsyncLocalStorage } from 'node:async_hooks';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { Events } from 'discord.js';
import type { Knex } from 'knex';
import { hostConfigSchema } from '../bots/host/config.js';
import { PLATFORM_FACTORIES } from '../bots/host/platforms.js';
import { botCredentialPermissions } from '../bots/host/credential.js';
import { startBotHost } from '../bots/host/run.js';
import type { DiscordBot } from '../bots/discord/index.js';
import { createLogger } from '../core/logger/logger.js';
import type { Config } from '../schemas/config.js';
import { createHeimdallClient } from '../sdk/rest/index.js';
import { startPlatform } from '../server/start.js';
// The fake the bot's end-to-end test runs against, the only Discord that can be driven at a chosen pace; tsc
// compiles it into dist/ because this file imports it. Layers keep bench/ out of test/ otherwise.
import { startFakeDiscord, type FakeDiscord } from '../test/support/fake-discord/index.js';
import { benchConfig } from './config.js';
import { benchApiKey } from './fixtures.js';

/**
 * A bot command's round trip: a member's message in the fake Discord, through the gateway to the Discord bot
 * as `heimdall bot discord` runs it, Heimdall's permission check, the command, and the bot's reply arriving
 * back at the fake Discord. Against it, in the same run and at the same pace, a bare `GET /v1/me` through
 * sdk/rest: the least a command can cost, since it asks Heimdall at least once. Goal: command p99 ≤ 2 × that.
 *
 * Both are paced (open loop, BENCH_BOTS_RATE a second, 50 by default, for BENCH_BOTS_SECONDS): a chat sends
 * when people type, not when the previous answer came, and back to back would measure a queue instead.
 * Heimdall, the bot and the fake share this process, as they share the machine in a small deployment.
 */
export interface LatencyRow {
  name: string;
  sent: number;
  answered: number;
  errors: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Where a command's time goes, p50 / p99 per stage, in ms. */
export interface StageRow {
  command: string;
  stages: { name: string; p50Ms: number; p99Ms: number }[];
}

export interface BotsBenchResult {
  rate: number;
  seconds: number;
  floor: LatencyRow;
  commands: LatencyRow[];
  stages: StageRow[];
  /** Times discord.js held a request back for its own rate limit (50 requests/s across the bot, as Discord's). */
  rateLimited: number;
  /** Failures the bot logged (a reply that could not be sent, Heimdall refusing the bot's own key). */
  botErrors: number;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/**
 * Calls `send` `rate` times a second on a fixed schedule, whatever the answers do; each call answers its
 * latency in ms, or throws (counted as an error).
 */
async function paced(
  name: string,
  rate: number,
  seconds: number,
  send: () => Promise<number>,
): Promise<LatencyRow> {
  const total = Math.round(rate * seconds);
  const latencies: number[] = [];
  let errors = 0;
  const inFlight: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const wait = start + (i * 1000) / rate - performance.now();
    if (wait > 0) await sleep(wait);
    inFlight.push(
      send().then(
        (ms) => void latencies.push(ms),
        () => void errors++,
      ),
    );
  }
  await Promise.all(inFlight);
  return {
    name,
    sent: total,
    answered: latencies.length,
    errors,
    p50Ms: round(quantile(latencies, 0.5)),
    p99Ms: round(quantile(latencies, 0.99)),
    maxMs: round(Math.max(...latencies)),
  };
}

/** A role holding exactly `permissions`. */
async function roleWith(db: Knex, run: string, name: string, permissions: string[]): Promise<string> {
  const id = `role_bench_${name}_${run}`;
  await db('Role').insert({ id, name: id, description: 'bench/bots.ts' });
  await db('RolePermission').insert(permissions.map((permission_id) => ({ role_id: id, permission_id })));
  return id;
}

/** A Heimdall user with `roles` whose Discord account (linked) is `discordId`. */
async function linkedMember(db: Knex, run: string, discordId: string, roles: string[]): Promise<void> {
  const username = `bench-bot-${run}-${discordId.slice(-2)}`;
  const [user] = await db('User').insert({ username }).returning<{ id: string }[]>('id');
  await db('UserRole').insert(roles.map((role_id) => ({ user_id: user!.id, role_id })));
  await db('PlatformAccount').insert({
    user_id: user!.id,
    platform_id: 'discord',
    platform_user_id: discordId,
    username,
    display_name: username,
    email: `${username}@example.test`,
    email_verified_at: new Date(),
  });
}

/** The bot's key: a user holding what the bot host needs (as an operator's bot account would), key capped by them. */
async function botKey(db: Knex, run: string): Promise<string> {
  const role = await roleWith(db, run, 'bot', botCredentialPermissions('discord', { securityNotices: true }));
  return (await benchApiKey(db, { username: `bench-bot-${run}`, roleIds: [role] })).key;
}

/** What one command's message met on its way, by stage (performance.now() marks). */
interface Trace {
  sent: number;
  received?: number;
  calls: { path: string; start: number; end: number }[];
  replied?: number;
}

export async function runBotsBench(
  config: Config,
  options: { rate: number; seconds: number },
): Promise<BotsBenchResult> {
  // Run-unique ids: the bench database outlives the run, and a Discord account is linked once.
  const run = Date.now().toString(36);
  const base = BigInt(Date.now()) * 1000n;
  const id = (n: number) => String(base + BigInt(n));
  const [GUILD, CHANNEL, MOD, TROLL] = [id(1), id(2), id(11), id(12)];

  // The bot's many requests to Heimdall are what is measured, not what the limiter is for.
  const platform = await startPlatform({
    config,
    logger: createLogger('silent'),
    roles: ['api', 'realtime'],
  });
  let discord: FakeDiscord | undefined;
  let host: Awaited<ReturnType<typeof startBotHost>> | undefined;
  let botErrors = 0;
  try {
    const db = platform.databases.primary;
    const moderators = await roleWith(db, run, 'mod', ['discord:guild.read', 'discord:edit']);
    await linkedMember(db, run, MOD, ['role_user', moderators]);
    await linkedMember(db, run, TROLL, ['role_user']);
    const key = await botKey(db, run);
    const { key: meKey } = await benchApiKey(db);
    const me = createHeimdallClient({ baseUrl: platform.url, auth: { apiKey: meKey } });

    discord = await startFakeDiscord({
      guilds: [
        {
          id: GUILD,
          name: 'Midgard',
          channels: [{ id: CHANNEL, name: 'general' }],
          members: [
            { id: MOD, username: 'heimdallr' },
            { id: TROLL, username: 'loki', globalName: 'Loki' },
          ],
        },
      ],
    });
    const fake = discord;
    // Discord's global limit is 50 requests a second unless it raised the bot's: BENCH_BOTS_DISCORD_LIMIT.
    const raw = {
      discord: {
        token: fake.botToken,
        api_url: fake.restUrl,
        guild_ids: [GUILD],
        requests_per_second: Number(process.env.BENCH_BOTS_DISCORD_LIMIT ?? 50),
      },
    };
    host = await startBotHost({
      platform: 'discord',
      host: hostConfigSchema.parse({ heimdall: { url: platform.url, api_key: key }, health: { port: 0 } }),
      env: {},
      createBot: (client, onError) => PLATFORM_FACTORIES.discord(raw, client, onError),
      log: (level) => void (level === 'error' && botErrors++),
    });
    const bot = host.bot as DiscordBot;
    let rateLimited = 0;
    bot.client.rest.on('rateLimited', () => rateLimited++);

    // Tracing, a few µs a command: the message's id follows its handling (AsyncLocalStorage from discord.js's
    // messageCreate on), so each of the bot's calls to Heimdall is put on the command it serves.
    const traces = new Map<string, Trace>();
    const handling = new AsyncLocalStorage<string>();
    const emit = bot.client.emit.bind(bot.client) as (event: string, ...args: unknown[]) => boolean;
    (bot.client as { emit: typeof emit }).emit = (event, ...args) => {
      if (event !== Events.MessageCreate) return emit(event, ...args);
      const messageId = (args[0] as { id: string }).id;
      const trace = traces.get(messageId);
      if (trace) trace.received = performance.now();
      return handling.run(messageId, () => emit(event, ...args));
    };
    const client = host.client as unknown as { get: (...args: unknown[]) => Promise<unknown> };
    const get = client.get;
    client.get = async (...args) => {
      const trace = traces.get(handling.getStore() ?? '');
      const start = performance.now();
      try {
        return await get(...args);
      } finally {
        trace?.calls.push({ path: String(args[0]), start, end: performance.now() });
      }
    };
    // The bot's reply as the fake receives it: no polling between it and the clock.
    const replies = new Map<string, (at: number) => void>();
    const push = fake.messages.push.bind(fake.messages);
    fake.messages.push = (...posted) => {
      const at = performance.now();
      for (const m of posted) if (m.replyTo) replies.get(m.replyTo)?.(at);
      return push(...posted);
    };

    const command = (content: string) => (): Promise<number> => {
      const sent = performance.now();
      const messageId = fake.sendMessage(GUILD, CHANNEL, MOD, content);
      const trace: Trace = { sent, calls: [] };
      traces.set(messageId, trace);
      return new Promise<number>((resolve, reject) => {
        const timer = setTimeout(() => {
          replies.delete(messageId);
          reject(new Error(`no reply to ${content} in 10 s`));
        }, 10_000);
        replies.set(messageId, (at) => {
          clearTimeout(timer);
          replies.delete(messageId);
          trace.replied = at;
          resolve(at - sent);
        });
      });
    };
    const getMe = async () => {
      const start = performance.now();
      await me.me();
      return performance.now() - start;
    };

    const WARNINGS = `!warnings <@${TROLL}>`;
    const SETTINGS = '!settings';
    // One warning to list, as a moderator would have given; then both paths warmed (JIT, connections, the
    // settings cache, discord.js's member cache) at the measured pace.
    await host.client.post('/v1/bots/{platform}/warnings', {
      params: { path: { platform: 'discord' } },
      body: {
        community_id: GUILD,
        member: { id: TROLL, name: 'Loki' },
        reason: 'spoilers',
        moderator: { platform_id: MOD },
      },
    });
    const warm = Math.min(3, options.seconds);
    await paced('warm-up', options.rate, warm, getMe);
    await paced('warm-up', options.rate, warm, command(WARNINGS));
    await paced('warm-up', options.rate, warm, command(SETTINGS));
    traces.clear();
    await host.idle();

    const floor = await paced('GET /v1/me (sdk/rest)', options.rate, options.seconds, getMe);
    const commands: LatencyRow[] = [];
    const stages: StageRow[] = [];
    for (const [name, content] of [
      ['!settings: permission check, reply', SETTINGS],
      ['!warnings @member: permission check, Heimdall read, reply', WARNINGS],
    ] as const) {
      traces.clear();
      commands.push(await paced(name, options.rate, options.seconds, command(content)));
      stages.push({ command: content.split(' ')[0]!, stages: stagesOf([...traces.values()]) });
      await host.idle();
    }
    return { rate: options.rate, seconds: options.seconds, floor, commands, stages, rateLimited, botErrors };
  } finally {
    await host?.stop();
    await discord?.close();
    await platform.stop();
  }
}

/** The stages of the answered commands: the gateway, the bot before and after Heimdall, each Heimdall call. */
function stagesOf(traces: Trace[]): StageRow['stages'] {
  const stage = new Map<string, number[]>();
  const add = (name: string, ms: number) => {
    const list = stage.get(name) ?? [];
    list.push(ms);
    stage.set(name, list);
  };
  for (const t of traces) {
    if (t.received === undefined || t.replied === undefined || t.calls.length === 0) continue;
    add('gateway: fake sends → discord.js emits the message', t.received - t.sent);
    add('bot, before the first Heimdall call', t.calls[0]!.start - t.received);
    for (const call of t.calls) add(`Heimdall: GET ${call.path}`, call.end - call.start);
    const between = t.calls.slice(1).reduce((ms, c, i) => ms + c.start - t.calls[i]!.end, 0);
    if (t.calls.length > 1) add('bot, between Heimdall calls', between);
    add('reply: last Heimdall answer → the fake has the reply', t.replied - t.calls.at(-1)!.end);
    add('whole round trip', t.replied - t.sent);
  }
  return [...stage].map(([name, ms]) => ({
    name,
    p50Ms: round(quantile(ms, 0.5)),
    p99Ms: round(quantile(ms, 0.99)),
  }));
}

export function printBotsBench(result: BotsBenchResult): void {
  const { floor } = result;
  console.log(
    `\nBot command round trip (fake Discord → bot → Heimdall → reply), ${result.rate}/s paced, ` +
      `${result.seconds}s each, node ${process.version}, ${os.availableParallelism()} cores`,
  );
  console.log(
    '| scenario | sent | answered | errors | p50 ms | p99 ms | max ms | p50 ÷ floor | p99 ÷ floor |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of [floor, ...result.commands]) {
    if (r.errors > 0 || r.answered < r.sent) process.exitCode = 1;
    const ratio = (a: number, b: number) => (a / b).toFixed(2);
    console.log(
      `| ${r.name} | ${r.sent} | ${r.answered} | ${r.errors} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ` +
        `${ratio(r.p50Ms, floor.p50Ms)} | ${ratio(r.p99Ms, floor.p99Ms)} |`,
    );
  }
  const worst = Math.max(...result.commands.map((r) => r.p99Ms)) / floor.p99Ms;
  console.log(
    `| command p99 ÷ GET /v1/me p99 (goal ≤ 2) | ${worst.toFixed(2)} ${worst <= 2 ? 'met' : 'missed'} | | | | | | | |`,
  );
  console.log(
    `| discord.js rate-limit waits / bot errors | ${result.rateLimited} / ${result.botErrors} | | | | | | | |`,
  );
  for (const row of result.stages) {
    console.log(`\nWhere ${row.command}'s time goes (each stage's own p50 / p99; they do not add up at p99)`);
    console.log('| stage | p50 ms | p99 ms |');
    console.log('|---|---:|---:|');
    for (const s of row.stages) console.log(`| ${s.name} | ${s.p50Ms} | ${s.p99Ms} |`);
  }
}

/** The options from the environment: BENCH_BOTS_RATE (per second), BENCH_BOTS_SECONDS. */
export const botsBenchOptions = () => ({
  rate: Number(process.env.BENCH_BOTS_RATE ?? 50),
  seconds: Number(process.env.BENCH_BOTS_SECONDS ?? 10),
});

/** Heimdall with the limiter off: one bot key asking on every command is what is measured. */
export const botsBenchConfig = () => benchConfig({ HEIMDALL__RATE_LIMIT__ENABLED: 'false' });

// `node dist/bench/bots.js` runs this part alone (`npm run bench` runs it with the others).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  printBotsBench(await runBotsBench(botsBenchConfig(), botsBenchOptions()));
}
