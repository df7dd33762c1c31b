import WebSocket from 'ws';
import type { BackoffOptions } from './backoff.js';
import { discard, KeptSocket } from './socket.js';

/** An EventSub WebSocket message as Twitch frames it. */
interface EventSubFrame {
  metadata: { message_id: string; message_type: string; subscription_type?: string };
  payload: {
    session?: { id: string; keepalive_timeout_seconds: number | null; reconnect_url: string | null };
    subscription?: { type: string; status?: string };
    event?: Record<string, unknown>;
  };
}

export interface EventSubOptions {
  url: string;
  /** A new session (not one carried over by session_reconnect) has no subscriptions: create them. */
  subscribe(sessionId: string): Promise<void>;
  onNotification(type: string, event: Record<string, unknown>): void;
  onError(err: unknown, context: string): void;
  backoff?: BackoffOptions;
}

/** Twitch may send a notification twice; ids are remembered this many deep to drop the second. */
const SEEN_IDS = 500;

/**
 * One EventSub WebSocket session. After session_welcome it has `subscribe` create the subscriptions; it follows
 * session_reconnect to the URL Twitch names, keeping the session and its subscriptions; a socket that closes, or
 * stays silent past the keepalive timeout, is replaced by a new session that subscribes again.
 */
export class EventSubSession extends KeptSocket {
  private ready = false;
  private readonly seen: string[] = [];
  private keepaliveMs = 0;

  constructor(private readonly options: EventSubOptions) {
    super(options.backoff, options.onError, 'EventSub');
  }

  /** Welcomed, with its subscriptions created. */
  connected(): boolean {
    return this.ready;
  }

  protected connect(): void {
    this.open(this.options.url, false);
  }

  protected forget(): void {
    this.ready = false;
  }

  /** A connection to `url`: a new session, or (`carried`) the one a session_reconnect moves. */
  private open(url: string, carried: boolean): void {
    if (this.stopped) return;
    const socket = new WebSocket(url);
    const previous = this.socket;
    if (!carried) this.socket = socket;
    this.follow(socket);
    socket.on('message', (data) => {
      let frame: EventSubFrame;
      try {
        frame = JSON.parse(String(data)) as EventSubFrame;
      } catch (err) {
        this.onError(err, 'EventSub message');
        return;
      }
      this.handle(socket, frame, carried ? previous : undefined).catch((err: unknown) =>
        this.onError(err, 'EventSub message'),
      );
    });
  }

  private async handle(socket: WebSocket, frame: EventSubFrame, previous: WebSocket | undefined) {
    const { metadata, payload } = frame;
    // A frame without the envelope is nothing Twitch sends; it is dropped, not fatal.
    if (!metadata || !payload) return;
    switch (metadata.message_type) {
      case 'session_welcome': {
        const session = payload.session;
        if (!session) return;
        if (previous) {
          // The new connection of a session_reconnect: the session and its subscriptions are carried over.
          if (previous !== this.socket) return socket.terminate();
          this.socket = socket;
          discard(previous, 'close');
          this.watch(socket, session.keepalive_timeout_seconds);
          return;
        }
        if (socket !== this.socket) return;
        this.watch(socket, session.keepalive_timeout_seconds);
        try {
          await this.options.subscribe(session.id);
        } catch (err) {
          this.onError(err, 'EventSub subscriptions');
          if (socket === this.socket) this.replace(this.backoff.next());
          return;
        }
        if (socket !== this.socket) return;
        this.ready = true;
        this.backoff.reset();
        return;
      }
      case 'session_reconnect':
        if (socket === this.socket && payload.session?.reconnect_url) {
          this.open(payload.session.reconnect_url, true);
        }
        break;
      case 'notification':
        if (!this.seen.includes(metadata.message_id) && payload.subscription && payload.event) {
          this.seen.push(metadata.message_id);
          if (this.seen.length > SEEN_IDS) this.seen.shift();
          this.options.onNotification(payload.subscription.type, payload.event);
        }
        break;
      case 'revocation':
        this.onError(
          new Error(
            `Twitch revoked the ${payload.subscription?.type} subscription: ${payload.subscription?.status}`,
          ),
          'EventSub subscriptions',
        );
        break;
    }
    if (socket === this.socket) this.watch(socket, undefined);
  }

  /** Any message shows the connection alive; none within the keepalive timeout (and some slack), and it is not. */
  private watch(socket: WebSocket, keepaliveSeconds: number | null | undefined): void {
    if (keepaliveSeconds) this.keepaliveMs = keepaliveSeconds * 1000;
    if (this.keepaliveMs) this.expect(socket, this.keepaliveMs + Math.min(this.keepaliveMs / 2, 5000));
  }
}
