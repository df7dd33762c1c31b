import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';

/** Gateway opcodes (discord.com/developers/docs/topics/opcodes-and-status-codes). */
const OP = {
  dispatch: 0,
  heartbeat: 1,
  identify: 2,
  resume: 6,
  invalidSession: 9,
  hello: 10,
  heartbeatAck: 11,
} as const;

/** The gateway's own close codes, as discord.js reacts to them. */
export const CLOSE = {
  unknownError: 4000,
  unknownOpcode: 4001,
  decodeError: 4002,
  notAuthenticated: 4003,
  authenticationFailed: 4004,
  alreadyAuthenticated: 4005,
  invalidSeq: 4007,
  invalidApiVersion: 4012,
  invalidIntents: 4013,
  disallowedIntents: 4014,
} as const;

export const INTENT = {
  guilds: 1 << 0,
  guildMembers: 1 << 1,
  guildModeration: 1 << 2,
  guildMessages: 1 << 9,
  messageContent: 1 << 15,
} as const;

const PRIVILEGED = INTENT.guildMembers | INTENT.messageContent | (1 << 8);
const ALL_INTENTS = (1 << 26) - 1;

/** Which intent a dispatch needs; those not listed go to every session. */
const EVENT_INTENT: Record<string, number> = {
  GUILD_CREATE: INTENT.guilds,
  GUILD_MEMBER_ADD: INTENT.guildMembers,
  GUILD_MEMBER_UPDATE: INTENT.guildMembers,
  GUILD_MEMBER_REMOVE: INTENT.guildMembers,
  GUILD_BAN_ADD: INTENT.guildModeration,
  MESSAGE_CREATE: INTENT.guildMessages,
};

interface Dispatch {
  s: number;
  t: string;
  d: unknown;
}

/** A session outlives its socket until the client closes it normally, so that it can be resumed. */
interface Session {
  id: string;
  intents: number;
  seq: number;
  log: Dispatch[];
  socket: WebSocket | undefined;
}

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** Privileged intents the application may use (the developer portal's switches). */
  privilegedIntents: number;
  /** READY's `d`, given the session. */
  ready(session: { id: string; intents: number }, resumeUrl: string): unknown;
  /** The dispatches that follow READY (GUILD_CREATE per guild), given the session's intents. */
  afterReady(intents: number): { t: string; d: unknown }[];
}

/**
 * Discord's gateway on a `ws` server: HELLO, heartbeats, IDENTIFY → READY and the guilds, RESUME → the
 * dispatches missed since the client's sequence and RESUMED, INVALID_SESSION when the session is gone, and the
 * close codes discord.js acts on. Dispatches are filtered by the session's intents, and message content is
 * blanked without MESSAGE_CONTENT as Discord does.
 */
export class FakeGateway {
  identifyCount = 0;
  resumeCount = 0;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly sockets = new Set<WebSocket>();

  constructor(
    private readonly options: GatewayOptions,
    private readonly urls: { gateway: string; resume: string },
  ) {}

  /** Takes the upgrade when it is for the gateway path (`/gateway` or the resume path); false otherwise. */
  upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://fake');
    if (!['/gateway', '/gateway/', '/resume', '/resume/'].includes(url.pathname)) return false;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws, url));
    return true;
  }

  /**
   * Sends a dispatch to every session that has the intent, keeping it for replay while one is disconnected;
   * `forIntents` shapes `d` per session where Discord does (message content).
   */
  dispatch(t: string, d: unknown, forIntents?: (intents: number) => unknown): void {
    for (const session of this.sessions.values()) {
      const needs = EVENT_INTENT[t];
      if (needs !== undefined && (session.intents & needs) === 0) continue;
      this.send(session, t, forIntents ? forIntents(session.intents) : d);
    }
  }

  /** Closes every gateway socket abnormally (no close frame), as a network failure would. */
  dropConnections(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  /** Forgets every session, so the next RESUME is answered with INVALID_SESSION. */
  invalidateSessions(): void {
    this.sessions.clear();
  }

  /** Whether a session has a live socket now. */
  connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => s.socket).length;
  }

  close(): void {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
  }

  private send(session: Session, t: string, d: unknown): void {
    const payload = { op: OP.dispatch, s: ++session.seq, t, d };
    session.log.push(payload);
    session.socket?.send(JSON.stringify(payload));
  }

  private accept(ws: WebSocket, url: URL): void {
    this.sockets.add(ws);
    if (url.searchParams.get('v') !== '10') return ws.close(CLOSE.invalidApiVersion, 'Invalid API version');
    if ((url.searchParams.get('encoding') ?? 'json') !== 'json') {
      return ws.close(CLOSE.decodeError, 'Only JSON encoding');
    }
    let session: Session | undefined;
    let authenticated = false;
    ws.send(JSON.stringify({ op: OP.hello, d: { heartbeat_interval: this.options.heartbeatIntervalMs } }));

    ws.on('message', (data: RawData, isBinary) => {
      let payload: { op?: unknown; d?: unknown };
      try {
        if (isBinary) throw new Error('binary');
        payload = JSON.parse(data.toString()) as typeof payload;
      } catch {
        return ws.close(CLOSE.decodeError, 'Decode error');
      }
      switch (payload.op) {
        case OP.heartbeat:
          return ws.send(JSON.stringify({ op: OP.heartbeatAck }));
        case OP.identify: {
          if (authenticated) return ws.close(CLOSE.alreadyAuthenticated, 'Already authenticated');
          const d = payload.d as { token?: unknown; intents?: unknown };
          if (d?.token !== this.options.token) return ws.close(CLOSE.authenticationFailed, 'Bad token');
          const intents = d.intents;
          if (typeof intents !== 'number' || (intents & ~ALL_INTENTS) !== 0) {
            return ws.close(CLOSE.invalidIntents, 'Invalid intents');
          }
          if ((intents & PRIVILEGED & ~this.options.privilegedIntents) !== 0) {
            return ws.close(CLOSE.disallowedIntents, 'Disallowed intents');
          }
          authenticated = true;
          this.identifyCount++;
          session = { id: randomBytes(16).toString('hex'), intents, seq: 0, log: [], socket: ws };
          this.sessions.set(session.id, session);
          this.send(session, 'READY', this.options.ready(session, this.urls.resume));
          for (const event of this.options.afterReady(intents)) this.send(session, event.t, event.d);
          return;
        }
        case OP.resume: {
          if (authenticated) return ws.close(CLOSE.alreadyAuthenticated, 'Already authenticated');
          const d = payload.d as { token?: unknown; session_id?: unknown; seq?: unknown };
          if (d?.token !== this.options.token) return ws.close(CLOSE.authenticationFailed, 'Bad token');
          const resumed = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
          if (!resumed) return ws.send(JSON.stringify({ op: OP.invalidSession, d: false }));
          const seq = typeof d.seq === 'number' ? d.seq : 0;
          if (seq > resumed.seq) return ws.close(CLOSE.invalidSeq, 'Invalid seq');
          authenticated = true;
          this.resumeCount++;
          resumed.socket?.terminate();
          resumed.socket = ws;
          session = resumed;
          for (const missed of resumed.log.filter((p) => p.s > seq)) ws.send(JSON.stringify(missed));
          this.send(resumed, 'RESUMED', null);
          return;
        }
        default:
          if (!authenticated) return ws.close(CLOSE.notAuthenticated, 'Not authenticated');
          return ws.close(CLOSE.unknownOpcode, 'Unknown opcode');
      }
    });

    ws.on('close', (code) => {
      this.sockets.delete(ws);
      if (!session || session.socket !== ws) return;
      session.socket = undefined;
      // Discord ends a session the client closed with 1000 or 1001; any other close leaves it resumable.
      if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    });
  }
}
