import { randomUUID } from 'node:crypto';
import type { WebSocket, WebSocketServer } from 'ws';
import type { FakeTwitchState, FakeTwitchUser } from './state.js';

const HOST = 'tmi.twitch.tv';

/** Twitch's IRCv3 tag escaping, written out independently of the adapter's parser. */
const tagValue = (value: string) =>
  value
    .replaceAll('\\', '\\\\')
    .replaceAll(';', '\\:')
    .replaceAll(' ', '\\s')
    .replaceAll('\r', '\\r')
    .replaceAll('\n', '\\n');
const tagged = (tags: Record<string, string>, rest: string) =>
  `@${Object.entries(tags)
    .map(([k, v]) => `${k}=${tagValue(v)}`)
    .join(';')} ${rest}`;

interface Connection {
  socket: WebSocket;
  caps: Set<string>;
  token?: string;
  nick?: string;
  user?: FakeTwitchUser;
  channels: Set<string>;
}

/** A chat login the fake saw: whom it let in and whom not. */
export interface ChatLogin {
  nick: string;
  token: string;
  accepted: boolean;
}

/**
 * Twitch chat: IRC over WebSocket with the tags and commands capabilities, PASS/NICK login checked against
 * the tokens, JOIN answered with ROOMSTATE, PING and PONG, RECONNECT, and the bot's PRIVMSGs recorded.
 */
export class FakeChat {
  private readonly connections = new Set<Connection>();
  readonly logins: ChatLogin[] = [];

  constructor(
    private readonly state: FakeTwitchState,
    server: WebSocketServer,
  ) {
    server.on('connection', (socket) => {
      const connection: Connection = { socket, caps: new Set(), channels: new Set() };
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
      socket.on('message', (data) => {
        for (const line of String(data).split(/\r?\n/)) if (line) this.line(connection, line);
      });
    });
  }

  /** A viewer writes in a channel; answers the message's id. */
  say(channelLogin: string, userLogin: string, text: string): string {
    const channel = this.state.user({ login: channelLogin });
    const author = this.state.user({ login: userLogin });
    if (!channel || !author) throw new Error(`the fake knows no ${channel ? userLogin : channelLogin}`);
    const id = randomUUID();
    const moderates = author.moderates?.includes(channel.login) ?? false;
    const tags = {
      'badge-info': '',
      badges: author.id === channel.id ? 'broadcaster/1' : moderates ? 'moderator/1' : '',
      color: '',
      'display-name': author.display_name,
      emotes: '',
      'first-msg': '0',
      flags: '',
      id,
      mod: moderates ? '1' : '0',
      'room-id': channel.id,
      subscriber: '0',
      'tmi-sent-ts': String(Date.now()),
      turbo: '0',
      'user-id': author.id,
      'user-type': '',
    };
    const line = `:${author.login}!${author.login}@${author.login}.${HOST} PRIVMSG #${channel.login} :${text}`;
    for (const c of this.connections) {
      if (c.channels.has(channel.login))
        this.send(c, c.caps.has('twitch.tv/tags') ? tagged(tags, line) : line);
    }
    return id;
  }

  /** Twitch's notice before it goes away for maintenance. */
  reconnect(): void {
    for (const c of this.connections) this.send(c, `:${HOST} RECONNECT`);
  }

  /** Every chat connection cut without a word. */
  drop(): void {
    for (const c of this.connections) c.socket.terminate();
  }

  /** Logged-in connections in `channel` now. */
  joined(channelLogin: string): number {
    return [...this.connections].filter((c) => c.channels.has(channelLogin)).length;
  }

  private send(c: Connection, line: string): void {
    c.socket.send(`${line}\r\n`);
  }

  private line(c: Connection, line: string): void {
    const match = /^(?:@(\S+) )?(\S+)(?: (.*))?$/.exec(line);
    if (!match) return;
    const [, rawTags, command, rest = ''] = match;
    const [middle = '', trailing] = rest.startsWith(':') ? ['', rest.slice(1)] : rest.split(/ :(.*)/s);
    const args = middle.split(' ').filter(Boolean);
    switch (command!.toUpperCase()) {
      case 'CAP':
        if (args[0] === 'REQ') {
          for (const cap of (trailing ?? '').split(' ')) c.caps.add(cap);
          this.send(c, `:${HOST} CAP * ACK :${trailing ?? ''}`);
        }
        return;
      case 'PASS':
        c.token = (args[0] ?? trailing ?? '').replace(/^oauth:/, '');
        return;
      case 'NICK':
        c.nick = (args[0] ?? trailing ?? '').toLowerCase();
        this.logIn(c);
        return;
      case 'PING':
        this.send(c, `:${HOST} PONG ${HOST} :${trailing ?? args[0] ?? ''}`);
        return;
      case 'JOIN':
        if (c.user) for (const name of (args[0] ?? '').split(',')) this.join(c, name.replace(/^#/, ''));
        return;
      case 'PRIVMSG': {
        if (!c.user || !args[0] || !c.channels.has(args[0].slice(1))) return;
        const parent = /(?:^|;)reply-parent-msg-id=([^;]*)/.exec(rawTags ?? '')?.[1];
        this.state.botMessages.push({
          channel: args[0].slice(1),
          text: trailing ?? '',
          userId: c.user.id,
          ...(parent ? { replyParentMsgId: parent } : {}),
        });
        return;
      }
    }
  }

  private logIn(c: Connection): void {
    const user = c.token ? this.state.userOfToken(c.token) : undefined;
    const accepted = user !== undefined && user.login === c.nick;
    this.logins.push({ nick: c.nick ?? '', token: c.token ?? '', accepted });
    if (!accepted) {
      this.send(c, `:${HOST} NOTICE * :Login authentication failed`);
      c.socket.close();
      return;
    }
    c.user = user;
    const nick = user.login;
    for (const [code, text] of [
      ['001', 'Welcome, GLHF!'],
      ['002', `Your host is ${HOST}`],
      ['003', 'This server is rather new'],
      ['004', '-'],
      ['375', '-'],
      ['372', 'You are in a maze of twisty passages, all alike.'],
      ['376', '>'],
    ]) {
      this.send(c, `:${HOST} ${code} ${nick} :${text}`);
    }
    if (c.caps.has('twitch.tv/commands')) {
      this.send(
        c,
        tagged(
          { 'badge-info': '', badges: '', color: '', 'display-name': user.display_name, 'user-id': user.id },
          `:${HOST} GLOBALUSERSTATE`,
        ),
      );
    }
  }

  private join(c: Connection, login: string): void {
    const channel = this.state.user({ login });
    const nick = c.user!.login;
    if (!channel) {
      this.send(c, `@msg-id=msg_channel_suspended :${HOST} NOTICE #${login} :This channel does not exist.`);
      return;
    }
    c.channels.add(login);
    this.send(c, `:${nick}!${nick}@${nick}.${HOST} JOIN #${login}`);
    this.send(c, `:${nick}.${HOST} 353 ${nick} = #${login} :${nick}`);
    this.send(c, `:${nick}.${HOST} 366 ${nick} #${login} :End of /NAMES list`);
    if (!c.caps.has('twitch.tv/commands')) return;
    this.send(
      c,
      tagged({ badges: '', 'display-name': c.user!.display_name, mod: '0' }, `:${HOST} USERSTATE #${login}`),
    );
    this.send(
      c,
      tagged(
        {
          'emote-only': '0',
          'followers-only': '-1',
          r9k: '0',
          'room-id': channel.id,
          slow: '0',
          'subs-only': '0',
        },
        `:${HOST} ROOMSTATE #${login}`,
      ),
    );
  }
}
