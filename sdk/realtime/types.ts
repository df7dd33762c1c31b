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
}

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
