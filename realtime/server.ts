import type { IncomingMessage } from 'node:http';
import { hostname } from 'node:os';
import type { Duplex } from 'node:stream';
import { Gauge, type Registry } from 'prom-client';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AuthContext } from '../core/auth/context.js';
import { concernsConnection } from '../core/auth/invalidation.js';
import type { AuthInvalidation } from '../core/auth/auth-cache.js';
import type { Broker } from './broker/broker.js';
import { canSubscribe } from './broker/channels.js';
import { CLOSE } from './close-codes.js';
import { Connection } from './connection.js';
import { serverFrame } from './frames.js';
import { createHub } from './hub.js';
import { createProtocol, type ProtocolLimits } from './protocol.js';

/** How long a peer closed for missing heartbeats has to answer the close before its socket is destroyed. */
const DEAD_PEER_GRACE_MS = 2000;

export interface RealtimeOptions {
  broker: Broker;
  limits: ProtocolLimits & { authTimeoutMs: number; heartbeatMs: number; maxQueueBytes: number };
  /** A bearer credential → AuthContext (core/auth/bearer.ts), the same resolution as HTTP. */
  authenticate(token: string): Promise<AuthContext>;
  /** Credential changes on any node (auth cache bus): affected connections are checked again. */
  onCredentialsChanged(listener: (event: AuthInvalidation) => void): () => void;
  onError(err: unknown, context: string): void;
  node?: string;
}

/** Prometheus metrics of a realtime server (read when scraped). */
export function registerRealtimeMetrics(
  registry: Registry,
  realtime: () => RealtimeServer | undefined,
): void {
  const gauge = (name: string, help: string, read: (s: ReturnType<RealtimeServer['stats']>) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const server = realtime();
        if (server) this.set(read(server.stats()));
      },
    });
  gauge('heimdall_realtime_connections', 'Open realtime WebSocket connections', (s) => s.connections);
  gauge(
    'heimdall_realtime_closing',
    'Connections told to close whose client has not answered yet (slow consumers read their backlog first)',
    (s) => s.closing,
  );
  gauge('heimdall_realtime_channels', 'Channels this node listens to', (s) => s.channels);
  gauge('heimdall_realtime_subscribers', 'Subscriptions of local connections', (s) => s.subscribers);
  gauge(
    'heimdall_realtime_foreign_publications',
    'Publications dropped since start because their epoch is not the stored one (another deployment, a stale one)',
    (s) => s.foreignPublications,
  );
  new Gauge({
    name: 'heimdall_realtime_closes',
    help: 'Realtime connections closed since start, by close code (4001: slow consumer, 4002: no heartbeat…)',
    labelNames: ['code'] as const,
    registers: [registry],
    collect() {
      for (const [code, count] of realtime()?.closes() ?? []) this.set({ code: String(code) }, count);
    },
  });
}

export interface RealtimeServer {
  /** For the HTTP server's upgrade router. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  stats(): {
    connections: number;
    /** Connections told to close (a slow consumer cut off, say) whose peer has not answered yet. */
    closing: number;
    channels: number;
    subscribers: number;
    foreignPublications: number;
  };
  /** Connections closed since start, by close code. */
  closes(): ReadonlyMap<number, number>;
  /** Stops accepting, tells every client to reconnect elsewhere (4000), waits for them up to `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

/**
 * The realtime WebSocket service: ws in noServer mode on a path of the shared HTTP server, one
 * heartbeat timer for all connections, credential re-checks on revocation, graceful drain.
 */
export function createRealtimeServer(options: RealtimeOptions): RealtimeServer {
  const { limits } = options;
  // ws refuses frames above maxPayload on its own (1009, without a reply); a margin above our limit lets the
  // protocol answer with an Error first for frames that are merely too large.
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: limits.maxFrameBytes * 4,
    perMessageDeflate: false,
    clientTracking: false,
  });
  const hub = createHub({
    broker: options.broker,
    onError: (err) => options.onError(err, 'realtime channel'),
  });
  const protocol = createProtocol({
    hub,
    broker: options.broker,
    limits,
    node: options.node ?? hostname(),
    authenticate: options.authenticate,
    onError: options.onError,
  });
  const connections = new Set<Connection>();
  const closes = new Map<number, number>();
  let closing = false;

  const heartbeat = setInterval(() => {
    const now = Date.now();
    for (const connection of connections) {
      // Closing already: it only awaits its peer's answer or the end of its grace.
      if (connection.closed) continue;
      if (connection.expiresAt <= now) {
        // A client with a fresh token reconnects and recovers (the SDK asks its token function again).
        connection.close(CLOSE.notAuthenticated, 'credential expired');
        continue;
      }
      if (!connection.alive) {
        // No pong for a whole interval. A peer that is gone never reads the 4002, but one that is merely
        // silent does, and either way the close is counted as 4002. A reading peer answers a close within a
        // round trip; a short grace frees a gone peer's connection slot soon.
        connection.close(
          CLOSE.noHeartbeat,
          CLOSE.noHeartbeat.reason,
          Math.min(limits.heartbeatMs, DEAD_PEER_GRACE_MS),
        );
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
    }
  }, limits.heartbeatMs);
  heartbeat.unref();

  function onConnection(socket: WebSocket): void {
    const connection = new Connection(socket, hub.flusher, limits.maxQueueBytes);
    connections.add(connection);
    connection.authTimer = setTimeout(() => {
      connection.send(
        serverFrame({
          error: { code: 'realtime.auth_timeout', message: 'Authenticate within the time allowed.' },
        }),
      );
      connection.close(CLOSE.notAuthenticated);
    }, limits.authTimeoutMs);
    socket.on('message', (data: Buffer, isBinary: boolean) => protocol.frame(connection, data, isBinary));
    socket.on('pong', () => {
      connection.alive = true;
    });
    socket.on('error', () => undefined);
    socket.once('close', (peerCode: number) => {
      // A peer that never answered the server's close frame leaves ws with 1006: the server's reason counts.
      const code = connection.closeCode ?? peerCode;
      closes.set(code, (closes.get(code) ?? 0) + 1);
      connections.delete(connection);
      protocol.closed(connection);
    });
  }

  // Re-checks each affected connection once per credential: many connections often share one API key.
  const stopListening = options.onCredentialsChanged((event) => {
    const affected = [...connections].filter((c) => c.auth && !c.closed && concernsConnection(event, c.auth));
    const checks = new Map<string, Promise<AuthContext>>();
    for (const connection of affected) {
      const token = connection.token!;
      let check = checks.get(token);
      if (!check) {
        check = options.authenticate(token);
        checks.set(token, check);
      }
      check
        .then((fresh) => {
          if (fresh.isAnonymous || fresh.blockedByTwoFactor) throw new Error('no longer allowed');
          connection.auth = fresh;
          for (const [name, channel] of connection.subscriptions) {
            if (canSubscribe(fresh, channel)) continue;
            connection.subscriptions.delete(name);
            hub.unsubscribe(connection, name);
            connection.send(
              serverFrame({
                unsubscribed: {
                  channel: name,
                  code: 'realtime.permission_revoked',
                  message: `You may no longer read ${name}.`,
                },
              }),
            );
          }
        })
        .catch(() => connection.close(CLOSE.forbidden, 'credential revoked'));
    }
  });

  return {
    handleUpgrade(req, socket, head) {
      if (closing) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, onConnection);
    },
    stats: () => ({
      connections: connections.size,
      closing: [...connections].filter((c) => c.closed).length,
      ...hub.stats(),
      foreignPublications: options.broker.foreignPublications(),
    }),
    closes: () => closes,
    async close(timeoutMs) {
      closing = true;
      stopListening();
      clearInterval(heartbeat);
      const gone = [...connections].map(
        (c) =>
          new Promise<void>((resolve) =>
            c.socket.readyState === c.socket.CLOSED ? resolve() : c.socket.once('close', () => resolve()),
          ),
      );
      for (const connection of connections) connection.close(CLOSE.shutdown);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all(gone),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      for (const connection of connections) connection.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
