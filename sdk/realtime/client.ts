import protobuf from 'protobufjs/minimal.js';
import {
  Recovery,
  wire,
  type ClientMessageInit,
  type PayloadInit,
  type PublicationData,
  type ServerMessage,
} from '../../proto/index.js';
import { TypedEmitter } from './emitter.js';
import { reconnectDelay, shouldReconnect } from './reconnect.js';
import {
  RealtimeError,
  type ClientState,
  type RealtimeClientEvents,
  type RealtimeClientOptions,
  type SubscriptionHandlers,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';

type Timer = ReturnType<typeof setTimeout>;

/** WebSocket.OPEN and WebSocket.CLOSED: the same in every implementation. */
const OPEN = 1;
const CLOSED = 3;

interface Pending {
  /** Runs as the reply is read, before the messages after it in the same frame. */
  onReply?(message: ServerMessage): void;
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
  timer: Timer;
}

interface SubscriptionState {
  channel: string;
  handlers: SubscriptionHandlers;
  epoch: string | undefined;
  offset: number;
  /** Resolves when the first Subscribed arrived. */
  ready: Promise<void>;
}

/**
 * The Heimdall realtime client (docs/realtime.md): one WebSocket, typed messages, requests answered by promise,
 * automatic reconnection with exponential backoff and jitter, and automatic recovery — after a reconnect every
 * subscription resumes from the last publication it saw, so a handler sees each publication once, in order,
 * or is told to resync when the server no longer has the history.
 *
 * It runs wherever there is a standard WebSocket: nothing here is Node's. `index.ts` (Node) hands it the `ws`
 * package, `browser.ts` leaves it the page's WebSocket.
 */
export class RealtimeClient extends TypedEmitter<RealtimeClientEvents> {
  state: ClientState = 'disconnected';
  private socket: WebSocketLike | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private attempt = 0;
  private reconnectTimer: Timer | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private connectedOnce: Promise<void>;
  private resolveConnected!: () => void;
  private rejectConnected!: (err: Error) => void;
  private disconnect: { code: number; reason: string; reconnect: boolean } | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly options: RealtimeClientOptions) {
    super();
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.connectedOnce = this.newConnectedPromise();
  }

  /** Opens the connection; resolves once authenticated (reconnections happen on their own afterwards). */
  connect(): Promise<void> {
    if (this.state === 'closed')
      return Promise.reject(new RealtimeError('realtime.closed', 'The client is closed.'));
    if (this.state === 'disconnected' && !this.reconnectTimer) void this.open();
    return this.connectedOnce;
  }

  /**
   * Subscribes (and re-subscribes after every reconnect, recovering what was missed). Resolves once the server
   * confirmed; rejects with the server's refusal (realtime.forbidden…).
   */
  async subscribe(
    channel: string,
    handlers: SubscriptionHandlers,
  ): Promise<{ unsubscribe(): Promise<void> }> {
    if (this.subscriptions.has(channel)) {
      throw new RealtimeError('realtime.already_subscribed', `Already subscribed to ${channel}.`);
    }
    const state: SubscriptionState = {
      channel,
      handlers,
      epoch: undefined,
      offset: 0,
      ready: Promise.resolve(),
    };
    this.subscriptions.set(channel, state);
    try {
      await this.sendSubscribe(state);
    } catch (err) {
      this.subscriptions.delete(channel);
      throw err;
    }
    return { unsubscribe: () => this.unsubscribe(channel) };
  }

  async unsubscribe(channel: string): Promise<void> {
    if (!this.subscriptions.delete(channel)) return;
    if (this.state === 'connected') await this.request({ unsubscribe: { channel } }).catch(() => undefined);
  }

  /** Publishes; resolves with the publication's position in the channel. */
  async publish(channel: string, payload: PayloadInit): Promise<{ epoch: string; offset: number }> {
    const reply = await this.request({ publish: { channel, payload } });
    const position = reply.published?.position;
    return { epoch: position?.epoch ?? '', offset: Number(position?.offset ?? 0) };
  }

  /** Round trip to the server. */
  async ping(): Promise<void> {
    await this.request({ ping: {} });
  }

  /** Closes for good: no reconnection, pending requests fail. */
  close(): Promise<void> {
    this.state = 'closed';
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.failPending(new RealtimeError('realtime.closed', 'The client is closed.'));
    const socket = this.socket;
    if (!socket || socket.readyState === CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.addEventListener('close', () => resolve());
      socket.close(1000);
    });
  }

  /** The last position seen on a channel (what a reconnect recovers from). */
  position(channel: string): { epoch: string; offset: number } | undefined {
    const s = this.subscriptions.get(channel);
    return s?.epoch === undefined ? undefined : { epoch: s.epoch, offset: s.offset };
  }

  private newConnectedPromise(): Promise<void> {
    const p = new Promise<void>((resolve, reject) => {
      this.resolveConnected = resolve;
      this.rejectConnected = reject;
    });
    p.catch(() => undefined);
    return p;
  }

  private async open(): Promise<void> {
    this.state = 'connecting';
    this.disconnect = undefined;
    let token: string;
    try {
      token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token;
    } catch (err) {
      this.report(err as Error);
      this.scheduleReconnect(1006);
      return;
    }
    if (this.state !== 'connecting') return;
    let socket: WebSocketLike;
    try {
      socket = new (this.webSocketClass())(this.options.url);
    } catch (err) {
      // A malformed URL, or no WebSocket at all: trying again cannot help.
      this.state = 'closed';
      this.report(err as Error);
      this.rejectConnected(err as Error);
      return;
    }
    // ws's default, Buffers, are Uint8Arrays already; a standard WebSocket would hand Blobs over.
    if (socket.binaryType !== 'nodebuffer') socket.binaryType = 'arraybuffer';
    this.socket = socket;
    socket.addEventListener('open', () => {
      if (this.socket !== socket) return;
      this.request({ authenticate: { token, client: this.options.client ?? 'heimdall-sdk-ts' } })
        .then((reply) => this.onConnected(reply))
        .catch((err: Error) => {
          if (this.attempt === 0 && !this.everConnected) this.rejectConnected(err);
        });
    });
    socket.addEventListener('message', (event) => {
      if (this.socket === socket) this.onFrame(socket, event.data);
    });
    socket.addEventListener('error', (event) => this.report(socketError(event)));
    socket.addEventListener('close', (event) => this.onClose(socket, event.code, event.reason));
  }

  /** The WebSocket class used when the options name none: the environment's own. */
  protected defaultWebSocket(): WebSocketConstructor | undefined {
    return (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  }

  /** Read on every (re)connect, as the URL and token are: the options object is the caller's to change. */
  private webSocketClass(): WebSocketConstructor {
    const constructor = this.options.WebSocket ?? this.defaultWebSocket();
    if (!constructor) {
      throw new RealtimeError(
        'realtime.no_websocket',
        'No WebSocket here: pass one in the WebSocket option (in Node, import sdk/realtime/index.js).',
      );
    }
    return constructor;
  }

  /**
   * Gives a socket up at once: a dead peer never answers a closing handshake. ws can cut the connection (its
   * close event follows); a standard WebSocket can only start the handshake, so the client moves on now and
   * ignores whatever that socket does later.
   */
  private abandon(socket: WebSocketLike): void {
    if (socket.terminate) {
      socket.terminate();
      return;
    }
    try {
      socket.close();
    } catch {
      // Already closing.
    }
    this.onClose(socket, 1006, '');
  }

  private everConnected = false;

  private async onConnected(reply: ServerMessage): Promise<void> {
    const info = reply.connected!;
    this.state = 'connected';
    this.attempt = 0;
    this.everConnected = true;
    clearInterval(this.pingTimer);
    const interval = Math.max(1000, Number(info.pingIntervalMs) || 25_000);
    const socket = this.socket;
    this.pingTimer = setInterval(() => {
      this.ping().catch(() => {
        if (socket && this.socket === socket) this.abandon(socket);
      });
    }, interval);
    unref(this.pingTimer);
    this.emit('connected', {
      connectionId: info.connectionId ?? '',
      userId: info.userId ?? '',
      node: info.node ?? '',
    });
    this.resolveConnected();
    // Resubscribe everything, recovering from the last position seen.
    for (const state of this.subscriptions.values()) {
      this.sendSubscribe(state).catch((err: Error) => {
        this.subscriptions.delete(state.channel);
        state.handlers.ended?.(
          err instanceof RealtimeError ? err : new RealtimeError('realtime.error', err.message),
        );
      });
    }
  }

  private async sendSubscribe(state: SubscriptionState): Promise<void> {
    await this.connectedOnce;
    const since = state.epoch === undefined ? undefined : { epoch: state.epoch, offset: state.offset };
    // The replay must be delivered before the live publications that may follow it in the same frame.
    await this.request({ subscribe: { channel: state.channel, ...(since ? { since } : {}) } }, (reply) =>
      this.onSubscribed(state, reply),
    );
  }

  private onSubscribed(state: SubscriptionState, reply: ServerMessage): void {
    if (this.subscriptions.get(state.channel) !== state || !reply.subscribed) return;
    const subscribed = reply.subscribed;
    const position = {
      epoch: subscribed.position?.epoch ?? '',
      offset: Number(subscribed.position?.offset ?? 0),
    };
    if (subscribed.recovery === Recovery.RECOVERY_RESYNC) {
      state.epoch = position.epoch;
      state.offset = position.offset;
      state.handlers.resync?.(position);
      return;
    }
    if (state.epoch === undefined) {
      state.epoch = position.epoch;
      state.offset = position.offset;
    }
    for (const publication of subscribed.publications ?? []) this.deliver(state, publication);
    // Nothing was published since: still adopt the server's view of the position.
    if (state.offset < position.offset && (subscribed.publications ?? []).length === 0) {
      state.offset = position.offset;
    }
  }

  private deliver(state: SubscriptionState, publication: PublicationData): void {
    const offset = Number(publication.offset);
    if (offset <= state.offset) return;
    state.offset = offset;
    try {
      state.handlers.publication({
        channel: publication.channel ?? state.channel,
        offset,
        timeMs: Number(publication.timeMs),
        payload: publication.payload ?? wire.Payload.create(),
      });
    } catch (err) {
      this.report(err as Error);
    }
  }

  private request(
    message: ClientMessageInit,
    onReply?: (message: ServerMessage) => void,
  ): Promise<ServerMessage> {
    const socket = this.socket;
    if (!socket || socket.readyState !== OPEN) {
      return Promise.reject(new RealtimeError('realtime.not_connected', 'Not connected.'));
    }
    const id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
    return new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RealtimeError('realtime.timeout', 'The server did not answer in time.'));
      }, this.timeoutMs);
      this.pending.set(id, { onReply, resolve, reject, timer });
      socket.send(wire.ClientMessage.encodeDelimited(wire.ClientMessage.create({ ...message, id })).finish());
    });
  }

  private onFrame(socket: WebSocketLike, data: unknown): void {
    const bytes = frameBytes(data);
    if (!bytes) {
      this.report(new RealtimeError('realtime.bad_frame', 'The server sent a frame that is not binary.'));
      this.abandon(socket);
      return;
    }
    const reader = protobuf.Reader.create(bytes);
    try {
      while (reader.pos < reader.len && this.socket === socket) {
        this.onMessage(wire.ServerMessage.decodeDelimited(reader));
      }
    } catch (err) {
      this.report(err as Error);
      if (this.socket === socket) this.abandon(socket);
    }
  }

  private onMessage(message: ServerMessage): void {
    const id = Number(message.id ?? 0);
    if (message.kind === 'publication') {
      const publication = message.publication!;
      const state = this.subscriptions.get(publication.channel ?? '');
      if (state) this.deliver(state, publication);
      return;
    }
    if (message.kind === 'disconnect') {
      const d = message.disconnect!;
      this.disconnect = { code: Number(d.code), reason: d.reason ?? '', reconnect: Boolean(d.reconnect) };
      return;
    }
    if (message.kind === 'unsubscribed' && id === 0) {
      const u = message.unsubscribed!;
      const state = this.subscriptions.get(u.channel ?? '');
      if (state) {
        this.subscriptions.delete(state.channel);
        state.handlers.ended?.(new RealtimeError(u.code ?? 'realtime.unsubscribed', u.message ?? ''));
      }
      return;
    }
    const pending = id ? this.pending.get(id) : undefined;
    if (message.kind === 'error') {
      const error = new RealtimeError(message.error?.code ?? 'realtime.error', message.error?.message ?? '');
      if (pending) {
        this.pending.delete(id);
        clearTimeout(pending.timer);
        pending.reject(error);
      } else {
        this.report(error);
      }
      return;
    }
    if (pending) {
      this.pending.delete(id);
      clearTimeout(pending.timer);
      try {
        pending.onReply?.(message);
      } catch (err) {
        this.report(err as Error);
      }
      pending.resolve(message);
    }
  }

  private onClose(socket: WebSocketLike, code: number, reason: string): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    clearInterval(this.pingTimer);
    this.failPending(new RealtimeError('realtime.disconnected', `Disconnected (${code}).`));
    if (this.state === 'closed') return;
    const willReconnect = shouldReconnect({
      code,
      advice: this.disconnect?.reconnect,
      refreshableToken: typeof this.options.token === 'function',
      enabled: this.options.reconnect !== false,
    });
    this.state = willReconnect ? 'disconnected' : 'closed';
    this.emit('disconnected', { code, reason: this.disconnect?.reason ?? reason, willReconnect });
    if (!this.everConnected && !willReconnect) {
      this.rejectConnected(
        new RealtimeError('realtime.disconnected', this.disconnect?.reason ?? `Closed (${code}).`),
      );
    }
    if (willReconnect) this.scheduleReconnect(code);
  }

  private scheduleReconnect(code: number): void {
    const delay = reconnectDelay(this.attempt, code, this.options.reconnect || {});
    this.attempt += 1;
    this.state = 'disconnected';
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.open();
    }, delay);
  }

  /**
   * Errors are for whoever listens: a failed reconnect attempt is routine for a client that reconnects on its
   * own, and nobody has to listen for it.
   */
  private report(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private failPending(error: Error): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}

/**
 * A binary frame's bytes: ws hands over a Buffer (kept as it is, so bytes fields decode as Buffers in Node), a
 * standard WebSocket an ArrayBuffer; a text frame is neither. Told apart without `instanceof ArrayBuffer`, which
 * fails for a frame from another realm (a test runner's, another frame's).
 */
function frameBytes(data: unknown): Uint8Array | undefined {
  if (ArrayBuffer.isView(data)) {
    return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const isArrayBuffer = Object.prototype.toString.call(data) === '[object ArrayBuffer]';
  return isArrayBuffer ? new Uint8Array(data as ArrayBuffer) : undefined;
}

/** ws and Node's WebSocket say what went wrong; a browser's error event says nothing. */
function socketError(event: { error?: unknown; message?: string }): Error {
  const error = event.error;
  if (typeof error === 'object' && error !== null && 'message' in error) return error as Error;
  return new RealtimeError('realtime.socket_error', event.message || 'The WebSocket failed.');
}

/** In Node the heartbeat alone does not keep the process alive; a browser's timers are plain numbers. */
function unref(timer: ReturnType<typeof setInterval>): void {
  const handle = timer as number | { unref?(): void };
  if (typeof handle === 'object') handle.unref?.();
}
