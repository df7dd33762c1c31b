import WebSocket from 'ws';
import { Backoff, type BackoffOptions } from './backoff.js';

/**
 * A WebSocket connection kept up: replaced after a growing wait when it drops, and at once when it stays silent
 * longer than its protocol allows (a dead peer TCP has not noticed yet).
 */
export abstract class KeptSocket {
  protected socket: WebSocket | undefined;
  protected stopped = true;
  protected readonly backoff: Backoff;
  private retry: NodeJS.Timeout | undefined;
  private silence: NodeJS.Timeout | undefined;

  constructor(
    backoff: BackoffOptions | undefined,
    protected readonly onError: (err: unknown, context: string) => void,
    private readonly name: string,
  ) {
    this.backoff = new Backoff(backoff);
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    clearTimeout(this.silence);
    const socket = this.socket;
    this.socket = undefined;
    this.forget();
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once('close', () => resolve());
      socket.close();
      setTimeout(() => socket.terminate(), 1000).unref();
    });
  }

  /** Opens a new connection and makes it `socket`. */
  protected abstract connect(): void;
  /** The connection is gone: drop what was known about it. */
  protected abstract forget(): void;

  /** Reports errors of `socket` and replaces it when it closes while current. */
  protected follow(socket: WebSocket): void {
    socket.on('error', (err) => this.onError(err, `${this.name} connection`));
    socket.on('close', (code, reason) => {
      if (socket !== this.socket) return;
      this.onError(
        new Error(`${this.name} closed: ${code} ${String(reason)}`.trim()),
        `${this.name} connection`,
      );
      this.replace(this.backoff.next());
    });
  }

  /** `socket` must say something within `ms`, or it is replaced. */
  protected expect(socket: WebSocket, ms: number): void {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => {
      if (socket !== this.socket) return;
      this.onError(new Error(`${this.name} went silent`), `${this.name} connection`);
      this.replace(0);
    }, ms);
    this.silence.unref();
  }

  /** Drops the current connection (the peer sees it cut) and connects again after `delayMs`. */
  protected replace(delayMs: number): void {
    const old = this.socket;
    this.socket = undefined;
    this.forget();
    clearTimeout(this.silence);
    if (old) discard(old);
    if (this.stopped) return;
    clearTimeout(this.retry);
    this.retry = setTimeout(() => this.connect(), delayMs);
  }
}

/** Ends a socket no longer wanted, deaf to whatever it still emits: closed politely, or cut when it may be dead. */
export function discard(socket: WebSocket, how: 'close' | 'terminate' = 'terminate'): void {
  socket.removeAllListeners();
  socket.on('error', () => undefined);
  if (how === 'close') socket.close();
  else socket.terminate();
}
