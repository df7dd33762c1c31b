import { createHeimdallClient, type HeimdallClient } from '../../sdk/rest/index.js';
import { RealtimeClient } from '../../sdk/realtime/index.js';
import type { WebSocketConstructor } from '../../sdk/realtime/types.js';
import {
  BotRuntime,
  CommandRegistry,
  moderationCommands,
  realtimePublisher,
  SecurityNotifier,
  type BotPlatform,
  type Command,
  type IncomingMessage,
  type PlatformBot,
} from '../core/index.js';
import { recordAuditEvent, SOURCE_SERVICE } from '../core/audit.js';
import { heimdallAuth, type HostConfig } from './config.js';
import { botMetrics, isCommand, serveHealth, type BotMetrics } from './health.js';

export type BotLog = (level: 'info' | 'warn' | 'error', message: string, err?: unknown) => void;

/** One JSON line per entry on stderr; an error's stack stays in the bot's own log, never in a chat reply. */
export const jsonLog: BotLog = (level, message, err) => {
  const entry: Record<string, unknown> = { time: new Date().toISOString(), level, message };
  if (err !== undefined) entry.err = err instanceof Error ? { message: err.message, stack: err.stack } : err;
  process.stderr.write(`${JSON.stringify(entry)}\n`);
};

export interface BotHostOptions {
  platform: BotPlatform;
  host: HostConfig;
  /** Builds the platform's bot once the Heimdall client exists (Twitch and YouTube take their tokens through it). */
  createBot(
    client: HeimdallClient,
    onError: (err: unknown, context: string) => void,
  ): PlatformBot | Promise<PlatformBot>;
  env?: NodeJS.ProcessEnv;
  log?: BotLog;
  /** Commands of your own besides the moderation ones (bots/core/moderation.ts). */
  commands?: readonly Command[];
  /** For tests: another WebSocket class for the realtime connection. */
  WebSocket?: WebSocketConstructor;
}

export interface RunningBotHost {
  runtime: BotRuntime;
  bot: PlatformBot;
  client: HeimdallClient;
  realtime: RealtimeClient;
  notifier: SecurityNotifier | undefined;
  metrics: BotMetrics;
  /** Where /health and /metrics are served. */
  healthUrl: string;
  /** Resolves when every message received so far has been answered. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs one platform's bot against Heimdall: the REST client and the realtime connection (which reconnects and
 * resumes on its own), the runtime with the moderation commands, security notices for platforms with a log
 * channel, and the health server. Started in that order, so /health answers 503 while anything is not up yet.
 */
export async function startBotHost(options: BotHostOptions): Promise<RunningBotHost> {
  const { platform, host } = options;
  const log = options.log ?? jsonLog;
  const env = options.env ?? process.env;
  const baseUrl = host.heimdall.url.replace(/\/+$/, '');
  const client = createHeimdallClient({
    baseUrl,
    auth: heimdallAuth(host.heimdall, env),
    userAgent: `heimdall-${platform}-bot`,
  });
  const realtime = new RealtimeClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/ws`,
    token: () => client.accessToken(),
    client: `heimdall-${platform}-bot`,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  });
  let realtimeUp = false;
  realtime.on('connected', () => {
    realtimeUp = true;
    log('info', 'connected to Heimdall realtime');
  });
  realtime.on('disconnected', ({ code, willReconnect }) => {
    realtimeUp = false;
    log('warn', `Heimdall realtime disconnected (${code})${willReconnect ? ', reconnecting' : ''}`);
  });
  realtime.on('error', (err) => log('warn', 'Heimdall realtime', err));

  const metrics = botMetrics(platform);
  const onError = (err: unknown, context: string) => {
    metrics.errors.inc();
    log('error', context, err);
  };
  const bot = await options.createBot(client, onError);
  const health = await serveHealth(
    host.health,
    () => ({ platform: bot.connected(), realtime: realtimeUp }),
    metrics,
  );
  // A start that fails half way leaves nothing running behind it.
  const abandon = async (err: unknown): Promise<never> => {
    await bot.stop().catch(() => undefined);
    await realtime.close();
    health.server.closeAllConnections();
    await new Promise<void>((resolve) => health.server.close(() => resolve()));
    throw err;
  };
  await realtime.connect().catch(abandon);

  const commands = new CommandRegistry();
  const runtime = new BotRuntime({
    client,
    adapter: bot.adapter,
    commands,
    botId: () => bot.botId(),
    linkUrl: host.heimdall.link_url ?? `${baseUrl}/account/accounts`,
    publish: realtimePublisher(realtime),
    allowWithoutTwoFactor: host.heimdall.allow_without_two_factor,
    onError,
  });
  for (const command of [...moderationCommands(runtime), ...(options.commands ?? [])]) {
    commands.register(command);
  }

  let pending = new Set<Promise<unknown>>();
  let accepting = true;
  const handle = (message: IncomingMessage) => {
    if (!accepting) return;
    const started = performance.now();
    const run = runtime
      .handle(message)
      .then((outcome) => {
        metrics.commands.inc({ outcome });
        if (isCommand(outcome)) metrics.handling.observe((performance.now() - started) / 1000);
      })
      .catch((err: unknown) => onError(err, 'message'))
      .finally(() => pending.delete(run));
    pending.add(run);
  };
  const onEvent = (type: string, data: Record<string, unknown>) => {
    void runtime.publishEvent(platform, type, data);
    if (type === 'member_roles_changed' && host.bot.audit_member_roles) {
      const community = String(data.guild_id ?? '');
      recordAuditEvent(client, {
        eventType: 'bot_moderation_action',
        sourceService: SOURCE_SERVICE[platform],
        status: 'success',
        userId: undefined,
        actorId: `${platform}:${runtime.botId()}`,
        community: { platform, id: community },
        description: 'Member roles changed',
        metadata: { action: 'member_roles_changed', platform, community, ...data },
      }).catch((err: unknown) => onError(err, 'audit of a role change'));
    }
  };
  await bot.start({ commands: commands.list(), onMessage: handle, onEvent }).catch(abandon);
  log('info', `${platform} bot started as ${bot.botId()}`);

  let notifier: SecurityNotifier | undefined;
  if (bot.adapter.log && host.bot.security_notices) {
    notifier = new SecurityNotifier({
      client,
      realtime,
      platform,
      log: bot.adapter.log,
      settings: runtime.settings,
      onError,
    });
    await notifier.start().catch(abandon);
  }

  return {
    runtime,
    bot,
    client,
    realtime,
    notifier,
    metrics,
    healthUrl: health.url,
    async idle() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await notifier?.idle();
    },
    async stop() {
      // Take nothing new, answer what came in, then let go of the platform.
      accepting = false;
      await notifier?.stop().catch(() => undefined);
      while (pending.size > 0) await Promise.allSettled([...pending]);
      pending = new Set();
      await bot.stop();
      await realtime.close();
      await new Promise<void>((resolve) => health.server.close(() => resolve()));
      health.server.closeAllConnections();
    },
  };
}
