export { RealtimeClient } from './client.js';
export {
  RealtimeError,
  type RealtimeClientOptions,
  type RealtimeClientEvents,
  type PublicationEvent,
  type SubscriptionHandlers,
  type ClientState,
} from './types.js';
export { wire, Recovery, type PayloadData, type PayloadInit } from '../../proto/index.js';
