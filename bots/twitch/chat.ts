import WebSocket from 'ws';
import type { BackoffOptions } from './backoff.js';
import { formatLine, nickOf, parseLine, type IrcMessage } from './irc.js';
import { KeptSocket } from './socket.js';

/** A PRIVMSG in a joined channel. */
export interface ChatMessage {
  channel: string;
  tags: Record<string, string>;
  nick: string;
  text: string;
}

export interface TwitchChatOptions {
  url: string;
  /** Logins of the channels to join, lowercase. */
  channels: readonly string[];
  /** The bot account's login and a current token of it, asked for at every connect. */
  credentials(): Promise<{ login: string; token: string }>;
  /** Twitch refused `token` at login. */
  refused(token: string): void;
  onMessage(message: ChatMessage): void;
  onError(err: unknown, context: string): void;
  backoff?: BackoffOptions;
  /**
   * Twitch pings about every five minutes: a connection silent for longer is dead even if TCP has not noticed.
   */
  idleMs?: number;
}

/** Twitch's limit on a chat message's length, in characters. */
export const MAX_MESSAGE_LENGTH = 500;

/**
 * Twitch chat over IRC on a WebSocket: logs in with the bot's token, joins the channels and hands on their
 * messages. A RECONNECT from Twitch, a refused login or a dropped or silent socket leads to a new connection
 * (after a growing wait, except for RECONNECT, which Twitch sends before maintenance) that joins them again.
 */
export class TwitchChat extends KeptSocket {
  private readonly joined = new Set<string>();
  private readonly rooms = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private login = '';
  private token = '';

  constructor(private readonly options: TwitchChatOptions) {
    super(options.backoff, options.onError, 'Twitch chat');
  }

  /** Logged in and in every channel. */
  connected(): boolean {
    return this.socket !== undefined && this.options.channels.every((c) => this.joined.has(c));
  }

  /** The channel's broadcaster id, as ROOMSTATE told it. */
  roomId(channel: string): string | undefined {
    return this.rooms.get(channel);
  }

  /** Resolves once connected (now, or after a reconnect), or rejects after `timeoutMs`. */
  whenConnected(timeoutMs: number): Promise<void> {
    if (this.connected()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error(`Twitch chat is not connected (waited ${timeoutMs} ms)`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
  }

  /**
   * Writes `text` into `channel` (cut to Twitch's limit), as a reply to the message `replyTo` names when given.
   * Waits a while for a connection being re-established rather than losing the reply.
   */
  async say(channel: string, text: string, replyTo?: string): Promise<void> {
    await this.whenConnected(10_000);
    const line = formatLine({
      ...(replyTo ? { tags: { 'reply-parent-msg-id': replyTo } } : {}),
      command: 'PRIVMSG',
      params: [`#${channel}`, [...text].slice(0, MAX_MESSAGE_LENGTH).join('')],
    });
    this.socket!.send(line);
  }

  protected connect(): void {
    if (this.stopped) return;
    const socket = new WebSocket(this.options.url);
    this.socket = socket;
    this.follow(socket);
    socket.on('open', () => void this.logIn(socket));
    socket.on('message', (data) => {
      if (socket !== this.socket) return;
      this.alive(socket);
      for (const line of String(data).split('\r\n')) {
        const message = parseLine(line);
        if (message) this.handle(socket, message);
      }
    });
  }

  protected forget(): void {
    this.joined.clear();
  }

  private async logIn(socket: WebSocket): Promise<void> {
    let credentials: { login: string; token: string };
    try {
      credentials = await this.options.credentials();
    } catch (err) {
      this.onError(err, 'Twitch chat credentials');
      socket.terminate();
      return;
    }
    if (socket !== this.socket || socket.readyState !== WebSocket.OPEN) return;
    this.login = credentials.login.toLowerCase();
    this.token = credentials.token;
    socket.send('CAP REQ :twitch.tv/tags twitch.tv/commands');
    socket.send(`PASS oauth:${credentials.token}`);
    socket.send(`NICK ${this.login}`);
    this.alive(socket);
  }

  private handle(socket: WebSocket, message: IrcMessage): void {
    const [target, text] = message.params;
    switch (message.command) {
      case 'PING':
        socket.send(formatLine({ command: 'PONG', params: message.params }));
        return;
      case '001':
        this.backoff.reset();
        if (this.options.channels.length) {
          socket.send(`JOIN ${this.options.channels.map((c) => `#${c}`).join(',')}`);
        }
        return;
      case 'JOIN':
        if (nickOf(message.prefix) === this.login && target) this.joined.add(target.slice(1));
        this.settle();
        return;
      case 'PART':
        if (nickOf(message.prefix) === this.login && target) this.joined.delete(target.slice(1));
        return;
      case 'ROOMSTATE':
        if (target && message.tags['room-id']) this.rooms.set(target.slice(1), message.tags['room-id']);
        return;
      case 'RECONNECT':
        this.replace(0);
        return;
      case 'NOTICE':
        if (target === '*' && /authentication failed|improperly formatted auth/i.test(text ?? '')) {
          this.options.refused(this.token);
          this.options.onError(new Error(`Twitch chat refused the login: ${text}`), 'Twitch chat login');
          this.replace(this.backoff.next());
        }
        return;
      case 'PRIVMSG':
        if (target?.startsWith('#') && text !== undefined) {
          this.options.onMessage({
            channel: target.slice(1),
            tags: message.tags,
            nick: nickOf(message.prefix),
            text,
          });
        }
        return;
    }
  }

  private settle(): void {
    if (!this.connected()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const done of waiters) done();
  }

  private alive(socket: WebSocket): void {
    this.expect(socket, this.options.idleMs ?? 6 * 60_000);
  }
}
