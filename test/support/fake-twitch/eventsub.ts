import { randomUUID } from 'node:crypto';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FakeSession, FakeTwitchState } from './state.js';

const frame = (message_type: string, payload: unknown, extra: Record<string, string> = {}) =>
  JSON.stringify({
    metadata: {
      message_id: randomUUID(),
      message_type,
      message_timestamp: new Date().toISOString(),
      ...extra,
    },
    payload,
  });

/**
 * EventSub over WebSocket: session_welcome, session_keepalive while nothing else is sent, notifications for the
 * sessions subscribed, and session_reconnect to a URL that carries the session (and its subscriptions) over.
 */
export class FakeEventSub {
  private readonly silenced = new Set<WebSocket>();
  connections = 0;

  constructor(
    private readonly state: FakeTwitchState,
    server: WebSocketServer,
    private readonly url: () => string,
    private readonly keepaliveSeconds: number,
  ) {
    server.on('connection', (socket, req) => {
      this.connections++;
      const carried = new URL(req.url ?? '/', 'http://127.0.0.1').searchParams.get('reconnect_session');
      const session = carried ? state.sessions.get(carried) : undefined;
      if (carried && (!session || session.closed)) return socket.close(4007, 'Invalid reconnect');
      this.attach(socket, session ?? { id: randomUUID(), socket, closed: false });
    });
  }

  /** Keepalives stop on the sockets open now, as on connections that went dead without closing. */
  stopKeepalives(): void {
    for (const s of this.state.sessions.values()) this.silenced.add(s.socket);
  }

  /** A session_reconnect to every live session; answers how many. */
  reconnect(): number {
    const live = [...this.state.sessions.values()].filter((s) => !s.closed);
    for (const s of live) {
      s.socket.send(
        frame('session_reconnect', {
          session: {
            id: s.id,
            status: 'reconnecting',
            keepalive_timeout_seconds: null,
            reconnect_url: `${this.url()}?reconnect_session=${s.id}`,
            connected_at: new Date().toISOString(),
          },
        }),
      );
    }
    return live.length;
  }

  /** A notification to each session subscribed to `type` for the broadcaster; answers how many were sent. */
  notify(type: 'stream.online' | 'stream.offline', broadcasterId: string): number {
    const broadcaster = this.state.user({ id: broadcasterId });
    if (!broadcaster) throw new Error(`the fake knows no user ${broadcasterId}`);
    const event = {
      broadcaster_user_id: broadcaster.id,
      broadcaster_user_login: broadcaster.login,
      broadcaster_user_name: broadcaster.display_name,
      ...(type === 'stream.online'
        ? { id: randomUUID(), type: 'live', started_at: new Date().toISOString() }
        : {}),
    };
    let sent = 0;
    for (const s of this.state.subscriptions) {
      const session = this.state.sessions.get(s.sessionId);
      if (s.type !== type || s.condition.broadcaster_user_id !== broadcasterId || s.status !== 'enabled') {
        continue;
      }
      const subscription = {
        id: s.id,
        status: 'enabled',
        type: s.type,
        version: s.version,
        cost: 0,
        condition: s.condition,
        transport: { method: 'websocket', session_id: s.sessionId },
        created_at: new Date().toISOString(),
      };
      session!.socket.send(
        frame(
          'notification',
          { subscription, event },
          { subscription_type: type, subscription_version: s.version },
        ),
      );
      sent++;
    }
    return sent;
  }

  private attach(socket: WebSocket, session: FakeSession): void {
    session.socket = socket;
    this.state.sessions.set(session.id, session);
    socket.send(
      frame('session_welcome', {
        session: {
          id: session.id,
          status: 'connected',
          connected_at: new Date().toISOString(),
          keepalive_timeout_seconds: this.keepaliveSeconds,
          reconnect_url: null,
          recovery_url: null,
        },
      }),
    );
    const timer = setInterval(
      () => {
        if (!this.silenced.has(socket) && session.socket === socket)
          socket.send(frame('session_keepalive', {}));
      },
      (this.keepaliveSeconds * 1000) / 2,
    );
    socket.on('close', () => {
      clearInterval(timer);
      // A session ends with its last socket, and Twitch disables its subscriptions.
      if (session.socket !== socket) return;
      session.closed = true;
      for (const s of this.state.subscriptions) {
        if (s.sessionId === session.id) s.status = 'websocket_disconnected';
      }
    });
  }
}
