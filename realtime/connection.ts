import { randomBytes } from 'node:crypto';
import type { WebSocket } from 'ws';
import type { AuthContext } from '../core/auth/context.js';
import type { Channel } from './broker/channels.js';
import { CLOSE, type CloseReason } from './close-codes.js';
import { serverFrame, wsFrame } from './frames.js';
import { writeFrame } from './ws-internals.js';

/** Batches writes: every connection written to in this turn of the event loop is flushed once, after it. */
export interface Flusher {
  schedule(connection: Connection): void;
}

/**
 * After a close frame, how long the peer has to answer before the socket is destroyed. A slow consumer's
 * Disconnect (4001, reconnect) and close frame wait behind everything its buffers already hold: it gets this
 * long to read them, rather than losing the reason to a reset (1006). Nothing more is sent to it meanwhile.
 */
const CLOSE_GRACE_MS = 10_000;

/**
 * One client's transport. Replies and pushes of its own are queued and flushed once per event-loop turn as a
 * single WebSocket frame (messages are length-delimited, so several fit in one); channel publications arrive
 * already framed, shared with every subscriber (hub.ts). What may wait for a client is bounded by
 * `maxQueueBytes` together with what its socket has not sent yet. A class rather than closures: its methods are
 * shared, which keeps an idle connection within its budget of 10 KB, so one node can hold tens of thousands.
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
  /** The code this server closed with: what the metric counts, whether or not the peer answered. */
  closeCode: number | undefined;
  /** Messages are handled one after another, in the order they arrived. */
  work: Promise<void> = Promise.resolve();
  authTimer: NodeJS.Timeout | undefined;
  /** Publishes handed to the broker and not yet answered. */
  publishing = 0;
  private queue: Uint8Array[] = [];
  private queued = 0;

  constructor(
    readonly socket: WebSocket,
    private readonly flusher: Flusher,
    private readonly maxQueueBytes: number,
  ) {}

  /** Queues one delimited ServerMessage; it leaves with this turn's flush. */
  send(message: Uint8Array): void {
    if (this.closed) return;
    if (this.queued === 0) this.flusher.schedule(this);
    this.queue.push(message);
    this.queued += message.length;
    // One message alone may exceed the limit (a recovery replay can): cutting it off would only make the
    // client reconnect and ask for the same replay again, forever.
    if (this.queued > this.maxQueueBytes && this.queued > message.length) this.cutOff();
  }

  /** Writes a complete WebSocket frame (wsFrame), unless this client already has too much waiting. */
  write(frame: Buffer): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    // A client that does not read makes the socket buffer grow: cut it off rather than hold its backlog.
    const buffered = this.socket.bufferedAmount;
    if (buffered > 0 && buffered + frame.length > this.maxQueueBytes) return this.cutOff();
    writeFrame(this.socket, frame);
  }

  flush(): void {
    if (this.queued === 0) return;
    const frame = wsFrame(this.queue, this.queued);
    this.queue = [];
    this.queued = 0;
    this.write(frame);
  }

  /**
   * Says why (a Disconnect message) and closes with the matching code; later sends are dropped. The peer has
   * `graceMs` to answer the close before the socket is destroyed.
   */
  close(reason: CloseReason, message: string = reason.reason, graceMs = CLOSE_GRACE_MS): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearTimeout(this.authTimer);
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.closeCode = reason.code;
    this.socket.send(
      serverFrame({ disconnect: { code: reason.code, reason: message, reconnect: reason.reconnect } }),
      { binary: true },
    );
    this.socket.close(reason.code, reason.reason);
    const socket = this.socket;
    setTimeout(() => socket.terminate(), graceMs).unref();
  }

  /** Drops the socket without a word (shutdown's last resort). */
  terminate(): void {
    this.closed = true;
    clearTimeout(this.authTimer);
    this.queue = [];
    this.queued = 0;
    this.socket.terminate();
  }

  /** Slow consumer: its backlog is dropped (it recovers from history after reconnecting), then 4001. */
  private cutOff(): void {
    this.queue = [];
    this.queued = 0;
    this.close(CLOSE.slowConsumer);
  }
}
