import type { WebSocket } from 'ws';
import type { PublicationEvent, RealtimeClient } from '../../sdk/realtime/index.js';
import { createKey } from '../support/fixtures.js';
import { useTestPlatform } from '../support/platform.js';
import { data, modeVars, trackClients, wsUrl, type RealtimeMode } from '../support/realtime.js';
import { uniqueName } from '../support/services.js';

/**
 * What the single-node realtime tests share (single-node-*.test.ts): they run the realtime service on one node
 * against both brokers ("the in-process mode passes the same tests that do not need two nodes"), with
 * limits small enough that every rule is reached quickly.
 */
export const LIMITS = {
  HEIMDALL__REALTIME__HISTORY_SIZE: '150',
  HEIMDALL__REALTIME__AUTH_TIMEOUT_MS: '1000',
  HEIMDALL__REALTIME__HEARTBEAT_MS: '1000',
  HEIMDALL__REALTIME__MAX_FRAME_BYTES: '4096',
  HEIMDALL__REALTIME__MAX_SUBSCRIPTIONS: '4',
  HEIMDALL__REALTIME__MAX_CONNECTIONS_PER_USER: '2',
};

export const text = (event: PublicationEvent): string => Buffer.from(event.payload.data ?? []).toString();
export const appChannel = () => `app:${uniqueName('ch')}`;
/** The SDK's socket, to cut it like a network failure would. */
export const socketOf = (client: RealtimeClient) => (client as unknown as { socket: WebSocket }).socket;

/** A token function that holds reconnections while closed: publications pile up meanwhile. */
export function gate(token: string) {
  let open: () => void = () => undefined;
  let opened: Promise<void> = Promise.resolve();
  return {
    token: async () => {
      await opened;
      return token;
    },
    close() {
      opened = new Promise((resolve) => {
        open = resolve;
      });
    },
    open: () => open(),
  };
}

/**
 * One node with both roles and the small limits, for the tests of one `describeModes` block: the platform, the
 * clients it closes afterwards, its WebSocket URL, a full-access API key, and a burst of publications.
 */
export function useSingleNode(mode: RealtimeMode) {
  const t = useTestPlatform({ ...modeVars(mode), ...LIMITS }, ['api', 'realtime']);
  const clients = trackClients();
  const url = () => wsUrl(t.url);
  const admin = () => createKey(t.db, { roleIds: ['role_api_full_access'], isSystem: true });

  async function publishAll(publisher: RealtimeClient, channel: string, from: number, to: number) {
    const sent: Promise<unknown>[] = [];
    for (let i = from; i <= to; i += 1) sent.push(publisher.publish(channel, data(`m${i}`)));
    await Promise.all(sent);
  }
  return { t, clients, url, admin, publishAll };
}
