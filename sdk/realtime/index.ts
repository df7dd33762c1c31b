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

// Everything the browser entry offers; the RealtimeClient above takes the place of its client.
export * from './browser.js';
