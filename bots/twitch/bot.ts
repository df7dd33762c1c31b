import type { BotUser, ChatAdapter, IncomingMessage } from '../core/adapter.js';
import {
  PlatformRefusal,
  type ModerationOptions,
  type Moderator,
  type PlatformAction,
  type PlatformBot,
} from '../core/platform.js';
import type { HeimdallClient } from '../../sdk/rest/index.js';
import type { BackoffOptions } from './backoff.js';
import { TwitchChat, type ChatMessage } from './chat.js';
import { TWITCH_LOGIN, type TwitchBotConfig } from './config.js';
import { EventSubSession } from './eventsub.js';
import { Helix } from './helix.js';
import { TwitchTokens } from './tokens.js';

/** Twitch's bounds for a timeout, in seconds: one second to two weeks. */
export const MIN_TIMEOUT_SECONDS = 1;
export const MAX_TIMEOUT_SECONDS = 1_209_600;
/** Twitch's limit on a ban's reason, in characters. */
const MAX_REASON_LENGTH = 500;

export interface TwitchBotOptions {
  /** The Heimdall REST client; its credential needs `twitch:read` to hand out the Twitch tokens. */
  client: HeimdallClient;
  config: TwitchBotConfig;
  /** Failures that are not a message's: connections dropping, Twitch refusing a token or a subscription. */
  onError?: (err: unknown, context: string) => void;
  /** Waits between reconnects; tests shorten them. */
  backoff?: BackoffOptions;
  /** How long `start` waits for chat and EventSub before giving up (default 30 s). */
  startTimeoutMs?: number;
  fetch?: typeof globalThis.fetch;
}

interface Channel {
  login: string;
  ownerUserId: string;
  broadcasterId: string;
}

const EVENTS: Record<string, string> = {
  'stream.online': 'stream_online',
  'stream.offline': 'stream_offline',
};

/**
 * The Twitch bot: chat over IRC on a WebSocket as the bot account, Helix for users and moderation, EventSub over
 * a WebSocket for streams going on- and offline. Every token is Heimdall's (`platformToken`): the bot account's
 * for chat and lookups, each channel owner's for moderating and subscribing in their channel.
 */
export function createTwitchBot(options: TwitchBotOptions): PlatformBot {
  const { client, config } = options;
  const onError = options.onError ?? (() => undefined);
  const tokens = new TwitchTokens(client);
  const helix = new Helix(config.helix_url, config.client_id, tokens, options.fetch);
  let botId: string | undefined;
  let botLogin = '';
  let channels: Channel[] = [];
  let chat: TwitchChat | undefined;
  let sessions: EventSubSession[] = [];

  const channelOf = (communityId: string): Channel => {
    const channel = channels.find((c) => c.broadcasterId === communityId);
    if (!channel) throw new Error(`The Twitch bot is not configured for the channel ${communityId}.`);
    return channel;
  };

  const moderator: Moderator = {
    actions: ['timeout', 'ban'],
    async moderate(communityId: string, action: PlatformAction, user: BotUser, opts: ModerationOptions) {
      const channel = channelOf(communityId);
      // The owner's token can do anything in the channel: the author must moderate it on Twitch too.
      if (opts.by && !opts.by.platformModerator) {
        throw new PlatformRefusal(
          'not_platform_moderator',
          `${opts.by.id} does not moderate ${communityId}.`,
        );
      }
      const data: { user_id: string; duration?: number; reason: string } = {
        user_id: user.id,
        reason: [...(opts.reason ?? '')].slice(0, MAX_REASON_LENGTH).join(''),
      };
      if (action === 'timeout') data.duration = timeoutSeconds(opts.durationMs);
      else if (action !== 'ban') throw new Error(`Twitch has no ${action}: only timeout and ban.`);
      // The owner moderates their own channel: Twitch takes the broadcaster as a moderator of it.
      await helix.call('POST', '/moderation/bans', channel.ownerUserId, {
        query: { broadcaster_id: channel.broadcasterId, moderator_id: channel.broadcasterId },
        body: { data },
      });
    },
  };

  const adapter: ChatAdapter & { moderator: Moderator } = {
    platform: 'twitch',
    moderator,
    async resolveMention(mention: string) {
      const login = mention.trim().replace(/^@/, '').toLowerCase();
      if (!TWITCH_LOGIN.test(login)) return undefined;
      const [user] = await helix.users(config.bot_user_id, { login: [login] });
      return user ? { id: user.id, name: user.display_name || user.login } : undefined;
    },
  };

  const incoming = (message: ChatMessage, onMessage: (message: IncomingMessage) => void): void => {
    const { tags } = message;
    const authorId = tags['user-id'];
    const communityId = tags['room-id'] ?? chat?.roomId(message.channel);
    if (!authorId || !communityId || authorId === botId || message.nick === botLogin) return;
    const messageId = tags.id;
    onMessage({
      platform: 'twitch',
      communityId,
      authorId,
      authorName: tags['display-name'] || message.nick,
      platformModerator: /(^|,)(broadcaster|moderator)\//.test(tags.badges ?? ''),
      text: message.text,
      reply: (text) => chat!.say(message.channel, text, messageId),
    });
  };

  /** The bot account and each channel's broadcaster, from the linked accounts behind Heimdall's tokens. */
  async function identify(): Promise<void> {
    const bot = await tokens.get(config.bot_user_id);
    const owners = await Promise.all(config.channels.map((c) => tokens.get(c.owner_user_id)));
    const ids = [bot.platform_user_id, ...owners.map((o) => o.platform_user_id)];
    const users = await helix.users(config.bot_user_id, { id: [...new Set(ids)] });
    const byId = new Map(users.map((u) => [u.id, u]));
    const botUser = byId.get(bot.platform_user_id);
    if (!botUser) throw new Error(`Twitch does not know the bot account ${bot.platform_user_id}.`);
    botId = botUser.id;
    botLogin = botUser.login;
    channels = config.channels.map((c, i) => {
      const owner = byId.get(owners[i]!.platform_user_id);
      if (owner?.login !== c.login) {
        throw new Error(
          `The Twitch channel ${c.login} is not the linked Twitch account of its owner ${c.owner_user_id}` +
            ` (that is ${owner?.login ?? owners[i]!.platform_user_id}).`,
        );
      }
      return { login: c.login, ownerUserId: c.owner_user_id, broadcasterId: owner.id };
    });
  }

  /** One session per owner: EventSub takes a WebSocket session's subscriptions from one user's tokens. */
  function eventSubSessions(onEvent: (type: string, data: Record<string, unknown>) => void) {
    const byOwner = new Map<string, Channel[]>();
    for (const c of channels) byOwner.set(c.ownerUserId, [...(byOwner.get(c.ownerUserId) ?? []), c]);
    return [...byOwner].map(
      ([owner, owned]) =>
        new EventSubSession({
          url: config.eventsub_url,
          backoff: options.backoff,
          onError,
          subscribe: async (sessionId) => {
            for (const channel of owned) {
              for (const type of Object.keys(EVENTS)) {
                await helix.call('POST', '/eventsub/subscriptions', owner, {
                  body: {
                    type,
                    version: '1',
                    condition: { broadcaster_user_id: channel.broadcasterId },
                    transport: { method: 'websocket', session_id: sessionId },
                  },
                });
              }
            }
          },
          onNotification: (type, event) => {
            const name = EVENTS[type];
            if (!name) return;
            onEvent(name, {
              broadcaster_id: event.broadcaster_user_id,
              broadcaster_login: event.broadcaster_user_login,
              ...(typeof event.started_at === 'string' ? { started_at: event.started_at } : {}),
            });
          },
        }),
    );
  }

  return {
    adapter,
    botId() {
      if (botId === undefined) throw new Error('The Twitch bot knows its id once started.');
      return botId;
    },
    async start(handlers) {
      await identify();
      chat = new TwitchChat({
        url: config.chat_url,
        channels: channels.map((c) => c.login),
        backoff: options.backoff,
        credentials: async () => {
          const token = await tokens.get(config.bot_user_id);
          return { login: botLogin, token: token.access_token };
        },
        refused: (token) => tokens.invalidate(config.bot_user_id, token),
        onMessage: (message) => incoming(message, handlers.onMessage),
        onError,
      });
      sessions = eventSubSessions((type, data) => handlers.onEvent?.(type, data));
      chat.start();
      for (const session of sessions) session.start();
      const timeoutMs = options.startTimeoutMs ?? 30_000;
      try {
        await chat.whenConnected(timeoutMs);
        const deadline = Date.now() + timeoutMs;
        while (!sessions.every((s) => s.connected())) {
          if (Date.now() > deadline) throw new Error('EventSub did not welcome the Twitch bot in time.');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      } catch (err) {
        // A bot that failed to start must not keep reconnecting behind its caller's back.
        await this.stop();
        throw err;
      }
    },
    async stop() {
      await Promise.all([chat?.stop(), ...sessions.map((s) => s.stop())]);
    },
    connected() {
      return (chat?.connected() ?? false) && sessions.every((s) => s.connected());
    },
  };
}

/** A timeout's length in whole seconds (rounded up), within what Twitch takes. */
export function timeoutSeconds(durationMs: number | undefined): number {
  if (durationMs === undefined || !Number.isFinite(durationMs)) {
    throw new Error('A Twitch timeout needs a duration.');
  }
  const seconds = Math.ceil(durationMs / 1000);
  if (seconds < MIN_TIMEOUT_SECONDS || seconds > MAX_TIMEOUT_SECONDS) {
    throw new PlatformRefusal(
      'out_of_range',
      `A Twitch timeout lasts from ${MIN_TIMEOUT_SECONDS} second to ${MAX_TIMEOUT_SECONDS} seconds (14 days), not ${durationMs / 1000} seconds.`,
    );
  }
  return seconds;
}
