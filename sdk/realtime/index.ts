import { WebSocket } from 'ws';
import { RealtimeClient as StandardClient } from './client.js';
import type { WebSocketConstructor } from './types.js';

/** ws without permessage-deflate, which Heimdall does not offer on /ws. */
class NodeWebSocket extends WebSocket {
  constructor(url: string) {
    super(url, { perMessageDeflate: false });
  }
}

/**
 * The realtime client for Node (bots, services, tests): the same client as `browser.ts` offers, connecting with
 * the `ws` package unless the WebSocket option names another.
 */
export class RealtimeClient extends StandardClient {
  protected override defaultWebSocket(): WebSocketConstructor {
    return NodeWebSocket;
  }
}

export {
  RealtimeError,
  type RealtimeClientOptions,
  type RealtimeClientEvents,
  type PublicationEvent,
  type SubscriptionHandlers,
  type ClientState,
  type AuditEventData,
  type WebSocketConstructor,
  type WebSocketLike,
} from './types.js';
export { wire, Recovery, type PayloadData, type PayloadInit } from '../../proto/index.js';
