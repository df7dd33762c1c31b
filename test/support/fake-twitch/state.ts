import type { WebSocket } from 'ws';

export interface FakeTwitchUser {
  id: string;
  login: string;
  display_name: string;
  /** The channels (logins) whose chat this user moderates. */
  moderates?: string[];
}

/** A PRIVMSG the bot wrote, as the fake received it. */
export interface BotMessage {
  channel: string;
  text: string;
  /** The Twitch user whose token the connection logged in with. */
  userId: string;
  replyParentMsgId?: string;
}

/** A POST /helix/moderation/bans. */
export interface FakeBan {
  broadcasterId: string;
  moderatorId: string;
  userId: string;
  /** Seconds, for a timeout; absent for a ban. */
  duration?: number;
  reason: string;
  token: string;
}

export interface FakeSubscription {
  id: string;
  type: string;
  version: string;
  condition: Record<string, string>;
  sessionId: string;
  token: string;
  /** The token's user. */
  userId: string;
  /** `websocket_disconnected` once its session ended. */
  status: 'enabled' | 'websocket_disconnected';
}

/** An EventSub WebSocket session: its id outlives the socket when the client follows session_reconnect. */
export interface FakeSession {
  id: string;
  socket: WebSocket;
  closed: boolean;
}

/** What the chat, Helix and EventSub fakes share: who exists, which tokens are good, what was done. */
export class FakeTwitchState {
  readonly users: FakeTwitchUser[];
  readonly tokens: Map<string, string>;
  readonly botMessages: BotMessage[] = [];
  readonly bans: FakeBan[] = [];
  readonly subscriptions: FakeSubscription[] = [];
  readonly sessions = new Map<string, FakeSession>();

  constructor(
    readonly clientId: string,
    users: readonly FakeTwitchUser[],
    tokens: Record<string, string>,
  ) {
    this.users = [...users];
    this.tokens = new Map(Object.entries(tokens));
  }

  /** The user a token belongs to, if the fake takes it. */
  userOfToken(token: string): FakeTwitchUser | undefined {
    const id = this.tokens.get(token);
    return id === undefined ? undefined : this.users.find((u) => u.id === id);
  }

  user(by: { id?: string; login?: string }): FakeTwitchUser | undefined {
    return this.users.find((u) => (by.id ? u.id === by.id : u.login === by.login?.toLowerCase()));
  }
}
