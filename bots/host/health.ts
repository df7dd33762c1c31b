import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Outcome } from '../core/index.js';

/** A bot process's metrics, on a registry of its own (one process, one bot). */
export function botMetrics(platform: string) {
  const registry = new Registry();
  registry.setDefaultLabels({ platform });
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    commands: new Counter({
      name: 'heimdall_bot_messages_total',
      help: 'Chat messages the bot handled, by what became of them',
      labelNames: ['outcome'] as const,
      registers: [registry],
    }),
    handling: new Histogram({
      name: 'heimdall_bot_command_seconds',
      help: 'From a command message to its reply, permission check included',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    platformConnected: new Gauge({
      name: 'heimdall_bot_platform_connected',
      help: '1 while the bot is connected to its platform',
      registers: [registry],
    }),
    realtimeConnected: new Gauge({
      name: 'heimdall_bot_realtime_connected',
      help: "1 while the bot is connected to Heimdall's realtime service",
      registers: [registry],
    }),
    errors: new Counter({
      name: 'heimdall_bot_errors_total',
      help: "Failures that are the bot's, not a person's: Heimdall or the platform unreachable, a handler throwing",
      registers: [registry],
    }),
  };
}
export type BotMetrics = ReturnType<typeof botMetrics>;

export const isCommand = (outcome: Outcome) => outcome !== 'ignored';

/**
 * `/health` (200 when connected to the platform and to Heimdall's realtime service, else 503, with what is
 * down) and `/metrics` (Prometheus text) for the bot's orchestrator. Nothing else.
 */
export async function serveHealth(
  options: { host: string; port: number },
  state: () => { platform: boolean; realtime: boolean },
  metrics: BotMetrics,
): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      const now = state();
      metrics.platformConnected.set(now.platform ? 1 : 0);
      metrics.realtimeConnected.set(now.realtime ? 1 : 0);
      const ok = now.platform && now.realtime;
      res
        .writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify({ status: ok ? 'ok' : 'degraded', ...now }));
      return;
    }
    if (path === '/metrics') {
      const now = state();
      metrics.platformConnected.set(now.platform ? 1 : 0);
      metrics.realtimeConnected.set(now.realtime ? 1 : 0);
      metrics.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': metrics.registry.contentType }).end(text))
        .catch(() => res.writeHead(500).end());
      return;
    }
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { address, port } = server.address() as AddressInfo;
  const host = address.includes(':') ? `[${address}]` : address;
  return { server, url: `http://${host}:${port}` };
}
