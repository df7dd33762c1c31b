import type { BotUser, IncomingMessage } from '../core/index.js';
import {
  MAX_MESSAGE_LENGTH,
  YouTubeApiError,
  type ChatMessage,
  type ChatPage,
  type YouTubeApi,
} from './api.js';
import type { OwnerToken } from './tokens.js';

export interface ChatTiming {
  /** Between two looks for a live broadcast while none is. */
  discoveryMs: number;
  /** The first wait after a failure; each failure in a row doubles it, up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
  /** The shortest wait between two polls, whatever YouTube advises. */
  minPollMs: number;
}

export interface ChatEvents {
  onMessage(message: IncomingMessage): void;
  onEvent?(type: string, data: Record<string, unknown>): void;
  onError?(err: unknown, context: string): void;
}

/** Authors kept per chat for mentions; the oldest seen goes first. */
const MAX_AUTHORS = 1000;
/** Ids of the bot's own recent posts, to know them when the chat lists them back. */
const MAX_POSTED = 200;
const RECENT_POST_MS = 120_000;

/** Worth asking again later: YouTube busy or out of quota, a server error, or no answer at all. */
function transient(err: unknown): boolean {
  if (!(err instanceof YouTubeApiError)) return true;
  const busy = ['quotaExceeded', 'rateLimitExceeded', 'userRateLimitExceeded', 'backendError'];
  return err.status >= 500 || err.status === 429 || busy.includes(err.reason ?? '');
}

/** Forgets the oldest entry past `max`. */
function trim(into: Set<string> | Map<string, unknown>, max: number): void {
  if (into.size > max) into.delete(into.keys().next().value!);
}

/** A mention as people write it: `@Name`, `@handle` or `Name`, matched without case. */
const nameKey = (name: string) => name.trim().replace(/^@/, '').toLowerCase();

/**
 * One configured channel: finds its live broadcast's chat, polls it no faster than YouTube advises, hands new
 * messages on, and goes back to looking once the chat ends. It speaks and moderates with the owner's token.
 */
export class ChannelChat {
  channelId: string | undefined;
  liveChatId: string | undefined;
  state: 'idle' | 'discovering' | 'polling' | 'stopped' = 'idle';
  /** The last call to YouTube (and Heimdall for the token) went through. */
  healthy = false;
  private failures = 0;
  private readonly authors = new Map<string, BotUser>();
  private readonly posted = new Set<string>();
  /** Texts being posted now: the chat may list a post before its insert has answered. */
  private readonly posting = new Map<string, number>();
  /** What the bot wrote lately, until when: a post YouTube lists before its insert returned is still its own. */
  private readonly recent = new Map<string, number>();
  private readonly sleepers = new Set<() => void>();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly api: YouTubeApi,
    readonly token: OwnerToken,
    private readonly timing: ChatTiming,
  ) {}

  /** The owner's channel, as their token acts: it names the community. */
  async resolveChannel(): Promise<string> {
    this.channelId ??= await this.token.use((t) => this.api.myChannelId(t));
    return this.channelId;
  }

  start(events: ChatEvents): void {
    this.state = 'discovering';
    this.loop = this.run(events);
  }

  async stop(): Promise<void> {
    this.state = 'stopped';
    for (const wake of this.sleepers) wake();
    await this.loop;
  }

  get running(): boolean {
    return this.state === 'discovering' || this.state === 'polling';
  }

  async reply(liveChatId: string, whole: string): Promise<void> {
    // Kept as YouTube will show it: a cut reply read back must still be recognised as the bot's own.
    const text = whole.slice(0, MAX_MESSAGE_LENGTH);
    this.posting.set(text, (this.posting.get(text) ?? 0) + 1);
    this.recent.delete(text);
    trim(this.recent.set(text, Date.now() + RECENT_POST_MS), MAX_POSTED);
    try {
      const id = await this.token.use((t) => this.api.post(t, liveChatId, text));
      if (id) trim(this.posted.add(id), MAX_POSTED);
    } finally {
      const left = (this.posting.get(text) ?? 1) - 1;
      if (left > 0) this.posting.set(text, left);
      else this.posting.delete(text);
    }
  }

  /** A timeout for `seconds`, or a ban without; only while a chat is live, since YouTube bans from one. */
  async ban(user: BotUser, seconds?: number): Promise<void> {
    const liveChatId = this.liveChatId;
    if (!liveChatId) throw new Error('The channel is not live: YouTube bans from a live chat only.');
    await this.token.use((t) => this.api.ban(t, liveChatId, user.id, seconds));
  }

  /**
   * An author seen in this chat lately, by channel id or display name. Display names are not unique: a name two
   * authors share names nobody, so an impostor cannot get the real one banned.
   */
  findAuthor(mention: string): BotUser | undefined {
    const byId = this.authors.get(mention.trim());
    if (byId) return byId;
    const wanted = nameKey(mention);
    const named = [...this.authors.values()].filter((a) => nameKey(a.name) === wanted);
    return named.length === 1 ? named[0] : undefined;
  }

  private async run(events: ChatEvents): Promise<void> {
    while (this.running) {
      try {
        const channelId = await this.resolveChannel();
        const liveChatId = await this.token.use((t) => this.api.activeLiveChatId(t));
        this.succeeded();
        if (!liveChatId) {
          this.state = 'discovering';
          await this.sleep(this.timing.discoveryMs);
          continue;
        }
        this.liveChatId = liveChatId;
        this.state = 'polling';
        events.onEvent?.('stream_online', { channel_id: channelId, live_chat_id: liveChatId });
        await this.poll(channelId, liveChatId, events);
        events.onEvent?.('stream_offline', { channel_id: channelId, live_chat_id: liveChatId });
      } catch (err) {
        await this.failed(err, 'discovering the live chat', events);
      } finally {
        this.liveChatId = undefined;
        if (this.running) this.state = 'discovering';
      }
    }
  }

  /** Until the chat ends. The messages there before the first poll are history, not commands: skipped. */
  private async poll(channelId: string, liveChatId: string, events: ChatEvents): Promise<void> {
    let pageToken: string | undefined;
    let first = true;
    while (this.running) {
      let page: ChatPage;
      try {
        page = await this.token.use((t) => this.api.messages(t, liveChatId, pageToken));
      } catch (err) {
        if (err instanceof YouTubeApiError && err.chatEnded) return;
        if (!transient(err)) throw err;
        await this.failed(err, 'polling the live chat', events);
        continue;
      }
      this.succeeded();
      pageToken = page.nextPageToken ?? pageToken;
      if (!first) {
        for (const message of page.messages) this.deliver(channelId, liveChatId, message, events);
      }
      first = false;
      if (page.offlineAt) return;
      await this.sleep(Math.max(page.pollingIntervalMillis, this.timing.minPollMs));
    }
  }

  private deliver(channelId: string, liveChatId: string, message: ChatMessage, events: ChatEvents): void {
    if (message.authorId === channelId && this.ownPost(message)) return;
    const author = { id: message.authorId, name: message.authorName };
    this.authors.delete(author.id);
    trim(this.authors.set(author.id, author), MAX_AUTHORS);
    try {
      events.onMessage({
        platform: 'youtube',
        communityId: channelId,
        authorId: message.authorId,
        authorName: message.authorName,
        platformModerator: message.authorModerates,
        text: message.text,
        reply: (text) => this.reply(liveChatId, text),
      });
    } catch (err) {
      events.onError?.(err, 'handling a chat message');
    }
  }

  /** The bot speaks as the channel: its own posts come back in the chat and are not commands. */
  private ownPost(message: ChatMessage): boolean {
    if (this.posted.delete(message.id)) return true;
    if (this.posting.has(message.text)) return true;
    const until = this.recent.get(message.text);
    return until !== undefined && until > Date.now();
  }

  private succeeded(): void {
    this.healthy = true;
    this.failures = 0;
  }

  private async failed(err: unknown, context: string, events: ChatEvents): Promise<void> {
    this.healthy = false;
    events.onError?.(err, `youtube: ${context}`);
    const wait = Math.min(this.timing.backoffMs * 2 ** this.failures, this.timing.maxBackoffMs);
    this.failures += 1;
    await this.sleep(wait);
  }

  /** At least `ms` (timers may fire a little early), or until stopped. */
  private async sleep(ms: number): Promise<void> {
    const until = performance.now() + ms;
    while (this.running && performance.now() < until) {
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, Math.max(1, Math.ceil(until - performance.now())));
        this.sleepers.add(wake);
      });
    }
  }
}
