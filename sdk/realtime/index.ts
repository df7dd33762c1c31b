export {
  RealtimeClient,
  RealtimeError,
  type RealtimeClientOptions,
  type PublicationEvent,
  type SubscriptionHandlers,
  type ClientState,
} from './client.js';
export { wire, Recovery, type PayloadData, type PayloadInit } from '../../proto/index.js';
