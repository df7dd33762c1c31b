import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { AuthContext } from '../core/auth/context.js';
import type { Channel } from '../core/realtime/channels.js';
import { CLOSE, type CloseReason } from './close-codes.js';
import { concatFrames, serverFrame } from './frames.js';

/** Batches writes: every connection written to in this turn of the event loop is flushed once, after it. */
export interface Flusher {
  schedule(connection: Connection): void;
}

/** After a close frame, how long the peer has to answer before the socket is destroyed. */
const CLOSE_GRACE_MS = 2000;

/**
 * One client's transport: an outbound queue of frames flushed once per event-loop turn as a single WebSocket
 * frame (the messages are length-delimited, so several fit in one), bounded by `maxQueueBytes` together with
 * what the socket has not sent yet. A class rather than closures: its methods are shared, which keeps an idle
 * connection small (issue 9 budgets 10 KB each).
 */
export class Connection {
  readonly id = randomBytes(9).toString('base64url');
  auth: AuthContext | undefined;
  /** The credential, kept to re-check it when credentials change. */
  token: string | undefined;
  /** Whom the per-user connection limit counts this against. */
  principal: string | undefined;
  /** When the credential stops being valid (ms since the epoch); the heartbeat closes the connection then. */
  expiresAt = Infinity;
  readonly subscriptions = new Map<string, Channel>();
  /** Cleared by each server ping, set by any sign of life. */
  alive = true;
  closed = false;
  /** Messages are handled one after another, in the order they arrived. */
  work: Promise<void> = Promise.resolve();
  authTimer: NodeJS.Timeout | undefined;
  private queue: Uint8Array[] = [];
  private queued = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly flusher: Flusher,
    private readonly maxQueueBytes: number,
  ) {}

  send(frame: Uint8Array): void {
    if (this.closed) return;
    if (this.queued === 0) this.flusher.schedule(this);
    this.queue.push(frame);
    this.queued += frame.length;
    // A client that does not read makes the socket buffer grow: cut it off rather than hold its backlog.
    if (this.queued + this.socket.bufferedAmount > this.maxQueueBytes) {
      this.queue = [];
      this.queued = 0;
      this.close(CLOSE.slowConsumer);
    }
  }

  flush(): void {
    if (this.queued === 0) return;
    const frame = concatFrames(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(frame, { binary: true });
  }

  /** Says why (a Disconnect message) and closes with the matching code; later sends are dropped. */
  close(reason: CloseReason, message: string = reason.reason): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.authTimer);
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.flush();
    this.socket.send(
      serverFrame({ disconnect: { code: reason.code, reason: message, reconnect: reason.reconnect } }),
      { binary: true },
    );
    this.socket.close(reason.code, reason.reason);
    const socket = this.socket;
    setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
  }

  /** For a peer that stopped answering: nothing can be said to it. */
  terminate(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    this.queue = [];
    this.queued = 0;
    this.socket.terminate();
  }
}
