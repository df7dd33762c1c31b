import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FakeChat, type ChatLogin } from './chat.js';
import { FakeEventSub } from './eventsub.js';
import { helixHandler } from './helix.js';
import {
  FakeTwitchState,
  type BotMessage,
  type FakeBan,
  type FakeSubscription,
  type FakeTwitchUser,
} from './state.js';

export type { BotMessage, ChatLogin, FakeBan, FakeSubscription, FakeTwitchUser };

export interface FakeTwitchOptions {
  /** The application's client id Helix expects in `Client-Id`. */
  clientId: string;
  users: readonly FakeTwitchUser[];
  /** Access tokens the fake takes, each to the id of its user. */
  tokens: Record<string, string>;
  /** EventSub's keepalive_timeout_seconds (Twitch: 10 to 600; shorter here for tests). */
  keepaliveTimeoutSeconds?: number;
}

export interface FakeTwitch {
  /** Chat: IRC over WebSocket. */
  readonly ircUrl: string;
  /** Helix, ending in /helix. */
  readonly helixUrl: string;
  /** EventSub over WebSocket. */
  readonly eventsubUrl: string;
  /** A viewer (by login) writes `text` in a channel (by login); answers the message id. */
  say(channelLogin: string, userLogin: string, text: string): string;
  readonly botMessages: readonly BotMessage[];
  readonly bans: readonly FakeBan[];
  readonly subscriptions: readonly FakeSubscription[];
  readonly chatLogins: readonly ChatLogin[];
  /** Chat connections in the channel now. */
  joined(channelLogin: string): number;
  /** Sends stream.online / stream.offline to the sessions subscribed; answers how many were sent. */
  streamOnline(broadcasterId: string): number;
  streamOffline(broadcasterId: string): number;
  /** RECONNECT to every chat connection. */
  reconnectChat(): void;
  /** Cuts every chat connection. */
  dropChat(): void;
  /** session_reconnect to every EventSub session; answers how many. */
  reconnectEventSub(): number;
  stopKeepalives(): void;
  /** Open EventSub sockets now, and how many were ever opened. */
  eventsubSockets(): number;
  eventsubConnections(): number;
  addToken(token: string, userId: string): void;
  revokeToken(token: string): void;
  close(): Promise<void>;
}

const listen = async (server: Server): Promise<string> => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `127.0.0.1:${(server.address() as AddressInfo).port}`;
};

/** A Twitch on loopback speaking chat's IRC over WebSocket, Helix and EventSub over WebSocket. */
export async function startFakeTwitch(options: FakeTwitchOptions): Promise<FakeTwitch> {
  const state = new FakeTwitchState(options.clientId, options.users, options.tokens);
  const chatHttp = createServer();
  const chatWs = new WebSocketServer({ server: chatHttp });
  const chat = new FakeChat(state, chatWs);
  const helixHttp = createServer((req, res) => void helixHandler(state)(req, res));
  const eventsubHttp = createServer();
  const eventsubWs = new WebSocketServer({ server: eventsubHttp, path: '/ws' });
  let eventsubUrl = '';
  const eventsub = new FakeEventSub(
    state,
    eventsubWs,
    () => eventsubUrl,
    options.keepaliveTimeoutSeconds ?? 10,
  );
  const ircUrl = `ws://${await listen(chatHttp)}`;
  const helixUrl = `http://${await listen(helixHttp)}/helix`;
  eventsubUrl = `ws://${await listen(eventsubHttp)}/ws`;

  return {
    ircUrl,
    helixUrl,
    eventsubUrl,
    say: (channel, user, text) => chat.say(channel, user, text),
    botMessages: state.botMessages,
    bans: state.bans,
    subscriptions: state.subscriptions,
    chatLogins: chat.logins,
    joined: (channel) => chat.joined(channel),
    streamOnline: (id) => eventsub.notify('stream.online', id),
    streamOffline: (id) => eventsub.notify('stream.offline', id),
    reconnectChat: () => chat.reconnect(),
    dropChat: () => chat.drop(),
    reconnectEventSub: () => eventsub.reconnect(),
    stopKeepalives: () => eventsub.stopKeepalives(),
    eventsubSockets: () => eventsubWs.clients.size,
    eventsubConnections: () => eventsub.connections,
    addToken: (token, userId) => void state.tokens.set(token, userId),
    revokeToken: (token) => void state.tokens.delete(token),
    async close() {
      for (const ws of [chatWs, eventsubWs]) for (const client of ws.clients) client.terminate();
      await Promise.all(
        [chatWs, eventsubWs].map((ws) => new Promise<void>((resolve) => ws.close(() => resolve()))),
      );
      helixHttp.closeAllConnections();
      await Promise.all(
        [chatHttp, helixHttp, eventsubHttp].map(
          (server) => new Promise<void>((resolve) => server.close(() => resolve())),
        ),
      );
    },
  };
}
