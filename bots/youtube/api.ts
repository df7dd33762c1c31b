import { youtube, type MethodOptions } from '@googleapis/youtube';

/**
 * The few YouTube Data API v3 calls the bot makes, over `@googleapis/youtube`. Every call carries the access
 * token it is given (the channel owner's, from Heimdall), and none is retried by the library: the bot decides
 * when to ask again, so that a quota is not spent on retries it did not plan.
 */

/** A refusal by YouTube, with Google's reason (`quotaExceeded`, `liveChatEnded`…) where it gave one. */
export class YouTubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'YouTubeApiError';
  }

  /** The chat is over: back to looking for a live broadcast. */
  get chatEnded(): boolean {
    return ['liveChatEnded', 'liveChatNotFound', 'liveChatDisabled'].includes(this.reason ?? '');
  }
}

export interface ChatMessage {
  id: string;
  authorId: string;
  authorName: string;
  /** The chat's owner or one of its moderators. */
  authorModerates: boolean;
  text: string;
  publishedAt: string | undefined;
}

export interface ChatPage {
  messages: ChatMessage[];
  nextPageToken: string | undefined;
  pollingIntervalMillis: number;
  /** Set once the chat went offline: nothing more will come. */
  offlineAt: string | undefined;
}

export interface YouTubeApi {
  /** The channel the token acts as. */
  myChannelId(token: string): Promise<string>;
  /** The chat of the token's channel's live broadcast, or undefined when it is not live. */
  activeLiveChatId(token: string): Promise<string | undefined>;
  messages(token: string, liveChatId: string, pageToken: string | undefined): Promise<ChatPage>;
  /** Posts as the token's channel; the new message's id. */
  post(token: string, liveChatId: string, text: string): Promise<string | undefined>;
  /** A ban for `seconds`, or a permanent one without. */
  ban(token: string, liveChatId: string, channelId: string, seconds?: number): Promise<void>;
}

/** YouTube takes chat messages of up to 200 characters. */
export const MAX_MESSAGE_LENGTH = 200;

/** The shape gaxios (under the library) gives its errors: the answer's status and Google's error JSON. */
interface GoogleErrorShape {
  message?: unknown;
  code?: unknown;
  response?: { status?: number; data?: { error?: { message?: string; errors?: { reason?: string }[] } } };
}

function toApiError(err: unknown): Error {
  const { response, message } = (err ?? {}) as GoogleErrorShape;
  if (typeof response?.status !== 'number') return err instanceof Error ? err : new Error(String(err));
  const google = response.data?.error;
  return new YouTubeApiError(
    response.status,
    google?.errors?.[0]?.reason,
    `YouTube answered HTTP ${response.status}: ${google?.message ?? String(message)}`,
  );
}

export function createYouTubeApi(apiUrl: string): YouTubeApi {
  const api = youtube({ version: 'v3', rootUrl: `${apiUrl}/` });

  async function call<T>(token: string, run: (options: MethodOptions) => Promise<{ data: T }>): Promise<T> {
    try {
      // gaxios waits for ever by default; a hung call would hold the chat's loop and its stop.
      return (await run({ headers: { authorization: `Bearer ${token}` }, retry: false, timeout: 10_000 }))
        .data;
    } catch (err) {
      throw toApiError(err);
    }
  }

  return {
    async myChannelId(token) {
      const answer = await call(token, (o) => api.channels.list({ part: ['id'], mine: true }, o));
      const id = answer.items?.[0]?.id;
      if (!id) throw new YouTubeApiError(404, 'channelNotFound', 'The Google account has no YouTube channel');
      return id;
    },

    async activeLiveChatId(token) {
      const answer = await call(token, (o) =>
        api.liveBroadcasts.list({ part: ['snippet'], broadcastStatus: 'active', broadcastType: 'all' }, o),
      );
      return answer.items?.find((b) => b.snippet?.liveChatId)?.snippet?.liveChatId ?? undefined;
    },

    async messages(token, liveChatId, pageToken) {
      const answer = await call(token, (o) =>
        api.liveChatMessages.list(
          { liveChatId, part: ['snippet', 'authorDetails'], ...(pageToken && { pageToken }) },
          o,
        ),
      );
      return {
        messages: (answer.items ?? []).flatMap((item): ChatMessage[] => {
          const { snippet, authorDetails: author } = item;
          // Super Chats, memberships, deletions and the like are not commands.
          if (snippet?.type !== 'textMessageEvent' || !item.id || !author?.channelId) return [];
          return [
            {
              id: item.id,
              authorId: author.channelId,
              authorName: author.displayName ?? author.channelId,
              authorModerates: Boolean(author.isChatOwner || author.isChatModerator),
              text: snippet.displayMessage ?? snippet.textMessageDetails?.messageText ?? '',
              publishedAt: snippet.publishedAt ?? undefined,
            },
          ];
        }),
        nextPageToken: answer.nextPageToken ?? undefined,
        pollingIntervalMillis: answer.pollingIntervalMillis ?? 0,
        offlineAt: answer.offlineAt ?? undefined,
      };
    },

    async post(token, liveChatId, text) {
      const answer = await call(token, (o) =>
        api.liveChatMessages.insert(
          {
            part: ['snippet'],
            requestBody: {
              snippet: {
                liveChatId,
                type: 'textMessageEvent',
                textMessageDetails: { messageText: text.slice(0, MAX_MESSAGE_LENGTH) },
              },
            },
          },
          o,
        ),
      );
      return answer.id ?? undefined;
    },

    async ban(token, liveChatId, channelId, seconds) {
      await call(token, (o) =>
        api.liveChatBans.insert(
          {
            part: ['snippet'],
            requestBody: {
              snippet: {
                liveChatId,
                type: seconds === undefined ? 'permanent' : 'temporary',
                ...(seconds !== undefined && { banDurationSeconds: String(seconds) }),
                bannedUserDetails: { channelId },
              },
            },
          },
          o,
        ),
      );
    },
  };
}
