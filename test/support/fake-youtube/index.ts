import { randomUUID } from 'node:crypto';
import {
  json,
  jsonOf,
  serveFake,
  tokenOf,
  type FakeRequest,
  type FakeResponse,
} from '../fake-providers/harness.js';

/**
 * A fake YouTube Data API v3 on loopback: the live broadcast of a channel, its live chat (listed page by page as
 * YouTube pages it, with the polling interval it advises and `offlineAt` once it ended), posting to it and banning
 * from it, and the channel of a token. Requests carry `Authorization: Bearer`; a token the fake was not given is
 * refused as Google refuses one. Errors are in Google's error JSON.
 */

export interface ChatAuthor {
  channelId: string;
  displayName: string;
  isChatModerator?: boolean;
  isChatOwner?: boolean;
}

export interface FakeYouTubeOptions {
  /** Channel ids, each with the chat of its live broadcast, or none when the channel is not live. */
  channels?: Record<string, { liveChatId?: string | undefined }>;
  /** Access tokens the fake accepts, each acting as its channel. */
  tokens?: Record<string, string>;
  /** What the fake advises between two polls of a chat; 100 unless given. */
  pollingIntervalMillis?: number;
}

export interface PostedMessage {
  liveChatId: string;
  /** The channel the token posting it acts as. */
  channelId: string;
  text: string;
}

export interface RecordedBan {
  liveChatId: string;
  /** The channel the token banning acts as. */
  by: string;
  type: 'temporary' | 'permanent';
  banDurationSeconds?: number;
  channelId: string;
}

export interface FakeYouTube {
  /** http://127.0.0.1:<port>, YouTube's `rootUrl`. */
  url: string;
  /** Someone writes in a chat. */
  say(liveChatId: string, author: ChatAuthor, text: string): void;
  readonly botMessages: PostedMessage[];
  readonly bans: RecordedBan[];
  /** When each chat was listed (performance.now()), by chat id. */
  listCalls(liveChatId: string): number[];
  /** `METHOD /path` of every request, in order. */
  readonly requests: string[];
  /** The channel goes live with a new chat. */
  goLive(channelId: string, liveChatId: string): void;
  /** The broadcast ends: its chat is offline, then gone. */
  endChat(liveChatId: string): void;
  /** The next request (any) is answered with this status: 403 `quotaExceeded`, 401, or a server error. */
  failNext(status: number, reason?: string): void;
  /** Accepts another token, or (channel undefined) no longer accepts one. */
  setToken(token: string, channelId: string | undefined): void;
  close(): Promise<void>;
}

interface Chat {
  id: string;
  channelId: string;
  items: Record<string, unknown>[];
  state: 'live' | 'offline' | 'ended';
  offlineAt?: string;
  listed: number[];
}

/** Google APIs' error answer. */
const googleError = (status: number, reason: string, message: string, domain = 'youtube.liveChat') =>
  json({ error: { code: status, message, errors: [{ message, domain, reason }] } }, status);

const REASONS: Record<number, [string, string]> = {
  401: ['authError', 'Invalid Credentials'],
  403: ['quotaExceeded', 'The request cannot be completed because you have exceeded your quota.'],
  429: ['rateLimitExceeded', 'Too many requests.'],
};

/** `part=a,b` or `part=a&part=b`, as clients send it. */
const partsOf = (request: FakeRequest) => request.query.getAll('part').flatMap((p) => p.split(','));

export async function startFakeYouTube(options: FakeYouTubeOptions = {}): Promise<FakeYouTube> {
  const interval = options.pollingIntervalMillis ?? 100;
  const tokens = new Map(Object.entries(options.tokens ?? {}));
  const live = new Map<string, string>();
  const chats = new Map<string, Chat>();
  const botMessages: PostedMessage[] = [];
  const bans: RecordedBan[] = [];
  const requests: string[] = [];
  const failures: { status: number; reason?: string | undefined }[] = [];

  const goLive = (channelId: string, liveChatId: string) => {
    live.set(channelId, liveChatId);
    chats.set(liveChatId, { id: liveChatId, channelId, items: [], state: 'live', listed: [] });
  };
  for (const [channelId, { liveChatId }] of Object.entries(options.channels ?? {})) {
    if (liveChatId) goLive(channelId, liveChatId);
  }

  const add = (chat: Chat, author: ChatAuthor, text: string) => {
    const message = {
      kind: 'youtube#liveChatMessage',
      etag: 'fake',
      id: `msg-${randomUUID()}`,
      snippet: {
        type: 'textMessageEvent',
        liveChatId: chat.id,
        authorChannelId: author.channelId,
        publishedAt: new Date().toISOString(),
        hasDisplayContent: true,
        displayMessage: text,
        textMessageDetails: { messageText: text },
      },
      authorDetails: {
        channelId: author.channelId,
        channelUrl: `http://www.youtube.com/channel/${author.channelId}`,
        displayName: author.displayName,
        profileImageUrl: 'https://yt3.example.com/photo.jpg',
        isVerified: false,
        isChatOwner: author.isChatOwner ?? author.channelId === chat.channelId,
        isChatSponsor: false,
        isChatModerator: author.isChatModerator ?? false,
      },
    };
    chat.items.push(message);
    return message;
  };

  /** The chat a request names, or the error YouTube answers for it. */
  const chatOf = (liveChatId: string | null): Chat | FakeResponse => {
    const chat = chats.get(liveChatId ?? '');
    if (!chat) {
      return googleError(
        404,
        'liveChatNotFound',
        'The live chat that you are trying to retrieve cannot be found.',
      );
    }
    return chat;
  };

  const routes: Record<string, (request: FakeRequest, channelId: string) => FakeResponse> = {
    'GET /youtube/v3/channels': (request, channelId) =>
      request.query.get('mine') === 'true' && partsOf(request).includes('id')
        ? json({ kind: 'youtube#channelListResponse', items: [{ kind: 'youtube#channel', id: channelId }] })
        : googleError(400, 'badRequest', 'This fake answers part=id&mine=true only.', 'youtube.parameter'),

    'GET /youtube/v3/liveBroadcasts': (request, channelId) => {
      const q = request.query;
      // YouTube takes one filter of broadcastStatus, id and mine; `mine=true` beside it is let through as harmless.
      if (q.get('broadcastStatus') !== 'active' || !partsOf(request).includes('snippet')) {
        return googleError(
          400,
          'badRequest',
          'This fake answers active broadcasts of mine only.',
          'youtube.parameter',
        );
      }
      const liveChatId = live.get(channelId);
      return json({
        kind: 'youtube#liveBroadcastListResponse',
        items: liveChatId
          ? [
              {
                kind: 'youtube#liveBroadcast',
                id: `bc-${liveChatId}`,
                snippet: { channelId, liveChatId, title: 'Live' },
              },
            ]
          : [],
      });
    },

    'GET /youtube/v3/liveChat/messages': (request) => {
      const chat = chatOf(request.query.get('liveChatId'));
      if (!('items' in chat)) return chat;
      // Listed once after it went offline (with offlineAt), then YouTube says it has ended.
      if (chat.state === 'ended')
        return googleError(403, 'liveChatEnded', 'The live chat is no longer live.');
      if (chat.state === 'offline') chat.state = 'ended';
      chat.listed.push(performance.now());
      const from = Number(request.query.get('pageToken') ?? 0) || 0;
      return json({
        kind: 'youtube#liveChatMessageListResponse',
        nextPageToken: String(chat.items.length),
        pollingIntervalMillis: interval,
        pageInfo: { totalResults: chat.items.length - from, resultsPerPage: 500 },
        ...(chat.offlineAt && { offlineAt: chat.offlineAt }),
        items: chat.items.slice(from),
      });
    },

    'POST /youtube/v3/liveChat/messages': (request, channelId) => {
      const snippet = (jsonOf(request).snippet ?? {}) as Record<string, unknown>;
      const details = (snippet.textMessageDetails ?? {}) as Record<string, unknown>;
      const chat = chatOf(String(snippet.liveChatId ?? ''));
      if (!('items' in chat)) return chat;
      if (chat.state !== 'live') return googleError(403, 'liveChatEnded', 'The live chat is no longer live.');
      const text = details.messageText;
      if (
        snippet.type !== 'textMessageEvent' ||
        typeof text !== 'string' ||
        text === '' ||
        text.length > 200
      ) {
        return googleError(
          400,
          'invalidMessage',
          'The message is not a text message of 1 to 200 characters.',
        );
      }
      botMessages.push({ liveChatId: String(snippet.liveChatId), channelId, text });
      return json(add(chat, { channelId, displayName: 'the channel' }, text));
    },

    'POST /youtube/v3/liveChat/bans': (request, channelId) => {
      const snippet = (jsonOf(request).snippet ?? {}) as Record<string, unknown>;
      const banned = (snippet.bannedUserDetails ?? {}) as Record<string, unknown>;
      const chat = chatOf(String(snippet.liveChatId ?? ''));
      if (!('items' in chat)) return chat;
      if (chat.channelId !== channelId) return googleError(403, 'forbidden', 'Not a moderator of this chat.');
      const type = snippet.type;
      // A uint64, which Google's JSON carries as a string (numbers are taken too).
      const seconds =
        snippet.banDurationSeconds === undefined ? undefined : Number(snippet.banDurationSeconds);
      if (
        (type !== 'temporary' && type !== 'permanent') ||
        typeof banned.channelId !== 'string' ||
        (type === 'temporary' && (seconds === undefined || !Number.isInteger(seconds) || seconds < 1))
      ) {
        return googleError(400, 'invalidBan', 'The ban is not one YouTube takes.');
      }
      bans.push({
        liveChatId: String(snippet.liveChatId),
        by: channelId,
        type,
        ...(type === 'temporary' && { banDurationSeconds: seconds }),
        channelId: banned.channelId,
      });
      return json({ kind: 'youtube#liveChatBan', id: `ban-${randomUUID()}`, snippet });
    },
  };

  const answer = (request: FakeRequest): FakeResponse => {
    const failure = failures.shift();
    if (failure) {
      const [reason, message] = REASONS[failure.status] ?? ['backendError', 'Backend Error'];
      return googleError(failure.status, failure.reason ?? reason, message, 'global');
    }
    const channelId = tokens.get(tokenOf(request) ?? '');
    if (!channelId) return googleError(401, 'authError', 'Invalid Credentials', 'global');
    const route = routes[`${request.method} ${request.path}`];
    return route ? route(request, channelId) : googleError(404, 'notFound', 'Not Found', 'global');
  };

  const server = await serveFake(answer, requests);

  return {
    url: server.url,
    say(liveChatId, author, text) {
      const chat = chats.get(liveChatId);
      if (!chat || chat.state !== 'live') throw new Error(`No live chat ${liveChatId}.`);
      add(chat, author, text);
    },
    botMessages,
    bans,
    listCalls: (liveChatId) => [...(chats.get(liveChatId)?.listed ?? [])],
    requests,
    goLive,
    endChat(liveChatId) {
      const chat = chats.get(liveChatId);
      if (!chat) throw new Error(`No chat ${liveChatId}.`);
      chat.state = 'offline';
      chat.offlineAt = new Date().toISOString();
      if (live.get(chat.channelId) === liveChatId) live.delete(chat.channelId);
    },
    failNext(status, reason) {
      failures.push({ status, reason });
    },
    setToken(token, channelId) {
      if (channelId === undefined) tokens.delete(token);
      else tokens.set(token, channelId);
    },
    close: () => server.close(),
  };
}
