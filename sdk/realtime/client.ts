import { EventEmitter } from 'node:events';
import protobuf from 'protobufjs/minimal.js';
import { WebSocket } from 'ws';
import {
  Recovery,
  wire,
  type ClientMessageInit,
  type PayloadInit,
  type PublicationData,
  type ServerMessage,
} from '../../proto/index.js';
import { reconnectDelay, shouldReconnect } from './reconnect.js';
import {
  RealtimeError,
  type ClientState,
  type RealtimeClientEvents,
  type RealtimeClientOptions,
  type SubscriptionHandlers,
} from './types.js';

interface Pending {
  /** Runs as the reply is read, before the messages after it in the same frame. */
  onReply?(message: ServerMessage): void;
  resolve(message: ServerMessage): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
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
 */
export class RealtimeClient extends EventEmitter<RealtimeClientEvents> {
  state: ClientState = 'disconnected';
  private socket: WebSocket | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly subscriptions = new Map<string, SubscriptionState>();
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
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
    if (!socket || socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
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
    const socket = new WebSocket(this.options.url, { perMessageDeflate: false });
    socket.binaryType = 'nodebuffer';
    this.socket = socket;
    socket.on('open', () => {
      this.request({ authenticate: { token, client: this.options.client ?? 'heimdall-sdk-ts' } })
        .then((reply) => this.onConnected(reply))
        .catch((err: Error) => {
          if (this.attempt === 0 && !this.everConnected) this.rejectConnected(err);
        });
    });
    socket.on('message', (data: Buffer) => this.onFrame(data));
    socket.on('error', (err) => this.report(err));
    socket.on('close', (code: number, reason: Buffer) => this.onClose(socket, code, reason.toString()));
  }

  private everConnected = false;

  private async onConnected(reply: ServerMessage): Promise<void> {
    const info = reply.connected!;
    this.state = 'connected';
    this.attempt = 0;
    this.everConnected = true;
    clearInterval(this.pingTimer);
    const interval = Math.max(1000, Number(info.pingIntervalMs) || 25_000);
    this.pingTimer = setInterval(() => {
      this.ping().catch(() => this.socket?.terminate());
    }, interval);
    this.pingTimer.unref();
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
    if (!socket || socket.readyState !== WebSocket.OPEN) {
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

  private onFrame(data: Buffer): void {
    const reader = protobuf.Reader.create(data);
    try {
      while (reader.pos < reader.len) this.onMessage(wire.ServerMessage.decodeDelimited(reader));
    } catch (err) {
      this.report(err as Error);
      this.socket?.terminate();
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

  private onClose(socket: WebSocket, code: number, reason: string): void {
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
   * own, and an 'error' event without a listener would throw (EventEmitter) from inside ws and crash the app.
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
