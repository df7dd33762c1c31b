import type { PayloadData } from '../../proto/index.js';
import type { BackoffOptions } from './reconnect.js';

// What the realtime client (client.ts) takes and gives: its options, the events it emits, what a subscription
// hands to its handlers, and its error.

export interface RealtimeClientOptions {
  /** ws://host:port/ws */
  url: string;
  /** An API key, an OIDC access token or a session token; a function is asked again on each reconnect. */
  token: string | (() => string | Promise<string>);
  /** Sent in Authenticate, for the server's logs. */
  client?: string;
  /** Reconnection backoff; false: never reconnect. */
  reconnect?: false | BackoffOptions;
  /** How long to wait for a Pong (and for each request's reply) before the connection counts as dead. */
  timeoutMs?: number;
  /**
   * The WebSocket class to connect with. Default: in Node (`sdk/realtime/index.ts`) the `ws` package, in a
   * browser (`sdk/realtime/browser.ts`) the page's own `globalThis.WebSocket`.
   */
  WebSocket?: WebSocketConstructor;
}

/**
 * What the client needs of a WebSocket: the standard (WHATWG) API, which browsers, Node's global WebSocket
 * and the `ws` package all offer. Binary frames must arrive as an ArrayBuffer or a Uint8Array (the client sets
 * binaryType to 'arraybuffer', or leaves ws at its 'nodebuffer').
 */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', listener: (event: { error?: unknown; message?: string }) => void): void;
  /** ws only: drop the connection at once, without a closing handshake. */
  terminate?(): void;
}

export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** An audit event as the `audit` and `user:<id>` channels carry it (`payload.audit`). */
export type AuditEventData = NonNullable<PayloadData['audit']>;

export interface PublicationEvent {
  channel: string;
  offset: number;
  timeMs: number;
  payload: PayloadData;
}

export interface SubscriptionHandlers {
  publication(event: PublicationEvent): void;
  /** History no longer reaches the last publication seen: reload state from the API. */
  resync?(position: { epoch: string; offset: number }): void;
  /** The server ended the subscription (code: realtime.permission_revoked…). */
  ended?(error: RealtimeError): void;
}

export class RealtimeError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'RealtimeError';
  }
}

export type ClientState = 'connecting' | 'connected' | 'disconnected' | 'closed';

export interface RealtimeClientEvents {
  connected: [info: { connectionId: string; userId: string; node: string }];
  disconnected: [info: { code: number; reason: string; willReconnect: boolean }];
  error: [error: Error];
}
