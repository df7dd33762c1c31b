/**
 * The realtime client for browsers: nothing here or below imports Node's modules or `ws`, so a bundler
 * (rollup, esbuild, webpack, Vite) takes it as it is. It connects with the page's WebSocket
 * (`globalThis.WebSocket`) unless the WebSocket option names another. test/realtime/browser-sdk.test.ts
 * bundles it for the browser and runs it in Chromium.
 */
export { RealtimeClient } from './client.js';
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
